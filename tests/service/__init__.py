"""Service tests: the Flask app against a real store (SQLite, or PostgreSQL)."""
