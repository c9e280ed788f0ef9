"""Load and fault scripts that drive the service on loopback (also used by the tests)."""
