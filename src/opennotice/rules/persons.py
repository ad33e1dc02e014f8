"""The identity of a person as the protective checks match it (pure).

A small dict (names, original-script names, aliases, date of birth, sex, nationalities) is what
the register and the matching keys keep; `same_person` compares two of them with the shared
name matcher, across spellings and scripts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opennotice.domain.content import Subject
from opennotice.matching import PersonRecord, same_person_score

IDENTITY_FIELDS = (
    "family_name",
    "given_names",
    "original_family_name",
    "original_given_names",
    "aliases",
    "date_of_birth",
    "sex",
    "nationalities",
)


def identity_of(subject: Subject) -> dict[str, Any]:
    return {
        "family_name": subject.family_name,
        "given_names": subject.given_names,
        "original_family_name": subject.original_family_name,
        "original_given_names": subject.original_given_names,
        "aliases": list(subject.aliases),
        "date_of_birth": subject.date_of_birth,
        "sex": subject.sex.value if subject.sex else None,
        "nationalities": list(subject.nationalities),
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str) and v.strip())


def record_of(key: str, identity: Mapping[str, Any]) -> PersonRecord:
    return PersonRecord(
        key=key,
        family_name=_text(identity.get("family_name")),
        given_names=_text(identity.get("given_names")),
        original_family_name=_text(identity.get("original_family_name")),
        original_given_names=_text(identity.get("original_given_names")),
        aliases=_texts(identity.get("aliases")),
        date_of_birth=_text(identity.get("date_of_birth")),
        sex=_text(identity.get("sex")),
        nationalities=_texts(identity.get("nationalities")),
    )


def same_person(
    a: Mapping[str, Any], b: Mapping[str, Any], key: str = "b"
) -> tuple[float, dict[str, Any]]:
    """The matcher's score (0..1) that a and b are one person, and its explanation."""
    m = same_person_score(record_of("a", a), record_of(key, b))
    return m.score, dict(m.explanation)
