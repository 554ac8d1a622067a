#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on a local port for the store tests (Debian's package),
# and print its URL. Stop it with: .ci/postgres.sh stop
set -euo pipefail
PORT=${PGPORT_TEST:-55432}
DIR=${PGDATA_TEST:-/tmp/lean-trainer-pg}
if [ "${1:-}" = "stop" ]; then
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR stop -m fast" >/dev/null 2>&1 || true
  exit 0
fi
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "[ci] installing PostgreSQL" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR stop -m fast" >/dev/null 2>&1 || true
rm -rf "$DIR"
mkdir -p "$DIR"
chown postgres "$DIR"
su postgres -s /bin/sh -c "$BIN/initdb -D $DIR --auth=trust --username=postgres -E UTF8 >/dev/null"
su postgres -s /bin/sh -c "$BIN/pg_ctl -D $DIR -l $DIR/server.log -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -w start >/dev/null"
"$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -q -c "CREATE DATABASE lean_trainer_test" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/lean_trainer_test"
