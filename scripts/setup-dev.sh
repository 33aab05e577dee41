#!/usr/bin/env bash
# Set up the project's virtual environment in .venv — once. Later runs return at once unless
# pyproject.toml or the Python version changed (a stamp file keyed on a hash of both).
# Usage: scripts/setup-dev.sh [app|test]     Needs python3 (3.11+) with venv.
#   app:  what running the desk needs (scripts/run-desk.sh)
#   test: the app and the test tools (pytest, ruff, mypy, import-linter…); the default
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
kind=${1:-test}
case "$kind" in
  app) target=. ;;
  test) target=".[test]" ;;
  *) echo "usage: scripts/setup-dev.sh [app|test]" >&2; exit 2 ;;
esac
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
key=$(.venv/bin/python -c '
import hashlib, sys
data = open("pyproject.toml", "rb").read() + sys.version.encode()
print(hashlib.sha256(data).hexdigest())')
installed() { [ -f ".venv/.installed-$1" ] && [ "$(cat ".venv/.installed-$1")" = "$key" ]; }
# The test install includes the app's.
if installed "$kind" || { [ "$kind" = app ] && installed test; }; then
  exit 0
fi
rm -f .venv/.installed-app .venv/.installed-test
echo "Installing disdukcapil-desk ($kind: $target) into .venv — once; again only when pyproject.toml changes." >&2
start=$(date +%s)
# pip's full chatter goes to a log (shown when the install fails); what it fetches is shown.
log=.venv/install.log
progress() {
  grep --line-buffered -E '^(Collecting|Processing .*\.whl|Successfully installed)' | sed -u \
    -e 's/^Collecting \([^ <>=!~;[(]*\).*/  • \1/' \
    -e 's/^Processing .*\/\([^/-]*-[^-]*\)-.*\.whl.*/  • \1/' \
    -e 's/^Successfully installed /  installed: /' >&2 || true
}
if ! { .venv/bin/python -m pip install --upgrade pip \
       && .venv/bin/python -m pip install --progress-bar off -e "$target"; } 2>&1 | tee "$log" | progress; then
  cat "$log" >&2
  exit 1
fi
echo "$key" >".venv/.installed-$kind"
echo "Installed in $(($(date +%s) - start)) s (details: $log)." >&2
