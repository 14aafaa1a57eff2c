"""Writes to planograms and the inventory metrics engine (one module per concern)."""
