"""Pages for people: the employer desk, the verifier page and badge artwork."""
