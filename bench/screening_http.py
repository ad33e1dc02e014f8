"""HTTP throughput and latency of POST /api/v1/screen against a uvicorn server on loopback.

Loads N fictional notices (bench/gen_people.py, seeded) into a fresh database, starts
`uvicorn opennotice.api.app:create_app` (the index is built at start-up), then sends screening
queries from client processes over keep-alive connections and reports queries per second and
p50/p95/p99 latency. Every query is a real one: authenticated, searched, audited in the
hash-chained log, hits recorded and notified.

    .venv/bin/python bench/screening_http.py --notices 100000 --queries 20000
    .venv/bin/python bench/screening_http.py --database-url postgresql+psycopg://...  # PostgreSQL

The notices are inserted in bulk (not through the review workflow) to keep set-up short.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


import httpx
from gen_people import build_dataset
from procstat import cpu_seconds, rss_mb
from rawhttp import Connection, json_request
from sqlalchemy import create_engine, insert, text

from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.matching import PersonQuery, PersonRecord
from opennotice.services.members import ensure_all_members
from opennotice.services.users import bootstrap_user
from opennotice.store.migrate import upgrade
from opennotice.store.tables import Notice, NoticeSerial

OPERATOR = Actor(user_id=None, username="operator:bench", role=Role.ADMIN, via="cli")
REQUESTERS = ["FR", "DE", "IT", "ES", "US", "BR", "IN", "ZA", "TR", "AR"]
SECRET = "bench-key-" + "x" * 32


def _content(r: PersonRecord) -> dict[str, Any]:
    return {
        "type": "red",
        "purpose": "prosecution",
        "subject": {
            "family_name": r.family_name,
            "given_names": r.given_names,
            "original_family_name": r.original_family_name,
            "original_given_names": r.original_given_names,
            "date_of_birth": r.date_of_birth,
            "sex": r.sex,
            "nationalities": list(r.nationalities),
            "aliases": [],
        },
        "charges": [],
        "warrant": None,
        "summary": None,
        "contact": None,
    }


def load_notices(url: str, records: list[PersonRecord], seed: int) -> None:
    rng = random.Random(seed)
    engine = create_engine(url)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i, r in enumerate(records, start=1):
        restricted = [rng.choice(REQUESTERS)] if rng.random() < 0.1 else []
        rows.append(
            {
                "id": f"{today.year}/{i}", "kind": "notice", "type": "red",
                "requester": rng.choice(REQUESTERS), "status": "issued", "blocked": False,
                "public_extract": False, "restricted_from": restricted, "recipients": [],
                "content": _content(r), "findings": [], "sent_under_prior_review": False,
                "created_at": now, "updated_at": now, "issued_on": today,
                "valid_until": today.replace(year=today.year + 5), "version": 1,
            }
        )  # fmt: skip
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Notice), rows[start : start + 5000])
        conn.execute(insert(NoticeSerial), [{"year": today.year, "last": len(rows)}])
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _query_json(q: PersonQuery) -> dict[str, Any]:
    body: dict[str, Any] = {"family_name": q.family_name, "given_names": q.given_names}
    if q.date_of_birth:
        body["date_of_birth"] = q.date_of_birth
    if q.sex:
        body["sex"] = q.sex
    if q.nationalities:
        body["nationalities"] = list(q.nationalities)
    return {k: v for k, v in body.items() if v}


async def _client(
    port: int, token: str, bodies: list[dict[str, Any]], concurrency: int
) -> tuple[list[float], int, int, str, float, float]:
    latencies: list[float] = []
    errors = 0
    first_error = ""
    hits = 0
    requests = [json_request("POST", "/api/v1/screen", "127.0.0.1", b, token) for b in bodies]
    queue = list(reversed(requests))

    async def worker() -> None:
        nonlocal errors, hits, first_error
        conn = Connection("127.0.0.1", port)
        try:
            while queue:
                request = queue.pop()
                t0 = time.perf_counter()
                try:
                    r = await conn.send(request)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    errors += 1
                    first_error = first_error or f"transport: {type(exc).__name__}"
                    continue
                latencies.append(time.perf_counter() - t0)
                if r.status != 200:
                    errors += 1
                    first_error = first_error or f"{r.status} {r.body[:300]!r}"
                elif b'"hits":[]' not in r.body:
                    hits += 1
        finally:
            await conn.close()

    started = time.time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    ended = time.time()
    return latencies, errors, hits, first_error, started, ended


def _client_proc(
    args: tuple[int, str, list[dict[str, Any]], int],
) -> tuple[list[float], int, int, str, float, float]:
    return asyncio.run(_client(*args))


def run_load(
    port: int, token: str, bodies: list[dict[str, Any]], concurrency: int, procs: int,
    server_pid: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    shares = [bodies[i::procs] for i in range(procs)]
    per = max(1, concurrency // procs)
    cpu0 = cpu_seconds(server_pid) if server_pid else 0.0
    with mp.get_context("spawn").Pool(procs) as pool:
        results = pool.map(_client_proc, [(port, token, s, per) for s in shares])
    cpu = cpu_seconds(server_pid) - cpu0 if server_pid else 0.0
    # From the first query sent to the last answer (not the client processes' start-up).
    elapsed = max(r[5] for r in results) - min(r[4] for r in results)
    lat = sorted(x for r in results for x in r[0])
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {
        "queries": len(lat),
        "seconds": elapsed,
        "qps": len(lat) / elapsed,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": lat[-1] * 1000,
        "errors": sum(r[1] for r in results),
        "with_hits": sum(r[2] for r in results),
        "first_error": next((r[3] for r in results if r[3]), ""),
        "server_cpu_ms_per_query": cpu / max(1, len(lat)) * 1000,
    }


def run_batches(base: str, token: str, bodies: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """One client sending JSON lines batches one after the other: people screened per second."""
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/x-ndjson"}
    screened = 0
    with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
        t0 = time.perf_counter()
        for start in range(0, len(bodies), size):
            lines = "\n".join(json.dumps(b) for b in bodies[start : start + size])
            r = client.post("/api/v1/screen/batch", content=lines.encode())
            r.raise_for_status()
            screened += r.json()["screened"]
        elapsed = time.perf_counter() - t0
    return {"batch_size": size, "batch_people_per_s": screened / elapsed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--notices", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=20_000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--client-procs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--true-share", type=float, default=0.1, help="share of true matches")
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--distinct",
        type=int,
        default=0,
        help="cycle only this many distinct travellers (default: all distinct)",
    )
    ap.add_argument(
        "--batch-size", type=int, default=0,
        help="also time /api/v1/screen/batch with JSON lines of this many people per request",
    )  # fmt: skip
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="on-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.database_url:
        eng = create_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    upgrade(url)
    n_true = int(args.queries * args.true_share)
    t0 = time.perf_counter()
    records, queries = build_dataset(
        args.notices, n_true, n_true, args.queries - 2 * n_true, seed=args.seed
    )
    gen_s = time.perf_counter() - t0
    settings = Settings(database_url=url, secret_key=SECRET)
    ctx = build_context(settings)
    ensure_all_members(ctx, OPERATOR)
    token = bootstrap_user(
        ctx, OPERATOR, username="screen.bench", role="screening", member="DE"
    ).token
    ctx.engine.dispose()
    t0 = time.perf_counter()
    load_notices(url, records, args.seed)
    insert_s = time.perf_counter() - t0

    port = _free_port()
    env = os.environ | {"OPENNOTICE_DATABASE_URL": url, "OPENNOTICE_SECRET_KEY": SECRET}
    cmd = [sys.executable, "-m", "uvicorn", "opennotice.api.app:create_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
           "--workers", str(args.workers), "--no-access-log",
           "--timeout-keep-alive", "30"]  # fmt: skip
    t0 = time.perf_counter()
    server = subprocess.Popen(cmd, env=env, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            if server.poll() is not None:
                raise SystemExit("the server exited")
        startup_s = time.perf_counter() - t0
        # A border system sends no date of birth in the future (the server refuses one with
        # 422); the generator's date variations can produce one for the youngest subjects.
        this_year = str(dt.date.today().year)
        bodies = [
            b
            for b in (_query_json(lq.query) for lq in queries)
            if b.get("date_of_birth", "")[:4] <= this_year
        ]
        random.Random(args.seed).shuffle(bodies)
        if args.distinct:
            # Travellers who come back (names the server has seen): cycle the first N.
            bodies = [bodies[i % args.distinct] for i in range(len(bodies))]
        run_load(port, token, bodies[: min(1000, len(bodies))], args.concurrency, 1)  # warm-up
        figures = run_load(
            port, token, bodies, args.concurrency, args.client_procs, server_pid=server.pid
        )
        if args.batch_size > 0:
            figures |= run_batches(base, token, bodies, args.batch_size)
        rss = rss_mb(server.pid)
        load = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    figures |= {
        "notices": args.notices, "backend": backend, "workers": args.workers,
        "concurrency": args.concurrency, "client_procs": args.client_procs,
        "generate_s": gen_s, "insert_s": insert_s, "startup_s": startup_s,
        "server_rss_mb": rss, "load_average": load,
    }  # fmt: skip
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"{backend}, {args.notices} notices, {args.workers} worker(s), concurrency "
        f"{args.concurrency} from {args.client_procs} client process(es)\n"
        f"  start-up (index build) {startup_s:.1f} s, server RSS {rss:.0f} MB, "
        f"load average during the run {load:.1f} on {os.cpu_count()} cores\n"
        f"  {figures['queries']} queries in {figures['seconds']:.1f} s: "
        f"{figures['qps']:.0f} queries/s; p50 {figures['p50_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
        f"max {figures['max_ms']:.1f} ms; errors {figures['errors']}, "
        f"answers with hits {figures['with_hits']}; server CPU "
        f"{figures['server_cpu_ms_per_query']:.2f} ms per query"
    )
    if args.batch_size > 0:
        print(
            f"  batches of {args.batch_size}: {figures['batch_people_per_s']:.0f} people/s "
            "(one client, one request at a time)"
        )
    if figures["first_error"]:
        print(f"  first error: {figures['first_error']}")


if __name__ == "__main__":
    main()
