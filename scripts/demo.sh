#!/usr/bin/env bash
# The main job: build the environment, generate a demo force, run the analytics,
# load them into the web app's embedded database and serve it on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/probity demo "$@"
