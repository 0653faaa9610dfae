"""Shared helpers for the OneVisit benchmark scripts (bench/calibrate.py, bench/peer_spiff.py).

Nothing here measures anything by itself: payload generators, percentiles, SQLite setup and
the human-readable table printer, so that the raw floor and the SpiffWorkflow peer carry exactly
the same data per case.
"""
from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / ".artifacts" / "bench"

# The six durable steps of a OneVisit case, in order (review_a / review_b may finish in any order).
STEPS = ["create", "accept", "review_a", "review_b", "decide", "deliver"]
# Event types written by each step (one event row per step).
EVENT_OF_STEP = {
    "create": "created",
    "accept": "accepted",
    "review_a": "review_a",
    "review_b": "review_b",
    "decide": "decided",
    "deliver": "delivered",
}
EXPECTED_EVENTS = sorted(EVENT_OF_STEP.values())

_DOC_KINDS = ["id_card_front", "id_card_back", "household_register", "application_form", "proof_of_address"]


def applicant(rng: random.Random) -> dict:
    """Applicant data of one case (a few short fields, like the real intake form)."""
    n = rng.randrange(10**8)
    return {
        "name": f"Applicant {n:08d}",
        "id_no": f"11010519{rng.randrange(1950, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000, 9999)}",
        "phone": f"13{rng.randrange(10**9):09d}",
        "address": f"No. {rng.randrange(1, 999)} Example Road, District {rng.randrange(1, 20)}",
    }


def materials_json(rng: random.Random) -> str:
    """~1 KB of material metadata JSON (what OneVisit stores per case about uploaded documents)."""
    items = []
    for kind in _DOC_KINDS:
        items.append({
            "kind": kind,
            "file": f"uploads/{rng.randrange(10**6):06d}/{kind}.jpg",
            "sha256": "%064x" % rng.getrandbits(256),
            "size": rng.randrange(50_000, 4_000_000),
            "mime": "image/jpeg",
        })
    doc = {"materials": items, "checked": True}
    s = json.dumps(doc, separators=(",", ":"))
    # Pad / trim to ~1 KB so every backend stores the same amount.
    if len(s) < 1000:
        doc["note"] = "x" * (1000 - len(s) - 10)
        s = json.dumps(doc, separators=(",", ":"))
    return s


def event_payload(step: str, actor: str) -> str:
    return json.dumps({"step": step, "by": actor}, separators=(",", ":"))


def pct(values, p: float):
    """Nearest-rank percentile of a list of numbers (None for an empty list)."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def lat_summary_ms(seconds_list) -> dict:
    """p50 / p99 / max / mean in milliseconds of a list of durations in seconds."""
    if not seconds_list:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    return {
        "n": len(seconds_list),
        "p50_ms": round(pct(seconds_list, 50) * 1000, 3),
        "p99_ms": round(pct(seconds_list, 99) * 1000, 3),
        "max_ms": round(max(seconds_list) * 1000, 3),
        "mean_ms": round(sum(seconds_list) / len(seconds_list) * 1000, 3),
    }


def sqlite_connect(path: Path, synchronous: str, busy_timeout_ms: int = 10_000) -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN/COMMIT ourselves), WAL, given synchronous."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000)
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise RuntimeError(f"could not switch {path} to WAL (got {mode})")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


def fresh_sqlite_path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    p = ARTIFACTS / name
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(str(p) + suffix)
        except FileNotFoundError:
            pass
    return p


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def fmt(v, nd=1):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{nd}f}" if abs(v) >= 100 else f"{v:,.3f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(rows, headers) -> str:
    cells = [[str(h) for h in headers]] + [[fmt(c) if not isinstance(c, str) else c for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for j, r in enumerate(cells):
        out.append("  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(r)))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


class Deadline:
    def __init__(self, seconds: float):
        self.t0 = time.perf_counter()
        self.end = self.t0 + seconds

    def over(self) -> bool:
        return time.perf_counter() >= self.end

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0
