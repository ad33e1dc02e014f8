"""In-memory name index: blocking-key candidate retrieval, then scoring.

Blocking keys (computed from every form of every record):

* ``<skeleton of part A>|<first letter of part B>`` for every ordered pair of
  distinct parts (A not an initial).  A query and a record share a key as soon
  as one of their parts agrees phonetically and another starts with the same
  letter: robust to order, initials, missing middle names, one typo, schemes.
* ``C<skeleton of concatenated name>`` (both orders): merged / split parts.
* ``<skeleton>|`` for one-part names, ``S<skeleton>`` for every part (only
  looked up for one-part queries).

Each key's postings are split by the record's date-of-birth bucket
(``year * 16 + month``, see :func:`~.dates.dob_bucket`).  When the threshold is
above :data:`~.scoring.DOB_CONFLICT_CEILING` (a conflicting date of birth caps
the score below it), a dated query only reads the buckets that
:func:`~.dates.compatible_buckets` lists (same year and month, day/month swap,
year +-1, partial and missing dates): records it skips would score below the
threshold anyway, so results equal brute-force scoring.  Undated queries and
low thresholds read every bucket.

Posting lists hold internal integer ids; removal is lazy (ids of removed or
replaced records are skipped and purged on compaction).  Prepared query forms
and their keys are cached by the query's name (travellers repeat names).  A lock protects
mutation and candidate collection; scoring runs outside the lock on immutable
prepared records, so concurrent ``search`` and ``add``/``remove`` are safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .dates import compatible_buckets, dob_bucket
from .forms import NameForm, build_query_forms
from .model import DEFAULT_THRESHOLD, Match, PersonQuery, PersonRecord
from .phonetic import skeleton
from .scoring import (
    DOB_CONFLICT_CEILING,
    PreparedPerson,
    dedupe_forms,
    explain_prepared,
    name_cut,
    name_may_reach,
    prepare_query,
    prepare_record,
    score_namesakes,
)

__all__ = ["NameIndex", "blocking_keys"]


def _form_keys(form: NameForm, out: set[str], for_query: bool) -> None:
    parts = form.parts
    if len(parts) == 1:
        only = parts[0]
        out.update(only.key_prefixes)
        for sk in only.skeletons:
            out.add("S" + sk)
        return
    for i, a in enumerate(parts):
        if a.is_initial:
            continue
        if not for_query:
            for sk in a.skeletons:
                out.add("S" + sk)
        prefixes = a.key_prefixes
        for j, b in enumerate(parts):
            if j == i:
                continue
            for prefix in prefixes:
                for ini in b.initials:
                    out.add(prefix + ini)
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
                        out.update(p.key_prefixes)
    return out


@lru_cache(maxsize=1 << 16)
def query_name(
    family: str | None, given: str | None
) -> tuple[tuple[NameForm, ...], tuple[str, ...]]:
    """Forms and blocking keys of a query name, cached by the input (travellers repeat names):
    one cache for both, since each cache a new name misses costs a lookup, an insertion and an
    eviction. The keys in no particular order: the postings they read are merged into a set."""
    forms = dedupe_forms(build_query_forms(family, given))
    return forms, tuple(blocking_keys(forms, for_query=True))


def query_keys(family: str | None, given: str | None) -> tuple[str, ...]:
    """Blocking keys of a query name."""
    return query_name(family, given)[1]


class NameIndex:
    """Thread-safe in-memory index of :class:`PersonRecord`."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        # blocking key -> date-of-birth bucket -> internal ids
        self._postings: dict[str, dict[int, list[int]]] = {}
        self._by_id: dict[int, PreparedPerson] = {}
        # For queries that read every bucket: blocking key -> the names (forms) holding it, and
        # name -> the ids of its holders. Records with the same name share their forms (and so
        # their keys), so a common name is scored once before any of its records is read.
        # (A name registers its keys once, when its first holder comes: lists, not sets.)
        self._names: dict[str, list[tuple[NameForm, ...]]] = {}
        self._holders: dict[tuple[NameForm, ...], list[int]] = {}
        self._id_by_key: dict[str, int] = {}
        self._next_id = 0
        self._dead = 0
        self._postings_total = 0

    # ---------------------------------------------------------------- mutation
    def add(self, record: PersonRecord) -> None:
        """Add or replace (same ``key``) a record."""
        prepared = prepare_record(record)
        keys = blocking_keys(prepared.forms)
        bucket = dob_bucket(record.date_of_birth)
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
                by_bucket = postings.get(k)
                if by_bucket is None:
                    postings[k] = {bucket: [rid]}
                    continue
                lst = by_bucket.get(bucket)
                if lst is None:
                    by_bucket[bucket] = [rid]
                else:
                    lst.append(rid)
            self._postings_total += len(keys)
            holders = self._holders.get(prepared.forms)
            if holders is None:
                self._holders[prepared.forms] = [rid]
                names = self._names
                for k in keys:
                    held = names.get(k)
                    if held is None:
                        names[k] = [prepared.forms]
                    else:
                        held.append(prepared.forms)
            else:
                holders.append(rid)
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
            new: dict[str, dict[int, list[int]]] = {}
            total = 0
            for k, by_bucket in self._postings.items():
                kept_buckets: dict[int, list[int]] = {}
                for b, lst in by_bucket.items():
                    kept = [i for i in lst if i in live]
                    if kept:
                        kept_buckets[b] = kept
                        total += len(kept)
                if kept_buckets:
                    new[k] = kept_buckets
            self._postings = new
            self._postings_total = total
            holders: dict[tuple[NameForm, ...], list[int]] = {}
            for forms, ids in self._holders.items():
                alive = [i for i in ids if i in live]
                if alive:
                    holders[forms] = alive
            self._holders = holders
            names: dict[str, list[tuple[NameForm, ...]]] = {}
            for k, held in self._names.items():
                kept_names = [f for f in held if f in holders]
                if kept_names:
                    names[k] = kept_names
            self._names = names
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

    def _collect(self, keys: Sequence[str], buckets: frozenset[int] | None) -> list[PreparedPerson]:
        """Live records sharing a key with the query, in the given DOB buckets
        (``None``: all buckets)."""
        ids: set[int] = set()
        with self._lock:
            postings = self._postings
            if buckets is None:
                for k in keys:
                    by_bucket = postings.get(k)
                    if by_bucket is not None:
                        for lst in by_bucket.values():
                            ids.update(lst)
            else:
                for k in keys:
                    by_bucket = postings.get(k)
                    if by_bucket is not None:
                        # the intersection walks the smaller of the two, in C
                        for b in by_bucket.keys() & buckets:
                            ids.update(by_bucket[b])
            by_id = self._by_id
            return [p for i in ids if (p := by_id.get(i)) is not None]

    def _namesakes_by_record(
        self, keys: Sequence[str], buckets: frozenset[int], member: str | None
    ) -> Iterable[list[PreparedPerson]]:
        """The records in ``buckets`` that share a key with the query, grouped by name (the
        same forms): a dated query reads few records, so they are read first."""
        namesakes: dict[tuple[NameForm, ...], list[PreparedPerson]] = {}
        for rec in self._collect(keys, buckets):
            if member is not None and member in rec.restricted_from:
                continue
            group = namesakes.get(rec.forms)
            if group is None:
                namesakes[rec.forms] = [rec]
            else:
                group.append(rec)
        return namesakes.values()

    def _namesakes_by_name(
        self, pq: PreparedPerson, keys: Sequence[str], threshold: float, member: str | None
    ) -> list[list[PreparedPerson]]:
        """The holders of the names that share a key with the query and may reach the
        threshold whatever their dates of birth, sex and nationalities. A query that reads
        every bucket (no date of birth) would otherwise read all the holders of a common name
        (hundreds) to score a few dozen names."""
        cut = name_cut(pq, threshold)
        if cut is None:
            return []
        with self._lock:
            found: set[tuple[NameForm, ...]] = set()
            names = self._names
            for k in keys:
                held = names.get(k)
                if held is not None:
                    found.update(held)
            holders = self._holders
            # The lists themselves: a writer only appends to them, and compaction replaces
            # them, so reading them after the lock is released is safe.
            named = [(forms, holders[forms]) for forms in found if forms in holders]
        by_id = self._by_id
        out: list[list[PreparedPerson]] = []
        for forms, ids in named:
            if not name_may_reach(pq, forms, cut):
                continue
            group = [
                p
                for i in ids
                if (p := by_id.get(i)) is not None
                and (member is None or member not in p.restricted_from)
            ]
            if group:
                out.append(group)
        return out

    def candidates(self, query: PersonQuery | PreparedPerson) -> list[PreparedPerson]:
        """Candidate records sharing at least one blocking key with the query
        (every date of birth)."""
        if isinstance(query, PreparedPerson):
            keys: Sequence[str] = tuple(blocking_keys(query.forms, for_query=True))
        else:
            keys = query_keys(query.family_name, query.given_names)
        return self._collect(keys, None)

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
        forms, keys = query_name(query.family_name, query.given_names)
        pq = prepare_query(query, forms)
        # Above the ceiling a conflicting date of birth cannot reach the
        # threshold: read only the compatible date-of-birth buckets.
        buckets = compatible_buckets(pq.date_of_birth) if threshold > DOB_CONFLICT_CEILING else None
        namesakes: Iterable[list[PreparedPerson]]
        if buckets is None:
            namesakes = self._namesakes_by_name(pq, keys, threshold, member)
        else:
            namesakes = self._namesakes_by_record(keys, buckets, member)
        scored: list[tuple[float, str, PreparedPerson]] = []
        for group in namesakes:
            for s, rec in score_namesakes(pq, group, threshold):
                if s > 0.0:
                    scored.append((s, rec.key, rec))
        if not scored:
            return []
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [explain_prepared(pq, rec) for _, _, rec in scored[: max(limit, 0)]]

    def search_many(
        self,
        queries: Iterable[PersonQuery],
        *,
        member: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
    ) -> list[list[Match]]:
        """:meth:`search` for each query (batch screening), results in query order.

        Same results as calling :meth:`search` one query at a time; the lock is
        taken per query, so writers are never blocked for a whole batch.
        """
        search = self.search
        return [search(q, member=member, threshold=threshold, limit=limit) for q in queries]
