"""Benchmarks (not tests): load, query counts and scale. Run ``bench/run.py --help``."""
