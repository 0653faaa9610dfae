"""G2: kill -9 of the server at random moments during submits with uploads.

After every restart: each acknowledged case is present and complete, every case in the
database is complete (absent or whole, never half), no stored file is orphaned, and
SQLite's integrity check is clean. ONEVISIT_CRASH_ROUNDS sets the number of kills
(50 in `make test`, 500 in `make soak`).
"""
from __future__ import annotations

import base64
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from conftest import ARTIFACTS, BIN, REPO, call, start_server  # noqa: E402

ROUNDS = int(os.environ.get("ONEVISIT_CRASH_ROUNDS", "50"))
RUN = ARTIFACTS / "crash"


def test_kill9_during_submits_loses_nothing_acknowledged():
    if not BIN.exists():
        pytest.fail(f"{BIN} not found")
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEVISIT_")}
    env.update(ONEVISIT_DATABASE_URL=f"sqlite:{RUN / 'onevisit.sqlite'}", ONEVISIT_DATA_DIR=str(RUN / "files"), ONEVISIT_BCRYPT_COST="4", ONEVISIT_JOBS_INTERVAL="0", ONEVISIT_DEMO="true")
    log = open(RUN / "server.log", "wb")
    for args in (["migrate"], ["seed", "--demo"]):
        subprocess.run([str(BIN), *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=300)

    proc, base = start_server(env, log, RUN / "server.log")
    status, login = call(base, "POST", "/api/v1/auth/login", {"username": "13800000001", "password": "Demo@2026"})
    assert status == 200
    token = login["token"]
    status, guides = call(base, "GET", "/api/v1/guides?region=410100&q=" + urllib.request.quote("不动产"))
    implementation = guides[0]["id"]
    rng = random.Random(20261129)
    acknowledged: dict[str, str] = {}
    last_answer: list = [None]
    lock = threading.Lock()
    counter = [0]

    def worker(base: str, stop: threading.Event, acks: threading.Event, wanted: int):
        while not stop.is_set():
            with lock:
                counter[0] += 1
                n = counter[0]
            pdf = b"%PDF-1.4\n% upload " + str(n).encode() + b"\n" + os.urandom(2048).replace(b"%%EOF", b"xxxxx") + b"\n%%EOF\n"
            body = {"implementationID": implementation, "deliveryMode": "download", "feeCondition": "住宅",  # R8.6: its fee depends on it
                    "materials": [{"position": p, "fileName": f"m{p}.pdf", "contentBase64": base64.b64encode(pdf + bytes([p])).decode()} for p in (0, 4)]}
            try:
                status, case = call(base, "POST", "/api/v1/cases", body, token, timeout=5)
            except Exception:  # noqa: BLE001 - the server was killed mid-request
                return
            if status != 201:
                last_answer[0] = (status, case)
            if status == 201:
                with lock:
                    acknowledged[case["summary"]["id"]] = case["summary"]["number"]
                    if len(acknowledged) >= wanted:
                        acks.set()

    for round_ in range(ROUNDS):
        if round_ > 0:
            proc, base = start_server(env, log, RUN / "server.log")
        stop, acks = threading.Event(), threading.Event()
        wanted = len(acknowledged) + rng.randint(1, 6)
        threads = [threading.Thread(target=worker, args=(base, stop, acks, wanted)) for _ in range(4)]
        for t in threads:
            t.start()
        if not acks.wait(timeout=60):
            stop.set()
            proc.kill()  # the test stops the server it started, failing or not
            proc.wait(timeout=10)
            pytest.fail(f"no submit was acknowledged in round {round_}; last answer: {last_answer[0]}")
        os.kill(proc.pid, signal.SIGKILL)  # with requests still in flight
        proc.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=15)

    # after the last restart: everything acknowledged is there and whole
    proc, base = start_server(env, log, RUN / "server.log")
    try:
        for case_id, number in acknowledged.items():
            status, case = call(base, "GET", f"/api/v1/cases/{case_id}", token=token)
            assert status == 200, number
            assert case["summary"]["number"] == number
            assert [d["title"] for d in case["documents"]] == ["电子回执"]
            assert sum(1 for m in case["materials"] if m["status"] == "provided") == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)

    db = sqlite3.connect(RUN / "onevisit.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cases = db.execute("SELECT id FROM cases").fetchall()
    assert len(cases) >= len(acknowledged)
    for (case_id,) in cases:  # every case in the database is complete
        assert db.execute("SELECT count(*) FROM case_materials WHERE case_id = ?", (case_id,)).fetchone()[0] == 6
        assert db.execute("SELECT count(*) FROM case_documents WHERE case_id = ? AND kind = 'receipt'", (case_id,)).fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (case_id,)).fetchone()[0] >= 1
    referenced = {row[0] for row in db.execute("SELECT file_sha FROM case_materials WHERE file_sha IS NOT NULL")}
    referenced |= {row[0] for row in db.execute("SELECT sha256 FROM stored_files")}
    store = RUN / "files" / "blobs"
    on_disk = {p.name for p in store.glob("??/*")}
    assert referenced <= on_disk, "a case refers to a missing file"
    assert on_disk <= referenced, f"orphan files: {len(on_disk - referenced)}"
    assert not list((store / "tmp").glob("*")), "temp files left behind"
    print(f"G2: {ROUNDS} kills, {len(acknowledged)} acknowledged cases, {len(cases)} cases stored, {len(on_disk)} files")
