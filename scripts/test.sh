#!/usr/bin/env bash
# The whole test suite: lint, types, tests on SQLite, then the database tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
# Many tests start `probity` or a driver in a new process: let Python keep compiled bytecode
# (some machines set PYTHONDONTWRITEBYTECODE, and then every process recompiles pandas).
unset PYTHONDONTWRITEBYTECODE
scripts/bootstrap.sh
scripts/ensure-chromium.sh
echo "== ruff"; .venv/bin/ruff check src tests benchmarks
echo "== mypy"; .venv/bin/mypy
echo "== secret scan"; .venv/bin/python scripts/secret_scan.py
echo "== pytest (SQLite)"
.venv/bin/pytest -n 2 -p no:cacheprovider "$@"
if .venv/bin/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then
  echo "== pytest (PostgreSQL)"
  # a database name of this run's own, so that concurrent runs never share test databases
  DATABASE_URL="postgresql://postgres@127.0.0.1:5432/probity_run_$$" .venv/bin/pytest -n 2 -p no:cacheprovider tests/web "$@"
else
  echo "!! PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run was skipped" >&2
  if [ -n "${CI:-}" ]; then exit 1; fi
fi
