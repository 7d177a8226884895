"""Benchmarks for the performance bars of docs/QUALITY.md (see bench/README.md).

Each module runs as `python -m bench.<name>`, prints one JSON result and records it in
bench/RESULTS.md. Every run works in its own database, created on the server of
BENCH_DATABASE_URL (else TEST_DATABASE_URL) and dropped at the end, and talks to 127.0.0.1 only.
"""
