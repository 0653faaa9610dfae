#!/usr/bin/env python3
"""Queries over HTTP against a running `onevisit serve` on a seeded database (issue 5, bench 4).

From a separate process, in this order:

1. KPI dashboard (optional, --kpi): log in as supervisor.ha, then `GET /api/v1/supervision/kpis`
   — the first request after the server started is the cold figure, the median of the next 5 the
   warm one. Run it first, on a freshly started server, or "cold" means nothing.
2. Latency, one connection, one request at a time (Python asyncio + aiohttp): the public progress
   query `POST /api/v1/progress` with the JSON body `{"number": "...", "last4": "...."}`
   (`Content-Type: application/json`; a POST because the server counts every try for its
   brute-force throttling, and the digits stay out of URLs and logs — right answers are not
   counted, so the known-good samples are never throttled), numbers drawn at random from the
   samples file (`onevisit bench seed --samples`), then the plaintext route `GET /livez` the same
   way → p50/p99 in µs, queries/s. Every progress answer must be 200 (a 404 = a sample that the
   server does not find, a 429 = throttled: counted as errors).
3. Throughput, --connections concurrent connections, --duration seconds each: progress query and
   /livez with `wrk` (the Debian package; C, so the client is not the bottleneck) when installed —
   its Lua script sends each progress request as a POST with its JSON body and the Content-Type
   header (`wrk.format('POST', path, headers, body)`), the samples walked from a random start per
   thread — else with the Python client (its CPU share is reported: near 100 % of a core it is the
   limit, not the server). The JSON says which tool measured each figure; the ratio progress ÷
   livez is taken within one tool, on right answers only (wrk's Requests/sec counts non-2xx answers
   too: `ok_qps` = Requests/sec × the share of 2xx/3xx answers).
4. With --server-pid: the server's RSS (VmRSS, VmHWM from /proc) after the load, and its CPU share
   during each part.

  python bench/http_queries.py --url http://127.0.0.1:18081 --samples samples.json --server-pid PID --kpi --json out.json
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version as pkg_version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import log, pct  # noqa: E402
from http_lifecycle import proc_cpu_s, proc_rss_mb, self_cpu_s  # noqa: E402

import aiohttp  # noqa: E402

KPI_PATH = "/api/v1/supervision/kpis"
SUPERVISOR = ("supervisor.ha", "Demo@2026")


PROGRESS_PATH = "/api/v1/progress"
LIVEZ = ("GET", "/livez", None)
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


def progress_request(s: dict) -> tuple:
    """The progress query of one sample as a request (method, path, body): a POST with
    {"number", "last4"} as its JSON body. A request without a body (body None) is a GET."""
    body = json.dumps({"number": s["number"], "last4": s["last4"]}, ensure_ascii=False, separators=(",", ":"))
    return ("POST", PROGRESS_PATH, body)


def lua_str(s: str) -> str:
    """A Lua string literal for s, whatever it holds (the JSON's quotes, backslashes, non-ASCII):
    printable ASCII as is but " and \\, every other byte of its UTF-8 as a 3-digit decimal escape
    \\ddd (the one escape every Lua has, wrk's LuaJIT included; 3 digits so that a digit after it
    is never read as part of it)."""
    out = []
    for b in s.encode("utf-8"):
        out.append(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}")
    return '"' + "".join(out) + '"'


def us_summary(lat: list[float], wall: float, errors: int) -> dict:
    return {"n": len(lat), "errors": errors, "seconds": round(wall, 3), "qps": round(len(lat) / wall, 1) if wall else None,
            "p50_us": round(pct(lat, 50) * 1e6, 1) if lat else None, "p99_us": round(pct(lat, 99) * 1e6, 1) if lat else None,
            "max_us": round(max(lat) * 1e6, 1) if lat else None}


class Cpu:
    """CPU seconds of this process, its children (wrk) and the server across a measurement."""

    def __init__(self, server_pid):
        self.pid = server_pid

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.me0 = self_cpu_s()
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.ch0 = ch.ru_utime + ch.ru_stime
        self.s0 = proc_cpu_s(self.pid) if self.pid else None
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.t0
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.client_pct = round(100 * (self_cpu_s() - self.me0 + ch.ru_utime + ch.ru_stime - self.ch0) / wall, 1)
        s1 = proc_cpu_s(self.pid) if self.pid else None
        self.server_pct = round(100 * (s1 - self.s0) / wall, 1) if s1 is not None and self.s0 is not None else None
        return False

    def into(self, d: dict) -> dict:
        d["client_cpu_pct_of_one_core"] = self.client_pct
        if self.server_pct is not None:
            d["server_cpu_pct_of_one_core"] = self.server_pct
        return d


async def py_load(url: str, reqs, duration: float, connections: int, expect=(200,)) -> dict:
    """`connections` concurrent loops of requests (`reqs()` → (method, path, body)) for `duration`
    seconds; latency per request. A body is sent as JSON (Content-Type: application/json)."""
    lat: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:
        def send():
            method, path, body = reqs()
            if body is None:
                return session.request(method, url + path, headers={"Accept": "application/json"})
            return session.request(method, url + path, data=body.encode("utf-8"), headers=JSON_HEADERS)

        # warm the connections (untimed)
        for _ in range(min(connections, 4)):
            async with send() as r:
                await r.read()
        end = time.perf_counter() + duration
        t_start = time.perf_counter()

        async def loop():
            nonlocal errors
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                async with send() as r:
                    await r.read()
                    if r.status in expect:
                        lat.append(time.perf_counter() - t0)
                    else:
                        errors += 1
        await asyncio.gather(*(loop() for _ in range(connections)))
        wall = time.perf_counter() - t_start
    return us_summary(lat, wall, errors)


WRK_UNITS = {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}


def parse_wrk(out: str) -> dict:
    def dur_us(txt):
        m = re.match(r"([\d.]+)(us|ms|s|m)$", txt)
        return round(float(m.group(1)) * WRK_UNITS[m.group(2)], 1) if m else None
    d = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    d["qps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if m:
        d["n"] = int(m.group(1))
    for p in ("50", "99"):
        m = re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", out, re.M)
        d[f"p{p}_us"] = dur_us(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    d["errors"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    if m:
        d["socket_errors"] = m.group(1).strip()
    return d


def wrk_load(wrk: str, url: str, reqs: list[tuple], duration: float, connections: int, threads: int) -> dict:
    """wrk with a Lua script that sends `reqs` ((method, path, body) each) in turn: a request with a
    body goes out as wrk.format(method, path, headers, body) with Content-Type: application/json
    (wrk adds Content-Length), one without as wrk.format(method, path)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "requests.lua"
        rows = ",".join("{" + lua_str(m) + "," + lua_str(p) + ("," + lua_str(b) if b is not None else "") + "}"
                        for m, p, b in reqs)
        # Every wrk thread walks the list from its own random start.
        script.write_text(
            "local reqs = {" + rows + "}\n"
            "local headers = {" + ",".join(f"[{lua_str(k)}]={lua_str(v)}" for k, v in JSON_HEADERS.items()) + "}\n"
            "local counter, i = 0, 1\n"
            "function setup(thread) counter = counter + 1; thread:set('seed', counter) end\n"
            "function init(args) math.randomseed(seed * 7919); i = math.random(#reqs) end\n"
            "function request()\n"
            "  i = i % #reqs + 1\n"
            "  local r = reqs[i]\n"
            "  if r[3] then return wrk.format(r[1], r[2], headers, r[3]) end\n"
            "  return wrk.format(r[1], r[2])\n"
            "end\n")
        cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, int(round(duration)))}s", "--latency", "-s", str(script), url]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    d = parse_wrk(r.stdout)
    d["command"] = " ".join(cmd[:-3] + ["<requests.lua>", url])
    # wrk's Requests/sec counts every answer; the figure that matters is the rate of right ones
    # (a fast 503 or 429 must not count as throughput).
    if d.get("qps") is not None and d.get("n"):
        d["ok_qps"] = round(d["qps"] * max(0, d["n"] - d.get("errors", 0)) / d["n"], 1)
    if r.returncode != 0 or d.get("qps") is None:
        d["error"] = (r.stderr or r.stdout)[-500:]
    return d


async def kpi(url: str, warm_runs: int = 5) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as s:
        async with s.post(url + "/api/v1/auth/login", json={"username": SUPERVISOR[0], "password": SUPERVISOR[1]}) as r:
            if r.status != 200:
                return {"error": f"login {SUPERVISOR[0]}: HTTP {r.status}"}
            token = (await r.json())["token"]
        h = {"Authorization": "Bearer " + token, "Accept": "application/json"}
        times, size, status = [], None, None
        for _ in range(1 + warm_runs):
            t0 = time.perf_counter()
            async with s.get(url + KPI_PATH, headers=h) as r:
                body = await r.read()
                status = r.status
            times.append(time.perf_counter() - t0)
            size = len(body)
            if status != 200:
                return {"error": f"GET {KPI_PATH}: HTTP {status} {body[:200].decode(errors='replace')}", "path": KPI_PATH}
    return {"path": KPI_PATH, "cold_ms": round(times[0] * 1e3, 2), "warm_ms": round(statistics.median(times[1:]) * 1e3, 2),
            "warm_runs": warm_runs, "response_bytes": size}


async def main_async(args) -> dict:
    samples = json.loads(Path(args.samples).read_text())
    if not samples:
        raise SystemExit(f"{args.samples}: no samples")
    rng = random.Random(5)
    progress = [progress_request(s) for s in samples]
    url = args.url.rstrip("/")
    res: dict = {"bench": "queries_http", "url": url, "samples": len(samples), "samples_file": args.samples,
                 "command": "python " + " ".join([str(Path(sys.argv[0]))] + sys.argv[1:])}
    if args.kpi:
        log(f"[http-q] KPI {KPI_PATH}: cold (first request) and warm")
        res["kpi"] = await kpi(url)
        log(f"[http-q]   {res['kpi']}")

    py_tool = f"Python {sys.version.split()[0]} asyncio + aiohttp {pkg_version('aiohttp')}"
    res["latency"] = {"tool": py_tool, "connections": 1, "duration_s": args.duration}
    for name, pf in (("progress", lambda: rng.choice(progress)), ("livez", lambda: LIVEZ)):
        log(f"[http-q] latency {name}: 1 connection, {args.duration} s")
        with Cpu(args.server_pid) as cpu:
            d = await py_load(url, pf, args.duration, 1)
        res["latency"][name] = cpu.into(d)
        log(f"[http-q]   {res['latency'][name]}")

    wrk = shutil.which("wrk") if args.tool in ("auto", "wrk") else None
    if args.tool == "wrk" and not wrk:
        raise SystemExit("wrk not found (apt-get install wrk)")
    tp: dict = {"connections": args.connections, "duration_s": args.duration}
    if wrk:
        ver = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        tp["tool"] = (ver.stdout or ver.stderr).strip().splitlines()[0] if (ver.stdout or ver.stderr) else "wrk"
        for name, pl in (("progress", progress), ("livez", [LIVEZ])):
            log(f"[http-q] throughput {name}: wrk, {args.connections} connections, {args.duration} s")
            with Cpu(args.server_pid) as cpu:
                d = wrk_load(wrk, url, pl, args.duration, args.connections, args.wrk_threads)
            tp[name] = cpu.into(d)
            log(f"[http-q]   {tp[name]}")
    else:
        tp["tool"] = py_tool
        for name, pf in (("progress", lambda: rng.choice(progress)), ("livez", lambda: LIVEZ)):
            log(f"[http-q] throughput {name}: Python, {args.connections} connections, {args.duration} s")
            with Cpu(args.server_pid) as cpu:
                d = await py_load(url, pf, args.duration, args.connections)
            tp[name] = cpu.into(d)
            log(f"[http-q]   {tp[name]}")
    a, b = get_qps(tp, "progress"), get_qps(tp, "livez")
    tp["progress_to_livez"] = round(a / b, 3) if a and b else None
    res["throughput"] = tp
    la, lb = get_qps(res["latency"], "progress"), get_qps(res["latency"], "livez")
    res["latency"]["progress_to_livez"] = round(la / lb, 3) if la and lb else None
    if args.server_pid:
        res["server"] = {"pid": args.server_pid, **proc_rss_mb(args.server_pid)}
        log(f"[http-q] server memory after the load: {res['server']}")
    return res


def get_qps(d, k):
    """Right answers per second: wrk's `ok_qps` (its Requests/sec counts non-2xx answers too), the
    Python client's `qps` (it counts only the expected status)."""
    x = d.get(k) or {}
    return x.get("ok_qps", x.get("qps"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--samples", required=True, help="JSON array of {number, last4, applicant} (onevisit bench seed --samples)")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    ap.add_argument("--connections", type=int, default=64, help="concurrent connections for the throughput part (default 64)")
    ap.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto", help="throughput client (auto: wrk when installed)")
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--kpi", action="store_true", help=f"also time GET {KPI_PATH} as supervisor.ha (cold, then warm)")
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    res = asyncio.run(main_async(args))
    text = json.dumps(res, indent=2, ensure_ascii=False)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text)
    ok = get_qps(res["latency"], "progress") and not res["latency"]["progress"].get("errors")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
