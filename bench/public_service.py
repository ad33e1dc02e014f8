"""Benchmark of the public notices service, in process.

Builds a SQLite database with N notices (default 100,000) of which P (default 10,000) are public
Red, Yellow and UN notices with a photo each, the rest restricted, private or in other states;
loads the public catalogue; then times list queries with the filters clients use (the whole
in-process path: parameters parsed, catalogue filtered, the JSON document built), a detail, and
following one change. Prints the figures (milliseconds) for docs/benchmarks.md.

Usage: ``python bench/public_service.py [--notices 100000] [--public 10000] [--rounds 200]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import opennotice  # noqa: F401
except ImportError:  # running from a checkout without installation
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import insert

from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.domain.content import RequestContent
from opennotice.services import public as svc
from opennotice.services.context import AppContext
from opennotice.services.members import ensure_member
from opennotice.store.migrate import upgrade
from opennotice.store.tables import IndexChange, Notice, Photo

FAMILY = ["Marchetti", "Okonkwo", "Lindqvist", "Haddad", "Novák", "Ferreira", "Kowalczyk",
          "Ødegård", "Brennan", "Takahashi", "Duarte", "Mbeki", "Łukasiewicz", "Álvarez",
          "Petrović", "Nguyen", "Schäfer", "O'Connell", "Van der Berg", "Castellanos", "Ivanova",
          "Smirnov", "Kuznetsov", "Popescu", "Yilmaz", "Kaya", "Hosseini", "Rahman",
          "Mensah"]  # fmt: skip
GIVEN = ["Lorenzo", "Amaka", "Sven", "Rania", "Jiří", "Beatriz", "Tomasz", "Ingrid", "Declan",
         "Yuki", "Hélène", "Thabo", "Zofia", "José María", "Dragan", "Linh", "Jürgen", "Siobhan",
         "Pieter", "Olga", "Dmitri", "Ayşe", "Reza", "Kwame", "Fatima"]  # fmt: skip
NATS = ["RU", "AR", "BR", "MX", "CO", "IN", "TR", "FR", "DE", "IT", "NG", "PK", "UA", "SV", "GT",
        "US", "CN", "ES", "PL", "ZA"]  # fmt: skip
REQUESTERS = ["RU", "AR", "BR", "MX", "IN", "TR", "FR", "DE", "US", "ES"]
PNG = svc.silhouette_png(random.Random(1), 48, 60)


def content(rng: random.Random, ntype: str, today: dt.date) -> dict[str, Any]:
    age = rng.randint(18, 80)
    born = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    body = {
        "type": ntype,
        "subject": {
            "family_name": " ".join(rng.sample(FAMILY, 2 if rng.random() < .3 else 1)),
            "given_names": rng.choice(GIVEN),
            "date_of_birth": born.isoformat(),
            "sex": rng.choice(["M", "M", "M", "F"]),
            "nationalities": [rng.choice(NATS)],
            "place_of_birth": "Somewhere",
            "eye_colours": ["BRO"],
            "hair_colours": ["BLA"],
            "languages": ["SPA"],
        },
        "charges": [{"legal_provision": "Art. 1", "description": rng.choice(
            ["Murder", "Drug trafficking", "Armed robbery", "Fraud", "Trafficking in persons"])}],
    }  # fmt: skip
    dumped: dict[str, Any] = RequestContent.model_validate(body).model_dump(
        mode="json", exclude={"visibility"}
    )
    return dumped


def populate(ctx: AppContext, total: int, public: int, seed: int) -> None:
    rng = random.Random(seed)
    today = dt.date.today()
    public_at = set(rng.sample(range(total), public))
    rows: list[dict[str, Any]] = []
    photos: list[dict[str, Any]] = []
    with ctx.uow() as uow:
        for code in REQUESTERS:
            ensure_member(uow.session, code)
        uow.commit()
    for i in range(total):
        nid = f"{2015 + i % 10}/{i + 1}"
        is_public = i in public_at
        ntype = rng.choices(["red", "yellow", "un"], [90, 8, 2])[0] if is_public else "red"
        status = "issued" if is_public or rng.random() < 0.7 else rng.choice(
            ["draft", "refused", "withdrawn", "expired", "suspended"])  # fmt: skip
        rows.append(
            {
                "id": nid,
                "kind": "notice",
                "type": ntype,
                "requester": rng.choice(REQUESTERS),
                "status": status,
                "blocked": False,
                "public_extract": is_public,
                "restricted_from": [] if is_public or rng.random() < 0.8 else ["UA"],
                "recipients": [],
                "content": content(rng, ntype, today),
                "findings": [],
                "issued_on": today - dt.timedelta(days=rng.randint(0, 1500)),
                "valid_until": today + dt.timedelta(days=rng.randint(1, 300)),
            }
        )
        if is_public:
            photos.append({"notice_id": nid, "content_type": "image/png", "data": PNG})
        if len(rows) == 5000:
            _flush(ctx, rows, photos)
    _flush(ctx, rows, photos)


def _flush(ctx: AppContext, rows: list[dict[str, Any]], photos: list[dict[str, Any]]) -> None:
    if not rows:
        return
    with ctx.engine.begin() as conn:
        conn.execute(insert(Notice), rows)
        if photos:
            conn.execute(insert(Photo), photos)
    rows.clear()
    photos.clear()


def _fold_upper(name: str) -> str:
    return svc.fold(name).upper()


# Each kind of query, with values that change from one call to the next (no warm repeats).
QUERIES: dict[str, list[dict[str, str]]] = {
    "no filter": [{}],
    "nationality": [{"nationality": n} for n in NATS],
    "nationality+sex+age band": [
        {"nationality": n, "sexId": s, "ageMin": str(a), "ageMax": str(a + 4)}
        for n in NATS for s in "MF" for a in range(20, 80, 5)
    ],
    "name (plain)": [{"name": f.lower()} for f in FAMILY],
    "name (regex ^...$)": [{"name": f"^{_fold_upper(f)[:3]}.*{_fold_upper(f)[-2:]}$"}
                           for f in FAMILY],
    "name+forename (accents off)": [{"name": svc.fold(f), "forename": svc.fold(g)}
                                    for f, g in zip(FAMILY, GIVEN * 2, strict=False)],
    "freeText": [{"freeText": w} for w in ("drug trafficking", "armed robbery", "fraud",
                                           "murder", "persons", "somewhere")],
    "wanted by + page 5": [{"arrestWarrantCountryId": r, "page": "5"} for r in REQUESTERS],
    "resultPerPage=160": [{"resultPerPage": "160", "sexId": s} for s in "MFU"],
}  # fmt: skip


def timed(fn: Callable[[], object], rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread) milliseconds per call: on a shared machine the CPU
    figure is what the code costs, the wall-clock one adds the waits for a processor."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--public", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        ctx = build_context(Settings(database_url=url, secret_key="bench-" + "x" * 40))
        start = time.perf_counter()
        populate(ctx, args.notices, args.public, args.seed)
        print(f"populated {args.notices} notices ({args.public} public) in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        start = time.perf_counter()
        view = svc.catalogue(ctx).view()
        print(f"catalogue cold load: {(time.perf_counter() - start) * 1000:.0f} ms, "
              f"{len(view.by_id)} public extracts")  # fmt: skip
        base = "https://notices.example.org"
        all_ms: list[float] = []
        all_cpu: list[float] = []
        load = os.getloadavg()[0]
        print(f"\nload average {load:.1f} on {os.cpu_count()} processors")
        print(f"{'query (red)':<28} {'total':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'cpu p50':>8} {'cpu p95':>8}")  # fmt: skip
        for label, variants in QUERIES.items():
            turn = iter(range(10**9))

            def run(variants: list[dict[str, str]] = variants, turn: Any = turn) -> Any:
                params = variants[next(turn) % len(variants)]
                query = svc.parse_query(params)
                return svc.list_document(base, svc.search(ctx, svc.PublicKind.RED, query))

            doc: Any = run()
            ms, cpu = timed(run, args.rounds)
            all_ms += ms
            all_cpu += cpu
            print(f"{label:<28} {doc['total']:>6} {pct(ms, .5):>8.2f} {pct(ms, .95):>8.2f} "
                  f"{pct(ms, .99):>8.2f} {pct(cpu, .5):>8.2f} {pct(cpu, .95):>8.2f}")  # fmt: skip
        print(f"{'all list queries':<28} {'':>6} {pct(all_ms, .5):>8.2f} {pct(all_ms, .95):>8.2f} "
              f"{pct(all_ms, .99):>8.2f} {pct(all_cpu, .5):>8.2f} "
              f"{pct(all_cpu, .95):>8.2f}")  # fmt: skip
        some = next(iter(view.by_id.values()))

        def detail() -> object:
            entry = svc.find(ctx, some.kind, some.url_id)
            return svc.etag_of(svc.detail_document(base, entry))

        ms, cpu = timed(detail, args.rounds)
        print(f"{'detail + ETag':<28} {'':>6} {pct(ms, .5):>8.2f} {pct(ms, .95):>8.2f} "
              f"{pct(ms, .99):>8.2f} {pct(cpu, .5):>8.2f} {pct(cpu, .95):>8.2f}")  # fmt: skip
        # One change (a public notice suspended by another process): time to follow it.
        with ctx.uow() as uow:
            row = uow.session.get(Notice, some.entity_id)
            assert row is not None
            row.status = "suspended"
            uow.session.add(IndexChange(notice_id=some.entity_id))
            uow.commit()
        start = time.perf_counter()
        svc.refresh(ctx)
        follow = (time.perf_counter() - start) * 1000
        assert some.entity_id not in svc.catalogue(ctx).view().by_id
        print(f"\nfollowing one change (incremental refresh): {follow:.0f} ms")
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
