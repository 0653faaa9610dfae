#!/usr/bin/env bash
# make bench / make bench-quick: build the release binary, measure the same-run limits
# (bench/calibrate.py), the SpiffWorkflow peer (bench/peer_spiff.py) and OneVisit itself
# (in-process lifecycle on SQLite FULL/NORMAL and PostgreSQL, the lifecycle over HTTP from a separate
# process, bulk seed + queries at 100k (and 1M) cases in-process and over HTTP, server RSS, cold
# start, `onevisit kpi-verify` on the HTTP lifecycle's database and on each seeded one), then APPEND
# a dated section to bench/RESULTS.md, whose "Targets" table is issue 12's acceptance list, each
# figure with its bar from this run's limits, ratio and met / missed.
#
#   bash bench/run.sh                      # full run (make bench): 25 min on a fresh clone incl. the ~13 min release build (1,514 s measured)
#   bash bench/run.sh --quick              # make bench-quick: < 5 min once the release binary is built (30,000 cases for the queries)
#   bash bench/run.sh --skip-pg            # other arguments go to calibrate.py (see --help); --skip-pg also skips OneVisit on PostgreSQL
#   PEER_ARGS="--duration 5" bash bench/run.sh
#   BENCH_WAIT_QUIET=300 bash bench/run.sh # first wait up to 300 s for 1-min load < BENCH_QUIET_LOAD (0.5)
#   BENCH_SKIP_BUILD=1                     # use .build-release/release/onevisit as it is (the section says so)
#   BENCH_ONEVISIT_BIN=path/to/onevisit    # measure that binary instead (no build; e.g. a debug build while developing)
#   BENCH_SKIP_ONEVISIT=1                  # limits and peer only (no Swift needed)
#   BENCH_SCALES="100000 1000000"          # case counts to seed for the query part (full: both, quick: 100000)
#   BENCH_LIFECYCLE_SECONDS=20             # aim of each lifecycle run (the case count is sized from the previous run's rate)
#
# Benchmarks report figures, they never fail on a target. The exit status is non-zero only when a
# script produced no result at all. Work files: .artifacts/bench/ (SQLite files, runs/<id>/ with the
# raw JSON and the logs), .artifacts/bench-ov/ (OneVisit's databases of this run, removed at the end
# unless BENCH_KEEP_DB=1), .artifacts/bench-pg/ (private PostgreSQL cluster, fsync=on, port 54339,
# always stopped at the end), .artifacts/bench-venv/ (SpiffWorkflow, psycopg, aiohttp).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

QUICK=0
CAL_ARGS=()
SKIP_PG=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    --skip-pg) SKIP_PG=1; CAL_ARGS+=("$a") ;;
    *) CAL_ARGS+=("$a") ;;
  esac
done

PYTHON="${PYTHON:-python3}"
VENV=.artifacts/bench-venv
PY="$VENV/bin/python"
REQS=bench/requirements.txt
RESULTS="${BENCH_RESULTS:-bench/RESULTS.md}"
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
OUT=".artifacts/bench/runs/$RUN_ID"
WORK=".artifacts/bench-ov/$RUN_ID"
PG_DATA="$REPO/.artifacts/bench-pg/data"
PG_BIN="${BENCH_PG_BIN:-/usr/lib/postgresql/15/bin}"
SCRATCH=.build-release
OVBIN="$SCRATCH/release/onevisit"
T0=$(date +%s)
if [ "$QUICK" = 1 ]; then
  # 30,000 cases: the 100,000-case seed and its queries alone took 3 of the quick run's 9 minutes
  SCALES="${BENCH_SCALES:-30000}"
  LC_SECONDS="${BENCH_LIFECYCLE_SECONDS:-5}"
  LC_FIRST=100
  HTTP_PER_CLIENT=4
  QUERY_SECONDS=2
  [ ${#CAL_ARGS[@]} -eq 0 ] && CAL_ARGS=(--duration 1.5 --pg-duration 3)
  PEER_ARGS="${PEER_ARGS:---duration 1.5}"
else
  SCALES="${BENCH_SCALES:-100000 1000000}"
  LC_SECONDS="${BENCH_LIFECYCLE_SECONDS:-15}"
  LC_FIRST=300
  HTTP_PER_CLIENT=8
  QUERY_SECONDS=5
fi
# the raw lookup reference at every seeded scale (each is built once, the 1M one ~2 GB, then reused)
case " ${CAL_ARGS[*]:-} " in *" --lookup-cases "*|*" --skip-lookup "*) ;; *) CAL_ARGS+=(--lookup-cases $SCALES) ;; esac

log() { echo "[bench] $*" >&2; }
# env for every OneVisit command: low bcrypt cost so the demo accounts' logins (before the clock
# starts) are cheap, no background due-case scans in the server.
OV_ENV=(ONEVISIT_BCRYPT_COST=4 ONEVISIT_JOBS_INTERVAL=0 ONEVISIT_DEMO=true)

SERVER_PID=""
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# The bench cluster is stopped by calibrate.py itself (also on errors and signals) and after the
# OneVisit PostgreSQL runs; this is the belt-and-braces for a script that was killed hard. It only
# ever touches .artifacts/bench-pg.
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
cleanup() {
  stop_server
  stop_bench_pg
  if [ "${BENCH_KEEP_DB:-0}" != 1 ] && [ -d "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- bench venv (never the project's .venv) ---------------------------------------------------
if ! "$PY" -c 'import SpiffWorkflow, psycopg, aiohttp' >/dev/null 2>&1 \
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
# Debian packages: PostgreSQL 15 (the server and pgbench, for the PostgreSQL limits and OneVisit on
# PostgreSQL) and wrk (raw HTTP throughput). Without them those figures say "not measured" (wrk: the
# Python client measures instead). BENCH_NO_APT=1 never installs.
apt_missing=""
[ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/pgbench" ] || apt_missing="postgresql-15"
command -v wrk >/dev/null 2>&1 || apt_missing="$apt_missing wrk"
if [ -n "$apt_missing" ] && [ "${BENCH_NO_APT:-0}" != 1 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  apt_missing="${apt_missing# }"
  log "installing $apt_missing (apt) for the PostgreSQL and HTTP figures"
  # shellcheck disable=SC2086
  { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $apt_missing >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $apt_missing >/dev/null 2>&1; }; } \
    || log "could not install $apt_missing: the figures that need them are reported as not measured"
fi

mkdir -p "$OUT"
ENV="$OUT/env.txt"
: > "$ENV"
note() { echo "$1=$2" >> "$ENV"; }

# --- release build (incremental; 9–13 min from scratch on 2 cores) ---------------------------------
OV=1
[ "${BENCH_SKIP_ONEVISIT:-0}" = 1 ] && OV=0
BUILD_CMD="swift build -c release --product onevisit --scratch-path $SCRATCH"
if [ "$OV" = 1 ]; then
  if [ -n "${BENCH_ONEVISIT_BIN:-}" ]; then
    OVBIN="$BENCH_ONEVISIT_BIN"
    note build "skipped: BENCH_ONEVISIT_BIN=$OVBIN (not the release build of this commit unless it says so)"
  elif [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    note build "skipped (BENCH_SKIP_BUILD=1): $OVBIN as built at $(date -u -r "$OVBIN" '+%Y-%m-%d %H:%M:%S UTC' 2>/dev/null || echo '?')"
  elif command -v swift >/dev/null 2>&1; then
    log "$BUILD_CMD   (log: $OUT/build.log)"
    b0=$(date +%s)
    if $BUILD_CMD > "$OUT/build.log" 2>&1; then
      note build "$BUILD_CMD: $(( $(date +%s) - b0 )) s (incremental when $SCRATCH exists)"
    else
      note build "FAILED after $(( $(date +%s) - b0 )) s: $BUILD_CMD (see build.log)"
      log "release build failed (tail of $OUT/build.log below): OneVisit figures not measured"
      tail -20 "$OUT/build.log" >&2
      OV=0
    fi
  else
    note build "swift not on PATH: OneVisit figures not measured"
    OV=0
  fi
  if [ "$OV" = 1 ] && [ ! -x "$OVBIN" ]; then note build "no $OVBIN"; OV=0; fi
fi

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
if [ "$rev" != uncommitted ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null | head -1)" ]; then
  rev="$rev (working tree has uncommitted changes: $(git status --porcelain --untracked-files=no | awk '{print $2}' | head -8 | tr '\n' ' '))"
fi
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "run_id=$RUN_ID"
  echo "mode=$([ "$QUICK" = 1 ] && echo quick || echo full)"
  echo "commit=$rev"
  echo "python=$("$PY" -c 'import platform; print(platform.python_version())')"
  echo "sqlite=$("$PY" -c 'import sqlite3; print(sqlite3.sqlite_version)') (Python sqlite3 module)"
  echo "spiffworkflow=$("$PY" -c 'from importlib.metadata import version as v; print(v("SpiffWorkflow"))')"
  echo "psycopg=$("$PY" -c 'from importlib.metadata import version as v; print(v("psycopg"))' 2>/dev/null || echo none)"
  echo "aiohttp=$("$PY" -c 'from importlib.metadata import version as v; print(v("aiohttp"))' 2>/dev/null || echo none)"
  echo "wrk=$( (wrk --version 2>&1 || true) | head -1 | grep wrk || echo 'not installed')"
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
  echo "onevisit_env=${OV_ENV[*]}"
} >> "$ENV"
cat "$ENV" >&2

CAL_CMD=("$PY" bench/calibrate.py "${CAL_ARGS[@]}" --out "$OUT/calibrate.json")
# shellcheck disable=SC2206
PEER_CMD=("$PY" bench/peer_spiff.py ${PEER_ARGS:-} --out "$OUT/peer_spiff.json")
{
  echo "cmd_run=${BENCH_WAIT_QUIET:+BENCH_WAIT_QUIET=$BENCH_WAIT_QUIET }${PEER_ARGS:+PEER_ARGS=\"$PEER_ARGS\" }bash bench/run.sh${*:+ $*}"
  echo "cmd_calibrate=${CAL_CMD[*]}"
  echo "cmd_peer=${PEER_CMD[*]}"
} >> "$ENV"

part() { note "t_$1" "$(( $(date +%s) - T0 ))"; note "load1_$1" "$(cut -d' ' -f1 /proc/loadavg)"; }

cal_rc=0; peer_rc=0
part calibrate
log "${CAL_CMD[*]}"
"${CAL_CMD[@]}" >/dev/null 2> >(tee "$OUT/calibrate.log" >&2) || cal_rc=$?
part peer
log "${PEER_CMD[*]}"
"${PEER_CMD[@]}" >/dev/null 2> >(tee "$OUT/peer_spiff.log" >&2) || peer_rc=$?
sleep 0.2  # let the tee processes flush

# =================================================================================================
# OneVisit
# =================================================================================================
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# run NAME CMD...: log the command line as cmd_NAME in env.txt, run it with stdout → NAME.out and
# stderr → NAME.log (and the terminal). Never fails the script.
run() {
  local name=$1; shift
  note "cmd_$name" "$*"
  log "$name: $*"
  local rc=0
  "$@" > "$OUT/$name.out" 2> >(tee "$OUT/$name.log" >&2) || rc=$?
  sleep 0.1
  note "rc_$name" "$rc"
  return 0
}

# cases/s of a lifecycle result (JSON from --json, else the text output), 0 if none
rate_of() { "$PY" bench/report.py --rate-of "$OUT/$1" 2>/dev/null || echo 0; }
# cases for the next lifecycle run: the previous run's rate × LC_SECONDS, within [min, 50000]
size() { "$PY" -c "import sys; r=float(sys.argv[1]); m=int(sys.argv[3]); print(max(m, min(50000, int(r*float(sys.argv[2])))) if r > 0 else int(sys.argv[4]))" "$1" "$LC_SECONDS" "$2" "$3"; }

HAS_JSON=0
HAS_KPI_VERIFY=0
# kpi_verify NAME: `onevisit kpi-verify` on the database of SENV (the server stopped): it recounts the
# KPI figures from the cases and prints `kpi-verify: N buckets, M differences` (exit 1 when M > 0);
# report.py reads that line from kpi-verify-NAME.out (or .log).
kpi_verify() {
  [ "$HAS_KPI_VERIFY" = 1 ] || return 0
  run "kpi-verify-$1" "${SENV[@]}" "$OVBIN" kpi-verify
}
if [ "$OV" = 1 ]; then
  mkdir -p "$WORK"
  "$OVBIN" bench lifecycle --help 2>/dev/null | grep -q -- '--json' && HAS_JSON=1
  if "$OVBIN" kpi-verify --help >/dev/null 2>&1; then HAS_KPI_VERIFY=1; else note kpi_verify "not run: this binary has no kpi-verify subcommand"; fi
  note onevisit_binary "$OVBIN ($(stat -c %s "$OVBIN" | awk '{printf "%.0f MB", $1/1048576}'), built $(date -u -r "$OVBIN" '+%Y-%m-%d %H:%M:%S UTC'))"
  note onevisit_bench_commands "$("$OVBIN" bench --help 2>/dev/null | awk '/SUBCOMMANDS/{f=1; next} f && NF && $1 !~ /^See/ {print $1}' | tr '\n' ' ')"

  # --- 2a. in-process lifecycle --------------------------------------------------------------
  part lifecycle
  prev=""
  lifecycle() {  # name url datadir clients [synchronous]
    local name=$1 url=$2 dir=$3 c=$4 sync=${5:-} n
    if [ -z "$prev" ]; then n=$LC_FIRST; else n=$(size "$(rate_of "$prev")" $((c * 10)) "$LC_FIRST"); fi
    local cmd=(env "${OV_ENV[@]}" ONEVISIT_DATABASE_URL="$url" ONEVISIT_DATA_DIR="$dir" "$OVBIN" bench lifecycle --cases "$n" --clients "$c")
    [ -n "$sync" ] && cmd+=(--synchronous "$sync")
    [ "$HAS_JSON" = 1 ] && cmd+=(--json "$OUT/$name.json")
    run "$name" "${cmd[@]}"
    prev=$name
  }
  for sync in FULL NORMAL; do
    for c in 1 16; do
      d="$WORK/lc-${sync,,}-$c"; mkdir -p "$d"
      lifecycle "lifecycle-sqlite-${sync,,}-$c" "sqlite:$d/ov.sqlite" "$d/files" "$c" "$sync"
    done
  done
  if [ "$SKIP_PG" = 0 ] && [ -x "$PG_BIN/pg_ctl" ]; then
    part lifecycle_pg
    if "$PY" bench/pg_cluster.py start 2> >(tee "$OUT/pg-start.log" >&2); then
      note pg_settings "$("$PY" bench/pg_cluster.py settings)"
      prev=""
      for c in 1 16; do
        url=$("$PY" bench/pg_cluster.py fresh-db onevisit_bench)
        d="$WORK/lc-pg-$c"; mkdir -p "$d"
        lifecycle "lifecycle-pg-$c" "$url" "$d/files" "$c"
      done
      "$PY" bench/pg_cluster.py stop 2>/dev/null || true
    else
      note pg_settings "the bench cluster did not start (see pg-start.log)"
    fi
  fi

  # --- 2b. lifecycle over HTTP, separate process, SQLite FULL (the server's setting) ------------
  part http_lifecycle
  d="$WORK/http"; mkdir -p "$d"
  SENV=(env "${OV_ENV[@]}" ONEVISIT_DATABASE_URL="sqlite:$d/ov.sqlite" ONEVISIT_DATA_DIR="$d/files")
  run http-migrate "${SENV[@]}" "$OVBIN" migrate
  run http-seed "${SENV[@]}" "$OVBIN" seed --demo
  # serve NAME: start the server (SENV) on a free port, wait for /healthz (≤ 60 s); sets SERVER_PID, URL
  serve() {
    local name=$1 port
    port=$(free_port)
    URL="http://127.0.0.1:$port"
    note "cmd_$name" "${SENV[*]} $OVBIN serve --host 127.0.0.1 --port $port"
    "${SENV[@]}" "$OVBIN" serve --host 127.0.0.1 --port "$port" > "$OUT/$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
      curl -sf -o /dev/null "$URL/healthz" && return 0
      kill -0 "$SERVER_PID" 2>/dev/null || { log "$name exited (see $OUT/$name.log)"; SERVER_PID=""; return 1; }
      sleep 0.1
    done
    log "$name did not answer /healthz within 60 s"; stop_server; return 1
  }
  if serve http-server; then
    base_rate=$(rate_of lifecycle-sqlite-full-16)
    for c in 16 64; do
      n=$(size "$base_rate" $((c * HTTP_PER_CLIENT)) $((c * HTTP_PER_CLIENT)))
      run "http-lifecycle-$c" "$PY" bench/http_lifecycle.py --url "$URL" --cases "$n" --clients "$c" --server-pid "$SERVER_PID" \
        --sqlite "$d/ov.sqlite" --database sqlite --synchronous FULL --json "$OUT/http-lifecycle-$c.json"
    done
    stop_server
  fi
  # the KPI counters kept by the transitions above, recounted from the cases (server stopped)
  kpi_verify http
  rm -rf "$d"

  # --- 4. bulk seed, queries in-process and over HTTP, RSS, cold start ---------------------------
  for n in $SCALES; do
    part "scale_$n"
    d="$WORK/scale-$n"; mkdir -p "$d"
    SENV=(env "${OV_ENV[@]}" ONEVISIT_DATABASE_URL="sqlite:$d/ov.sqlite" ONEVISIT_DATA_DIR="$d/files")
    run "seed-$n" "${SENV[@]}" "$OVBIN" bench seed --cases "$n" --json "$OUT/seed-$n.json" --samples "$OUT/samples-$n.json"
    if [ ! -s "$OUT/samples-$n.json" ]; then
      log "no samples from bench seed at $n cases: skipping the queries at this scale"
      continue
    fi
    run "queries-$n" "${SENV[@]}" "$OVBIN" bench queries --samples "$OUT/samples-$n.json" --json "$OUT/queries-$n.json"
    if serve "server-$n"; then
      run "http-queries-$n" "$PY" bench/http_queries.py --url "$URL" --samples "$OUT/samples-$n.json" --duration "$QUERY_SECONDS" \
        --connections 64 --kpi --server-pid "$SERVER_PID" --json "$OUT/http-queries-$n.json"
      stop_server
    fi
    port=$(free_port)
    run "coldstart-$n" "$PY" bench/coldstart.py --runs 3 --log "$OUT/coldstart-$n-server.log" --json "$OUT/coldstart-$n.json" -- \
      "${SENV[@]}" "$OVBIN" serve --host 127.0.0.1 --port "$port"
    note "db_bytes_$n" "$(du -cb "$d"/ov.sqlite* 2>/dev/null | tail -1 | cut -f1)"
    # last at this scale, so that its full read of the cases warms nothing that was timed above
    kpi_verify "$n"
    [ "${BENCH_KEEP_DB:-0}" = 1 ] || rm -rf "$d"
  done
fi

part end
{
  echo "onevisit_measured=$OV"
  echo "busy_end=$(busy_procs)"
  echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "io_pressure_end=$(io_psi)"
  echo "calibrate_rc=$cal_rc"
  echo "peer_rc=$peer_rc"
  echo "elapsed_s=$(( $(date +%s) - T0 ))"
} >> "$ENV"

"$PY" bench/report.py --run-dir "$OUT" --results "$RESULTS"
log "appended a section to $RESULTS (raw JSON and logs in $OUT) in $(( $(date +%s) - T0 )) s"

[ -s "$OUT/calibrate.json" ] && [ -s "$OUT/peer_spiff.json" ]
