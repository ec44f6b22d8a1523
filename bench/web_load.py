"""Load benchmark of the web application: person and search pages under concurrent signed-in sessions.

    python -m bench.web_load [--persons 100000] [--backend sqlite|postgres] [--connections 20] [--seconds 30]
    make bench   (runs it at its defaults)

A registry of `--persons` generated rows (bench/generate.py) is imported once and kept in
bench/out/web-<backend>-<persons>/ (reused by later runs); a researcher of its project gets
`--connections` sessions (opened through services.signin, as the sign-in page does); `testimonia serve`
runs on loopback in its own process; wrk (Debian's `wrk`, `make bench` installs it) drives it with
that many connections and no think time, each request with one of the sessions' cookies: first person
pages (random persons of the registry), then search pages (full names, given names, Cyrillic and
Chinese forms drawn from the registry). Reported per page: requests, p50/p95/p99 latency, non-2xx, and
the server's CPU time per request (its processes' user and system time over the run, from /proc).
The goal (issue 6): p95 < 100 ms for both at 1,000,000 persons; docs/benchmarks.md has the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select

from bench.generate import generate
from testimonia.services import signin
from testimonia.services.access import SYSTEM
from testimonia.services.importing import import_file
from testimonia.services.registry import init_folder, open_folder
from testimonia.services.users import create_project, create_user, load_actor
from testimonia.store.schema import names, persons

OUT = Path(__file__).parent / "out"
PG_URL = os.environ.get("TESTIMONIA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WRK_SCRIPT = """
local paths, cookies = {}, {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
for line in io.lines("%(cookies)s") do cookies[#cookies + 1] = line end
local failed = 0
request = function()
  local headers = {["Cookie"] = "tm_session=" .. cookies[math.random(#cookies)]}
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
response = function(status, headers, body)
  if status ~= 200 then failed = failed + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%.3f %%.3f %%.3f %%d\\n", summary.requests, latency:percentile(50) / 1000,
                         latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
"""


def registry_folder(persons_wanted: int, backend: str) -> Path:
    """The benchmark registry, imported on first use."""
    folder = OUT / f"web-{backend}-{persons_wanted}"
    if (folder / "ready").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    db_url = None
    if backend == "postgres":
        import psycopg

        name = f"testimonia_web_{persons_wanted}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        db_url = f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    registry = init_folder(folder / "data", db_url)
    project = create_project(registry, SYSTEM, "bench")
    create_user(registry, SYSTEM, "researcher", "bench-password-1", "researcher", [project])
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
        for row in generate(persons_wanted, seed=3):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    import_file(registry, SYSTEM, handle.name, project)
    print(f"imported {persons_wanted:,} rows in {time.perf_counter() - started:.0f} s")
    os.unlink(handle.name)
    registry.close()
    (folder / "ready").touch()
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """CPU time (user and system) used so far by a process and its descendants still running, from /proc."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except FileNotFoundError:  # it ended meanwhile
        return total
    return total + sum(_cpu_seconds(child) for child in children)


def wrk(url: str, paths: list[str], cookies: list[str], connections: int, seconds: int, work: Path,
        threads: int = 1) -> dict:
    (work / "paths.txt").write_text("\n".join(paths) + "\n")
    (work / "cookies.txt").write_text("\n".join(cookies) + "\n")
    script = work / "load.lua"
    script.write_text(WRK_SCRIPT % {"paths": work / "paths.txt", "cookies": work / "cookies.txt"})
    out = subprocess.run(["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    requests, p50, p95, p99, failed = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", out).groups()
    return {"requests": int(requests), "per_second": round(int(requests) / seconds, 1), "p50_ms": float(p50),
            "p95_ms": float(p95), "p99_ms": float(p99), "non_2xx": int(failed)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="server processes (testimonia serve --workers)")
    parser.add_argument("--pages", default="person,search",
                        help="which pages, comma-separated: person, search, and form (the search form without a "
                             "query: what every signed-in page costs before its own work)")
    parser.add_argument("--wrk-threads", type=int, default=1,
                        help="wrk's threads (one drives 20 connections at these rates; on a 2-core machine a "
                             "second only takes CPU from the server)")
    args = parser.parse_args(argv)
    if unknown := set(args.pages.split(",")) - {"person", "search", "form"}:
        parser.error(f"unknown page: {', '.join(sorted(unknown))}")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: make bench installs it (apt-get install wrk)")
    folder = registry_folder(args.persons, args.backend)
    registry = open_folder(folder / "data")
    researcher = load_actor(registry, "researcher")
    cookies = [signin.open_session(registry, researcher, second_factor=True) for _ in range(args.connections)]
    rng = random.Random(5)
    with registry.db.reading() as conn:
        person_ids = list(conn.execute(select(persons.c.id).where(persons.c.merged_into.is_(None),
                                                                 persons.c.hidden == 0)).scalars())
        name_texts = list(conn.execute(select(names.c.text).limit(200_000)).scalars())
    registry.close()
    person_paths = [f"/persons/{pid}" for pid in rng.sample(person_ids, min(2000, len(person_ids)))]
    queries = rng.sample(name_texts, min(1000, len(name_texts)))
    queries += [q.split()[0] for q in queries[:300] if q.split()]  # a given name alone: many hits
    search_paths = [f"/search?q={quote(q)}" for q in queries]
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "testimonia"), "--data", str(folder / "data"), "serve",
                               "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/sign-in", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        results = {}
        with tempfile.TemporaryDirectory() as work:
            pages = {"person": person_paths, "search": search_paths, "form": ["/search"]}
            for page in args.pages.split(","):
                paths = pages[page]
                wrk(url, paths[:50], cookies, args.connections, 3, Path(work), args.wrk_threads)  # warm-up
                cpu = _cpu_seconds(server.pid)
                results[page] = wrk(url, paths, cookies, args.connections, args.seconds, Path(work), args.wrk_threads)
                # the server's CPU per request: steadier than latency on a machine whose speed varies
                results[page]["server_cpu_ms"] = round((_cpu_seconds(server.pid) - cpu) * 1000
                                                       / max(results[page]["requests"], 1), 2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    cpus = len(os.sched_getaffinity(0))
    report = {"persons": args.persons, "backend": args.backend, "connections": args.connections,
              "workers": args.workers, "wrk_threads": args.wrk_threads,
              "seconds": args.seconds, "machine": f"{platform.machine()}, {cpus} cores, Python "
                                                   f"{platform.python_version()}", **results}
    print(json.dumps(report, indent=1))
    OUT.mkdir(exist_ok=True)
    (OUT / f"web-load-{args.backend}-{args.persons}.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
