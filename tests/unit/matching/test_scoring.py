from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from opennotice.matching import (
    DEFAULT_THRESHOLD,
    PersonQuery,
    PersonRecord,
    same_person_score,
    score_pair,
)
from opennotice.matching.dates import compare_dob

R = PersonRecord(
    "2024/1", "Kowalczyk", "Anna Maria", date_of_birth="1984-03-07", sex="F", nationalities=("PL",)
)


def q(
    fam: str | None,
    giv: str | None,
    dob: str | None = "1984-03-07",
    sex: str | None = "F",
    nats: tuple[str, ...] = ("PL",),
) -> PersonQuery:
    return PersonQuery(fam, giv, dob, sex, nats)


def test_exact() -> None:
    m = score_pair(q("KOWALCZYK", "ANNA MARIA"), R)
    assert m.score == 1.0
    assert m.key == "2024/1"
    json.dumps(m.explanation)  # JSON-serialisable


def test_name_order_swapped() -> None:
    assert score_pair(q("Anna", "Kowalczyk"), R).score >= 0.9


def test_missing_middle_name() -> None:
    assert score_pair(q("Kowalczyk", "Anna"), R).score >= 0.9


def test_initials() -> None:
    m = score_pair(q("Kowalczyk", "A M"), R)
    assert DEFAULT_THRESHOLD <= m.score < 1.0
    parts = m.explanation["parts"]
    assert isinstance(parts, list)
    assert any(p["how"] == "initial" for p in parts)


def test_one_letter_typo() -> None:
    assert score_pair(q("Kowalcyzk", "Anna"), R).score >= DEFAULT_THRESHOLD
    assert score_pair(q("Kowalczyk", "Ana Maria"), R).score >= DEFAULT_THRESHOLD


def test_merged_split_parts() -> None:
    r = PersonRecord("x", "Al-Saadi", "Abdul Rahman", date_of_birth="1979-01-02")
    assert score_pair(PersonQuery("Saadi", "Abdulrahman", "1979-01-02"), r).score >= 0.9
    r2 = PersonRecord("y", "Dupont", "Jean-Pierre", date_of_birth="1979-01-02")
    assert score_pair(PersonQuery("Dupont", "Jean Pierre", "1979-01-02"), r2).score >= 0.9


def test_dob_kinds() -> None:
    assert compare_dob("1984-03-07", "1984-03-07") == "exact"
    assert compare_dob("1984-07-03", "1984-03-07") == "day-month-swap"
    assert compare_dob("1984", "1984-03-07") == "year-only"
    assert compare_dob("1984-03", "1984-03-07") == "year-month"
    assert compare_dob("1990-11-30", "1984-03-07") == "conflict"
    assert compare_dob(None, "1984-03-07") == "missing"


def test_dob_swap_still_a_hit() -> None:
    m = score_pair(q("Kowalczyk", "Anna Maria", "1984-07-03"), R)
    assert m.score >= DEFAULT_THRESHOLD
    assert m.explanation["date_of_birth"]["kind"] == "day-month-swap"  # type: ignore[index]


def test_common_name_conflicting_full_dob_is_not_a_hit() -> None:
    r = PersonRecord(
        "c", "Smith", "John", date_of_birth="1970-01-15", sex="M", nationalities=("US",)
    )
    m = score_pair(PersonQuery("Smith", "John", "1988-09-23", "M", ("US",)), r)
    assert m.score < DEFAULT_THRESHOLD
    assert m.explanation["date_of_birth"]["kind"] == "conflict"  # type: ignore[index]
    # ...while the same name with the same date is a strong hit
    assert score_pair(PersonQuery("Smith", "John", "1970-01-15", "M", ("US",)), r).score >= 0.95


def test_sex_and_nationality_evidence() -> None:
    m_sex = score_pair(q("Kowalczyk", "Anna Maria", sex="M"), R)
    assert m_sex.explanation["sex"]["kind"] == "conflict"  # type: ignore[index]
    assert m_sex.score < score_pair(q("Kowalczyk", "Anna Maria"), R).score
    m_nat = score_pair(q("Kowalczyk", "Anna Maria", nats=("DE", "PL")), R)
    assert m_nat.explanation["nationality"]["common"] == ["PL"]  # type: ignore[index]
    m_dis = score_pair(q("Kowalczyk", "Anna Maria", nats=("DE",)), R)
    assert m_dis.explanation["nationality"]["kind"] == "disjoint"  # type: ignore[index]
    assert m_dis.score >= DEFAULT_THRESHOLD  # nationality mismatch is weak evidence


def test_explanation_names_the_scheme() -> None:
    r = PersonRecord("k", None, None, "Щербаков", "Игорь")
    m = score_pair(PersonQuery("Schtscherbakow", "Igor"), r)
    parts = m.explanation["parts"]
    assert isinstance(parts, list)
    fam = next(p for p in parts if p["query"] == "schtscherbakow")
    assert fam["record_scheme"] == "cyrillic-german"
    assert m.explanation["record_form_origin"] == "original"


def test_aliases_are_searched() -> None:
    r = PersonRecord("a", "Doe", "Jane", aliases=("Janet Roe", "Джейн Доу"))
    assert score_pair(PersonQuery("Roe", "Janet"), r).score >= DEFAULT_THRESHOLD


def test_same_person_score_symmetric() -> None:
    a = PersonRecord("a", "Mohamed", "Abdel Rahman", date_of_birth="1990-01-02")
    b = PersonRecord("b", None, None, "محمد", "عبد الرحمن", date_of_birth="1990-01-02")
    s1, s2 = same_person_score(a, b), same_person_score(b, a)
    assert s1.score == s2.score >= 0.9
    assert s1.key == "b" and s2.key == "a"


names = st.sampled_from(
    [
        "Ivanov",
        "Ivanova",
        "Smith",
        "Wang",
        "王",
        "Щербаков",
        "محمد",
        "Lee",
        "이",
        "Müller",
        "",
        "J",
        "Anna Maria",
        "Xiao-ming",
    ]
)
dobs = st.sampled_from([None, "1980", "1980-02", "1980-02-03", "1980-03-02", "1975-12-31", "bad"])
sexes = st.sampled_from([None, "M", "F", "U"])
nats = st.sampled_from([(), ("FR",), ("FR", "DE"), ("RU",)])


@settings(max_examples=150, deadline=None)
@given(names, names, dobs, sexes, nats, names, names, dobs, sexes, nats)
def test_score_in_unit_interval(
    f1: str,
    g1: str,
    d1: str | None,
    s1: str | None,
    n1: tuple[str, ...],
    f2: str,
    g2: str,
    d2: str | None,
    s2: str | None,
    n2: tuple[str, ...],
) -> None:
    r = PersonRecord("k", f2 or None, g2 or None, date_of_birth=d2, sex=s2, nationalities=n2)
    m = score_pair(PersonQuery(f1 or None, g1 or None, d1, s1, n1), r)
    assert 0.0 <= m.score <= 1.0
    json.dumps(m.explanation)
    a = PersonRecord("a", f1 or None, g1 or None, date_of_birth=d1, sex=s1, nationalities=n1)
    assert same_person_score(a, r).score == same_person_score(r, a).score


@settings(max_examples=100, deadline=None)
@given(names, names, dobs)
def test_query_record_symmetric_for_latin_pairs(f1: str, g1: str, d1: str | None) -> None:
    # same data as query or as record: identical score
    a = PersonRecord("a", f1 or None, g1 or None, date_of_birth=d1)
    qa = PersonQuery(f1 or None, g1 or None, d1)
    assert score_pair(qa, a).score == same_person_score(a, a).score or not (f1 or g1)
