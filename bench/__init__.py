"""Benchmarks: each prints one JSON object; results go to docs/performance.md."""
