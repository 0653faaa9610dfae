#!/usr/bin/env python3
"""The peer: SpiffWorkflow running the OneVisit case workload as a BPMN process.

bench/case.bpmn: start -> create -> accept -> parallel split -> [review_a | review_b] -> parallel
join -> decide -> deliver -> end (six user tasks = the six durable steps of a OneVisit case).

Each step is one SQLite transaction (WAL, synchronous=FULL by default) that writes the whole
serialised workflow (BpmnWorkflowSerializer JSON, SpiffWorkflow's own format) with a version check
plus one event row, like the raw floor in calibrate.py. Single client. Two modes:

  reload  every step loads the row, deserialises the workflow, completes the user task, runs the
          engine, serialises and commits -- what a stateless service over SpiffWorkflow does
          (one request per step)
  cached  the workflow object stays in memory between steps; each step completes the task, runs
          the engine, serialises and commits (no load/deserialise) -- the kindest case for the peer

Reports cases/s and p50/p99 per step for each mode, on stderr as a table and on stdout as JSON.
The checks line compares its faster mode with the FULL ceiling (no target uses the peer since issue 12).

Usage: .artifacts/bench-venv/bin/python bench/peer_spiff.py [--duration 3] [--mode both|reload|cached]
                                                            [--synchronous FULL|NORMAL] [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import sys
import time
from collections import defaultdict
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    EVENT_OF_STEP, STEPS, Deadline, applicant, event_payload, fresh_sqlite_path, lat_summary_ms, log,
    materials_json, pct, sqlite_connect, table,
)

try:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState
except ImportError:  # pragma: no cover
    sys.exit("SpiffWorkflow is not installed: run bench/run.sh (it creates .artifacts/bench-venv), or\n"
             "  .artifacts/bench-venv/bin/pip install -r bench/requirements.txt")

BPMN = Path(__file__).resolve().parent / "case.bpmn"
PROCESS_ID = "onevisit_case"

SCHEMA = [
    """CREATE TABLE workflows(id INTEGER PRIMARY KEY, status TEXT NOT NULL, version INTEGER NOT NULL,
         completed INTEGER NOT NULL, state TEXT NOT NULL, updated_at REAL NOT NULL)""",
    "CREATE INDEX workflows_status ON workflows(status)",
    """CREATE TABLE events(id INTEGER PRIMARY KEY, workflow_id INTEGER NOT NULL, type TEXT NOT NULL,
         payload TEXT NOT NULL, at REAL NOT NULL)""",
    "CREATE INDEX events_workflow ON events(workflow_id)",
]


def load_spec():
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_file(str(BPMN))
    return parser.get_spec(PROCESS_ID)


def status_of(wf) -> str:
    """The OneVisit case state that the workflow's position corresponds to."""
    if wf.is_completed():
        return "delivered"
    ready = {t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    if ready == {"accept"}:
        return "submitted"
    if ready and ready <= {"review_a", "review_b"}:
        return "accepted"
    if ready == {"decide"}:
        return "reviewed"
    if ready == {"deliver"}:
        return "decided"
    return "?" + ",".join(sorted(ready))


def complete_user_task(wf, name: str, data: dict):
    task = wf.get_next_task(state=TaskState.READY, spec_name=name)
    if task is None:
        ready = [t.task_spec.name for t in wf.get_tasks(state=TaskState.READY)]
        raise RuntimeError(f"user task {name!r} is not READY (ready: {ready})")
    task.data.update(data)
    task.run()
    wf.do_engine_steps()


class Peer:
    def __init__(self, path: Path, synchronous: str, spec, serializer):
        self.conn = sqlite_connect(path, synchronous)
        self.spec = spec
        self.ser = serializer
        self.engine_s = defaultdict(list)   # deserialise + run + serialise
        self.db_s = defaultdict(list)       # load row + write transaction
        self.state_bytes = []

    def create(self, rng) -> tuple[int, object]:
        a = applicant(rng)
        t0 = time.perf_counter()
        wf = BpmnWorkflow(self.spec)
        wf.do_engine_steps()
        complete_user_task(wf, "create", {"applicant": a, "materials": json.loads(materials_json(rng))})
        state = self.ser.serialize_json(wf)
        t1 = time.perf_counter()
        now = time.time()
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        wid = c.execute("INSERT INTO workflows(status, version, completed, state, updated_at) VALUES (?, 1, 0, ?, ?) RETURNING id",
                        (status_of(wf), state, now)).fetchone()[0]
        c.execute("INSERT INTO events(workflow_id, type, payload, at) VALUES (?, ?, ?, ?)",
                  (wid, EVENT_OF_STEP["create"], event_payload("create", "c0"), now))
        c.execute("COMMIT")
        self.engine_s["create"].append(t1 - t0)
        self.db_s["create"].append(time.perf_counter() - t1)
        return wid, wf, 1

    def step(self, wid: int, step: str, wf=None, version=None):
        """One durable step. With wf=None (reload mode) the workflow is loaded from the database."""
        c = self.conn
        tdb = 0.0
        if wf is None:
            t = time.perf_counter()
            state, version = c.execute("SELECT state, version FROM workflows WHERE id = ?", (wid,)).fetchone()
            tdb += time.perf_counter() - t
            t0 = time.perf_counter()
            wf = self.ser.deserialize_json(state)
        else:
            t0 = time.perf_counter()
        complete_user_task(wf, step, {step: {"by": "c0", "at": time.time()}})
        state = self.ser.serialize_json(wf)
        t1 = time.perf_counter()
        now = time.time()
        c.execute("BEGIN IMMEDIATE")
        rc = c.execute("UPDATE workflows SET status = ?, version = version + 1, completed = ?, state = ?, updated_at = ?"
                       " WHERE id = ? AND version = ?",
                       (status_of(wf), int(wf.is_completed()), state, now, wid, version)).rowcount
        if rc != 1:
            c.execute("ROLLBACK")
            raise RuntimeError(f"{step}: workflow {wid} not at version {version}")
        c.execute("INSERT INTO events(workflow_id, type, payload, at) VALUES (?, ?, ?, ?)",
                  (wid, EVENT_OF_STEP[step], event_payload(step, "c0"), now))
        c.execute("COMMIT")
        tdb += time.perf_counter() - t1
        self.engine_s[step].append(t1 - t0)
        self.db_s[step].append(tdb)
        if step == "deliver":
            self.state_bytes.append(len(state))
        return wf, version + 1


def run_mode(mode: str, duration: float, synchronous: str, spec, ser) -> dict:
    path = fresh_sqlite_path(f"spiff-{mode}-{synchronous.lower()}.sqlite")
    peer = Peer(path, synchronous, spec, ser)
    for stmt in SCHEMA:
        peer.conn.execute(stmt)
    rng = random.Random(1)
    lat = defaultdict(list)
    done = 0
    dl = Deadline(duration)
    while not dl.over():
        t = time.perf_counter()
        wid, wf, v = peer.create(rng)
        lat["create"].append(time.perf_counter() - t)
        for step in STEPS[1:]:
            t = time.perf_counter()
            if mode == "cached":
                wf, v = peer.step(wid, step, wf, v)
            else:
                peer.step(wid, step)
            lat[step].append(time.perf_counter() - t)
        done += 1
    elapsed = dl.elapsed()
    verify = verify_db(peer.conn, ser)
    peer.conn.close()
    return {
        "mode": mode, "journal_mode": "wal", "synchronous": synchronous, "clients": 1,
        "seconds": round(elapsed, 3), "cases_completed": done, "cases_per_s": round(done / elapsed, 1),
        "steps": {s: lat_summary_ms(lat[s]) for s in STEPS},
        "engine_mean_ms": {s: round(sum(peer.engine_s[s]) / len(peer.engine_s[s]) * 1000, 3) for s in STEPS if peer.engine_s[s]},
        "db_mean_ms": {s: round(sum(peer.db_s[s]) / len(peer.db_s[s]) * 1000, 3) for s in STEPS if peer.db_s[s]},
        "serialized_state_bytes_p50": pct(peer.state_bytes, 50),
        "verify": verify,
    }


def verify_db(conn, ser, deserialize_max=2000) -> dict:
    """Every workflow must be completed at version 6 with exactly the six events; a sample is also
    deserialised and checked with SpiffWorkflow's own is_completed()."""
    rows = conn.execute("SELECT id, status, version, completed FROM workflows").fetchall()
    ev = defaultdict(list)
    for wid, typ in conn.execute("SELECT workflow_id, type FROM events"):
        ev[wid].append(typ)
    expected = sorted(EVENT_OF_STEP.values())
    bad = [r[0] for r in rows if not (r[1] == "delivered" and r[2] == 6 and r[3] == 1 and sorted(ev[r[0]]) == expected)]
    sample = [r[0] for r in rows][:deserialize_max]
    not_done = 0
    for wid in sample:
        (state,) = conn.execute("SELECT state FROM workflows WHERE id = ?", (wid,)).fetchone()
        wf = ser.deserialize_json(state)
        if not wf.is_completed() or sorted(wf.data.keys()) != sorted(["applicant", "materials", *STEPS[1:]]):
            not_done += 1
    return {"workflows": len(rows), "inconsistent": len(bad), "deserialised_checked": len(sample),
            "deserialised_not_completed": not_done}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per mode (default 3)")
    ap.add_argument("--mode", choices=["both", "reload", "cached"], default="both")
    ap.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    ap.add_argument("--out", help="also write the JSON object to this file")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    t = time.perf_counter()
    spec = load_spec()
    parse_ms = (time.perf_counter() - t) * 1000
    ser = BpmnWorkflowSerializer()
    # Warm up (imports, first-use caches) with one throw-away case, not measured.
    wf = BpmnWorkflow(spec)
    wf.do_engine_steps()
    for s in STEPS:
        complete_user_task(wf, s, {s: True})
        wf = ser.deserialize_json(ser.serialize_json(wf))
    assert wf.is_completed()

    res = {"meta": {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "spiffworkflow": metadata.version("SpiffWorkflow"), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "bpmn": "bench/case.bpmn", "process": PROCESS_ID,
        "bpmn_parse_ms": round(parse_ms, 1), "duration_s": args.duration,
        "command": "python " + " ".join([str(Path(sys.argv[0]))] + sys.argv[1:]),
    }}
    status = 0
    for mode in (["reload", "cached"] if args.mode == "both" else [args.mode]):
        log(f"[spiff] {mode}: SpiffWorkflow {res['meta']['spiffworkflow']}, SQLite WAL synchronous={args.synchronous}, 1 client, {args.duration} s")
        load0 = round(os.getloadavg()[0], 2)
        d = run_mode(mode, args.duration, args.synchronous, spec, ser)
        d["load1_start_end"] = [load0, round(os.getloadavg()[0], 2)]
        res[mode] = d
        if d["verify"]["inconsistent"] or d["verify"]["deserialised_not_completed"]:
            status = 3
    modes = [m for m in ("reload", "cached") if m in res]
    best = max(modes, key=lambda m: res[m]["cases_per_s"])
    res["best"] = {"mode": best, "cases_per_s": res[best]["cases_per_s"]}
    res["meta"]["total_s"] = round(time.perf_counter() - t_start, 1)

    rows = []
    for m in modes:
        d = res[m]
        rows.append([m, d["cases_per_s"]] + [f"{d['steps'][s]['p50_ms']}/{d['steps'][s]['p99_ms']}" for s in STEPS]
                    + [str(d["verify"]["inconsistent"])])
    log("")
    log(f"SpiffWorkflow {res['meta']['spiffworkflow']} peer (BPMN, SQLite WAL synchronous={args.synchronous}, 1 client)")
    log(table(rows, ["mode", "cases/s"] + [f"{s} p50/p99 ms" for s in STEPS] + ["bad"]))
    for m in modes:
        log(f"  {m}: mean engine ms/step {res[m]['engine_mean_ms']}")
        log(f"  {m}: mean db ms/step     {res[m]['db_mean_ms']}; serialised state ~{res[m]['serialized_state_bytes_p50']} bytes")
    log(f"peer_spiff.py done in {res['meta']['total_s']} s")
    text = json.dumps(res, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
