"""Load on loopback: the screening endpoint and the public service held at target rates.

Starts the server (uvicorn, as `opennotice serve` runs it) on a fresh SQLite database, with
optionally ``--notices`` notices loaded (``bench/public_service.py``'s generator: about 70 %
issued, ``--public`` of them public extracts with a photo), then sends, open-loop, for
``--seconds``:

* ``POST /api/v1/screen`` at ``--screen-rate`` requests per second (a screening user's token),
* ``GET /notices/v1/red?...`` and ``GET /notices/v1/red/{id}`` at ``--public-rate``.

Open loop: each request is sent at its scheduled time whatever the answers before it, and its
latency is counted from that scheduled time, so a server that falls behind shows it in the
percentiles (no coordinated omission). In-flight requests are capped at ``--max-in-flight``;
a request that cannot start because of the cap is counted as late, not dropped.

Reports per stream: requests, achieved rate, errors (any answer other than 200), p50/p95/p99
and max latency; the server's resident memory (start, peak, end); the machine. Exit status 1
when a stream had errors, reached less than 95 % of its target rate, or had p99 over 1 s.

    .venv/bin/python bench/load.py [--seconds 60] [--notices 100000] [--public 10000]
        [--screen-rate 250] [--public-rate 100] [--workers 1]

The public service's per-address rate limit is raised for the run (all load comes from
127.0.0.1); everything else is the default configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from procstat import cpu_seconds, rss_mb
from rawhttp import Connection, encode_request, json_request

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import opennotice  # noqa: F401
except ImportError:  # running from a checkout without installation
    sys.path.insert(0, str(HERE.parent / "src"))

from opennotice.bootstrap import build_context  # noqa: E402
from opennotice.config import Settings  # noqa: E402
from opennotice.services.users import bootstrap_user  # noqa: E402
from opennotice.store.migrate import upgrade  # noqa: E402

SECRET = "bench-load-" + "k" * 40
FAMILY = [
    "Marchetti",
    "Okonkwo",
    "Lindqvist",
    "Haddad",
    "Novak",
    "Ferreira",
    "Kowalczyk",
    "Brennan",
    "Takahashi",
    "Duarte",
    "Mbeki",
    "Petrovic",
    "Nguyen",
    "Schafer",
    "Ivanova",
    "Smirnov",
    "Popescu",
    "Yilmaz",
    "Hosseini",
    "Rahman",
    "Mensah",
    "Quennell",
]
GIVEN = [
    "Lorenzo",
    "Amaka",
    "Sven",
    "Rania",
    "Jiri",
    "Beatriz",
    "Tomasz",
    "Ingrid",
    "Declan",
    "Yuki",
    "Helene",
    "Thabo",
    "Zofia",
    "Dragan",
    "Linh",
    "Olga",
    "Dmitri",
    "Reza",
    "Kwame",
]
NATS = ["RU", "AR", "BR", "MX", "FR", "DE", "IT", "NG", "TR", "US", "CN", "ES", "PL", "ZA"]


@dataclass
class Stream:
    name: str
    rate: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    late_starts: int = 0
    sent: int = 0

    @property
    def unanswered(self) -> int:
        return self.sent - len(self.latencies)

    def record(self, status: int, latency: float) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status != 200:
            self.errors += 1


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prepare(url: str, notices: int, public: int, seed: int) -> tuple[str, list[str]]:
    """Migrate, load notices (unless there are already), add a screening user; the token and
    some public ids."""
    upgrade(url)
    ctx = build_context(Settings(database_url=url, secret_key=SECRET))
    try:
        from sqlalchemy import func

        from opennotice.store.tables import Notice as _Notice

        with ctx.read_session_factory() as s:
            present = int(s.scalar(select_count(_Notice, func)) or 0)
        if notices and present >= notices:
            print(f"reusing the {present} notices already in the database", flush=True)
        elif notices:
            from public_service import populate

            t0 = time.perf_counter()
            populate(ctx, notices, min(public, notices), seed)
            print(f"loaded {notices} notices in {time.perf_counter() - t0:.1f} s", flush=True)
        from sqlalchemy import select

        from opennotice.store.tables import Notice

        with ctx.read_session_factory() as s:
            ids = list(
                s.scalars(
                    select(Notice.id)
                    .where(Notice.public_extract.is_(True), Notice.type == "red")
                    .limit(2000)
                )
            )
        from opennotice.domain.actors import Actor
        from opennotice.domain.types import Role

        admin = Actor(user_id=None, username="operator:bench", role=Role.ADMIN, via="cli")
        token = bootstrap_user(
            ctx, admin, username=f"screen.bench.{os.getpid()}", role="screening", member="DE"
        ).token
        return token, [i.replace("/", "-") for i in ids]
    finally:
        ctx.engine.dispose()


def select_count(table: Any, func: Any) -> Any:
    from sqlalchemy import select

    return select(func.count()).select_from(table)


def start_server(url: str, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ)
    env.update(
        OPENNOTICE_DATABASE_URL=url,
        OPENNOTICE_SECRET_KEY=SECRET,
        OPENNOTICE_PUBLIC_RATE_PER_MINUTE="100000000",
    )
    cmd = [
        sys.executable, "-m", "uvicorn", "opennotice.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start within 10 minutes")


def screen_body(rng: random.Random) -> dict[str, Any]:
    body: dict[str, Any] = {
        "family_name": rng.choice(FAMILY),
        "given_names": rng.choice(GIVEN),
    }
    if rng.random() < 0.7:
        body["date_of_birth"] = (
            f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        )
    if rng.random() < 0.5:
        body["nationalities"] = [rng.choice(NATS)]
    return body


def public_request(rng: random.Random, ids: list[str]) -> str:
    roll = rng.random()
    if ids and roll < 0.4:
        return f"/notices/v1/red/{rng.choice(ids)}"
    if roll < 0.7:
        return f"/notices/v1/red?name={rng.choice(FAMILY)}&resultPerPage=20"
    if roll < 0.85:
        return f"/notices/v1/red?nationality={rng.choice(NATS)}&ageMin=30&ageMax=50&page=2"
    return f"/notices/v1/red?forename={rng.choice(GIVEN)}&sexId=M"


async def drive(
    base: str, token: str, ids: list[str], streams: list[Stream], seconds: float,
    max_in_flight: int, seed: int, grace: float,
) -> float:  # fmt: skip
    rng = random.Random(seed)
    host, port = base.removeprefix("http://").rsplit(":", 1)
    # A pool of keep-alive connections, which is also the cap on requests in flight.
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(max_in_flight):
        pool.put_nowait(Connection(host, int(port)))

    async def one(stream: Stream, scheduled: float) -> None:
        conn = await pool.get()
        try:
            if time.perf_counter() - scheduled > 0.05:
                stream.late_starts += 1
            if stream.name == "screening":
                request = json_request("POST", "/api/v1/screen", host, screen_body(rng), token)
            else:
                request = encode_request("GET", public_request(rng, ids), host)
            try:
                status = (await conn.send(request)).status
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status = 599
        finally:
            pool.put_nowait(conn)
        stream.record(status, time.perf_counter() - scheduled)

    async def schedule(stream: Stream, start: float) -> list[asyncio.Task[None]]:
        tasks: list[asyncio.Task[None]] = []
        n = 0
        interval = 1.0 / stream.rate
        while True:
            at = start + n * interval
            if at - start >= seconds:
                return tasks
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(stream, at)))
            n += 1

    start = time.perf_counter()
    groups = await asyncio.gather(*(schedule(s, start) for s in streams if s.rate > 0))
    for stream, group in zip([s for s in streams if s.rate > 0], groups, strict=True):
        stream.sent = len(group)
    tasks = [t for g in groups for t in g]
    # What is not answered within the grace period after the last send counts as failed.
    _done, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = time.perf_counter() - start
    while not pool.empty():
        await pool.get_nowait().close()
    return elapsed


def pct(sorted_values: list[float], q: int) -> float:
    if not sorted_values:
        return float("nan")
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[q - 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--notices", type=int, default=0, help="notices to load (e.g. 100000)")
    ap.add_argument("--public", type=int, default=10_000, help="of which public extracts")
    ap.add_argument("--screen-rate", type=float, default=250, help="screening requests/s")
    ap.add_argument("--public-rate", type=float, default=100, help="public service requests/s")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--max-in-flight", type=int, default=256)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--grace", type=float, default=15, help="seconds to wait for answers after the last send"
    )
    ap.add_argument("--keep", action="store_true", help="keep the database and server log")
    ap.add_argument("--db", type=Path, help="SQLite file to use (and reuse: kept afterwards)")
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="opennotice-load-"))
    db = args.db.resolve() if args.db else workdir / "load.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{db}"
    box = machine()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in box.items()), flush=True)
    token, ids = prepare(url, args.notices, args.public, args.seed)
    log = workdir / "server.log"
    t0 = time.perf_counter()
    proc, base = start_server(url, args.workers, log)
    print(f"server up in {time.perf_counter() - t0:.1f} s", flush=True)

    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(rss_mb(proc.pid))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    time.sleep(0.6)
    rss_start = samples[-1] if samples else 0.0
    streams = [Stream("screening", args.screen_rate), Stream("public", args.public_rate)]
    cpu_start = cpu_seconds(proc.pid)
    try:
        elapsed = asyncio.run(
            drive(
                base, token, ids, streams, args.seconds, args.max_in_flight, args.seed, args.grace
            )
        )
    finally:
        cpu_used = cpu_seconds(proc.pid) - cpu_start
        stop.set()
        sampler.join()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    failed = False
    print(
        f"\nnotices loaded: {args.notices}; sending for {args.seconds:.0f} s, "
        f"then up to {args.grace:.0f} s for the last answers ({elapsed:.1f} s in all)"
    )
    print(
        f"{'stream':<10} {'target/s':>8} {'sent':>6} {'answered':>8} {'rate/s':>7} {'errors':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    for s in streams:
        if s.rate <= 0:
            continue
        lat = sorted(x * 1000 for x in s.latencies)
        rate = len(lat) / max(args.seconds, 1e-9)
        errors = s.errors + s.unanswered
        print(
            f"{s.name:<10} {s.rate:>8.0f} {s.sent:>6} {len(lat):>8} {rate:>7.1f} {errors:>6} "
            f"{pct(lat, 50):>8.1f} {pct(lat, 95):>8.1f} {pct(lat, 99):>8.1f} "
            f"{(lat[-1] if lat else float('nan')):>8.1f}"
        )
        if s.errors or s.unanswered:
            answers = dict(sorted(s.statuses.items()))
            print(f"  answers: {answers}; unanswered after the grace period: {s.unanswered}")
        # Held: every request answered 200 in time, the rate reached, p99 under a second.
        if errors or rate < 0.95 * s.rate or pct(lat, 99) > 1000:
            failed = True
    print(
        f"server RSS: start {rss_start:.0f} MB, peak {max(samples, default=0):.0f} MB, "
        f"end {samples[-1] if samples else 0:.0f} MB"
    )
    answered = sum(len(s.latencies) for s in streams)
    per = cpu_used / answered * 1000 if answered else float("nan")
    print(
        f"server CPU: {cpu_used:.1f} s for {answered} answers = {per:.1f} ms per request "
        f"(about {1000 / per if per == per and per else 0:.0f} requests/s per fully free core)"
    )
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.keep:
        print(f"kept: {workdir}")
    else:
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()
    print("RESULT:", "did not hold the target rates" if failed else "held the target rates")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
