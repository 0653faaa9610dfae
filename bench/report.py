#!/usr/bin/env python3
"""Append one dated section to bench/RESULTS.md from a bench/run.sh run directory
(env.txt, calibrate.json, peer_spiff.json). Called by bench/run.sh; prints the section too."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import STEPS  # noqa: E402

HEADER = """# OneVisit benchmark results

Appended by `make bench` (`bash bench/run.sh`), newest last. Each section is one run: every figure
in it was measured in that run, beside the limits of the same run (this machine's fsync latency
drifts a lot from hour to hour, so figures from different sections are not comparable). What each
figure means and the project's targets: bench/README.md.
"""

NOT_YET = "not measured yet"


def load(p: Path):
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return None


def n(v, nd=1):
    if v is None:
        return "–"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and abs(v) < 100:
            return f"{v:,.3f}".rstrip("0").rstrip(".") if nd > 1 else f"{v:,.{2 if abs(v) < 10 else 1}f}"
        return f"{v:,.0f}" if isinstance(v, float) else f"{v:,}"
    return str(v)


def ms(v):
    return "–" if v is None else f"{v:.3f}" if v < 1 else f"{v:.2f}" if v < 100 else f"{v:.0f}"


def pp(st):
    """p50 / p99 ms cell."""
    if not st or not st.get("n"):
        return "–"
    return f"{ms(st['p50_ms'])} / {ms(st['p99_ms'])}"


def row(*cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def md_table(headers, rows):
    out = [row(*headers), row(*["---"] * len(headers))]
    out += [row(*r) for r in rows]
    return "\n".join(out)


def get(d, *path):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def clients(c) -> str:
    return f"{c} client" + ("" if str(c) == "1" else "s")


def loads(cal, peer) -> dict:
    """1-min load average at the start of each part of the run."""
    d = dict(get(cal, "meta", "load1_at_part_start") or {})
    for m in ("reload", "cached"):
        v = get(peer, m, "load1_start_end")
        if v:
            d[f"spiff {m}"] = v[0]
    return d


def section(env: dict, cal: dict | None, peer: dict | None) -> str:
    L = []
    commit = env.get("commit", "uncommitted")
    L.append(f"\n## {env.get('date', '?')} — {commit}\n")
    cmd = env.get("cmd_run", "bash bench/run.sh")
    via = " (= `make bench`)" if cmd.endswith("bash bench/run.sh") else ""
    L.append("Produced by `" + cmd + "`" + via + ", which ran:\n")
    L.append("```")
    L.append(env.get("cmd_calibrate", "?"))
    L.append(env.get("cmd_peer", "?"))
    L.append("```")
    L.append(f"The whole run took {env.get('elapsed_s', '?')} s (calibrate.py exit {env.get('calibrate_rc', '?')}, "
             f"peer_spiff.py exit {env.get('peer_rc', '?')}). Raw JSON and logs: `.artifacts/bench/runs/{env.get('run_id', '?')}/` "
             "(not committed).\n")

    pgs = get(cal, "pg", "settings") or {}
    threads = get(cal, "meta", "threads") or 16
    dur = get(cal, "meta", "duration_s")
    pgdur = get(cal, "meta", "pg_duration_s")
    L.append(md_table(["", ""], [
        ["commit", commit],
        ["toolchain", f"Python {env.get('python')}; SQLite {env.get('sqlite')}; {env.get('postgresql')}; "
                      f"{env.get('pgbench')}; {env.get('swift')}; SpiffWorkflow {env.get('spiffworkflow')}; psycopg {env.get('psycopg')}"],
        ["kernel", env.get("kernel")],
        ["cpu / memory", f"{env.get('cpu')} / {env.get('memory')}"],
        ["disk (`df -h .`)", f"`{env.get('disk')}`"],
        ["machine load", f"load average {env.get('loadavg_start')} at start → {env.get('loadavg_end')} at end; "
                         f"I/O pressure (PSI some, avg60) {env.get('io_pressure_start', 'n/a')} → {env.get('io_pressure_end', 'n/a')}; "
                         f"busy processes at start: {env.get('busy_start') or 'none'} at end: {env.get('busy_end') or 'none'}"
                         + (f"; waited {env.get('waited_for_quiet_s')} s for a quiet machine" if env.get("waited_for_quiet_s", "0") != "0" else "")
                         + ("; 1-min load when each part started: " + ", ".join(f"{k} {v}" for k, v in loads(cal, peer).items()) if loads(cal, peer) else "")],
        ["SQLite settings", "journal_mode=WAL; synchronous=FULL or NORMAL as labelled (the peer: FULL); "
                            "busy_timeout=10 s; one `BEGIN IMMEDIATE … COMMIT` per step"],
        ["PostgreSQL settings", (f"private cluster `.artifacts/bench-pg`, 127.0.0.1:54339, fsync={pgs.get('fsync')}, "
                                 f"synchronous_commit={pgs.get('synchronous_commit')}, full_page_writes={pgs.get('full_page_writes')}, "
                                 f"wal_sync_method={pgs.get('wal_sync_method')}, shared_buffers={pgs.get('shared_buffers')}, "
                                 f"commit_delay={pgs.get('commit_delay')}") if pgs else "not run"],
        ["fsync probe", "4 KiB O_APPEND write + `os.fdatasync` per write (fsync on)"],
        ["durations", f"{dur} s per fsync/SQLite/psycopg/Spiff measurement; pgbench -T {pgdur}; N = {threads} clients"],
    ]))

    # ---- limits
    L.append("\n### Limits measured in this run\n")
    rows = []
    f = get(cal, "fsync")
    if f:
        rows.append(["fsync: 4 KiB append + fdatasync", f"{n(f['writes_per_s'])} writes/s", ms(f["p50_ms"]), ms(f["p99_ms"])])
        o = f.get("overwrite")
        if o:
            rows.append(["(for comparison: 4 KiB overwrite in a written file + fdatasync)", f"{n(o['writes_per_s'])} writes/s",
                         ms(o["p50_ms"]), ms(o["p99_ms"])])
    for sync in ("FULL", "NORMAL"):
        c = get(cal, "sqlite_commits", sync)
        if c:
            rows.append([f"SQLite one-row commits, WAL, synchronous={sync}", f"{n(c['commits_per_s'])} commits/s", ms(c["p50_ms"]), ms(c["p99_ms"])])
    for k, d in (get(cal, "pg", "insert") or {}).items():
        rows.append([f"PostgreSQL one-row INSERT commits, pgbench, {clients(k)}", f"{n(d.get('tps'))} commits/s",
                     ms(get(d, "per_txn", "p50_ms")), ms(get(d, "per_txn", "p99_ms"))])
    for k, d in (get(cal, "lookup_sqlite") or {}).items():
        rows.append([f"raw SQLite progress query at {int(k):,} cases (case + 2 tasks + 6 events, warm cache)",
                     f"{n(d['lookups_per_s'])} lookups/s", f"{d['p50_us']} µs", f"{d['p99_us']} µs"])
    L.append(md_table(["limit", "rate", "p50 ms", "p99 ms"], rows) if rows else "_none measured_")
    if get(cal, "pg", "error"):
        L.append(f"\nPostgreSQL part failed: `{get(cal, 'pg', 'error')[:300]}`")

    # ---- raw floor
    def wl_row(label, d):
        v = d.get("verify", {})
        return [label, n(d.get("cases_per_s"))] + [pp(d["steps"].get(s)) for s in STEPS] + [
            f"{d.get('lost_joins')} / {d.get('doubled_joins')}",
            f"{v.get('complete')} / {v.get('in_flight_consistent')} / {v.get('inconsistent')}",
            d.get("retries_after_lock_timeout", 0)]
    wl_hdr = ["", "cases/s"] + [f"{s} p50 / p99 ms" for s in STEPS] + ["lost / doubled joins", "verify: complete / in flight / bad", "lock retries"]
    fl = get(cal, "floor_sqlite")
    if fl:
        L.append("\n### Raw SQLite floor of the case workload (Python sqlite3, no framework, WAL)\n")
        L.append("6 transactions per case. N clients = N/2 thread pairs, own connection each; in every case the two "
                 "reviews start together on two threads and race for the join.\n")
        L.append(md_table(wl_hdr, [wl_row(f"synchronous={sync}, {clients(c)}", d)
                                   for sync, by in fl.items() for c, d in by.items()]))

    # ---- PostgreSQL floor
    wpg = get(cal, "pg", "workload_pgbench")
    if wpg:
        L.append("\n### PostgreSQL floor of the case workload\n")
        L.append("pgbench script set (`.artifacts/bench-pg/workload.sql`, generated by calibrate.py): one script run = one "
                 "case = 6 transactions; per-step figures are pgbench `-r` averages (no percentiles per step), per-case "
                 "percentiles from `-l` logs. Reviews of a case run one after the other inside a client.\n")
        rows = []
        for c, d in wpg.items():
            sa = d.get("step_avg_ms") or {}
            v = d.get("verify", {})
            rows.append([f"pgbench, {clients(c)}", n(d.get("cases_per_s")), pp(d.get("per_case"))]
                        + [ms(sa.get(s)) for s in STEPS]
                        + [f"{d.get('failed')} / {d.get('aborted_clients')}",
                           f"{v.get('complete')} / {v.get('in_flight_consistent')} / {v.get('inconsistent')}"])
        L.append(md_table(["", "cases/s", "per case p50 / p99 ms"] + [f"{s} avg ms" for s in STEPS]
                          + ["failed / aborted", "verify: complete / in flight / bad"], rows))
    wps = get(cal, "pg", "workload_psycopg")
    if wps and "skipped" not in wps:
        L.append("\nThe same workload through psycopg (Python, prepared statements, `SELECT … FOR UPDATE` on the case "
                 "row serialises the join); N clients = N/2 pairs racing the reviews as above.\n")
        L.append(md_table(wl_hdr, [wl_row(f"psycopg, {clients(c)}", d) for c, d in wps.items()]))
    elif wps:
        L.append(f"\npsycopg variant skipped: {wps['skipped']}")

    # ---- peer
    if peer:
        L.append(f"\n### Peer: SpiffWorkflow {get(peer, 'meta', 'spiffworkflow')} (bench/case.bpmn, SQLite WAL "
                 f"synchronous={get(peer, 'reload', 'synchronous') or get(peer, 'cached', 'synchronous')}, 1 client)\n")
        L.append("Each step = one transaction writing the serialised workflow (version-checked) + one event row. "
                 "`reload`: load + deserialise per step (a stateless service); `cached`: workflow kept in memory.\n")
        rows = []
        for m in ("reload", "cached"):
            d = peer.get(m)
            if d:
                v = d["verify"]
                rows.append([m, n(d["cases_per_s"])] + [pp(d["steps"].get(s)) for s in STEPS]
                            + [f"{d.get('serialized_state_bytes_p50'):,}", f"{v['workflows'] - v['inconsistent']} / {v['inconsistent']}"])
        L.append(md_table(["mode", "cases/s"] + [f"{s} p50 / p99 ms" for s in STEPS] + ["state bytes", "verify: ok / bad"], rows))
    else:
        L.append("\n### Peer: SpiffWorkflow\n\n_not measured: peer_spiff.py produced no result (see its log)_")

    # ---- OneVisit placeholders with the bars of this run
    L.append("\n### OneVisit figures — not measured yet\n")
    L.append("This run measured no OneVisit figure: `make bench` does not build the Swift code and run.sh does not "
             "call `onevisit bench` yet (the engineer writing the OneVisit side — in-process lifecycle through the "
             "service layer, over HTTP with 16/64 clients, queries at 100k/1M cases, RSS, cold start — will wire it "
             "in here, so that it runs in the same run as the limits). Every OneVisit figure below is therefore "
             "**not measured yet**; the bars are the project's targets computed from this run's limits.\n")
    spiff_best = get(peer, "best", "cases_per_s")
    full1 = get(cal, "floor_sqlite", "FULL", "1", "cases_per_s")
    norm1 = get(cal, "floor_sqlite", "NORMAL", "1", "cases_per_s")
    fullN = get(cal, "floor_sqlite", "FULL", str(threads), "cases_per_s")
    commits_full = get(cal, "sqlite_commits", "FULL", "commits_per_s")
    pgb1 = get(cal, "pg", "workload_pgbench", "1", "cases_per_s")
    pgbN = get(cal, "pg", "workload_pgbench", str(threads), "cases_per_s")
    lk = get(cal, "lookup_sqlite") or {}

    def bar(x, k, unit="cases/s"):
        return f"≥ {n(x * k)} {unit}" if x else "– (limit not measured)"
    rows = [
        ["in-process lifecycle, SQLite WAL FULL, 1 client", "≥ 10 × SpiffWorkflow (best mode)", bar(spiff_best, 10), NOT_YET],
        ["", "≥ 0.5 × raw SQLite floor (FULL, 1 client)", bar(full1, 0.5), NOT_YET],
        ["", "≥ 0.8 × (FULL commits/s ÷ 6 steps)", bar(commits_full, 0.8 / 6), NOT_YET],
        ["in-process lifecycle, SQLite WAL NORMAL, 1 client", "≥ 0.5 × raw SQLite floor (NORMAL, 1 client)", bar(norm1, 0.5), NOT_YET],
        [f"in-process lifecycle, SQLite WAL FULL, {threads} clients", f"≥ 0.5 × raw SQLite floor (FULL, {threads} clients)", bar(fullN, 0.5), NOT_YET],
        ["over HTTP, 16 clients", "≥ 0.5 × in-process", "needs the in-process figure", NOT_YET],
        ["over HTTP, 64 clients", "≥ 0.5 × in-process; p99 per step ≤ 20 ms", "≤ 20 ms p99 per step", NOT_YET],
        ["PostgreSQL lifecycle, 1 client", "≥ 0.7 × pgbench floor of the workload", bar(pgb1, 0.7), NOT_YET],
        [f"PostgreSQL lifecycle, {threads} clients", "≥ 0.7 × pgbench floor of the workload", bar(pgbN, 0.7), NOT_YET],
    ]
    for k in ("100000", "1000000"):
        d = lk.get(k)
        cap = "; ≤ 150 µs" if k == "1000000" else ""
        b = f"≤ {n(2 * d['p99_us'])} µs p99" if d else f"raw lookup at {int(k):,} not measured in this run (`--lookup-cases {k}`)"
        if k == "1000000":
            b += " and ≤ 150 µs p99"
        rows.append([f"progress query at {int(k):,} cases", f"p99 ≤ 2 × raw SQLite lookup{cap}", b, NOT_YET])
    rows += [
        ["KPI dashboard at 1,000,000 cases", "≤ 0.5 s", "≤ 0.5 s", NOT_YET],
        ["RSS at 1,000,000 cases", "< 300 MB", "< 300 MB", NOT_YET],
        ["cold start", "< 1 s", "< 1 s", NOT_YET],
        ["lost or doubled transitions", "0", "0 (the raw floors above: see their lost / doubled columns)", NOT_YET],
    ]
    L.append(md_table(["OneVisit figure", "target", "bar from this run", "OneVisit"], rows))

    # ---- automatic sanity notes
    notes = []
    if f and not (100 <= f["writes_per_s"] <= 200_000):
        notes.append(f"fsync rate {n(f['writes_per_s'])}/s is outside the plausible 100–200,000/s: check the disk / the probe.")
    cf, cn = get(cal, "sqlite_commits", "FULL", "commits_per_s"), get(cal, "sqlite_commits", "NORMAL", "commits_per_s")
    if cf and cn:
        notes.append(f"SQLite NORMAL/FULL commit ratio: {cn / cf:.1f}× " + ("(NORMAL > FULL, as expected)" if cn > cf else "(**NORMAL ≤ FULL: unexpected**)"))
    if f and cf:
        o = f.get("overwrite")
        notes.append(f"SQLite FULL commits/s = {cf / f['writes_per_s']:.2f} × the append+fdatasync rate"
                     + (f" and {cf / o['writes_per_s']:.2f} × the overwrite+fdatasync rate (SQLite reuses its WAL file: "
                        "one overwrite fsync per commit ≈ 1)." if o else "."))
    sp = get(peer, "best", "cases_per_s")
    if sp and cf and 10 * sp > cf / 6:
        notes.append(f"**The ≥ 10 × SpiffWorkflow bar ({n(10 * sp)} cases/s) is above the FULL ceiling of "
                     f"{n(cf / 6)} cases/s (FULL commits/s ÷ 6) in this run: at synchronous=FULL, one client and one fsynced "
                     "commit per step it cannot be met on this machine.**")
    bad = []
    for sync, by in (fl or {}).items():
        for c, d in by.items():
            if d.get("lost_joins") or d.get("doubled_joins") or get(d, "verify", "inconsistent") or d.get("errors"):
                bad.append(f"SQLite {sync} {c}")
    for grp in ("workload_pgbench", "workload_psycopg"):
        for c, d in (get(cal, "pg", grp) or {}).items():
            if isinstance(d, dict) and (d.get("lost_joins") or d.get("doubled_joins") or get(d, "verify", "inconsistent")
                                        or d.get("aborted_clients")):
                bad.append(f"{grp} {c}")
    notes.append("Correctness of the floors: " + ("**problems in " + ", ".join(bad) + "**" if bad else "0 lost, 0 doubled, 0 inconsistent cases."))
    vals = []
    try:
        la0 = float(str(env.get("loadavg_start", "0")).split()[0])
    except ValueError:
        la0 = 0.0
    for k in ("loadavg_start", "loadavg_end"):
        try:
            vals.append(float(str(env.get(k, "0")).split()[0]))
        except ValueError:
            pass
    vals += [float(v) for v in loads(cal, peer).values()]
    la = max(vals, default=0.0)
    if env.get("busy_start") or env.get("busy_end") or la0 >= 0.5:
        notes.append(f"The machine was not idle (1-min load {la0:.2f} at start, up to {la:.2f}; other busy processes at "
                     f"start / end: {env.get('busy_start') or 'none'} / {env.get('busy_end') or 'none'}): figures measured "
                     "while it was busy are pessimistic and noisy (see the load when each part started).")
    elif la >= 0.5:
        notes.append(f"The 1-min load rose to {la:.2f} during the run; no other busy process was seen at start or end, and "
                     "the benchmark's own clients count in the load (threads waiting on fsync are in it), so this is "
                     "likely the run itself — a build started mid-run would look the same, though.")
    L.append("\nChecks: " + " ".join(notes) + "\n")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--results", required=True)
    a = ap.parse_args()
    rd = Path(a.run_dir)
    env = {}
    for line in (rd / "env.txt").read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            env[k] = v.strip()
    text = section(env, load(rd / "calibrate.json"), load(rd / "peer_spiff.json"))
    res = Path(a.results)
    if not res.exists() or not res.read_text().strip():
        res.write_text(HEADER)
    with res.open("a") as fh:
        fh.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
