"""Use cases: each validates against the domain, owns its transaction, returns plain data."""
