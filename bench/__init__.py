"""Benchmarks: run each as a module from the repository root (`python -m bench.search`); `make bench` runs them all."""
