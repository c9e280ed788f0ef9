"""The credential library: frameworks, achievements, proofs, verification (no Flask)."""
