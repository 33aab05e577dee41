#!/usr/bin/env bash
# Set everything up and open the desk on the embedded SQLite database.
# Usage: scripts/run-desk.sh [--demo] [desk options…]
#   --demo   fill a fresh database with demo requests; the logins are printed (and the
#            administrator 'admin' gets the demo password too).
# Without --demo the first run asks for the administrator's password.
# The first run installs the app into .venv and prepares the database; later runs only start
# the desk (a database that vanished since is then reported by the desk itself, by path).
set -euo pipefail
cd "$(dirname "$0")/.."
demo=0
if [ "${1:-}" = --demo ]; then demo=1; shift; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  scripts/install-system-deps.sh app
fi
scripts/setup-dev.sh app  # installs once; later starts skip it (no test tools)
desk=.venv/bin/disdukcapil-desk
# The database is prepared once per set of desk options (e.g. --basedir), not checked anew on
# every start: that would cost a second start of Python.
prepared=.venv/.desk-prepared
options="demo=$demo $*"
if ! { [ -f "$prepared" ] && grep -qxF -- "$options" "$prepared"; }; then
  if [ "$demo" = 1 ]; then
    if ! "$desk" "$@" db check >/dev/null 2>&1; then
      echo demo12345 | "$desk" "$@" db init --admin admin
      echo demo12345 | "$desk" "$@" --login admin demo --requests 400
    fi
  elif ! "$desk" "$@" db check >/dev/null 2>&1; then
    "$desk" "$@" db init --admin admin
  fi
  echo "$options" >>"$prepared"
fi
exec "$desk" "$@"
