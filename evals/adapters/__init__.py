"""The adapter eval: held-out questions on what the bundled SFT data teaches, base vs adapter."""
