#!/usr/bin/env python3
"""Same-run limits for the OneVisit benchmarks.

The disk's fsync latency on this kind of machine drifts a lot from hour to hour, so no OneVisit
figure means anything on its own: it is reported beside the limits this script measures in the
same run.

  a. fsync      4 KiB append + os.fdatasync per write            -> writes/s, p50/p99
  b. sqlite     one-row autocommit INSERTs, WAL, synchronous=FULL and NORMAL -> commits/s
  c. floor      the OneVisit case workload hand-written on Python's sqlite3 (no framework),
                WAL, FULL and NORMAL: 1 client, and N threads (own connection each, busy_timeout)
                where the two department reviews of a case race on two threads for the join
  e. lookup     raw "progress query" (case + tasks + events of a random case) at 100k cases
                (reference for the progress-query target; 1M with --lookup-cases 1000000)
  d. pg         private PostgreSQL 15 cluster with fsync=on, synchronous_commit=on (port 54339):
                pgbench one-row INSERT commits/s at 1 and N clients; the same workload as a
                pgbench script set, and through psycopg (with the review race) at 1 and N clients

Prints progress and a human table on stderr and one JSON object on stdout (also --out FILE).
Never fails on a figure: a benchmark reports, it does not judge. Exit status is non-zero only
when a part could not run at all (or the workload's correctness check found lost/doubled
transitions, which is a bug in this script, not a slow machine).

Usage: python bench/calibrate.py [--duration 3] [--threads 16] [--skip-fsync] [--skip-sqlite]
                                 [--skip-floor] [--skip-pg] [--out FILE]
"""
from __future__ import annotations

import argparse
import atexit
import glob
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    ARTIFACTS, EVENT_OF_STEP, EXPECTED_EVENTS, REPO, STEPS, Deadline, applicant, event_payload,
    fresh_sqlite_path, lat_summary_ms, log, materials_json, pct, sqlite_connect, table,
)

PG_PORT = 54339
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_BASE = REPO / ".artifacts" / "bench-pg"


# --------------------------------------------------------------------------------------------
# a. fsync rate
# --------------------------------------------------------------------------------------------
def _fsync_loop(fd, duration: float, buf: bytes, overwrite: bool) -> tuple[list, float]:
    lats = []
    dl = Deadline(duration)
    i = 0
    while not dl.over():
        t0 = time.perf_counter()
        if overwrite:
            os.pwrite(fd, buf, (i % 256) * 4096)
        else:
            os.write(fd, buf)
        os.fdatasync(fd)
        lats.append(time.perf_counter() - t0)
        i += 1
    return lats, dl.elapsed()


def bench_fsync(duration: float) -> dict:
    """The figure: 4 KiB appends, each followed by fdatasync (the file grows, so every fdatasync
    also commits the new size). Beside it, for reading SQLite's figures: 4 KiB overwrites inside an
    already written 1 MiB file + fdatasync (no size change -- what a reused WAL file sees)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "fsync.dat"
    buf = os.urandom(4096)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    try:
        lats, elapsed = _fsync_loop(fd, duration, buf, overwrite=False)
    finally:
        os.close(fd)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, os.urandom(256 * 4096))
        os.fsync(fd)
        olats, oelapsed = _fsync_loop(fd, duration, buf, overwrite=True)
    finally:
        os.close(fd)
        try:
            os.unlink(path)
        except OSError:
            pass
    return {"what": "4 KiB O_APPEND write + os.fdatasync, one at a time", "file": str(path.relative_to(REPO)),
            "seconds": round(elapsed, 3), "writes": len(lats),
            "writes_per_s": round(len(lats) / elapsed, 1), **lat_summary_ms(lats),
            "overwrite": {"what": "4 KiB pwrite inside a written 1 MiB file + os.fdatasync (no size change)",
                          "seconds": round(oelapsed, 3), "writes": len(olats),
                          "writes_per_s": round(len(olats) / oelapsed, 1), **lat_summary_ms(olats)}}


# --------------------------------------------------------------------------------------------
# b. SQLite one-row commits
# --------------------------------------------------------------------------------------------
def bench_sqlite_commits(duration: float, synchronous: str) -> dict:
    path = fresh_sqlite_path(f"commits-{synchronous.lower()}.sqlite")
    conn = sqlite_connect(path, synchronous)
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL, at REAL NOT NULL)")
    lats = []
    v = "x" * 32
    dl = Deadline(duration)
    while not dl.over():
        t0 = time.perf_counter()
        conn.execute("INSERT INTO t(v, at) VALUES (?, ?)", (v, time.time()))  # autocommit: 1 txn
        lats.append(time.perf_counter() - t0)
    elapsed = dl.elapsed()
    n = conn.execute("SELECT count(*) FROM t").fetchone()[0]
    conn.close()
    assert n == len(lats), (n, len(lats))
    return {"journal_mode": "wal", "synchronous": synchronous, "seconds": round(elapsed, 3), "commits": n,
            "commits_per_s": round(n / elapsed, 1), **lat_summary_ms(lats)}


# --------------------------------------------------------------------------------------------
# c/d. The OneVisit case workload, hand-written (no framework), on SQLite or PostgreSQL
# --------------------------------------------------------------------------------------------
SQLITE_SCHEMA = [
    """CREATE TABLE cases(id INTEGER PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL,
         applicant_name TEXT NOT NULL, applicant_id_no TEXT NOT NULL, applicant_phone TEXT NOT NULL,
         applicant_address TEXT NOT NULL, materials TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL)""",
    "CREATE INDEX cases_state ON cases(state)",
    """CREATE TABLE tasks(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, dept TEXT NOT NULL, state TEXT NOT NULL,
         version INTEGER NOT NULL, updated_at REAL NOT NULL, UNIQUE(case_id, dept))""",
    """CREATE TABLE events(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, type TEXT NOT NULL,
         payload TEXT NOT NULL, at REAL NOT NULL)""",
    "CREATE INDEX events_case ON events(case_id)",
]
PG_SCHEMA = [
    "DROP TABLE IF EXISTS events, tasks, cases",
    """CREATE TABLE cases(id bigserial PRIMARY KEY, state text NOT NULL, version int NOT NULL,
         applicant_name text NOT NULL, applicant_id_no text NOT NULL, applicant_phone text NOT NULL,
         applicant_address text NOT NULL, materials jsonb NOT NULL, created_at double precision NOT NULL,
         updated_at double precision NOT NULL)""",
    "CREATE INDEX cases_state ON cases(state)",
    """CREATE TABLE tasks(id bigserial PRIMARY KEY, case_id bigint NOT NULL, dept text NOT NULL, state text NOT NULL,
         version int NOT NULL, updated_at double precision NOT NULL, UNIQUE(case_id, dept))""",
    """CREATE TABLE events(id bigserial PRIMARY KEY, case_id bigint NOT NULL, type text NOT NULL,
         payload jsonb NOT NULL, at double precision NOT NULL)""",
    "CREATE INDEX events_case ON events(case_id)",
]

INSERT_EVENT = "INSERT INTO events(case_id, type, payload, at) VALUES (?, ?, ?, ?)"


class Anomaly(Exception):
    """A version check or state check failed: a lost or doubled transition (must never happen)."""


class SqliteDb:
    kind = "sqlite"
    lock_suffix = ""
    transient = (sqlite3.OperationalError,)  # "database is locked" past busy_timeout

    def __init__(self, path: Path, synchronous: str):
        self.conn = sqlite_connect(path, synchronous)

    def begin(self):
        self.conn.execute("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade deadlocks

    def commit(self):
        self.conn.execute("COMMIT")

    def rollback(self):
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def x(self, sql, params=()):
        return self.conn.execute(sql, params)

    def close(self):
        self.conn.close()


class PgDb:
    kind = "postgresql"
    lock_suffix = " FOR UPDATE"  # serialises the two reviews of a case on the case row

    def __init__(self, dsn: str):
        import psycopg  # noqa: F401  (only in the bench venv)
        self.psycopg = psycopg
        self.transient = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)
        self.conn = psycopg.connect(dsn, autocommit=True)

    def begin(self):
        self.conn.execute("BEGIN")

    def commit(self):
        self.conn.execute("COMMIT")

    def rollback(self):
        try:
            self.conn.execute("ROLLBACK")
        except Exception:
            pass

    def x(self, sql, params=()):
        return self.conn.execute(sql.replace("?", "%s"), params)

    def close(self):
        self.conn.close()


def step_create(db, rng, actor) -> int:
    a = applicant(rng)
    m = materials_json(rng)
    now = time.time()
    db.begin()
    cid = db.x(
        "INSERT INTO cases(state, version, applicant_name, applicant_id_no, applicant_phone, applicant_address,"
        " materials, created_at, updated_at) VALUES ('submitted', 1, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (a["name"], a["id_no"], a["phone"], a["address"], m, now, now)).fetchone()[0]
    db.x(INSERT_EVENT, (cid, "created", event_payload("create", actor), now))
    db.commit()
    return cid


def _transition(db, cid, new_state, expected_version, step, actor, extra=None):
    now = time.time()
    db.begin()
    rc = db.x("UPDATE cases SET state = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
              (new_state, now, cid, expected_version)).rowcount
    if rc != 1:
        db.rollback()
        raise Anomaly(f"{step}: case {cid} not at version {expected_version}")
    if extra:
        extra(now)
    db.x(INSERT_EVENT, (cid, EVENT_OF_STEP[step], event_payload(step, actor), now))
    db.commit()


def step_accept(db, cid, actor):
    def open_tasks(now):  # the department tasks have to exist before the reviews (2 small inserts)
        db.x("INSERT INTO tasks(case_id, dept, state, version, updated_at) VALUES (?, 'A', 'pending', 1, ?), (?, 'B', 'pending', 1, ?)",
             (cid, now, cid, now))
    _transition(db, cid, "accepted", 1, "accept", actor, open_tasks)


def step_review(db, cid, dept, actor) -> bool:
    """Complete one department's task; the review that completes the last open task moves the
    case to `reviewed` (the join). Returns True when this call performed the join."""
    step = "review_" + dept.lower()
    now = time.time()
    db.begin()
    row = db.x("SELECT state, version FROM cases WHERE id = ?" + db.lock_suffix, (cid,)).fetchone()
    if row is None or row[0] != "accepted":
        db.rollback()
        raise Anomaly(f"{step}: case {cid} is {row and row[0]!r}, not 'accepted'")
    rc = db.x("UPDATE tasks SET state = 'done', version = version + 1, updated_at = ?"
              " WHERE case_id = ? AND dept = ? AND state = 'pending'", (now, cid, dept)).rowcount
    if rc != 1:
        db.rollback()
        raise Anomaly(f"{step}: task {dept} of case {cid} not pending")
    db.x(INSERT_EVENT, (cid, EVENT_OF_STEP[step], event_payload(step, actor), now))
    still_open = db.x("SELECT count(*) FROM tasks WHERE case_id = ? AND state <> 'done'", (cid,)).fetchone()[0]
    joined = False
    if still_open == 0:
        rc = db.x("UPDATE cases SET state = 'reviewed', version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                  (now, cid, row[1])).rowcount
        if rc != 1:
            db.rollback()
            raise Anomaly(f"{step}: join of case {cid} lost the version check")
        joined = True
    db.commit()
    return joined


def step_decide(db, cid, actor):
    _transition(db, cid, "decided", 3, "decide", actor)


def step_deliver(db, cid, actor):
    _transition(db, cid, "delivered", 4, "deliver", actor)


class Stats:
    def __init__(self):
        self.lat = defaultdict(list)
        self.retries = 0
        self.completed = 0
        self.anomalies = []
        self.errors = []

    def merge(self, other: "Stats"):
        for k, v in other.lat.items():
            self.lat[k].extend(v)
        self.retries += other.retries
        self.completed += other.completed
        self.anomalies += other.anomalies
        self.errors += other.errors


def timed(stats: Stats, db, name: str, fn, *args):
    """Run one step (one transaction); retry a transient lock/serialisation error; record latency
    (including retries, as a user would see it)."""
    t0 = time.perf_counter()
    for attempt in range(10):
        try:
            r = fn(db, *args)
            stats.lat[name].append(time.perf_counter() - t0)
            return r
        except db.transient as e:
            db.rollback()
            stats.retries += 1
            last = e
    raise last


def run_case_sequential(db, rng, stats, joins, actor):
    cid = timed(stats, db, "create", step_create, rng, actor)
    timed(stats, db, "accept", step_accept, cid, actor)
    j = int(timed(stats, db, "review_a", step_review, cid, "A", actor))
    j += int(timed(stats, db, "review_b", step_review, cid, "B", actor))
    joins[cid] = j
    if j != 1:
        stats.anomalies.append(f"case {cid}: {j} joins")
        return
    timed(stats, db, "decide", step_decide, cid, actor)
    timed(stats, db, "deliver", step_deliver, cid, actor)
    stats.completed += 1


def run_workload(make_db, clients: int, duration: float) -> dict:
    """1 client: every step in order on one connection. N clients (N even): N/2 pairs of threads,
    each thread with its own connection; in a pair, thread L creates and accepts a case, then both
    threads pass a barrier and run review A (L) and review B (R) at the same moment, racing for the
    join; after a second barrier L decides and delivers. So N/2 cases are in flight at once and every
    case's join is raced."""
    joins: dict[int, int] = {}
    stats = Stats()
    if clients <= 1:
        db = make_db()
        rng = random.Random(1)
        dl = Deadline(duration)
        while not dl.over():
            try:
                run_case_sequential(db, rng, stats, joins, "c0")
            except Anomaly as e:
                stats.anomalies.append(str(e))
        elapsed = dl.elapsed()
        db.close()
        pairs = 0
    else:
        pairs = clients // 2
        all_stats = []
        threads = []
        dl = Deadline(duration)

        def pair(idx: int):
            bar = threading.Barrier(2)
            shared = {"cid": None, "stop": False, "jb": 0, "err_b": None}
            sl, sr = Stats(), Stats()
            all_stats.extend([sl, sr])
            dbl, dbr = make_db(), make_db()
            rng = random.Random(1000 + idx)

            def left():
                try:
                    while True:
                        if dl.over():
                            shared["stop"] = True
                            bar.wait()
                            return
                        try:
                            cid = timed(sl, dbl, "create", step_create, rng, f"L{idx}")
                            timed(sl, dbl, "accept", step_accept, cid, f"L{idx}")
                        except Anomaly as e:
                            sl.anomalies.append(str(e))
                            cid = None
                        shared["cid"] = cid
                        bar.wait()                      # go: both reviews start together
                        ja = 0
                        if cid is not None:
                            try:
                                ja = int(timed(sl, dbl, "review_a", step_review, cid, "A", f"L{idx}"))
                            except Anomaly as e:
                                sl.anomalies.append(str(e))
                        bar.wait()                      # both reviews committed
                        if cid is None:
                            continue
                        j = ja + shared["jb"]
                        joins[cid] = j
                        if j != 1:
                            sl.anomalies.append(f"case {cid}: {j} joins")
                            continue
                        try:
                            timed(sl, dbl, "decide", step_decide, cid, f"L{idx}")
                            timed(sl, dbl, "deliver", step_deliver, cid, f"L{idx}")
                            sl.completed += 1
                        except Anomaly as e:
                            sl.anomalies.append(str(e))
                except threading.BrokenBarrierError:
                    pass
                except Exception as e:  # a bug or a dead database: stop this pair, report it
                    sl.errors.append(repr(e))
                    bar.abort()

            def right():
                try:
                    while True:
                        bar.wait()
                        if shared["stop"]:
                            return
                        cid = shared["cid"]
                        shared["jb"] = 0
                        if cid is not None:
                            try:
                                shared["jb"] = int(timed(sr, dbr, "review_b", step_review, cid, "B", f"R{idx}"))
                            except Anomaly as e:
                                sr.anomalies.append(str(e))
                        bar.wait()
                except threading.BrokenBarrierError:
                    pass
                except Exception as e:
                    sr.errors.append(repr(e))
                    bar.abort()

            return [threading.Thread(target=left, name=f"L{idx}"), threading.Thread(target=right, name=f"R{idx}")], (dbl, dbr)

        dbs = []
        for i in range(pairs):
            ts, pair_dbs = pair(i)
            threads += ts
            dbs += pair_dbs
        dl = Deadline(duration)  # restart the clock once all connections are open
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = dl.elapsed()
        for d in dbs:
            d.close()
        for s in all_stats:
            stats.merge(s)

    completed = stats.completed
    lost = sum(1 for j in joins.values() if j == 0)
    doubled = sum(1 for j in joins.values() if j >= 2)
    return {
        "clients": clients if clients > 1 else 1,
        "pairs_racing_reviews": pairs,
        "seconds": round(elapsed, 3),
        "cases_completed": completed,
        "cases_per_s": round(completed / elapsed, 1) if elapsed else None,
        "txn_per_s": round(sum(len(v) for v in stats.lat.values()) / elapsed, 1) if elapsed else None,
        "steps": {s: lat_summary_ms(stats.lat.get(s, [])) for s in STEPS},
        "retries_after_lock_timeout": stats.retries,
        "lost_joins": lost,
        "doubled_joins": doubled,
        "anomalies": stats.anomalies[:10],
        "anomaly_count": len(stats.anomalies),
        "errors": stats.errors[:5],
    }


def verify_rows(cases, tasks, events) -> dict:
    """Every case must be complete (delivered, version 5, both tasks done at version 2, exactly the
    6 events) or, if it was still in flight when time ran out, in a consistent intermediate state.
    Anything else (a lost or doubled transition, a missing or duplicate event) is `inconsistent`."""
    ev = defaultdict(list)
    for cid, typ in events:
        ev[cid].append(typ)
    tk = defaultdict(dict)
    for cid, dept, state, version in tasks:
        tk[cid][dept] = (state, int(version))
    out = Counter()
    bad = []
    for cid, state, version in cases:
        version = int(version)
        types = ev.get(cid, [])
        c = Counter(types)
        t = tk.get(cid, {})
        ok_tasks = lambda a, b: t.get("A", (None,))[0] == a and t.get("B", (None,))[0] == b  # noqa: E731
        if sorted(types) == EXPECTED_EVENTS and state == "delivered" and version == 5 \
                and ok_tasks("done", "done") and all(v == 2 for _, v in t.values()):
            out["complete"] += 1
            continue
        s = set(types)
        consistent = max(c.values(), default=0) == 1 and (
            (s == {"created"} and (state, version) == ("submitted", 1) and not t)
            or (s == {"created", "accepted"} and (state, version) == ("accepted", 2) and ok_tasks("pending", "pending"))
            or (s == {"created", "accepted", "review_a"} and (state, version) == ("accepted", 2) and ok_tasks("done", "pending"))
            or (s == {"created", "accepted", "review_b"} and (state, version) == ("accepted", 2) and ok_tasks("pending", "done"))
            or (s == {"created", "accepted", "review_a", "review_b"} and (state, version) == ("reviewed", 3) and ok_tasks("done", "done"))
            or (s == {"created", "accepted", "review_a", "review_b", "decided"} and (state, version) == ("decided", 4) and ok_tasks("done", "done"))
        )
        if consistent:
            out["in_flight"] += 1
        else:
            out["inconsistent"] += 1
            if len(bad) < 5:
                bad.append({"case": cid, "state": state, "version": version, "events": sorted(types), "tasks": t})
    return {"cases": len(cases), "complete": out["complete"], "in_flight_consistent": out["in_flight"],
            "inconsistent": out["inconsistent"], "examples": bad}


def verify_sqlite(path: Path) -> dict:
    conn = sqlite3.connect(str(path))
    try:
        return verify_rows(conn.execute("SELECT id, state, version FROM cases").fetchall(),
                           conn.execute("SELECT case_id, dept, state, version FROM tasks").fetchall(),
                           conn.execute("SELECT case_id, type FROM events").fetchall())
    finally:
        conn.close()


def bench_floor_sqlite(duration: float, synchronous: str, clients: int) -> dict:
    path = fresh_sqlite_path(f"floor-{synchronous.lower()}-{clients}.sqlite")
    conn = sqlite_connect(path, synchronous)
    for stmt in SQLITE_SCHEMA:
        conn.execute(stmt)
    conn.close()
    res = run_workload(lambda: SqliteDb(path, synchronous), clients, duration)
    res["verify"] = verify_sqlite(path)
    res.update({"journal_mode": "wal", "synchronous": synchronous, "busy_timeout_ms": 10000})
    return res


# --------------------------------------------------------------------------------------------
# e. raw SQLite "progress query" lookup at N cases (reference for the progress-query target)
# --------------------------------------------------------------------------------------------
PROGRESS_QUERIES = [
    "SELECT state, version, updated_at FROM cases WHERE id = ?",
    "SELECT dept, state, updated_at FROM tasks WHERE case_id = ? ORDER BY dept",
    "SELECT type, at FROM events WHERE case_id = ? ORDER BY id",
]


def bench_lookup(n_cases: int, duration: float) -> dict:
    """Build a database of n_cases completed cases (same schema as the floor; built in one
    transaction with synchronous=OFF, not measured), then time the raw progress query of a random
    case -- the case row, its two tasks and its six events, three prepared SELECTs on one
    connection -- for `duration` seconds. The database is kept and reused while n_cases matches."""
    path = ARTIFACTS / f"lookup-{n_cases}.sqlite"
    build_s = None
    ok = False
    if path.exists():
        try:
            c = sqlite3.connect(str(path))
            ok = c.execute("SELECT count(*) FROM cases").fetchone()[0] == n_cases
            c.close()
        except sqlite3.Error:
            ok = False
    if not ok:
        path = fresh_sqlite_path(path.name)
        t0 = time.perf_counter()
        conn = sqlite_connect(path, "OFF")
        for stmt in SQLITE_SCHEMA:
            conn.execute(stmt)
        rng = random.Random(5)
        mats = [materials_json(rng) for _ in range(64)]
        apps = [applicant(rng) for _ in range(64)]
        conn.execute("BEGIN")
        now = time.time()
        for i in range(1, n_cases + 1):
            a = apps[i % 64]
            conn.execute("INSERT INTO cases(id, state, version, applicant_name, applicant_id_no, applicant_phone,"
                         " applicant_address, materials, created_at, updated_at) VALUES (?, 'delivered', 5, ?, ?, ?, ?, ?, ?, ?)",
                         (i, a["name"], a["id_no"], a["phone"], a["address"], mats[i % 64], now, now))
            conn.executemany("INSERT INTO tasks(case_id, dept, state, version, updated_at) VALUES (?, ?, 'done', 2, ?)",
                             ((i, "A", now), (i, "B", now)))
            conn.executemany("INSERT INTO events(case_id, type, payload, at) VALUES (?, ?, ?, ?)",
                             [(i, EVENT_OF_STEP[s], event_payload(s, "seed"), now) for s in STEPS])
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        build_s = round(time.perf_counter() - t0, 1)
    # Warm the page cache (the file may have been evicted since it was built): read it once, then
    # 0.5 s of untimed lookups. The reference is a warm-cache lookup.
    with open(path, "rb") as fh:
        while fh.read(1 << 20):
            pass
    conn = sqlite_connect(path, "FULL")
    rng = random.Random(9)
    warm = Deadline(0.5)
    while not warm.over():
        cid = rng.randrange(1, n_cases + 1)
        for q in PROGRESS_QUERIES:
            conn.execute(q, (cid,)).fetchall()
    lats = []
    dl = Deadline(duration)
    while not dl.over():
        cid = rng.randrange(1, n_cases + 1)
        t0 = time.perf_counter()
        row = conn.execute(PROGRESS_QUERIES[0], (cid,)).fetchone()
        tasks = conn.execute(PROGRESS_QUERIES[1], (cid,)).fetchall()
        events = conn.execute(PROGRESS_QUERIES[2], (cid,)).fetchall()
        lats.append(time.perf_counter() - t0)
        assert row is not None and len(tasks) == 2 and len(events) == 6
    elapsed = dl.elapsed()
    conn.close()
    s = lat_summary_ms(lats)
    return {"cases": n_cases, "db_bytes": path.stat().st_size, "build_s": build_s, "queries": PROGRESS_QUERIES,
            "cache": "warm (file read once + 0.5 s untimed lookups)",
            "seconds": round(elapsed, 3), "lookups_per_s": round(len(lats) / elapsed, 1),
            "p50_us": round(s["p50_ms"] * 1000, 1), "p99_us": round(s["p99_ms"] * 1000, 1),
            "max_us": round(s["max_ms"] * 1000, 1)}


# --------------------------------------------------------------------------------------------
# d. PostgreSQL (private fsync=on cluster)
# --------------------------------------------------------------------------------------------
class PgCluster:
    def __init__(self, base: Path, port: int, pgbin: Path):
        self.base, self.port, self.pgbin = base, port, pgbin
        self.data, self.sock, self.logfile = base / "data", base / "sock", base / "log" / "postgres.log"
        self.root = os.geteuid() == 0
        self.started = False

    def as_pg(self, args, **kw):
        cmd = (["runuser", "-u", "postgres", "--"] if self.root else []) + [str(a) for a in args]
        return subprocess.run(cmd, capture_output=True, text=True, **kw)

    def client(self, tool, *args, db="bench", **kw):
        cmd = [str(self.pgbin / tool), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *map(str, args)]
        if db:
            cmd.append(db)
        return subprocess.run(cmd, capture_output=True, text=True, **kw)

    def psql(self, sql: str, db="bench") -> str:
        r = subprocess.run([str(self.pgbin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-F", "\t",
                            "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr.strip()}")
        return r.stdout

    def running(self) -> bool:
        return (self.data / "PG_VERSION").exists() and self.as_pg([self.pgbin / "pg_ctl", "status", "-D", self.data]).returncode == 0

    def start(self):
        if not (self.pgbin / "pg_ctl").exists():
            raise RuntimeError(f"{self.pgbin}/pg_ctl not found (apt-get install postgresql-15)")
        for d in (self.base, self.sock, self.logfile.parent):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        if self.root:
            if self.as_pg(["test", "-x", self.base]).returncode != 0:
                raise RuntimeError(f"user postgres cannot reach {self.base}")
            shutil.chown(self.sock, "postgres")
            shutil.chown(self.logfile.parent, "postgres")
        if self.running():
            log("[pg] a bench cluster was left running: stopping it first")
            self.stop(force=True)
        if subprocess.run([str(self.pgbin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0:
            raise RuntimeError(f"something else already answers on 127.0.0.1:{self.port}")
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.data, ignore_errors=True)
            self.data.mkdir(parents=True)
            if self.root:
                shutil.chown(self.data, "postgres")
            os.chmod(self.data, 0o700)
            log(f"[pg] initdb {self.data}")
            r = self.as_pg([self.pgbin / "initdb", "-D", self.data, "--auth=trust", "-U", "postgres",
                            "--encoding=UTF8", "--locale=C"])
            if r.returncode != 0:
                raise RuntimeError("initdb failed: " + r.stderr[-2000:])
            with open(self.data / "postgresql.conf", "a") as f:
                f.write("\n# --- OneVisit bench cluster: durable settings (fsync on) ---\n"
                        "listen_addresses = '127.0.0.1'\nfsync = on\nsynchronous_commit = on\n"
                        "full_page_writes = on\nmax_connections = 100\n")
        log(f"[pg] starting on 127.0.0.1:{self.port} (fsync=on, synchronous_commit=on)")
        # -c on the command line wins over postgresql.conf: the durable settings are guaranteed.
        r = self.as_pg([self.pgbin / "pg_ctl", "start", "-D", self.data, "-l", self.logfile, "-w", "-t", "60", "-o",
                        f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=on "
                        f"-c synchronous_commit=on -c full_page_writes=on"])
        if r.returncode != 0:
            tail = self.logfile.read_text()[-2000:] if self.logfile.exists() else ""
            raise RuntimeError("pg_ctl start failed: " + r.stderr[-1000:] + tail)
        self.started = True

    def stop(self, force=False):
        if not (self.started or force):
            return
        if self.running():
            log("[pg] stopping the bench cluster")
            r = self.as_pg([self.pgbin / "pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w", "-t", "60"])
            if r.returncode != 0:
                self.as_pg([self.pgbin / "pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w", "-t", "30"])
        self.started = False


INSERT_SQL = "INSERT INTO bench_insert(v, at) VALUES ('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', extract(epoch from clock_timestamp()));\n"


def pgbench_workload_script() -> list[tuple[str, str]]:
    """The case workload as one pgbench script (one script run = one case = 6 transactions).
    `RETURNING ... \\gset` makes pgbench abort the client if a version check matches no row, so a
    lost transition cannot pass silently. Reviews run one after the other inside a client here:
    the raced join is exercised by the psycopg variant."""
    rng = random.Random(7)
    a = applicant(rng)
    # JSON with ': ' separators (pgbench would read ':name' as a variable).
    mat = json.dumps(json.loads(materials_json(rng)))
    now = "extract(epoch from clock_timestamp())"
    L = []

    def ev(step, typ):
        return (step, f"INSERT INTO events(case_id, type, payload, at) VALUES (:cid, '{typ}', '{{\"step\": \"{step}\", \"by\": \"pgbench\"}}', {now});")

    L += [("create", "BEGIN;"),
          ("create", "INSERT INTO cases(state, version, applicant_name, applicant_id_no, applicant_phone, applicant_address, materials, created_at, updated_at) "
                     f"VALUES ('submitted', 1, '{a['name']}', '{a['id_no']}', '{a['phone']}', '{a['address']}', '{mat}', {now}, {now}) RETURNING id AS cid \\gset"),
          ev("create", "created"), ("create", "COMMIT;")]
    L += [("accept", "BEGIN;"),
          ("accept", f"UPDATE cases SET state = 'accepted', version = version + 1, updated_at = {now} WHERE id = :cid AND version = 1 RETURNING version AS v \\gset"),
          ("accept", f"INSERT INTO tasks(case_id, dept, state, version, updated_at) VALUES (:cid, 'A', 'pending', 1, {now}), (:cid, 'B', 'pending', 1, {now});"),
          ev("accept", "accepted"), ("accept", "COMMIT;")]
    for dept in ("A", "B"):
        s = "review_" + dept.lower()
        L += [(s, "BEGIN;"),
              (s, "SELECT version AS cv FROM cases WHERE id = :cid AND state = 'accepted' FOR UPDATE \\gset"),
              (s, f"UPDATE tasks SET state = 'done', version = version + 1, updated_at = {now} WHERE case_id = :cid AND dept = '{dept}' AND state = 'pending' RETURNING id AS tid \\gset"),
              ev(s, s),
              (s, "SELECT count(*) AS still_open FROM tasks WHERE case_id = :cid AND state <> 'done' \\gset"),
              (s, "\\if :still_open = 0"),
              (s, f"UPDATE cases SET state = 'reviewed', version = version + 1, updated_at = {now} WHERE id = :cid AND version = :cv RETURNING version AS v \\gset"),
              (s, "\\endif"),
              (s, "COMMIT;")]
    for s, st, ver, typ in (("decide", "decided", 3, "decided"), ("deliver", "delivered", 4, "delivered")):
        L += [(s, "BEGIN;"),
              (s, f"UPDATE cases SET state = '{st}', version = version + 1, updated_at = {now} WHERE id = :cid AND version = {ver} RETURNING version AS v \\gset"),
              ev(s, typ), (s, "COMMIT;")]
    return L


def parse_pgbench(out: str) -> dict:
    d = {}
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    d["tps"] = float(m.group(1)) if m else None
    m = re.search(r"latency average = ([\d.]+) ms", out)
    d["latency_avg_ms"] = float(m.group(1)) if m else None
    m = re.search(r"number of transactions actually processed: (\d+)", out)
    d["transactions"] = int(m.group(1)) if m else None
    m = re.search(r"number of failed transactions: (\d+)", out)
    d["failed"] = int(m.group(1)) if m else 0
    # -r: per-command average latencies, in script order
    lat = []
    sec = re.search(r"statement latencies in milliseconds[^\n]*:\n(.*)", out, re.S)
    if sec:
        for line in sec.group(1).splitlines():
            mm = re.match(r"^\s+([\d.]+)\s+(?:\d+\s+)?(\S.*)$", line)
            if mm:
                lat.append((float(mm.group(1)), mm.group(2)))
    d["_statement_latencies"] = lat
    return d


def pgbench_log_latencies(prefix: Path) -> list[float]:
    """Per-transaction latencies (seconds) from pgbench -l logs (3rd field is the latency in µs)."""
    lats = []
    for f in glob.glob(str(prefix) + ".*"):
        with open(f) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    lats.append(int(parts[2]) / 1e6)
        os.unlink(f)
    return lats


def run_pgbench(cluster: PgCluster, script: Path, clients: int, seconds: int, tag: str, per_statement: bool) -> dict:
    logdir = cluster.base / "pgbench-logs"
    logdir.mkdir(exist_ok=True)
    prefix = logdir / tag
    pgbench_log_latencies(prefix)  # clear leftovers
    args = ["-n", "-T", seconds, "-c", clients, "-j", clients, "-f", script, "-l", f"--log-prefix={prefix}"]
    if per_statement:
        args.append("-r")
    t0 = time.perf_counter()
    r = cluster.client("pgbench", *args, timeout=seconds + 120)
    wall = time.perf_counter() - t0
    d = parse_pgbench(r.stdout)
    lats = pgbench_log_latencies(prefix)
    d.update({"clients": clients, "seconds": seconds, "wall_s": round(wall, 2), "exit": r.returncode,
              "command": f"pgbench -n -T {seconds} -c {clients} -j {clients} -f {script.name}" + (" -r" if per_statement else ""),
              "per_txn": lat_summary_ms(lats)})
    aborted = re.findall(r"client \d+ .*aborted.*", r.stderr)
    d["aborted_clients"] = len(aborted)
    if r.returncode != 0 or aborted:
        d["stderr_tail"] = r.stderr[-800:]
    return d


def bench_pg(args) -> dict:
    res: dict = {"port": PG_PORT, "data": str((PG_BASE / "data").relative_to(REPO))}
    cluster = PgCluster(PG_BASE, PG_PORT, PG_BIN)
    _cleanup.append(cluster.stop)
    try:
        cluster.start()
        cluster.psql("DROP DATABASE IF EXISTS bench", db="postgres")
        cluster.psql("CREATE DATABASE bench", db="postgres")
        settings = {}
        for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method",
                     "shared_buffers", "commit_delay"):
            settings[name] = cluster.psql(f"SHOW {name}").strip()
        res["settings"] = settings
        log(f"[pg] {settings}")
        r = cluster.client("pgbench", "-i", "-s", "1", "-q")
        if r.returncode != 0:
            raise RuntimeError("pgbench -i failed: " + r.stderr[-1000:])
        res["pgbench_init"] = "pgbench -i -s 1 -q"

        # one-row insert commits
        cluster.psql("CREATE TABLE bench_insert(id bigserial PRIMARY KEY, v text NOT NULL, at double precision NOT NULL)")
        ins = PG_BASE / "insert.sql"
        ins.write_text(INSERT_SQL)
        res["insert"] = {}
        for c in (1, args.threads):
            log(f"[pg] pgbench one-row INSERT, {c} client(s), {args.pg_duration} s")
            d = run_pgbench(cluster, ins, c, args.pg_duration, f"insert-{c}", per_statement=False)
            d.pop("_statement_latencies", None)
            res["insert"][str(c)] = d

        # the workload as a pgbench script
        for stmt in PG_SCHEMA:
            cluster.psql(stmt)
        lines = pgbench_workload_script()
        wl = PG_BASE / "workload.sql"
        wl.write_text("".join(l + "\n" for _, l in lines))
        res["workload_pgbench"] = {}
        for c in (1, args.threads):
            cluster.psql("TRUNCATE cases, tasks, events RESTART IDENTITY")
            log(f"[pg] pgbench case workload, {c} client(s), {args.pg_duration} s")
            d = run_pgbench(cluster, wl, c, args.pg_duration, f"workload-{c}", per_statement=True)
            stl = d.pop("_statement_latencies")
            if len(stl) == len(lines):
                per = defaultdict(float)
                for (step, _), (ms, _) in zip(lines, stl):
                    per[step] += ms
                d["step_avg_ms"] = {s: round(per[s], 3) for s in STEPS}
            else:
                d["step_avg_ms"] = None
                d["note"] = f"could not map -r output ({len(stl)} lines) to the script ({len(lines)} commands)"
            d["cases_per_s"] = d.pop("tps")
            d["per_case"] = d.pop("per_txn")
            d["verify"] = verify_pg(cluster)
            res["workload_pgbench"][str(c)] = d

        # the workload through psycopg, with the raced join
        try:
            import psycopg  # noqa: F401
            have_psycopg = True
        except ImportError:
            have_psycopg = False
            res["workload_psycopg"] = {"skipped": "psycopg not installed (run via bench/run.sh, which uses .artifacts/bench-venv)"}
        if have_psycopg:
            dsn = f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=bench"
            res["workload_psycopg"] = {}
            for c in (1, args.threads):
                cluster.psql("TRUNCATE cases, tasks, events RESTART IDENTITY")
                log(f"[pg] psycopg case workload, {c} client(s), {args.duration} s")
                d = run_workload(lambda: PgDb(dsn), c, args.duration)
                d["verify"] = verify_pg(cluster)
                res["workload_psycopg"][str(c)] = d
    finally:
        cluster.stop()
    return res


def verify_pg(cluster: PgCluster) -> dict:
    def rows(sql):
        out = cluster.psql(sql)
        return [tuple(int(x) if x.lstrip("-").isdigit() else x for x in line.split("\t")) for line in out.splitlines() if line]
    return verify_rows(rows("SELECT id, state, version FROM cases"),
                       rows("SELECT case_id, dept, state, version FROM tasks"),
                       rows("SELECT case_id, type FROM events"))


# --------------------------------------------------------------------------------------------
_cleanup: list = []
_loads: dict = {}


def mark(part: str) -> None:
    """Remember the 1-min load average when a part starts (a build beside the run skews figures)."""
    _loads[part] = round(os.getloadavg()[0], 2)


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


def _run_cleanup():
    while _cleanup:
        try:
            _cleanup.pop()()
        except Exception as e:  # noqa: BLE001
            log(f"cleanup: {e!r}")


def human(res: dict) -> str:
    out = []
    if "fsync" in res:
        f = res["fsync"]
        out.append("a. fsync (4 KiB append + fdatasync)")
        o = f["overwrite"]
        out.append(table([["append + fdatasync", f["writes_per_s"], f["p50_ms"], f["p99_ms"], f["max_ms"]],
                          ["(overwrite + fdatasync)", o["writes_per_s"], o["p50_ms"], o["p99_ms"], o["max_ms"]]],
                         ["", "writes/s", "p50 ms", "p99 ms", "max ms"]))
    if "sqlite_commits" in res:
        out.append("\nb. SQLite one-row commits (WAL)")
        out.append(table([[f"synchronous={k}", v["commits_per_s"], v["p50_ms"], v["p99_ms"], v["max_ms"]]
                          for k, v in res["sqlite_commits"].items()], ["", "commits/s", "p50 ms", "p99 ms", "max ms"]))
    def wl_rows(name, d):
        r = [name, d.get("cases_per_s")]
        for s in STEPS:
            st = d["steps"][s]
            r.append(f"{st['p50_ms']}/{st['p99_ms']}" if st["n"] else "-")
        v = d.get("verify", {})
        r.append(f"{d['lost_joins']}/{d['doubled_joins']}/{v.get('inconsistent', '-')}")
        return r
    hdr = ["", "cases/s"] + [f"{s} p50/p99 ms" for s in STEPS] + ["lost/doubled/bad"]
    if "floor_sqlite" in res:
        out.append("\nc. raw SQLite floor of the case workload (Python sqlite3, WAL)")
        rows = []
        for sync, by in res["floor_sqlite"].items():
            for c, d in by.items():
                rows.append(wl_rows(f"{sync} {c} client(s)", d))
        out.append(table(rows, hdr))
    if "lookup_sqlite" in res:
        out.append("\ne. raw SQLite progress query (case row + 2 tasks + 6 events, random case)")
        out.append(table([[f"{int(n):,} cases", d["lookups_per_s"], d["p50_us"], d["p99_us"], d["max_us"]]
                          for n, d in res["lookup_sqlite"].items()], ["", "lookups/s", "p50 us", "p99 us", "max us"]))
    if "pg" in res and "insert" in res["pg"]:
        p = res["pg"]
        out.append(f"\nd. PostgreSQL {p['settings'].get('server_version')} (fsync={p['settings'].get('fsync')}, "
                   f"synchronous_commit={p['settings'].get('synchronous_commit')})")
        rows = [[f"pgbench 1-row INSERT, {c} client(s)", d["tps"], d["per_txn"]["p50_ms"], d["per_txn"]["p99_ms"]]
                for c, d in p["insert"].items()]
        rows += [[f"pgbench case workload, {c} client(s)", d["cases_per_s"], d["per_case"]["p50_ms"], d["per_case"]["p99_ms"]]
                 for c, d in p.get("workload_pgbench", {}).items()]
        out.append(table(rows, ["", "per s", "p50 ms", "p99 ms"]))
        out.append("  (INSERT: commits/s and per-commit latency; workload: cases/s and per-case latency = 6 transactions)")
        wp = p.get("workload_psycopg", {})
        if wp and "skipped" not in wp:
            out.append(table([wl_rows(f"psycopg {c} client(s)", d) for c, d in wp.items()], hdr))
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per fsync/SQLite/psycopg measurement (default 3)")
    ap.add_argument("--pg-duration", type=int, default=5, help="pgbench -T seconds (default 5)")
    ap.add_argument("--threads", type=int, default=16, help="concurrent clients for the N-client runs (default 16, even)")
    ap.add_argument("--skip-fsync", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true", help="skip b. (one-row commits)")
    ap.add_argument("--skip-floor", action="store_true", help="skip c. (raw SQLite workload floor)")
    ap.add_argument("--skip-floor-threads", action="store_true", help="in c., run the single-client floor only")
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--lookup-cases", type=int, nargs="*", default=[100_000],
                    help="e. raw progress-query lookup at these case counts (default 100000; "
                         "e.g. --lookup-cases 100000 1000000; none to skip)")
    ap.add_argument("--skip-lookup", action="store_true", help="skip e.")
    ap.add_argument("--out", help="also write the JSON object to this file")
    args = ap.parse_args(argv)
    if args.threads < 2 or args.threads % 2:
        ap.error("--threads must be an even number >= 2 (reviews race in pairs)")

    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, _on_signal)
    atexit.register(_run_cleanup)

    t_start = time.perf_counter()
    res: dict = {"meta": {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "duration_s": args.duration, "pg_duration_s": args.pg_duration, "threads": args.threads,
        "loadavg_start": list(os.getloadavg()),
        "command": "python " + " ".join([str(Path(sys.argv[0]))] + sys.argv[1:]),
    }}
    status = 0
    try:
        if not args.skip_fsync:
            log(f"[fsync] {args.duration} s of 4 KiB append + fdatasync, {args.duration} s of overwrite + fdatasync")
            mark("fsync")
            res["fsync"] = bench_fsync(args.duration)
        if not args.skip_sqlite:
            res["sqlite_commits"] = {}
            mark("sqlite")
            for sync in ("FULL", "NORMAL"):
                log(f"[sqlite] one-row commits, WAL, synchronous={sync}, {args.duration} s")
                res["sqlite_commits"][sync] = bench_sqlite_commits(args.duration, sync)
        if not args.skip_floor:
            mark("floor")
            res["floor_sqlite"] = {}
            for sync in ("FULL", "NORMAL"):
                res["floor_sqlite"][sync] = {}
                for c in ([1] if args.skip_floor_threads else [1, args.threads]):
                    log(f"[floor] case workload, SQLite WAL synchronous={sync}, {c} client(s), {args.duration} s")
                    d = bench_floor_sqlite(args.duration, sync, c)
                    res["floor_sqlite"][sync][str(c)] = d
                    if d["lost_joins"] or d["doubled_joins"] or d["verify"]["inconsistent"] or d["errors"]:
                        status = 3
        if not args.skip_lookup and args.lookup_cases:
            mark("lookup")
            res["lookup_sqlite"] = {}
            for n in args.lookup_cases:
                log(f"[lookup] raw progress query at {n:,} cases (building the database if needed), {args.duration} s")
                res["lookup_sqlite"][str(n)] = bench_lookup(n, args.duration)
        if not args.skip_pg:
            mark("pg")
            try:
                res["pg"] = bench_pg(args)
                for group in ("workload_pgbench", "workload_psycopg"):
                    for d in res["pg"].get(group, {}).values():
                        if isinstance(d, dict) and (d.get("lost_joins") or d.get("doubled_joins")
                                                    or d.get("verify", {}).get("inconsistent")):
                            status = 3
            except Exception as e:  # report, do not hide the other figures
                log(f"[pg] FAILED: {e}")
                res["pg"] = {"error": str(e)[-2000:]}
                status = 2
    finally:
        _run_cleanup()
    res["meta"]["loadavg_end"] = list(os.getloadavg())
    res["meta"]["load1_at_part_start"] = _loads
    res["meta"]["total_s"] = round(time.perf_counter() - t_start, 1)
    log("")
    log(human(res))
    log(f"\ncalibrate.py done in {res['meta']['total_s']} s (load average {res['meta']['loadavg_start'][0]:.2f} -> {res['meta']['loadavg_end'][0]:.2f})")
    text = json.dumps(res, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
