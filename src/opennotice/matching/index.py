"""In-memory name index: blocking-key candidate retrieval, then scoring.

Blocking keys (computed from every form of every record):

* ``<skeleton of part A>|<first letter of part B>`` for every ordered pair of
  distinct parts (A not an initial).  A query and a record share a key as soon
  as one of their parts agrees phonetically and another starts with the same
  letter: robust to order, initials, missing middle names, one typo, schemes.
* ``C<skeleton of concatenated name>`` (both orders): merged / split parts.
* ``<skeleton>|`` for one-part names, ``S<skeleton>`` for every part (only
  looked up for one-part queries).

Posting lists hold internal integer ids; removal is lazy (ids of removed or
replaced records are skipped and purged on compaction).  A lock protects
mutation and candidate collection; scoring runs outside the lock on immutable
prepared records, so concurrent ``search`` and ``add``/``remove`` are safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .forms import NameForm
from .model import DEFAULT_THRESHOLD, Match, PersonQuery, PersonRecord
from .phonetic import skeleton
from .scoring import (
    YEAR_CONFLICT_CEILING,
    PreparedPerson,
    explain_prepared,
    prepare_query,
    prepare_record,
    score_prepared,
)

__all__ = ["NameIndex", "blocking_keys"]


def _form_keys(form: NameForm, out: set[str], for_query: bool) -> None:
    parts = form.parts
    if len(parts) == 1:
        for sk in parts[0].skeletons:
            out.add(sk + "|")
            out.add("S" + sk)
        return
    for a in parts:
        if a.is_initial:
            continue
        if not for_query:
            for sk in a.skeletons:
                out.add("S" + sk)
        for b in parts:
            if b is a:
                continue
            for sk in a.skeletons:
                for ini in b.initials:
                    out.add(sk + "|" + ini)
    for given_first in (False, True):
        c = form.concat(given_first)
        if len(c) >= 6:
            out.add("C" + skeleton(c))


def blocking_keys(forms: Iterable[NameForm], *, for_query: bool = False) -> set[str]:
    out: set[str] = set()
    for f in forms:
        _form_keys(f, out, for_query)
    if for_query:
        single = any(len(f.parts) == 1 for f in forms)
        multi = any(len(f.parts) > 1 for f in forms)
        if multi and not single:
            # a multi-part query also reaches one-part records ("<sk>|" keys)
            for f in forms:
                for p in f.parts:
                    if not p.is_initial:
                        for sk in p.skeletons:
                            out.add(sk + "|")
    return out


class NameIndex:
    """Thread-safe in-memory index of :class:`PersonRecord`."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._postings: dict[str, list[int]] = {}
        self._by_id: dict[int, PreparedPerson] = {}
        self._id_by_key: dict[str, int] = {}
        self._next_id = 0
        self._dead = 0
        self._postings_total = 0

    # ---------------------------------------------------------------- mutation
    def add(self, record: PersonRecord) -> None:
        """Add or replace (same ``key``) a record."""
        prepared = prepare_record(record)
        keys = blocking_keys(prepared.forms)
        with self._lock:
            old = self._id_by_key.pop(record.key, None)
            if old is not None:
                del self._by_id[old]
                self._dead += 1
            rid = self._next_id
            self._next_id += 1
            self._by_id[rid] = prepared
            self._id_by_key[record.key] = rid
            postings = self._postings
            for k in keys:
                lst = postings.get(k)
                if lst is None:
                    postings[k] = [rid]
                else:
                    lst.append(rid)
            self._postings_total += len(keys)
            self._maybe_compact()

    def remove(self, key: str) -> None:
        """Remove a record; no error if absent."""
        with self._lock:
            rid = self._id_by_key.pop(key, None)
            if rid is not None:
                del self._by_id[rid]
                self._dead += 1
                self._maybe_compact()

    def _maybe_compact(self) -> None:
        if self._dead > 1000 and self._dead * 4 > len(self._by_id):
            self.compact()

    def compact(self) -> None:
        """Purge ids of removed records from the posting lists."""
        with self._lock:
            live = self._by_id
            new: dict[str, list[int]] = {}
            total = 0
            for k, lst in self._postings.items():
                kept = [i for i in lst if i in live]
                if kept:
                    new[k] = kept
                    total += len(kept)
            self._postings = new
            self._postings_total = total
            self._dead = 0

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self._id_by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._id_by_key

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "records": len(self._by_id),
                "keys": len(self._postings),
                "postings": self._postings_total,
                "dead": self._dead,
            }

    def candidates(self, query: PersonQuery | PreparedPerson) -> list[PreparedPerson]:
        """Candidate records sharing at least one blocking key with the query."""
        pq = query if isinstance(query, PreparedPerson) else prepare_query(query)
        keys = blocking_keys(pq.forms, for_query=True)
        ids: set[int] = set()
        with self._lock:
            postings = self._postings
            for k in keys:
                lst = postings.get(k)
                if lst:
                    ids.update(lst)
            by_id = self._by_id
            return [p for i in ids if (p := by_id.get(i)) is not None]

    def search(
        self,
        query: PersonQuery,
        *,
        member: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
    ) -> list[Match]:
        """Best matches (score >= threshold), highest score first.

        Records whose ``restricted_from`` contains ``member`` are never returned.
        """
        pq = prepare_query(query)
        scored: list[tuple[float, str, PreparedPerson]] = []
        qy = pq.birth_year
        skip_conflicts = qy is not None and threshold > YEAR_CONFLICT_CEILING
        for rec in self.candidates(pq):
            if member is not None and member in rec.restricted_from:
                continue
            ry = rec.birth_year
            if skip_conflicts and ry is not None and qy is not None and abs(ry - qy) > 1:
                continue  # birth years > 1 apart: a DOB conflict cannot reach the threshold
            s = score_prepared(pq, rec, threshold)
            if s >= threshold and s > 0.0:
                scored.append((s, rec.key, rec))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [explain_prepared(pq, rec) for _, _, rec in scored[: max(limit, 0)]]
