# Source this file (bash): starts a throw-away PostgreSQL cluster for the tests and exports
#   INSPECT_TEST_PG_URL      postgresql:// URL of a fresh database, superuser, local socket
#   INSPECT_TEST_PG_REQUIRED=1  so that a PostgreSQL test that would skip fails instead
# and registers `pg_stop` to stop it and remove its folder (call it from an EXIT trap).
# The cluster is initdb'ed in a temp folder as a non-root user (PostgreSQL refuses root) and
# listens only on a Unix socket in that folder (and 127.0.0.1 on a free port).
pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

pg_start() {
  local bin user port
  bin="$(pg_bindir)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres.sh: no PostgreSQL server found (apt-get install postgresql)" >&2; return 1
  fi
  PG_TMP="$(mktemp -d /tmp/inspect-pg.XXXXXX)"
  chmod 755 "$PG_TMP"
  user="$(id -un)"
  if [ "$(id -u)" = 0 ]; then
    user=postgres
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown "$user" "$PG_TMP"
  fi
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  _pg_as() { if [ "$(id -u)" = 0 ]; then su -s /bin/sh "$user" -c "$*"; else sh -c "$*"; fi; }
  _pg_as "'$bin/initdb' -D '$PG_TMP/data' -U inspect_test --auth=trust -E UTF8 --locale=C.UTF-8 >'$PG_TMP/initdb.log' 2>&1" \
    || { cat "$PG_TMP/initdb.log" >&2; return 1; }
  _pg_as "'$bin/pg_ctl' -D '$PG_TMP/data' -l '$PG_TMP/server.log' -w -t 60 \
    -o \"-k '$PG_TMP' -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start >/dev/null" \
    || { cat "$PG_TMP/server.log" >&2; return 1; }
  PG_BIN="$bin"; PG_USER="$user"
  export INSPECT_TEST_PG_URL="postgresql://inspect_test@127.0.0.1:$port/postgres"
  export INSPECT_TEST_PG_REQUIRED=1
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests at $INSPECT_TEST_PG_URL"
}

pg_stop() {
  [ -n "${PG_TMP:-}" ] || return 0
  if [ "$(id -u)" = 0 ]; then
    su -s /bin/sh "$PG_USER" -c "'$PG_BIN/pg_ctl' -D '$PG_TMP/data' -m immediate stop" >/dev/null 2>&1 || true
  else
    "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TMP"
  PG_TMP=""
}
