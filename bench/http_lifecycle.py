#!/usr/bin/env python3
"""The OneVisit case lifecycle over HTTP, from a separate process (issue 5, bench 2b).

N cases, C concurrent clients, against a running `onevisit serve` whose database holds the demo
data (`onevisit migrate && onevisit seed --demo`). Each client is one asyncio task with its own
keep-alive connection pool (2 connections: the two department reviews of a case run at once) and
its own login per role (applicant 13800000001, clerk.zz, reviewer.zz.zj, reviewer.zz.zr,
head.zz.zj; logins happen before the clock starts). One case:

  submit   POST /api/v1/cases (建筑工程施工许可 XK00221000 in 410100, 2 small PDF materials,
           delivery by download; Idempotency-Key header, see --idempotency)
  accept   POST /api/v1/cases/{id}/accept              {"version": v}     clerk.zz
  review   POST /api/v1/cases/{id}/tasks/{t}/complete  {"approve": true}  住建 and 自然资源 reviewers,
           both at the same instant; a 409 (the other review moved the case) is retried at once,
           as a client would — the in-process bench does the same
  decide   POST /api/v1/cases/{id}/decide   {"version": v, "decision": "approve"}  head.zz.zj
  deliver  POST /api/v1/cases/{id}/deliver  {"version": v, "mode": "download"}    the applicant

A 503 (the server's bounded write queue is full, or its PostgreSQL pool timed out: the work was not
done) is retried after its Retry-After (at most --busy-wait-max s, at most --busy-retries times) and
counted in `busy_503`. Step latencies are client-side (request sent → response read); a step's
latency includes its retries (a review's: its 409s; any step's: its 503 waits). cases/s = completed cases ÷ wall time of the timed part. After the run, untimed, every
case is read back through the API: delivered, version = 6 (one bump per durable transition:
submit 1, accept, 2 reviews, decide, deliver), both tasks done at version 2, exactly one decision
document, no event twice; and the applicant's cases grew by exactly the acknowledged submits
(counted in the server's SQLite file with --sqlite, read-only; else through GET /api/v1/cases,
which only works below its cap of 200 cases). Each miss counts in `lost_or_doubled`.

The client's own CPU time is reported (getrusage): on a 2-core machine a Python client near 100 %
of one core would be the bottleneck, not the server. With --server-pid the server's CPU share and
RSS are read from /proc as well.

  python bench/http_lifecycle.py --url http://127.0.0.1:18080 --cases 500 --clients 16 --json out.json
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import sys
import time
import urllib.parse
import uuid
from importlib.metadata import version as pkg_version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import log, pct  # noqa: E402

try:
    import aiohttp
except ImportError:  # pragma: no cover
    sys.exit("aiohttp missing: run through bench/run.sh (it installs bench/requirements.txt into .artifacts/bench-venv)")

STEPS = ["submit", "accept", "review", "decide", "deliver"]
PASSWORD = "Demo@2026"
ROLES = {"applicant": "13800000001", "clerk": "clerk.zz", "zj": "reviewer.zz.zj", "zr": "reviewer.zz.zr", "head": "head.zz.zj"}
ITEM, REGION = "XK00221000", "410100"
# Which reviewer completes the task of which department (by the department's name).
REVIEWER_OF = {"住房和城乡建设局": "zj", "自然资源和规划局": "zr"}


def proc_cpu_s(pid: int) -> float | None:
    """utime + stime of a process in seconds, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def proc_rss_mb(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0].lower() + "_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def self_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Failure(Exception):
    pass


class Client:
    """One simulated client: its own connections, its own tokens."""

    def __init__(self, url: str, idx: int, conns: int, timeout: float):
        self.url = url.rstrip("/")
        self.idx = idx
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=conns, force_close=False, enable_cleanup_closed=True),
            timeout=aiohttp.ClientTimeout(total=timeout), json_serialize=lambda o: json.dumps(o, separators=(",", ":")))
        self.tokens: dict[str, str] = {}

    async def close(self):
        await self.session.close()

    async def req(self, method: str, path: str, role: str | None = None, body=None, headers=None):
        status, data, _ = await self.req_full(method, path, role, body, headers)
        return status, data

    async def req_full(self, method: str, path: str, role: str | None = None, body=None, headers=None):
        """(status, body, Retry-After in seconds or None)."""
        h = {"Accept": "application/json"}
        if role:
            h["Authorization"] = "Bearer " + self.tokens[role]
        if headers:
            h.update(headers)
        async with self.session.request(method, self.url + path, json=body, headers=h) as r:
            data = await r.read()
            try:
                after = float(r.headers.get("Retry-After", ""))
            except ValueError:
                after = None
            return r.status, data, after

    async def login(self):
        for role, user in ROLES.items():
            status, data = await self.req("POST", "/api/v1/auth/login", body={"username": user, "password": PASSWORD})
            if status != 200:
                raise Failure(f"login {user}: HTTP {status} {data[:200]!r}")
            self.tokens[role] = json.loads(data)["token"]


async def find_implementation(c: Client) -> str:
    status, data = await c.req("GET", f"/api/v1/guides?region={REGION}&q={ITEM}")
    found = [g for g in json.loads(data) if g.get("itemCode") == ITEM and g.get("regionCode") == REGION] if status == 200 else []
    if not found:  # search by name when the code is not searchable
        status, data = await c.req("GET", f"/api/v1/guides?region={REGION}&q=" + urllib.parse.quote("施工许可"))
        found = [g for g in json.loads(data) if g.get("itemCode") == ITEM] if status == 200 else []
    if not found:
        raise Failure(f"no published guide {ITEM} in {REGION}: is the demo data loaded (onevisit seed --demo)?")
    return found[0]["id"]


def materials_body(impl: str) -> dict:
    # The same two small PDFs as the in-process bench (LifecycleBench.swift): positions 0 and 5 of
    # this guide are the ones the applicant supplies.
    mats = [{"position": p, "fileName": f"m{p}.pdf", "contentBase64": base64.b64encode(f"%PDF-1.4\n% bench {p}\n%%EOF\n".encode()).decode()}
            for p in (0, 5)]
    return {"implementationID": impl, "deliveryMode": "download", "materials": mats}


class Run:
    def __init__(self, args, impl: str):
        self.args = args
        self.submit_body = materials_body(impl)
        self.lat: dict[str, list[float]] = {s: [] for s in STEPS}
        self.cases: list[dict] = []       # completed: {"id", "number", "version"}
        self.failed: list[str] = []       # error descriptions of abandoned cases
        self.review_retries = 0
        self.busy_503: dict[str, int] = {}   # step → 503 answers (retried after Retry-After)
        self.submitted = 0
        self.requests = 0
        self.next = 0
        self.done = 0
        self.t_last_bar = 0.0

    def take(self) -> bool:
        if self.next >= self.args.cases:
            return False
        self.next += 1
        return True

    def bar(self):
        now = time.perf_counter()
        if now - self.t_last_bar < 0.2 and self.done != self.args.cases:
            return
        self.t_last_bar = now
        w = 30
        f = w * self.done // max(1, self.args.cases)
        sys.stderr.write(f"\r[{'#' * f}{'.' * (w - f)}] {self.done}/{self.args.cases} cases, {len(self.failed)} failed")
        sys.stderr.flush()

    async def send(self, c: Client, name: str, method: str, path: str, role: str, body=None, headers=None):
        """One request; a 503 (the server's write queue is full, or its database pool timed out) is
        retried after its Retry-After (capped by --busy-wait-max), up to --busy-retries times, as a
        client would: the work was not done (the same Idempotency-Key goes again). The waits count
        in the step's latency; the 503s are counted in `busy_503`."""
        for _ in range(self.args.busy_retries + 1):
            status, data, after = await c.req_full(method, path, role, body, headers)
            self.requests += 1
            if status != 503:
                return status, data
            self.busy_503[name] = self.busy_503.get(name, 0) + 1
            await asyncio.sleep(min(after if after is not None else 1.0, self.args.busy_wait_max))
        return status, data

    async def step(self, c: Client, name: str, method: str, path: str, role: str, body=None, headers=None, ok=(200,)):
        t0 = time.perf_counter()
        status, data = await self.send(c, name, method, path, role, body, headers)
        if status not in ok:
            raise Failure(f"{name}: HTTP {status} {data[:300].decode(errors='replace')}")
        self.lat[name].append(time.perf_counter() - t0)
        return json.loads(data)

    async def review(self, c: Client, cid: str, task: dict) -> None:
        dept = task.get("departmentName", "")
        role = next((r for k, r in REVIEWER_OF.items() if k in dept), None)
        if role is None:
            raise Failure(f"review: no bench reviewer for the task of {dept!r}")
        t0 = time.perf_counter()
        for attempt in range(50):
            status, data = await self.send(c, "review", "POST", f"/api/v1/cases/{cid}/tasks/{task['id']}/complete", role, {"approve": True})
            if status == 200:
                self.lat["review"].append(time.perf_counter() - t0)
                return
            if status != 409:
                raise Failure(f"review: HTTP {status} {data[:300].decode(errors='replace')}")
            self.review_retries += 1
        raise Failure("review: still 409 after 50 attempts")

    async def one_case(self, c: Client):
        idem = self.args.idempotency
        h = {"Idempotency-Key": str(uuid.uuid4())} if idem in ("submit", "all") else None
        d = await self.step(c, "submit", "POST", "/api/v1/cases", "applicant", self.submit_body, h, ok=(201,))
        self.submitted += 1
        cid, v = d["summary"]["id"], d["summary"]["version"]

        def hk():
            return {"Idempotency-Key": str(uuid.uuid4())} if idem == "all" else None
        d = await self.step(c, "accept", "POST", f"/api/v1/cases/{cid}/accept", "clerk", {"version": v}, hk())
        tasks = [t for t in d.get("tasks", []) if not t.get("done")]
        if len(tasks) != 2:
            raise Failure(f"accept: expected 2 open department tasks, got {len(tasks)}")
        await asyncio.gather(*(self.review(c, cid, t) for t in tasks))
        # Each review bumps the version once: the head's client sends accept's version + 2, so a
        # lost or doubled review shows as a 409 on decide (a failed case), not as a silent pass.
        v = d["summary"]["version"] + 2
        d = await self.step(c, "decide", "POST", f"/api/v1/cases/{cid}/decide", "head", {"version": v, "decision": "approve"}, hk())
        v = d["summary"]["version"]
        d = await self.step(c, "deliver", "POST", f"/api/v1/cases/{cid}/deliver", "applicant", {"version": v, "mode": "download"}, hk())
        self.cases.append({"id": cid, "number": d["summary"]["number"], "version": d["summary"]["version"]})

    async def worker(self, c: Client):
        while self.take():
            try:
                await self.one_case(c)
            except Failure as e:
                self.failed.append(str(e))
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                self.failed.append(f"{type(e).__name__}: {e}")
            self.done += 1
            self.bar()


LIST_CAP = 200  # GET /api/v1/cases answers an applicant's newest 200 cases


def sqlite_count(path: str | None) -> int | None:
    """The applicant's cases, counted in the server's SQLite file (read-only; for lists past LIST_CAP)."""
    if not path:
        return None
    import sqlite3
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM cases WHERE applicant_id = (SELECT id FROM accounts WHERE login_name = ?)",
                           (ROLES["applicant"],)).fetchone()[0]
    finally:
        con.close()


async def applicant_count(c: Client, db: str | None) -> tuple[int | None, str]:
    n = sqlite_count(db)
    if n is not None:
        return n, "SQLite file (read-only)"
    status, data = await c.req("GET", "/api/v1/cases", "applicant")
    n = len(json.loads(data)) if status == 200 else None
    return (n, "GET /api/v1/cases") if n is not None and n < LIST_CAP else (None, f"GET /api/v1/cases (capped at {LIST_CAP}: no count)")


async def verify(run: Run, c: Client, before: int | None, db: str | None, concurrency: int = 8) -> dict:
    bad: list[str] = []
    sem = asyncio.Semaphore(concurrency)

    async def check(case):
        async with sem:
            status, data = await c.req("GET", f"/api/v1/cases/{case['id']}", "applicant")
        if status != 200:
            bad.append(f"{case['number']}: HTTP {status}")
            return
        d = json.loads(data)
        s = d["summary"]
        problems = []
        if s["state"] != "delivered":
            problems.append(f"state {s['state']}")
        if s["version"] != 6:
            problems.append(f"version {s['version']} (expected 6)")
        tasks = d.get("tasks", [])
        if len(tasks) != 2 or any(t.get("state") != "done" or t.get("version") != 2 for t in tasks):
            problems.append("tasks " + ",".join(f"{t.get('state')}@{t.get('version')}" for t in tasks))
        decisions = [x for x in d.get("documents", []) if "决定书" in x.get("title", "")]
        if len(decisions) != 1:
            problems.append(f"{len(decisions)} decision documents")
        titles = [e.get("title") for e in d.get("events", [])]
        dup = {t for t in titles if titles.count(t) > 1}
        if dup:
            problems.append(f"events twice: {sorted(dup)}")
        if problems:
            bad.append(f"{case['number']}: " + "; ".join(problems))

    await asyncio.gather(*(check(x) for x in run.cases))
    after, how = await applicant_count(c, db)
    grew = None if after is None or before is None else after - before
    out = {"checked": len(run.cases), "bad_cases": len(bad), "examples": bad[:10], "applicant_cases_counted_by": how,
           "applicant_cases_before": before, "applicant_cases_after": after, "applicant_cases_grew_by": grew,
           "submits_acknowledged": run.submitted}
    # Every acknowledged submit made exactly one case: more = a doubled submit, fewer = a lost one.
    out["lost_or_doubled"] = len(bad) + (abs(grew - run.submitted) if grew is not None else 0)
    return out


async def main_async(args) -> dict:
    t_setup = time.perf_counter()
    clients = [Client(args.url, i, 2, args.timeout) for i in range(args.clients)]
    try:
        impl = await find_implementation(clients[0])
        sem = asyncio.Semaphore(8)

        async def login(c):
            async with sem:
                await c.login()
        await asyncio.gather(*(login(c) for c in clients))
        list_before, _ = await applicant_count(clients[0], args.sqlite)
        run = Run(args, impl)
        setup_s = time.perf_counter() - t_setup
        log(f"[http] {args.clients} clients logged in ({len(ROLES)} roles each) in {setup_s:.1f} s; {args.cases} cases against {args.url}")

        cpu0, srv0 = self_cpu_s(), proc_cpu_s(args.server_pid) if args.server_pid else None
        t0 = time.perf_counter()
        await asyncio.gather(*(run.worker(c) for c in clients))
        wall = time.perf_counter() - t0
        cpu1, srv1 = self_cpu_s(), proc_cpu_s(args.server_pid) if args.server_pid else None
        sys.stderr.write("\n")
        log(f"[http] verifying {len(run.cases)} cases through the API")
        ver = await verify(run, clients[0], list_before, args.sqlite)
    finally:
        await asyncio.gather(*(c.close() for c in clients))

    steps = []
    for s in STEPS:
        v = run.lat[s]
        steps.append({"name": s, "count": len(v), "p50_ms": round(pct(v, 50) * 1000, 3) if v else None,
                      "p99_ms": round(pct(v, 99) * 1000, 3) if v else None, "max_ms": round(max(v) * 1000, 3) if v else None})
    completed = len(run.cases)
    res = {
        "bench": "lifecycle_http", "database": args.database, "synchronous": args.synchronous,
        "url": args.url, "cases": args.cases, "completed": completed, "failed": len(run.failed),
        "failures": run.failed[:10], "clients": args.clients, "connections_per_client": 2,
        "idempotency_key": args.idempotency, "seconds": round(wall, 3),
        "cases_per_s": round(completed / wall, 2) if wall else None,
        "requests": run.requests, "requests_per_s": round(run.requests / wall, 1) if wall else None,
        "review_retries_409": run.review_retries, "busy_503": sum(run.busy_503.values()), "busy_503_by_step": run.busy_503,
        "steps": steps,
        "lost_or_doubled": ver["lost_or_doubled"], "verify": ver,
        "setup_s": round(setup_s, 2),
        "client": {"tool": f"Python {sys.version.split()[0]} asyncio + aiohttp {pkg_version('aiohttp')}", "pid": os.getpid(),
                   "cpu_s": round(cpu1 - cpu0, 2), "cpu_pct_of_one_core": round(100 * (cpu1 - cpu0) / wall, 1) if wall else None},
        "command": "python " + " ".join([str(Path(sys.argv[0]))] + sys.argv[1:]),
    }
    res["client"]["bottleneck"] = bool(res["client"]["cpu_pct_of_one_core"] and res["client"]["cpu_pct_of_one_core"] >= 85)
    if args.server_pid and srv0 is not None and srv1 is not None:
        res["server"] = {"pid": args.server_pid, "cpu_s": round(srv1 - srv0, 2),
                         "cpu_pct_of_one_core": round(100 * (srv1 - srv0) / wall, 1), **proc_rss_mb(args.server_pid)}
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="base URL of a running `onevisit serve` with the demo data")
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--idempotency", choices=["submit", "all", "none"], default="submit",
                    help="which POSTs carry an Idempotency-Key header (default: submit — the only step a client "
                         "cannot safely retry without one; each key costs the server 2 extra writes)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    ap.add_argument("--busy-retries", type=int, default=20,
                    help="how often a 503 answer (server busy) is retried after its Retry-After before the case fails (default 20)")
    ap.add_argument("--busy-wait-max", type=float, default=1.0,
                    help="cap in seconds on the wait after a 503 (default 1; the wait counts in the step's latency)")
    ap.add_argument("--server-pid", type=int, help="read the server's CPU time and RSS from /proc")
    ap.add_argument("--sqlite", help="the server's SQLite file: count the applicant's cases there (read-only) for the "
                                     "no-doubled-submit check; without it the API list is used, which stops at 200")
    ap.add_argument("--database", default=None, help="label for the JSON (sqlite / postgresql)")
    ap.add_argument("--synchronous", default=None, help="label for the JSON (the server's SQLite synchronous)")
    ap.add_argument("--json", help="write the result here (it is printed on stdout too)")
    args = ap.parse_args(argv)
    res = asyncio.run(main_async(args))
    text = json.dumps(res, indent=2, ensure_ascii=False)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text)
    log(f"[http] {res['completed']}/{res['cases']} cases, {res['clients']} clients: {res['cases_per_s']} cases/s, "
        f"{res['requests_per_s']} req/s, lost/doubled {res['lost_or_doubled']}, failed {res['failed']}, 503 retried {res['busy_503']}, "
        f"client CPU {res['client']['cpu_pct_of_one_core']} % of a core"
        + (f", server CPU {res['server']['cpu_pct_of_one_core']} %" if "server" in res else ""))
    for s in res["steps"]:
        log(f"  {s['name']:8} p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  (n={s['count']})")
    return 0 if res["completed"] else 1


if __name__ == "__main__":
    sys.exit(main())
