"""Matching speed: index build, memory, batch throughput, latency, brute-force baseline.

    .venv/bin/python bench/matching_speed.py [--records 100000] [--travellers 20000]
        [--workers N] [--latency 2000] [--brute 20] [--seed 1]

* build time and memory of a NameIndex over ``--records`` notices (RSS growth
  and tracemalloc of a 10,000-record sub-build extrapolated);
* batch screening throughput: ``--travellers`` queries (2 % true matches) in
  one process and across ``--workers`` forked processes (default: all cores);
* single-query latency p50 / p99 in-process;
* brute-force baselines on ``--brute`` queries: rapidfuzz ``process.extract``
  (token_sort_ratio over all full names, C implementation) and the engine's
  own ``score_pair`` over every record; reported as ratios to the index.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_people import Generator, build_dataset
from rapidfuzz import fuzz, process

from opennotice.matching import NameIndex, PersonQuery
from opennotice.matching.scoring import explain_prepared, prepare_query, prepare_record

_INDEX: NameIndex | None = None


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _worker(queries: list[PersonQuery]) -> tuple[int, int]:
    assert _INDEX is not None
    hits = 0
    for q in queries:
        hits += len(_INDEX.search(q))
    return len(queries), hits


def main() -> None:
    global _INDEX
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--travellers", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--latency", type=int, default=2000)
    ap.add_argument("--brute", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    print(
        f"machine: nproc={os.cpu_count()} cpu={_cpu_model()!r} python={platform.python_version()}"
    )
    n_true = max(1, args.travellers // 50)
    records, labelled = build_dataset(args.records, n_true, 0, args.travellers - n_true, args.seed)
    queries = [lq.query for lq in labelled]
    Generator(args.seed + 1).rng.shuffle(queries)

    # memory per record via tracemalloc on a sub-build
    sub = records[: min(10_000, len(records))]
    tracemalloc.start()
    tmp = NameIndex()
    for r in sub:
        tmp.add(r)
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del tmp

    rss0 = _rss_mb()
    t0 = time.perf_counter()
    idx = NameIndex()
    for r in records:
        idx.add(r)
    build_s = time.perf_counter() - t0
    rss1 = _rss_mb()
    st = idx.stats()
    print(
        f"index: {len(idx)} records, {st['keys']} keys, {st['postings']} postings; "
        f"build {build_s:.1f}s ({len(records) / build_s:,.0f} records/s)"
    )
    print(
        f"memory: RSS +{rss1 - rss0:.0f} MB for {len(records)} records; tracemalloc "
        f"{traced / len(sub) / 1024:.1f} KiB/record (incl. caches) "
        f"-> ~{traced / len(sub) * len(records) / 1e6:.0f} MB extrapolated"
    )

    # single-process batch throughput
    _INDEX = idx
    t0 = time.perf_counter()
    n, hits = _worker(queries)
    single_s = time.perf_counter() - t0
    print(
        f"batch, 1 process: {n} queries in {single_s:.1f}s = {n / single_s:,.0f} q/s ({hits} hits)"
    )

    # multi-process (fork after build: copy-on-write index)
    if args.workers > 1 and "fork" in mp.get_all_start_methods():
        ctx = mp.get_context("fork")
        chunks = [queries[i :: args.workers] for i in range(args.workers)]
        t0 = time.perf_counter()
        with ctx.Pool(args.workers) as pool:
            res = pool.map(_worker, chunks)
        multi_s = time.perf_counter() - t0
        total = sum(r[0] for r in res)
        print(
            f"batch, {args.workers} processes: {total} queries in {multi_s:.1f}s = "
            f"{total / multi_s:,.0f} q/s (incl. pool start)"
        )

    # latency (warm caches: different queries from the batch)
    lat_q = [lq.query for lq in build_dataset(200, 0, 0, args.latency, args.seed + 7)[1]]
    times: list[float] = []
    for q in lat_q:
        t = time.perf_counter()
        idx.search(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(
        f"latency: p50 {p50:.2f} ms  p99 {p99:.2f} ms  max {times[-1]:.2f} ms "
        f"({len(times)} queries)"
    )

    # brute-force baselines
    sample = queries[: args.brute]
    names = [f"{r.family_name or ''} {r.given_names or ''}" for r in records]
    t0 = time.perf_counter()
    for q in sample:
        process.extract(
            f"{q.family_name or ''} {q.given_names or ''}",
            names,
            scorer=fuzz.token_sort_ratio,
            limit=10,
            score_cutoff=80,
        )
    rf_s = (time.perf_counter() - t0) / len(sample)
    t0 = time.perf_counter()
    for q in sample:
        idx.search(q)
    idx_s = (time.perf_counter() - t0) / len(sample)
    print(
        f"brute force rapidfuzz token_sort_ratio over {len(records)} names: "
        f"{rf_s * 1000:.1f} ms/query "
        f"= {rf_s / idx_s:,.0f}x the index ({idx_s * 1000:.2f} ms/query)"
    )
    few = sample[: max(1, min(3, len(sample)))]
    prepared = [prepare_record(r) for r in records[:20_000]]
    t0 = time.perf_counter()
    for q in few:
        pq = prepare_query(q)
        for pr in prepared:
            explain_prepared(pq, pr)
    bf_s = (time.perf_counter() - t0) / len(few) * (len(records) / len(prepared))
    print(
        f"brute force engine scorer (score_pair over every record, prepared): "
        f"~{bf_s:.1f} s/query = {bf_s / idx_s:,.0f}x the index"
    )


if __name__ == "__main__":
    main()
