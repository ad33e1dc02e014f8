"""Matching speed: index build, memory, batch throughput, latency, brute-force baseline.

    .venv/bin/python bench/matching_speed.py [--records 100000] [--travellers 20000]
        [--workers N] [--single 100000] [--latency 2000] [--brute 20] [--seed 1]

* build time and memory of a NameIndex over ``--records`` notices, built with the cyclic
  collector paused as the product builds it (RSS growth and tracemalloc of a 10,000-record
  sub-build extrapolated);
* batch screening throughput with ``NameIndex.search_many``: ``--travellers``
  queries (2 % true matches) in one process (at most ``--single`` of them) and
  across ``--workers`` forked processes (default: all cores; the index is
  built once and shared copy-on-write, ``gc.freeze()`` before the fork).
  Both wall-clock and CPU time are reported: on a shared machine the CPU time
  per query is the per-core figure, wall-clock depends on the other load;
* single-query latency p50 / p99 in-process (wall-clock and CPU time; ``--latency 0`` skips);
* brute-force baselines on ``--brute`` queries: rapidfuzz ``process.extract``
  (token_sort_ratio over all full names, C implementation) and the engine's
  own ``score_pair`` over every record; reported as ratios to the index (``--brute 0``
  skips).
"""

from __future__ import annotations

import argparse
import gc
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

from opennotice.collector import collector_paused, settle_collector
from opennotice.matching import (
    IMPLEMENTATION,
    IMPLEMENTATION_REASON,
    NameIndex,
    PersonQuery,
    PersonRecord,
)
from opennotice.matching.scoring import (
    clear_similarity_memo,
    explain_prepared,
    prepare_query,
    prepare_record,
)

_INDEX: NameIndex | None = None
_QUERIES: list[PersonQuery] = []


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


def _clear_caches() -> int:
    """Empty every lru_cache of the matching package (conservative: cold runs)."""
    import importlib
    import pkgutil

    import opennotice.matching as pkg

    n = 0
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for obj in vars(mod).values():
            if callable(obj) and hasattr(obj, "cache_clear"):
                obj.cache_clear()
                n += 1
    clear_similarity_memo()
    return n + 1


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _worker(share: tuple[int, int, int]) -> tuple[int, int, float]:
    """Screen ``_QUERIES[start:stop:step]`` with search_many (chunks of 1,000), the collector
    paused meanwhile and settled after each chunk, as ``opennotice screen`` does; (queries,
    hits, CPU s). The queries are read from the forked parent's memory, not sent through a
    pipe."""
    assert _INDEX is not None
    start, stop, step = share
    queries = _QUERIES[start:stop:step]
    c0 = time.process_time()
    hits = 0
    for i in range(0, len(queries), 1000):
        with collector_paused():  # as `opennotice screen` searches: a search makes no cycles
            hits += sum(len(r) for r in _INDEX.search_many(queries[i : i + 1000]))
            settle_collector()  # before the collector is back on, as the command does
    return len(queries), hits, time.process_time() - c0


def main() -> None:
    global _INDEX, _QUERIES
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--travellers", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--single", type=int, default=100_000, help="max queries, 1-process run")
    ap.add_argument("--latency", type=int, default=2000)
    ap.add_argument("--brute", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    print(
        f"machine: nproc={os.cpu_count()} cpu={_cpu_model()!r} python={platform.python_version()}"
        f" load average at start {_load()}; matching engine: {IMPLEMENTATION}"
        + (f" ({IMPLEMENTATION_REASON})" if IMPLEMENTATION_REASON else "")
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
    c0 = time.process_time()
    idx = NameIndex()
    with collector_paused():  # as the server and `opennotice screen` build it
        for r in records:
            idx.add(r)
    build_s = time.perf_counter() - t0
    build_cpu = time.process_time() - c0
    rss1 = _rss_mb()
    st = idx.stats()
    print(
        f"index: {len(idx)} records, {st['keys']} keys, {st['postings']} postings; "
        f"build {build_s:.1f}s wall, {build_cpu:.1f}s CPU "
        f"({len(records) / build_cpu:,.0f} records/s CPU)"
    )
    print(
        f"memory: RSS +{rss1 - rss0:.0f} MB for {len(records)} records; tracemalloc "
        f"{traced / len(sub) / 1024:.1f} KiB/record (incl. caches) "
        f"-> ~{traced / len(sub) * len(records) / 1e6:.0f} MB extrapolated"
    )

    # The index lives as long as the process: keep it out of the collector's walks, as the
    # server and `opennotice screen` do once they have built it.
    gc.collect()
    gc.freeze()

    # single-process batch throughput (all engine caches emptied first)
    _INDEX = idx
    _QUERIES = queries
    _clear_caches()
    t0 = time.perf_counter()
    n, hits, cpu = _worker((0, min(args.single, len(queries)), 1))
    single_s = time.perf_counter() - t0
    print(
        f"batch, 1 process: {n} queries in {single_s:.1f}s wall = {n / single_s:,.0f} q/s; "
        f"CPU {cpu:.1f}s = {cpu / n * 1e6:.0f} us/query = {n / cpu:,.0f} q/s per core "
        f"({hits} hits; load {_load()})"
    )

    # multi-process (fork after build: copy-on-write index)
    if args.workers > 1 and "fork" in mp.get_all_start_methods():
        ctx = mp.get_context("fork")
        shares = [(i, len(queries), args.workers) for i in range(args.workers)]
        _clear_caches()
        t0 = time.perf_counter()
        with ctx.Pool(args.workers) as pool:
            res = pool.map(_worker, shares, chunksize=1)
        multi_s = time.perf_counter() - t0
        total = sum(r[0] for r in res)
        cpu = sum(r[2] for r in res)
        print(
            f"batch, {args.workers} processes: {total} queries in {multi_s:.1f}s wall = "
            f"{total / multi_s:,.0f} q/s (incl. pool start); CPU {cpu:.1f}s = "
            f"{cpu / total * 1e6:.0f} us/query = {total / cpu:,.0f} q/s per core, "
            f"{args.workers * total / cpu:,.0f} q/s on {args.workers} cores if unshared "
            f"({sum(r[1] for r in res)} hits; load {_load()})"
        )

    if args.latency > 0:
        _report_latency(idx, args.latency, args.seed)
    if args.brute > 0:
        _report_brute_force(idx, records, queries[: args.brute])


def _report_latency(idx: NameIndex, n: int, seed: int) -> None:
    """Single-query latency (warm caches: different queries from the batch)."""
    lat_q = [lq.query for lq in build_dataset(200, 0, 0, n, seed + 7)[1]]
    times: list[float] = []
    cpu_times: list[float] = []
    for q in lat_q:
        t = time.perf_counter()
        c = time.thread_time()
        idx.search(q)
        cpu_times.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    for label, ts in (("wall", times), ("CPU", cpu_times)):
        ts.sort()
        p50 = statistics.median(ts)
        p99 = ts[int(len(ts) * 0.99) - 1]
        print(
            f"latency ({label}): p50 {p50:.2f} ms  p99 {p99:.2f} ms  max {ts[-1]:.2f} ms "
            f"({len(ts)} queries, cold query caches)"
        )


def _report_brute_force(
    idx: NameIndex, records: list[PersonRecord], sample: list[PersonQuery]
) -> None:
    """Brute-force baselines on ``sample``, as ratios to the index."""
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
