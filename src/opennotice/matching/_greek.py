"""Greek to Latin: ELOT 743 (passport) and a phonetic (pronunciation) scheme."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["GREEK_SCHEMES", "is_greek", "transliterate_greek"]

GREEK_SCHEMES: tuple[str, ...] = ("elot", "phonetic", "classical")

_SINGLE_ELOT: dict[str, str] = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
_DIGRAPHS_ELOT: dict[str, str] = {
    "ου": "ou",
    "αυ": "av",
    "ευ": "ev",
    "ηυ": "iv",
    "γγ": "ng",
    "γξ": "nx",
    "γχ": "nch",
    "μπ": "b",
    "ντ": "nt",
    "γκ": "gk",
}
_SINGLE_PHON: dict[str, str] = {
    **_SINGLE_ELOT,
    "υ": "i",
    "χ": "h",
    "ξ": "ks",
    "δ": "d",
}
_DIGRAPHS_PHON: dict[str, str] = {
    "ου": "ou",
    "αυ": "av",
    "ευ": "ev",
    "αι": "e",
    "ει": "i",
    "οι": "i",
    "υι": "i",
    "γγ": "ng",
    "μπ": "b",
    "ντ": "d",
    "γκ": "g",
    "τσ": "ts",
    "τζ": "tz",
}
_SINGLE_CLASSICAL: dict[str, str] = {
    **_SINGLE_ELOT,
    "β": "b",
    "η": "e",
    "υ": "y",
    "χ": "ch",
    "ω": "o",
}
_DIGRAPHS_CLASSICAL: dict[str, str] = {"ου": "ou", "γγ": "ng", "γκ": "nk", "μπ": "mp", "ντ": "nt"}

_TABLES = {
    "elot": (_DIGRAPHS_ELOT, _SINGLE_ELOT),
    "phonetic": (_DIGRAPHS_PHON, _SINGLE_PHON),
    "classical": (_DIGRAPHS_CLASSICAL, _SINGLE_CLASSICAL),
}
_VOICELESS = set("θκξπστφχψ")


def is_greek(ch: str) -> bool:
    return "\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff"


def _strip_tonos(text: str) -> str:
    d = unicodedata.normalize("NFD", text)
    return "".join(c for c in d if not unicodedata.combining(c))


def _word(word: str, scheme: str) -> str:
    digraphs, single = _TABLES[scheme]
    out: list[str] = []
    i = 0
    n = len(word)
    while i < n:
        pair = word[i : i + 2]
        if len(pair) == 2 and pair in digraphs:
            rep = digraphs[pair]
            # αυ/ευ are "af"/"ef" before voiceless consonants and at the end.
            if pair in ("αυ", "ευ", "ηυ") and (i + 2 >= n or word[i + 2] in _VOICELESS):
                rep = rep[:-1] + "f"
            # initial μπ/ντ are b/d; medial ones mb/nd in ELOT
            if scheme == "elot" and pair == "μπ":
                rep = "b" if i == 0 or i + 2 >= n else "mp"
            if scheme == "phonetic" and pair in ("μπ", "ντ") and i > 0:
                rep = "mb" if pair == "μπ" else "nd"
            out.append(rep)
            i += 2
            continue
        ch = word[i]
        if scheme == "phonetic" and ch == "γ" and i + 1 < n and word[i + 1] in "ειηυ":
            out.append("y")
        else:
            out.append(single.get(ch, ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=32768)
def transliterate_greek(text: str, scheme: str) -> str:
    base = _strip_tonos(text).replace("ς", "σ")
    return " ".join(_word(w, scheme) for w in base.split())
