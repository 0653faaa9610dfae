#!/usr/bin/env bash
# make bench: measure the same-run limits (bench/calibrate.py) and the SpiffWorkflow peer
# (bench/peer_spiff.py), then APPEND a dated section to bench/RESULTS.md.
#
#   bash bench/run.sh                      # default run, about 70 s (first time: + venv install, + 100k lookup db)
#   bash bench/run.sh --skip-pg            # extra arguments go to calibrate.py (see --help)
#   bash bench/run.sh --lookup-cases 100000 1000000
#   PEER_ARGS="--duration 5" bash bench/run.sh
#   BENCH_WAIT_QUIET=300 bash bench/run.sh # first wait up to 300 s for 1-min load < BENCH_QUIET_LOAD (0.5)
#
# Benchmarks report figures, they never fail on a target. The exit status is non-zero only when a
# script produced no result at all. Work files: .artifacts/bench/ (SQLite files, runs/<id>/ with the
# raw JSON and the log), .artifacts/bench-pg/ (private PostgreSQL cluster, fsync=on, port 54339,
# always stopped at the end), .artifacts/bench-venv/ (SpiffWorkflow, psycopg).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

PYTHON="${PYTHON:-python3}"
VENV=.artifacts/bench-venv
PY="$VENV/bin/python"
REQS=bench/requirements.txt
RESULTS="${BENCH_RESULTS:-bench/RESULTS.md}"
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
OUT=".artifacts/bench/runs/$RUN_ID"
PG_DATA="$REPO/.artifacts/bench-pg/data"
PG_BIN="${BENCH_PG_BIN:-/usr/lib/postgresql/15/bin}"
T0=$(date +%s)

log() { echo "[bench] $*" >&2; }

# The bench cluster is stopped by calibrate.py itself (also on errors and signals); this is the
# belt-and-braces for a calibrate.py that was killed hard. It only ever touches .artifacts/bench-pg.
stop_bench_pg() {
  [ -f "$PG_DATA/PG_VERSION" ] && [ -x "$PG_BIN/pg_ctl" ] || return 0
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  if "${as[@]}" "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; then
    log "stopping the bench PostgreSQL cluster left running"
    "${as[@]}" "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null 2>&1 \
      || "${as[@]}" "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 >/dev/null 2>&1 || true
  fi
}
trap stop_bench_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- bench venv (never the project's .venv) ---------------------------------------------------
if ! "$PY" -c 'import SpiffWorkflow, psycopg' >/dev/null 2>&1 \
   || [ ! -f "$VENV/.requirements.stamp" ] || [ "$REQS" -nt "$VENV/.requirements.stamp" ]; then
  if ! "$PY" -c 'import sys' >/dev/null 2>&1; then
    log "creating $VENV with $(command -v "$PYTHON")"
    rm -rf "$VENV"
    mkdir -p .artifacts
    if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
      rm -rf "$VENV"
      log "'$PYTHON -m venv' failed; trying virtualenv"
      "$PYTHON" -m pip install -q virtualenv && "$PYTHON" -m virtualenv -q "$VENV"
    fi
  fi
  log "pip install -r $REQS"
  "$PY" -m pip install -q --disable-pip-version-check -r "$REQS"
  touch "$VENV/.requirements.stamp"
fi

mkdir -p "$OUT"

# --- optionally wait for a quiet machine (builds running beside the benchmark skew it) ---------
waited=0
if [ -n "${BENCH_WAIT_QUIET:-}" ]; then
  limit="${BENCH_QUIET_LOAD:-0.5}"
  while awk -v l="$limit" '{ exit !($1 >= l) }' /proc/loadavg && [ "$waited" -lt "$BENCH_WAIT_QUIET" ]; do
    [ $((waited % 30)) = 0 ] && log "waiting for 1-min load < $limit (now $(cut -d' ' -f1 /proc/loadavg), ${waited}s/${BENCH_WAIT_QUIET}s)"
    sleep 5; waited=$((waited + 5))
  done
fi

# --- environment ---------------------------------------------------------------------------------
busy_procs() {  # processes using > 20% CPU right now (second sample of top), excluding ourselves
  local pid cpu out=""
  while read -r pid cpu; do
    [ "$pid" = "$$" ] && continue
    out="${out:+$out, }$(ps -o comm= -p "$pid" 2>/dev/null || echo "?") (pid $pid) ${cpu}%"
  done < <(top -b -n 2 -d 1 -o %CPU 2>/dev/null | awk '/^top -/{f++} f==2 && $1 ~ /^[0-9]+$/ && $9+0 > 20 {print $1, $9}')
  echo "$out"
}
io_psi() {  # share of the last 60 s in which some task was stalled on I/O (Linux PSI)
  awk '/^some/{sub("avg60=", "", $3); print $3 "%"}' /proc/pressure/io 2>/dev/null || echo "n/a"
}
rev="$(git rev-parse --short HEAD 2>/dev/null || echo uncommitted)"
if [ "$rev" != uncommitted ] && [ -n "$(git status --porcelain 2>/dev/null | head -1)" ]; then
  rev="$rev (working tree has uncommitted changes)"
fi
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "run_id=$RUN_ID"
  echo "commit=$rev"
  echo "python=$("$PY" -c 'import platform; print(platform.python_version())')"
  echo "sqlite=$("$PY" -c 'import sqlite3; print(sqlite3.sqlite_version)') (Python sqlite3 module)"
  echo "spiffworkflow=$("$PY" -c 'from importlib.metadata import version as v; print(v("SpiffWorkflow"))')"
  echo "psycopg=$("$PY" -c 'from importlib.metadata import version as v; print(v("psycopg"))' 2>/dev/null || echo none)"
  echo "postgresql=$("$PG_BIN/postgres" --version 2>/dev/null || echo 'not installed')"
  echo "pgbench=$("$PG_BIN/pgbench" --version 2>/dev/null || echo 'not installed')"
  echo "swift=$( (swift --version 2>/dev/null || true) | head -1 | grep . || echo 'not on PATH')"
  echo "kernel=$(uname -srm)"
  echo "cpu=$(nproc) x $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
  echo "memory=$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "disk=$(df -h . | tail -1 | tr -s ' ')"
  echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "io_pressure_start=$(io_psi)"
  echo "waited_for_quiet_s=$waited"
  echo "busy_start=$(busy_procs)"
} > "$OUT/env.txt"
cat "$OUT/env.txt" >&2

CAL_CMD=("$PY" bench/calibrate.py "$@" --out "$OUT/calibrate.json")
# shellcheck disable=SC2206
PEER_CMD=("$PY" bench/peer_spiff.py ${PEER_ARGS:-} --out "$OUT/peer_spiff.json")
{
  echo "cmd_run=${BENCH_WAIT_QUIET:+BENCH_WAIT_QUIET=$BENCH_WAIT_QUIET }${PEER_ARGS:+PEER_ARGS=\"$PEER_ARGS\" }bash bench/run.sh${*:+ $*}"
  echo "cmd_calibrate=${CAL_CMD[*]}"
  echo "cmd_peer=${PEER_CMD[*]}"
} >> "$OUT/env.txt"

cal_rc=0; peer_rc=0
log "${CAL_CMD[*]}"
"${CAL_CMD[@]}" >/dev/null 2> >(tee "$OUT/calibrate.log" >&2) || cal_rc=$?
log "${PEER_CMD[*]}"
"${PEER_CMD[@]}" >/dev/null 2> >(tee "$OUT/peer_spiff.log" >&2) || peer_rc=$?
sleep 0.2  # let the tee processes flush
{
  echo "busy_end=$(busy_procs)"
  echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "io_pressure_end=$(io_psi)"
  echo "calibrate_rc=$cal_rc"
  echo "peer_rc=$peer_rc"
  echo "elapsed_s=$(( $(date +%s) - T0 ))"
} >> "$OUT/env.txt"

"$PY" bench/report.py --run-dir "$OUT" --results "$RESULTS"
log "appended a section to $RESULTS (raw JSON and logs in $OUT) in $(( $(date +%s) - T0 )) s"

[ -s "$OUT/calibrate.json" ] && [ -s "$OUT/peer_spiff.json" ]
