#!/usr/bin/env bash
# Build (or refresh) the project's virtual environment from the lock file. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if command -v python3.11 >/dev/null 2>&1; then PY=python3.11; else PY=python3; fi
fi
if [ ! -x .venv/bin/python ]; then
  echo "probity: creating .venv with $PY"
  "$PY" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
fi
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-64)
if [ "$(cat .venv/.probity-lock 2>/dev/null || true)" != "$want" ]; then
  echo "probity: installing locked dependencies"
  .venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.lock
  .venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
  echo "$want" > .venv/.probity-lock
fi
