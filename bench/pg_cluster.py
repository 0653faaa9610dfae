#!/usr/bin/env python3
"""Start / stop the private bench PostgreSQL cluster of calibrate.py (.artifacts/bench-pg,
127.0.0.1:54339, fsync=on, synchronous_commit=on, full_page_writes=on) for the OneVisit runs
on PostgreSQL, with the very settings the pgbench floor was measured with.

  python bench/pg_cluster.py start            # prints nothing; exit 0 when it answers
  python bench/pg_cluster.py fresh-db NAME    # DROP + CREATE DATABASE NAME; prints its URL
  python bench/pg_cluster.py settings         # JSON of the durability settings
  python bench/pg_cluster.py stop

run.sh stops it at the end in any case (its EXIT trap), like after calibrate.py.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibrate import PG_BASE, PG_BIN, PG_PORT, PgCluster  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("start", "stop", "fresh-db", "settings"):
        print(__doc__, file=sys.stderr)
        return 2
    c = PgCluster(PG_BASE, PG_PORT, PG_BIN)
    cmd = argv[0]
    if cmd == "start":
        c.start()
    elif cmd == "stop":
        c.stop(force=True)
    elif cmd == "fresh-db":
        name = argv[1] if len(argv) > 1 else "onevisit_bench"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise SystemExit(f"bad database name {name!r}")
        c.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", db="postgres")
        c.psql(f"CREATE DATABASE {name}", db="postgres")
        print(f"postgres://postgres@127.0.0.1:{PG_PORT}/{name}")
    elif cmd == "settings":
        out = {}
        for s in ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers",
                  "commit_delay", "max_connections"):
            out[s] = c.psql(f"SHOW {s}", db="postgres").strip()
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
