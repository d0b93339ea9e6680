"""Benchmarks and load test of the dashboard: protocol-level clients, no browser (see docs/PERFORMANCE.md)."""
