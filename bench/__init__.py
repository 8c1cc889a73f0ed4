"""Benchmarks: each module prints one side-by-side comparison and saves it under bench/results/."""
