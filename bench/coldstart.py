#!/usr/bin/env python3
"""Cold start of the server (issue 5, bench 4): from exec of `onevisit serve` until the first
200 from GET /healthz (which pings the database), --runs times (default 3), median reported.

The server is started with the caller's environment (ONEVISIT_DATABASE_URL etc.), polled every
2 ms over a fresh connection, then stopped with SIGTERM (SIGKILL after 20 s). The page cache is
not dropped: "cold" is a new process on an existing database (the database file may be in the
page cache from earlier parts of the run; a reboot-cold start would be slower).

  python bench/coldstart.py --runs 3 --json out.json -- .build-release/release/onevisit serve --host 127.0.0.1 --port 18090
"""
from __future__ import annotations

import argparse
import http.client
import json
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import log  # noqa: E402


def port_of(cmd: list[str]) -> int:
    for i, a in enumerate(cmd):
        if a == "--port" and i + 1 < len(cmd):
            return int(cmd[i + 1])
        if a.startswith("--port="):
            return int(a.split("=", 1)[1])
    return 8080


def one(cmd: list[str], port: int, timeout: float, log_path: Path | None) -> dict:
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    first_connect = None
    try:
        while True:
            if proc.poll() is not None:
                return {"error": f"server exited with {proc.returncode} before answering"}
            if time.perf_counter() - t0 > timeout:
                return {"error": f"no 200 from /healthz within {timeout} s"}
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if first_connect is None:
                    first_connect = time.perf_counter() - t0
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return {"seconds": round(time.perf_counter() - t0, 4), "first_connect_s": round(first_connect, 4), "pid": proc.pid}
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.002)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            out.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--log", help="append the server's output here")
    ap.add_argument("--json")
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="-- the serve command")
    a = ap.parse_args(argv)
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("give the serve command after --")
    port = port_of(cmd)
    runs = []
    for i in range(a.runs):
        d = one(cmd, port, a.timeout, Path(a.log) if a.log else None)
        log(f"[coldstart] run {i + 1}/{a.runs}: {d}")
        runs.append(d)
        time.sleep(0.3)
    ok = [r["seconds"] for r in runs if "seconds" in r]
    res = {"bench": "coldstart", "runs": runs, "median_s": round(statistics.median(ok), 4) if ok else None,
           "min_s": min(ok) if ok else None, "max_s": max(ok) if ok else None,
           "command": " ".join(cmd), "until": "first 200 from GET /healthz"}
    text = json.dumps(res, indent=2)
    if a.json:
        Path(a.json).write_text(text + "\n")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
