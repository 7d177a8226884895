#!/usr/bin/env bash
# Quick start, command 1: set up, migrate, seed the demo and serve on http://127.0.0.1:5000.
# Uses an embedded PostgreSQL under instance/ unless DATABASE_URL points at a server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export FLASK_APP=ricemill:create_app
.venv/bin/flask db upgrade
.venv/bin/flask ricemill seed-demo
exec .venv/bin/python app.py
