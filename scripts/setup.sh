#!/usr/bin/env bash
# Shared set-up: a virtualenv in .venv with the pinned dependencies, and the npm packages.
# Idempotent and quick when nothing changed. Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."

# npm's packages install while the venv is made and pip runs (two separate trees)
npm_pid=""
if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error &
    npm_pid=$!
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.requirements-stamp"
want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)-${1:-run}"
if [ ! -f "$stamp" ] || ! grep -qx "$want" "$stamp"; then
  .venv/bin/python -m pip install --quiet --upgrade pip  # a current pip installs the rest faster
  if [ "${1:-}" = "dev" ]; then
    .venv/bin/python -m pip install --quiet -r requirements-dev.txt
  else
    .venv/bin/python -m pip install --quiet -r requirements.txt
  fi
  echo "$want" > "$stamp"
fi

if [ -n "$npm_pid" ]; then
  wait "$npm_pid"
fi
