"""Measurements: eval sets and the scripts that run them."""
