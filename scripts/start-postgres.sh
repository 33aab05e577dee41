#!/usr/bin/env bash
# Start a private, throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks.
# Usage: scripts/start-postgres.sh DIR [PORT [LISTEN]]   — prints the SQLAlchemy URL on stdout.
# LISTEN (default 127.0.0.1) is the address to listen on; another address also lets its /24
# network in (the link tests reach the server from a network namespace).
# The server refuses to run as root, so when run as root it runs as the postgres user.
set -euo pipefail
dir=${1:?usage: start-postgres.sh DIR [PORT]}
port=${2:-55433}
listen=${3:-127.0.0.1}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pgbin" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
chmod 700 "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_pg "$pgbin/initdb -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log"
  if [ "$listen" != 127.0.0.1 ]; then
    echo "host all all ${listen%.*}.0/24 trust" >>"$dir/data/pg_hba.conf"
  fi
fi
as_pg "$pgbin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -o \"-c listen_addresses=$listen -p $port -k '$dir' -c fsync=off -c max_connections=100\" start" >/dev/null
echo "postgresql+psycopg://postgres@$listen:$port/postgres"
