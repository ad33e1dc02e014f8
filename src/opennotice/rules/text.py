"""Text normalisation and term matching for the rules (pure).

Terms and texts are compared after Unicode compatibility decomposition, removal of combining
marks and case folding, so "Sécession", "SECESSION" and "secession" are one word. A term in Latin
or Cyrillic script matches at the start of a word ("separatis" matches "separatists"); a term
containing Chinese, Japanese, Korean or Arabic characters matches anywhere, since those scripts
do not separate words with spaces or attach particles to words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

# Apostrophes and hyphens of every kind; Turkish dotless i (upper-cased "ı" is "I").
_FOLD = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u0131": "i"}
)
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    decomposed = unicodedata.normalize("NFKD", folded.translate(_FOLD))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", kept).strip()


def _unspaced_script(term: str) -> bool:
    for ch in term:
        code = ord(ch)
        if (
            0x0600 <= code <= 0x06FF  # Arabic
            or 0x0750 <= code <= 0x077F
            or 0x3040 <= code <= 0x30FF  # kana
            or 0x3400 <= code <= 0x9FFF  # CJK
            or 0xAC00 <= code <= 0xD7AF  # Hangul
            or 0xF900 <= code <= 0xFAFF
        ):
            return True
    return False


@lru_cache(maxsize=256)
def _compiled(terms: tuple[str, ...]) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
    words: list[str] = []
    anywhere: list[str] = []
    for term in terms:
        norm = normalise(term)
        if not norm:
            continue
        (anywhere if _unspaced_script(norm) else words).append(norm)
    pattern = None
    if words:
        alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})")
    return pattern, tuple(sorted(set(anywhere)))


def find_terms(text: str | None, terms: Sequence[str]) -> list[str]:
    """The terms of `terms` (normalised) that occur in `text`, sorted, without repeats."""
    if not text:
        return []
    norm = normalise(text)
    pattern, anywhere = _compiled(tuple(terms))
    found: set[str] = set()
    if pattern is not None:
        found.update(m.group(0) for m in pattern.finditer(norm))
    found.update(t for t in anywhere if t in norm)
    return sorted(found)


def joined(parts: Iterable[str | None]) -> str:
    return " \n ".join(p for p in parts if p)
