"""Evaluation harness, gold data and benchmarks."""
