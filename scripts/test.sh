#!/usr/bin/env bash
# Quick start, command 2: set up and run the whole test suite (lint included).
# Tests use TEST_DATABASE_URL when set (a PostgreSQL server; each run makes its own database),
# else the embedded PostgreSQL. Extra arguments go to pytest.
# The tests run on PYTEST_WORKERS pytest-xdist workers (default 2; 0 runs them in this process), each
# with its own database; the browser tests stay together on one worker (one Chromium, one server).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports  # the layers and their named exceptions: pyproject.toml [tool.importlinter]
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadgroup "$@"
