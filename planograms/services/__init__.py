"""Writes to planograms and their stock (one module per concern)."""
