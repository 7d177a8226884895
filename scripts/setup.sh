#!/usr/bin/env bash
# Shared set-up: a virtualenv in .venv with the pinned dependencies, and the npm packages.
# Idempotent and quick when nothing changed. Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.requirements-stamp"
want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)-${1:-run}"
if [ ! -f "$stamp" ] || ! grep -qx "$want" "$stamp"; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ "${1:-}" = "dev" ]; then
    .venv/bin/python -m pip install --quiet -r requirements-dev.txt
  else
    .venv/bin/python -m pip install --quiet -r requirements.txt
  fi
  echo "$want" > "$stamp"
fi

if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
