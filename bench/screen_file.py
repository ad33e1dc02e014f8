"""`opennotice screen FILE` end to end: a passenger list against N notices, 1 and more workers.

Loads N fictional notices (bench/gen_people.py, seeded) into a fresh SQLite database, writes
T travellers as CSV (2 % of them subjects of a notice, under another spelling), and runs the
command as a user would, once per ``--workers`` value, timing it from start to exit. A run on
the first 10 rows of the same file gives the fixed cost (start-up, index build, recording);
the screening rate is the travellers over the difference.

    .venv/bin/python bench/screen_file.py [--notices 100000] [--travellers 1000000]
        [--workers 1 2] [--seed 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gen_people import build_dataset
from screening_http import OPERATOR, SECRET, load_notices

from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.services.members import ensure_all_members
from opennotice.store.migrate import upgrade


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--notices", type=int, default=100_000)
    ap.add_argument("--travellers", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="on-screen-file-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    n_true = max(1, args.travellers // 50)
    t0 = time.perf_counter()
    records, labelled = build_dataset(
        args.notices, n_true, 0, args.travellers - n_true, seed=args.seed
    )
    print(f"generated {len(records)} notices, {len(labelled)} travellers in "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
    ctx = build_context(Settings(database_url=url, secret_key=SECRET))
    ensure_all_members(ctx, OPERATOR)
    ctx.engine.dispose()
    load_notices(url, records, args.seed)
    source = workdir / "passengers.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["surname", "given_names", "date_of_birth", "nationality", "sex"])
        for lq in labelled:
            q = lq.query
            out.writerow(
                [q.family_name or "", q.given_names or "", q.date_of_birth or "",
                 ";".join(q.nationalities), q.sex or ""]
            )  # fmt: skip
    env = os.environ | {"OPENNOTICE_DATABASE_URL": url, "OPENNOTICE_SECRET_KEY": SECRET}
    exe = Path(sys.executable).with_name("opennotice")
    head = workdir / "first-rows.csv"
    with source.open(encoding="utf-8") as f:
        head.write_text("".join(f.readline() for _ in range(11)), encoding="utf-8")

    def screen(path: Path, workers: int) -> tuple[float, float, int, str]:
        hits = workdir / f"hits-{workers}.csv"
        c0 = _children_cpu()
        t0 = time.perf_counter()
        done = subprocess.run(
            [str(exe), "screen", str(path), "--out", str(hits), "--workers", str(workers)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            print(done.stderr[-2000:])
            raise SystemExit(f"opennotice screen failed with exit code {done.returncode}")
        n_hits = sum(1 for _ in hits.open(encoding="utf-8")) - 1
        # the command says which engine searched: compiled, or the Python sources and why
        engine = next(
            (line.split("matching engine:", 1)[1].strip() for line in done.stderr.splitlines()
             if "matching engine:" in line),
            "?",
        )  # fmt: skip
        return wall, _children_cpu() - c0, n_hits, engine

    for workers in args.workers:
        fixed, _, _, _ = screen(head, workers)
        wall, cpu, n_hits, engine = screen(source, workers)
        n = len(labelled)
        print(
            f"workers={workers}: {n:,} travellers in {wall:.1f} s from start to exit "
            f"({n / wall:,.0f}/s); fixed cost {fixed:.1f} s (10 rows), so screening "
            f"{n / (wall - fixed):,.0f} travellers/s; CPU {cpu:.1f} s over all processes "
            f"({cpu / n * 1e6:.0f} us per traveller); {n_hits} hits written; matching engine: "
            f"{engine}"
        )


if __name__ == "__main__":
    main()
