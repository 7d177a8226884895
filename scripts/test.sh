#!/usr/bin/env bash
# Quick start, command 2: set up and run the whole test suite (lint included).
# Tests use TEST_DATABASE_URL when set (a PostgreSQL server; each run makes its own database),
# else the embedded PostgreSQL. Extra arguments go to pytest.
# The tests run on PYTEST_WORKERS pytest-xdist workers (default 3 on this 2-core target: a third fills the
# time the others wait on servers, sleeps and restarts; 0 runs them in this process), each
# with its own database. `--dist loadgroup` hands out one test at a time (no test is grouped: xdist 3.8's
# groups do not take under pytest 9), in the order tests/conftest.py sets: the long ones first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports  # the layers and their named exceptions: pyproject.toml [tool.importlinter]
# The tests start about 50 Python processes (servers, benchmarks, the CLI); compiled once here, they read
# ricemill's bytecode instead of each compiling it again (0.2 s of CPU a start where, as on this
# machine, PYTHONDONTWRITEBYTECODE is set). __pycache__ is ignored by git.
.venv/bin/python -m compileall -q ricemill bench
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-3}" --dist loadgroup "$@"
