"""Pruning and caching in the index never change results (vs brute force)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from opennotice.matching import DEFAULT_THRESHOLD, NameIndex, PersonQuery, PersonRecord, score_pair
from opennotice.matching.dates import (
    DOB_ADJUSTMENT,
    NO_DOB_BUCKET,
    compare_dob,
    compatible_buckets,
    dob_bucket,
)
from opennotice.matching.phonetic import skeleton
from opennotice.matching.scoring import (
    DOB_CONFLICT_CEILING,
    MIN_PART_SIM,
    _alts_sim,
    _skeleton_similarity,
)


def _dates() -> list[str | None]:
    out: list[str | None] = [None, "", "unknown", "1980-00-00", "1980-13-05", "1980-02-40"]
    for y in (1979, 1980, 1981, 1982):
        out.append(str(y))
        for m in (1, 2, 3, 5, 12):
            out.append(f"{y}-{m:02d}")
            for d in (1, 2, 3, 5, 12, 13, 31):
                out.append(f"{y}-{m:02d}-{d:02d}")
    return out


def test_compatible_buckets_cover_every_non_conflicting_date() -> None:
    dates = _dates()
    for q, r in itertools.product(dates, dates):
        buckets = compatible_buckets(q)
        kind = compare_dob(q, r)
        if buckets is None:
            assert kind == "missing"
            continue
        if kind != "conflict":
            assert dob_bucket(r) in buckets, (q, r, kind)


def test_buckets_prune_something_and_keep_missing() -> None:
    buckets = compatible_buckets("1980-05-07")
    assert buckets is not None
    assert NO_DOB_BUCKET in buckets
    assert dob_bucket("1980-05-20") in buckets  # day differs: still reachable
    assert dob_bucket("1980-07-05") in buckets  # day/month swap
    assert dob_bucket("1981-05-07") in buckets  # year off by one
    assert dob_bucket("1980-06-07") not in buckets  # conflict
    assert dob_bucket("1975-05-07") not in buckets  # conflict
    assert dob_bucket(None) == dob_bucket("garbage") == NO_DOB_BUCKET


def test_conflict_ceiling_is_below_default_threshold() -> None:
    assert DOB_CONFLICT_CEILING < DEFAULT_THRESHOLD
    assert 1.0 + DOB_ADJUSTMENT["conflict"] + 0.02 == DOB_CONFLICT_CEILING


def _reference_alts_sim(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """The part similarity without the length-bound shortcut (non-initial parts)."""
    if not set(a).isdisjoint(b):
        return 1.0
    best = 0.0
    for x in a[:6]:
        for y in b[:6]:
            best = max(best, OSA.normalized_similarity(x, y))
    common = {skeleton(x) for x in a} & {skeleton(y) for y in b}
    if common:
        best = max(best, max(_skeleton_similarity(sk) for sk in common))
    return best


_word = st.text(alphabet="abcdeghikmnorstuyz", min_size=2, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(_word, min_size=1, max_size=8), st.lists(_word, min_size=1, max_size=8))
def test_part_similarity_exact_where_it_matters(a: list[str], b: list[str]) -> None:
    ta, tb = tuple(dict.fromkeys(a)), tuple(dict.fromkeys(b))
    got = _alts_sim(ta, tb)
    ref = _reference_alts_sim(ta, tb)
    if ref >= MIN_PART_SIM:
        assert got == ref
    else:
        assert got < MIN_PART_SIM


FAMILIES = ["Ivanov", "Iwanow", "Petrova", "Smith", "Wang", "Müller", "Garcia", "Kim", "Nowak"]
GIVENS = ["Ivan", "Anna", "Anna Maria", "John", "Xiaoming", "Min-jun", "Jörg", "A", None]
ORIG = [(None, None), ("王", "小明"), ("Иванов", "Иван"), ("김", "민준")]
_dob = st.one_of(
    st.none(),
    st.sampled_from(["", "not a date", "1980-00-00"]),
    st.builds(
        lambda y, m, d, k: (
            f"{y}" if k == 0 else f"{y}-{m:02d}" if k == 1 else f"{y}-{m:02d}-{d:02d}"
        ),
        st.integers(1977, 1983),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 2),
    ),
)


@st.composite
def _records(draw: st.DrawFn) -> list[PersonRecord]:
    n = draw(st.integers(min_value=1, max_value=15))
    out = []
    for i in range(n):
        o = draw(st.sampled_from(ORIG))
        out.append(
            PersonRecord(
                f"r{i}",
                draw(st.sampled_from(FAMILIES)),
                draw(st.sampled_from(GIVENS)),
                o[0],
                o[1],
                date_of_birth=draw(_dob),
                sex=draw(st.sampled_from([None, "M", "F"])),
                nationalities=draw(st.sampled_from([(), ("DE",), ("RU", "DE")])),
                restricted_from=draw(st.sampled_from([frozenset(), frozenset({"FR"})])),
            )
        )
    return out


@settings(max_examples=150, deadline=None)
@given(
    _records(),
    st.sampled_from([*FAMILIES, "Hsiao-ming"]),
    st.sampled_from([*GIVENS, "Wang"]),
    _dob,
    st.sampled_from([None, "M", "F"]),
    st.sampled_from([(), ("DE",), ("FR",)]),
    st.sampled_from([DEFAULT_THRESHOLD, 0.75, 0.9, 0.5]),
    st.sampled_from([None, "FR", "DE"]),
)
def test_pruned_search_equals_brute_force(
    recs: list[PersonRecord],
    fam: str,
    giv: str | None,
    dob: str | None,
    sex: str | None,
    nats: tuple[str, ...],
    threshold: float,
    member: str | None,
) -> None:
    idx = NameIndex()
    for r in recs:
        idx.add(r)
    query = PersonQuery(fam, giv, dob, sex, nats)
    got = idx.search(query, member=member, threshold=threshold, limit=100)
    by_key = {r.key: r for r in recs}
    visible = [r for r in recs if member is None or member not in r.restricted_from]

    def above(pool: list[PersonRecord]) -> list[tuple[str, float]]:
        ms = sorted((score_pair(query, r) for r in pool), key=lambda m: (-m.score, m.key))
        return [(m.key, m.score) for m in ms if m.score >= threshold and m.score > 0.0]

    # pruning (date-of-birth buckets, length bounds, caches) never drops a
    # record that scoring every blocking candidate would return...
    unpruned = [by_key[p.key] for p in idx.candidates(query) if p.key in {r.key for r in visible}]
    assert [(m.key, m.score) for m in got] == above(unpruned)
    # ...and at the operational thresholds the index equals brute force
    if threshold >= DEFAULT_THRESHOLD:
        assert [(m.key, m.score) for m in got] == above(visible)
    # the batch API gives the same answers, and repeated (cached) queries too
    again = idx.search_many([query, query], member=member, threshold=threshold, limit=100)
    assert again == [got, got]


def test_search_many_order_and_empty() -> None:
    idx = NameIndex()
    idx.add(PersonRecord("a", "Nowak", "Jan", date_of_birth="1960-01-01"))
    idx.add(PersonRecord("b", "Kowalska", "Ewa", date_of_birth="1970-02-02"))
    res = idx.search_many(
        [
            PersonQuery("Kowalska", "Ewa", "1970-02-02"),
            PersonQuery("Nobody", "Atall", "1960-01-01"),
            PersonQuery("Nowak", "Jan", "1960-01-01"),
        ]
    )
    assert [[m.key for m in r] for r in res] == [["b"], [], ["a"]]
    assert idx.search_many([]) == []


def test_conflicting_full_dob_pruned_but_missing_dob_kept() -> None:
    idx = NameIndex()
    idx.add(PersonRecord("conflict", "Nowak", "Jan", date_of_birth="1990-07-08"))
    idx.add(PersonRecord("nodob", "Nowak", "Jan"))
    idx.add(PersonRecord("yearonly", "Nowak", "Jan", date_of_birth="1961"))
    q = PersonQuery("Nowak", "Jan", "1960-01-01")
    assert {m.key for m in idx.search(q)} == {"nodob", "yearonly"}
    # below the conflict ceiling nothing is pruned
    low = {m.key for m in idx.search(q, threshold=0.5)}
    assert low == {"conflict", "nodob", "yearonly"}


def test_repeated_word_parts_are_shared_but_keys_still_pair_them() -> None:
    from opennotice.matching.forms import build_forms
    from opennotice.matching.index import blocking_keys

    forms = build_forms("Nowak", "Maria Anna Anna")
    parts = forms[0].parts
    assert parts[2] is parts[3]  # cached per word and role
    keys = blocking_keys(forms)
    # the two "anna" parts still pair with each other (position, not identity)
    assert skeleton("anna") + "|a" in keys
    idx = NameIndex()
    idx.add(PersonRecord("x", "Nowak", "Maria Anna Anna", date_of_birth="1970-01-01"))
    assert [m.key for m in idx.search(PersonQuery("Nowak", "Maria Anna", "1970-01-01"))] == ["x"]
