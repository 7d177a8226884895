#!/usr/bin/env bash
# Quick start, command 2: set up and run the whole test suite (lint included).
# Tests use TEST_DATABASE_URL when set (a PostgreSQL server; each run makes its own database),
# else the embedded PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports  # the layers and their named exceptions: pyproject.toml [tool.importlinter]
exec .venv/bin/python -m pytest "$@"
