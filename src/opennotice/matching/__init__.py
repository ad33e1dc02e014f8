"""OpenNotice name-matching engine (pure: no I/O, no database, no web).

Public API::

    PersonRecord, PersonQuery, Match, MrzError, DEFAULT_THRESHOLD
    NameIndex            in-memory, thread-safe index (blocking keys + scoring)
    score_pair           brute-force scorer (same scores as the index)
    same_person_score    record-vs-record comparison (re-submission detection)
    name_forms           Latin candidate spellings of a name
    parse_mrz            ICAO 9303 TD3 passport MRZ -> PersonQuery
    IMPLEMENTATION       "compiled" (``make compile``) or "python", and why
"""

from __future__ import annotations

from ._implementation import choose_implementation

# Decided before the hot modules are first imported (below): see ``_implementation``.
IMPLEMENTATION, IMPLEMENTATION_REASON = choose_implementation()

from .forms import name_forms  # noqa: E402
from .index import NameIndex  # noqa: E402
from .model import DEFAULT_THRESHOLD, Match, MrzError, PersonQuery, PersonRecord  # noqa: E402
from .mrz import parse_mrz  # noqa: E402
from .scoring import same_person_score, score_pair  # noqa: E402

__all__ = [
    "DEFAULT_THRESHOLD",
    "IMPLEMENTATION",
    "IMPLEMENTATION_REASON",
    "Match",
    "MrzError",
    "NameIndex",
    "PersonQuery",
    "PersonRecord",
    "name_forms",
    "parse_mrz",
    "same_person_score",
    "score_pair",
]
