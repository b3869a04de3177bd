#!/usr/bin/env bash
# Re-resolve requirements.lock from pyproject.toml (run after changing dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock
