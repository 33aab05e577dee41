#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment in .venv with the app and test tools.
# Usage: scripts/setup-dev.sh            Needs python3 (3.11+) with venv.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
