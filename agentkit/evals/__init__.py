"""Evaluations: datasets, official metrics, and a runner that compares systems side by side."""
