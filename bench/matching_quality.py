"""Matching quality: precision / recall overall and per kind of variation.

    .venv/bin/python bench/matching_quality.py [--notices 20000] [--true 4000]
        [--hard 1500] [--random 3000] [--threshold 0.8] [--seed 1] [--show 10]

A query counts a true positive when its target notice is among the hits at
``threshold``; every other hit is a false positive.  Targets: recall >= 0.98,
precision >= 0.95.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_people import build_dataset

from opennotice.matching import DEFAULT_THRESHOLD, NameIndex, PersonQuery, PersonRecord


def _fmt(q: PersonQuery, r: PersonRecord) -> str:
    return (
        f"Q={q.family_name}|{q.given_names}|{q.date_of_birth}  "
        f"R={r.family_name}|{r.given_names}|{r.original_family_name} {r.original_given_names}"
        f"|{r.date_of_birth}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notices", type=int, default=20000)
    ap.add_argument("--true", type=int, default=4000)
    ap.add_argument("--hard", type=int, default=1500)
    ap.add_argument("--random", type=int, default=3000)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=0, help="print N failures of each kind")
    args = ap.parse_args()

    t0 = time.perf_counter()
    records, queries = build_dataset(args.notices, args.true, args.hard, args.random, args.seed)
    t1 = time.perf_counter()
    idx = NameIndex()
    for r in records:
        idx.add(r)
    t2 = time.perf_counter()
    by_key = {r.key: r for r in records}
    tp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    n: Counter[str] = Counter()
    misses: list[str] = []
    false_hits: list[str] = []
    for lq in queries:
        hits = idx.search(lq.query, threshold=args.threshold, limit=20)
        keys = {m.key for m in hits}
        n[lq.kind] += 1
        if lq.target is not None:
            if lq.target in keys:
                tp[lq.kind] += 1
            else:
                fn[lq.kind] += 1
                if len(misses) < 400:
                    rec = by_key[lq.target]
                    misses.append(f"[{lq.kind}] {_fmt(lq.query, rec)}")
        for m in hits:
            if m.key != lq.target:
                fp[lq.kind] += 1
                if len(false_hits) < 400:
                    rec = by_key[m.key]
                    false_hits.append(f"[{lq.kind}] {m.score:.3f} {_fmt(lq.query, rec)}")
    t3 = time.perf_counter()
    TP, FN, FP = sum(tp.values()), sum(fn.values()), sum(fp.values())
    print(f"records={len(records)} queries={len(queries)} threshold={args.threshold}")
    print(f"generate {t1 - t0:.1f}s  index build {t2 - t1:.1f}s  search {t3 - t2:.1f}s")
    recall, precision = TP / max(TP + FN, 1), TP / max(TP + FP, 1)
    print(f"OVERALL  recall={recall:.4f}  precision={precision:.4f}  TP={TP} FN={FN} FP={FP}")
    print(f"{'kind':<16}{'queries':>8}{'recall':>9}{'false hits':>12}")
    for kind in sorted(n):
        total_pos = tp[kind] + fn[kind]
        rec_s = f"{tp[kind] / total_pos:.4f}" if total_pos else "   -  "
        print(f"{kind:<16}{n[kind]:>8}{rec_s:>9}{fp[kind]:>12}")
    if args.show:
        print("\nMISSES")
        print("\n".join(misses[: args.show]))
        print("\nFALSE HITS")
        print("\n".join(false_hits[: args.show]))


if __name__ == "__main__":
    main()
