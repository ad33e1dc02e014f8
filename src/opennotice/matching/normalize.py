"""Script-agnostic text normalisation for person names.

Everything here is pure and deterministic.  The pipeline is:

1. Unicode NFKC (full-width forms, ligatures, compatibility characters),
2. casefold,
3. honorifics / titles removed (Mr, Dr, Sheikh, Hajji, ...),
4. punctuation turned into spaces; apostrophes and similar marks removed
   (``O'Neil`` -> ``oneil``); hyphens joined or split depending on context.

Latin diacritics are handled by :func:`latin_variants`, which returns every
plausible ASCII spelling (``müller`` -> ``muller`` and ``mueller``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

__all__ = [
    "HONORIFICS",
    "PARTICLE_PREFIXES",
    "latin_variants",
    "normalize_text",
    "split_tokens",
    "strip_accents",
]

#: Titles, honorifics and other non-name words removed from names (casefolded).
HONORIFICS: Final[frozenset[str]] = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "fr",
        "sr",
        "jr",
        "snr",
        "jnr",
        "esq",
        "phd",
        "md",
        "herr",
        "frau",
        "monsieur",
        "mme",
        "mlle",
        "madame",
        "mademoiselle",
        "senor",
        "señor",
        "senora",
        "señora",
        "sra",
        "srta",
        "don",
        "dona",
        "doña",
        "sheikh",
        "shaikh",
        "sheik",
        "shaykh",
        "cheikh",
        "sayyid",
        "sayed",
        "syed",
        "hajji",
        "haji",
        "hadji",
        "hajj",
        "hajja",
        "hajjah",
        "alhaji",
        "alhaja",
        "imam",
        "mullah",
        "mulla",
        "emir",
        "amir",
        "sultan",
        "prince",
        "princess",
        "gen",
        "col",
        "capt",
        "lt",
        "sgt",
        "maj",
        "general",
        "colonel",
        "captain",
        "господин",
        "госпожа",
        "г-н",
        "г-жа",
        "пан",
        "пані",
        "السيد",
        "السيدة",
        "الشيخ",
        "الحاج",
        "الحاجة",
        "الدكتور",
        "د",
        "آقای",
        "خانم",
        "دکتر",
        "حاج",
        "κ",
        "κος",
        "κα",
        "κύριος",
        "κυρία",
    }
)
# "m", "don", "amir", "sultan" and a few more are also real given names: they
# are only removed when another token remains (see normalize_text).
_AMBIGUOUS_HONORIFICS: Final[frozenset[str]] = frozenset(
    {"don", "amir", "emir", "sultan", "prince", "imam", "sayed", "syed", "sayyid", "lord", "dame"}
)

#: Prefixes that stay separate words when hyphenated (``al-Hassan`` -> ``al hassan``).
PARTICLE_PREFIXES: Final[frozenset[str]] = frozenset(
    {
        "al",
        "el",
        "ul",
        "il",
        "ad",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "an",
        "ud",
        "abd",
        "abdel",
        "abdul",
        "abdal",
        "abdol",
        "abu",
        "abou",
        "bin",
        "ibn",
        "ben",
        "bint",
        "ould",
        "ait",
        "o",
        "d",
        "l",
        "de",
        "di",
        "da",
        "van",
        "von",
    }
)

_APOSTROPHES: Final = "'\u2019\u2018\u02bc\u02bb\u02be\u02bf`\u00b4\u055a\u05f3\u2032"
_APOS_RE: Final = re.compile("[" + re.escape(_APOSTROPHES) + "]")
_HYPHENS_RE: Final = re.compile(r"[\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u058a\u05be\u30a0]")
_TATWEEL_RE: Final = re.compile("[\u0640]")
_ASCII_NON_WORD_RE: Final = re.compile(r"[^0-9A-Za-z]")


def _is_word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in ("L", "M", "N")


@lru_cache(maxsize=65536)
def strip_accents(text: str) -> str:
    """Remove combining marks after NFKD decomposition (``é`` -> ``e``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """Normalise a name string: NFKC, casefold, titles, punctuation, hyphens.

    Returns space-separated tokens, still in their original script (Latin
    diacritics are kept; see :func:`latin_variants`).  Idempotent.
    """
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = _TATWEEL_RE.sub("", s)
    s = _APOS_RE.sub("", s)
    # Hyphens: a known particle keeps its own word ("al-hassan" -> "al hassan"),
    # otherwise the parts are joined ("xiao-ming" -> "xiaoming", "jean-pierre").
    parts = _HYPHENS_RE.split(s)
    if len(parts) > 1:
        rebuilt = parts[0]
        for nxt in parts[1:]:
            prev_word = rebuilt.rsplit(" ", 1)[-1]
            if prev_word in PARTICLE_PREFIXES or not prev_word or not nxt or nxt[0] == " ":
                rebuilt = rebuilt + " " + nxt
            else:
                rebuilt = rebuilt + nxt
        s = rebuilt
    if s.isascii():
        s = _ASCII_NON_WORD_RE.sub(" ", s)  # same as the general case, faster
    else:
        s = "".join(ch if _is_word_char(ch) else " " for ch in s)
    # NFKC again: casefold may produce non-normalised sequences (e.g. "ß" -> "ss" is fine,
    # but some Greek letters decompose); keep the function idempotent.
    s = unicodedata.normalize("NFKC", s)
    tokens = s.split()
    # unambiguous titles anywhere except the first position ("john smith jr")
    kept = [
        t
        for i, t in enumerate(tokens)
        if i == 0 or t not in HONORIFICS or t in _AMBIGUOUS_HONORIFICS
    ]
    # leading titles; ambiguous ones ("amir", "don") only when two words remain
    while (
        kept and kept[0] in HONORIFICS and (kept[0] not in _AMBIGUOUS_HONORIFICS or len(kept) > 2)
    ):
        kept.pop(0)
    if not kept:
        return " ".join(tokens)
    return " ".join(kept)


def split_tokens(text: str) -> list[str]:
    """Normalise and split into tokens."""
    return normalize_text(text).split()


# Latin letters with a conventional multi-letter ASCII expansion (German,
# Scandinavian, ...).  Each maps to its expansions; the plain accent-stripped
# form is always produced as well.
_LATIN_EXPANSIONS: Final[dict[str, tuple[str, ...]]] = {
    "ä": ("ae",),
    "ö": ("oe",),
    "ü": ("ue",),
    "ß": ("ss",),
    "ẞ": ("ss",),
    "ø": ("oe", "o"),
    "æ": ("ae",),
    "œ": ("oe",),
    "å": ("aa",),
    "þ": ("th",),
    "ð": ("d", "dh"),
    "ł": ("l",),
    "đ": ("d", "dj"),
    "ı": ("i",),
    "ŋ": ("ng",),
    "ĳ": ("ij",),
    "ſ": ("s",),
}
# Letters that NFKD does not decompose: their single-letter ASCII fold.
_NON_DECOMPOSING: Final[dict[str, str]] = {
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "ß": "ss",
    "þ": "th",
    "ð": "d",
    "ł": "l",
    "đ": "d",
    "ı": "i",
    "ŋ": "n",
    "ħ": "h",
    "ŧ": "t",
    "ſ": "s",
    "ə": "a",
}


@lru_cache(maxsize=65536)
def latin_variants(token: str) -> tuple[str, ...]:
    """All ASCII spellings of a (normalised) Latin token.

    ``müller`` -> (``muller``, ``mueller``); ``søren`` -> (``soren``, ``soeren``);
    ``straße`` -> (``strasse``,).  The first element is the plain fold.
    Non-Latin characters are dropped.
    """
    plain_chars: list[str] = []
    for ch in token:
        if ch in _NON_DECOMPOSING:
            plain_chars.append(_NON_DECOMPOSING[ch])
        else:
            plain_chars.append(strip_accents(ch))
    plain = "".join(c for c in "".join(plain_chars) if "a" <= c <= "z" or c.isdigit())
    out = [plain]
    if any(ch in _LATIN_EXPANSIONS for ch in token):
        expanded_chars: list[str] = []
        for ch in token:
            if ch in _LATIN_EXPANSIONS:
                expanded_chars.append(_LATIN_EXPANSIONS[ch][0])
            elif ch in _NON_DECOMPOSING:
                expanded_chars.append(_NON_DECOMPOSING[ch])
            else:
                expanded_chars.append(strip_accents(ch))
        expanded = "".join(c for c in "".join(expanded_chars) if "a" <= c <= "z" or c.isdigit())
        if expanded and expanded not in out:
            out.append(expanded)
    return tuple(v for v in out if v)
