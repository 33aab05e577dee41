#!/usr/bin/env bash
# Set everything up and open the desk on the embedded SQLite database.
# Usage: scripts/run-desk.sh [--demo] [desk options…]
#   --demo   fill a fresh database with demo requests; the logins are printed (and the
#            administrator 'admin' gets the demo password too).
# Without --demo the first run asks for the administrator's password.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=0
if [ "${1:-}" = --demo ]; then demo=1; shift; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  scripts/install-system-deps.sh app
fi
scripts/setup-dev.sh app  # installs once; later starts skip it (no test tools)
desk=.venv/bin/disdukcapil-desk
if [ "$demo" = 1 ]; then
  if ! "$desk" "$@" db check >/dev/null 2>&1; then
    echo demo12345 | "$desk" "$@" db init --admin admin
    "$desk" "$@" demo --requests 400
  fi
elif ! "$desk" "$@" db check >/dev/null 2>&1; then
  "$desk" "$@" db init --admin admin
fi
exec "$desk" "$@"
