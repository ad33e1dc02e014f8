"""OpenNotice name-matching engine (pure: no I/O, no database, no web).

Public API::

    PersonRecord, PersonQuery, Match, MrzError, DEFAULT_THRESHOLD
    NameIndex            in-memory, thread-safe index (blocking keys + scoring)
    score_pair           brute-force scorer (same scores as the index)
    same_person_score    record-vs-record comparison (re-submission detection)
    name_forms           Latin candidate spellings of a name
    parse_mrz            ICAO 9303 TD3 passport MRZ -> PersonQuery
"""

from __future__ import annotations

from .forms import name_forms
from .index import NameIndex
from .model import DEFAULT_THRESHOLD, Match, MrzError, PersonQuery, PersonRecord
from .mrz import parse_mrz
from .scoring import same_person_score, score_pair

__all__ = [
    "DEFAULT_THRESHOLD",
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
