"""Public data types of the matching engine."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_THRESHOLD", "Match", "MrzError", "PersonQuery", "PersonRecord"]

#: Default minimum score for :meth:`NameIndex.search`.  An identical name with a
#: conflicting full date of birth scores at most 0.70, i.e. below this.
DEFAULT_THRESHOLD: float = 0.8


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One notice subject."""

    key: str
    family_name: str | None
    given_names: str | None
    original_family_name: str | None = None
    original_given_names: str | None = None
    aliases: tuple[str, ...] = ()
    date_of_birth: str | None = None
    sex: str | None = None
    nationalities: tuple[str, ...] = ()
    restricted_from: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class PersonQuery:
    """A person to screen (traveller, document holder...)."""

    family_name: str | None
    given_names: str | None
    date_of_birth: str | None = None
    sex: str | None = None
    nationalities: tuple[str, ...] = ()
    document_number: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    score: float
    explanation: dict[str, object]


class MrzError(ValueError):
    """Invalid machine-readable zone."""
