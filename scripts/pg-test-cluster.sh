#!/usr/bin/env bash
# Private, throw-away PostgreSQL 15 cluster for the test suite (test data only: fsync is off).
#
#   scripts/pg-test-cluster.sh start    # init (first time) + start, wait until it accepts connections
#   scripts/pg-test-cluster.sh stop     # pg_ctl stop -m fast (no-op when not running)
#   scripts/pg-test-cluster.sh status
#   scripts/pg-test-cluster.sh destroy  # stop and delete the data folder
#
# Listens on 127.0.0.1:${PGTEST_PORT:-54329} only, trust auth, superuser "postgres":
#   postgres://postgres@127.0.0.1:54329/postgres
# Data lives in .artifacts/pg/data. initdb/pg_ctl refuse to run as root, so when we are root
# they run as the "postgres" system user (created by the postgresql-15 package).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PGTEST_PORT:-54329}"
PGBIN="${PGTEST_BIN:-/usr/lib/postgresql/15/bin}"
POINTER="$REPO/.artifacts/pg/location"   # remembers the folder actually used (see fallback below)

log() { echo "[pg-test-cluster] $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$PGBIN/pg_ctl" ] || die "$PGBIN/pg_ctl not found (apt-get install postgresql-15, or run 'make deps-test')"

if [ "$(id -u)" = 0 ]; then
  PGUSER_OS=postgres
  id "$PGUSER_OS" >/dev/null 2>&1 || die "system user 'postgres' does not exist (install postgresql-15)"
  as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
else
  PGUSER_OS="$(id -un)"
  as_pg() { "$@"; }
fi

# Base folder: .artifacts/pg inside the repo, unless the postgres user cannot reach it
# (e.g. a clone under /root, which is mode 700) or the socket path would be too long.
choose_base() {
  local base="$REPO/.artifacts/pg"
  mkdir -p "$base"
  chmod 755 "$REPO/.artifacts" "$base"
  if [ "$(id -u)" = 0 ]; then
    # Everything above the repo is not ours to change: only check it.
    if ! as_pg test -x "$(dirname "$REPO")"; then
      base=""
      log "'$(dirname "$REPO")' is not traversable by user postgres"
    elif ! as_pg test -x "$REPO"; then
      log "chmod o+x $REPO (so user postgres can reach .artifacts/pg)"
      chmod o+x "$REPO"
    fi
  fi
  # Unix socket paths are limited to 107 bytes.
  if [ -n "$base" ] && [ "${#base}" -gt 80 ]; then
    log "'$base' is too long for a unix socket path"
    base=""
  fi
  if [ -z "$base" ]; then
    base="${TMPDIR:-/tmp}/onevisit-pgtest-$(id -u)-$PORT"
    mkdir -p "$base"
    chmod 755 "$base"
    log "falling back to $base for the cluster's data and socket"
  fi
  echo "$base"
}

locate() {
  if [ -f "$POINTER" ]; then BASE="$(cat "$POINTER")"; else BASE="$REPO/.artifacts/pg"; fi
  DATA="$BASE/data"; SOCK="$BASE/sock"; LOGFILE="$BASE/log/postgres.log"
}

is_running() { [ -f "$DATA/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

wait_ready() {
  local i
  for i in $(seq 1 60); do   # 60 x 0.5 s = 30 s
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; then return 0; fi
    sleep 0.5
  done
  return 1
}

cmd_start() {
  BASE="$(choose_base)"
  mkdir -p "$(dirname "$POINTER")"
  echo "$BASE" > "$POINTER"
  locate
  if is_running; then
    local running_port
    running_port="$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true)"
    if [ -n "$running_port" ] && [ "$running_port" != "$PORT" ]; then
      die "cluster in $DATA is already running on port $running_port, not $PORT (run '$0 stop' first)"
    fi
    log "cluster in $DATA already running, reusing it"
  else
    mkdir -p "$SOCK" "$(dirname "$LOGFILE")"
    if [ ! -f "$DATA/PG_VERSION" ]; then
      rm -rf "$DATA"
      mkdir -p "$DATA"
      [ "$(id -u)" = 0 ] && chown "$PGUSER_OS:" "$DATA"
      chmod 700 "$DATA"
      log "initdb $DATA"
      if ! as_pg "$PGBIN/initdb" -D "$DATA" --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$BASE/initdb.log" 2>&1; then
        log "initdb with C.UTF-8 failed, retrying with --locale=C"
        rm -rf "$DATA"; mkdir -p "$DATA"; [ "$(id -u)" = 0 ] && chown "$PGUSER_OS:" "$DATA"; chmod 700 "$DATA"
        as_pg "$PGBIN/initdb" -D "$DATA" --auth=trust -U postgres --encoding=UTF8 --locale=C --no-sync >"$BASE/initdb.log" 2>&1 \
          || { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
      fi
      cat >> "$DATA/postgresql.conf" <<CONF

# --- OneVisit test cluster (throw-away test data only) ---
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
    fi
    [ "$(id -u)" = 0 ] && chown -R "$PGUSER_OS:" "$SOCK" "$(dirname "$LOGFILE")" "$DATA"
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
      die "something else already answers on 127.0.0.1:$PORT (set PGTEST_PORT to use another port)"
    fi
    log "starting PostgreSQL on 127.0.0.1:$PORT (data $DATA, log $LOGFILE)"
    if ! as_pg "$PGBIN/pg_ctl" start -D "$DATA" -l "$LOGFILE" -w -t 30 \
          -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c max_connections=400" >/dev/null; then
      tail -n 30 "$LOGFILE" >&2 || true
      die "pg_ctl start failed"
    fi
  fi
  wait_ready || { tail -n 30 "$LOGFILE" >&2 || true; die "PostgreSQL did not answer on 127.0.0.1:$PORT within 30 s"; }
  log "ready: postgres://postgres@127.0.0.1:$PORT/postgres"
}

cmd_stop() {
  locate
  if is_running; then
    log "stopping cluster in $DATA"
    as_pg "$PGBIN/pg_ctl" stop -D "$DATA" -m fast -w -t 30 >/dev/null \
      || as_pg "$PGBIN/pg_ctl" stop -D "$DATA" -m immediate -w -t 30 >/dev/null
  else
    log "not running"
  fi
}

cmd_status() {
  locate
  if is_running; then log "running (data $DATA, port $PORT)"; else log "not running"; return 3; fi
}

cmd_destroy() {
  cmd_stop
  locate
  rm -rf "$BASE/data" "$BASE/sock" "$BASE/log" "$BASE/initdb.log"
  rm -f "$POINTER"
  [ "$BASE" = "$REPO/.artifacts/pg" ] || rmdir "$BASE" 2>/dev/null || true
  log "removed $BASE/data"
}

case "${1:-}" in
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  status)  cmd_status ;;
  destroy) cmd_destroy ;;
  *) echo "usage: $0 start|stop|status|destroy" >&2; exit 2 ;;
esac
