#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment in .venv with the app and test tools.
# Usage: scripts/setup-dev.sh            Needs python3 (3.11+) with venv.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# pip's and setuptools' chatter goes to a log; it is shown only when the install fails.
log=.venv/install.log
if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".[test]"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
