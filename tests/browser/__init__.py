"""Journeys of the people #16 names, in Debian Chromium through Playwright, checked with axe."""
