#!/usr/bin/env bash
# All test phases. Expects a finished `swift build --build-tests` (make test does it) and the
# test dependencies (make deps-test). Runs every phase even when an earlier one fails, always
# stops the PostgreSQL cluster it started, and exits non-zero if any phase failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PGTEST_PORT="${PGTEST_PORT:-54329}"
export PGTEST_PORT
failed=()
pg_started=0

header() { printf '\n==================== %s ====================\n' "$*"; }

cleanup() {
  if [ "$pg_started" = 1 ]; then
    bash scripts/pg-test-cluster.sh stop || true
    pg_started=0
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. Swift tests on SQLite (Swift Testing parallelises by itself) -----------------------
header "phase 1/3: swift test (SQLite)"
if env -u ONEVISIT_TEST_DATABASE_URL swift test --skip-build; then
  echo "phase 1 (sqlite): OK"
else
  echo "phase 1 (sqlite): FAILED"; failed+=(sqlite)
fi

# --- 2. App suite again on a private PostgreSQL 15 cluster ---------------------------------
header "phase 2/3: swift test --filter OneVisitAppTests (PostgreSQL 127.0.0.1:$PGTEST_PORT)"
pg_started=1
if bash scripts/pg-test-cluster.sh start; then
  if ONEVISIT_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PGTEST_PORT/postgres" \
       swift test --skip-build --filter OneVisitAppTests; then
    echo "phase 2 (postgres): OK"
  else
    echo "phase 2 (postgres): FAILED"; failed+=(postgres)
  fi
else
  echo "phase 2 (postgres): FAILED (cluster did not start)"; failed+=(postgres)
fi
cleanup

# --- 3. Browser tests (headless Chromium against a freshly seeded server) ------------------
header "phase 3/3: pytest tests/browser tests/reliability"
set +e
env -u ONEVISIT_TEST_DATABASE_URL .venv/bin/pytest -q tests/browser tests/reliability
rc=$?
set -e
case "$rc" in
  0) echo "phase 3 (browser): OK" ;;
  5) echo "phase 3 (browser): FAILED (pytest collected no tests)"; failed+=(browser) ;;
  *) echo "phase 3 (browser): FAILED (pytest exit $rc)"; failed+=(browser) ;;
esac

header "summary"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "test-all: FAILED phases: ${failed[*]}"
  exit 1
fi
echo "test-all: all phases OK (sqlite, postgres, browser)"
