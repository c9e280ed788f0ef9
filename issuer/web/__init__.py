"""Plumbing every entry point shares: problem answers, caller authentication, request parsing."""
