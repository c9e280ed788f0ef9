"""The test suite: library tests here, service tests in tests/service."""
