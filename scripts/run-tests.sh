#!/usr/bin/env bash
# The whole test suite: lint, types, layering contracts, then pytest on SQLite and, when
# DISDUKCAPIL_TEST_PG names a PostgreSQL server (or one can be started here), on PostgreSQL.
# Usage: scripts/run-tests.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  scripts/install-system-deps.sh all
fi
scripts/setup-dev.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
if [ -z "${DISDUKCAPIL_TEST_PG:-}" ] && ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  pgdir=$(mktemp -d /tmp/desk-pg.XXXXXX)
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  DISDUKCAPIL_TEST_PG=$(scripts/start-postgres.sh "$pgdir" "$port")
  export DISDUKCAPIL_TEST_PG
  stop_pg() {
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [ "$(id -u)" = 0 ]; then
      su postgres -s /bin/bash -c "$pgbin/pg_ctl -D '$pgdir/data' -m fast -w stop" >/dev/null || true
    else
      "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$pgdir"
  }
  trap stop_pg EXIT
fi
# One command a line: under `set -e` a failure inside an `a && b` list would not stop the run.
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== import-linter"
.venv/bin/lint-imports
echo "== pytest (PostgreSQL: ${DISDUKCAPIL_TEST_PG:-none})"
.venv/bin/python -m pytest -p no:cacheprovider "$@"
