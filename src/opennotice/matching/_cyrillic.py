"""Cyrillic (Russian, Ukrainian, Belarusian letters) to Latin, several schemes.

Schemes (ASCII output after folding):

* ``icao``     ICAO Doc 9303 (2015), the passport standard: Щ -> shch, Ю -> iu, Я -> ia.
* ``bgn``      BGN/PCGN 1947 (Russian), 2019 (Ukrainian): ye- after vowels, Ю -> yu.
* ``gost``     scientific / ISO 9 / GOST 7.79: Ш -> š, Щ -> šč, Ж -> ž, Х -> x, Ц -> c;
               ASCII fold gives ``scerbakov``.  The diacritic form is also returned.
* ``german``   Duden-style: Ш -> sch, Щ -> schtsch, Ч -> tsch, В -> w, З -> s,
               final -ов -> -ow.
* ``french``   French-style: Ш -> ch, Ч -> tch, Щ -> chtch, У -> ou, Ж -> j.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["CYRILLIC_SCHEMES", "is_cyrillic", "transliterate_cyrillic"]

_VOWELS = set("аеёиоуыэюяіїєaeiouy")

_ICAO: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    # Ukrainian / Belarusian
    "і": "i",
    "ї": "i",
    "є": "ie",
    "ґ": "g",
    "ў": "u",
}
_BGN: dict[str, str] = {
    **_ICAO,
    "ё": "yo",
    "й": "y",
    "ъ": "",
    "ю": "yu",
    "я": "ya",
    "є": "ye",
    "ї": "yi",
}
_GOST: dict[str, str] = {
    **_ICAO,
    "ж": "ž",
    "й": "j",
    "х": "x",
    "ц": "c",
    "ч": "č",
    "ш": "š",
    "щ": "šč",
    "ъ": "",
    "ю": "ju",
    "я": "ja",
    "ё": "ë",
    "э": "è",
    "є": "je",
    "ї": "ji",
    "ґ": "g",
}
_GERMAN: dict[str, str] = {
    **_ICAO,
    "в": "w",
    "е": "e",
    "ё": "jo",
    "ж": "sch",
    "з": "s",
    "й": "j",
    "х": "ch",
    "ц": "z",
    "ч": "tsch",
    "ш": "sch",
    "щ": "schtsch",
    "ъ": "",
    "ы": "y",
    "ю": "ju",
    "я": "ja",
    "є": "je",
    "ї": "ji",
    "у": "u",
}
_FRENCH: dict[str, str] = {
    **_ICAO,
    "ж": "j",
    "й": "i",
    "х": "kh",
    "ц": "ts",
    "ч": "tch",
    "ш": "ch",
    "щ": "chtch",
    "у": "ou",
    "ю": "iou",
    "я": "ia",
    "ъ": "",
    "ё": "io",
    "є": "ie",
    "ї": "i",
}

# Ukrainian national system (Cabinet of Ministers resolution 55, 2010): Г -> h, И -> y.
_UKR: dict[str, str] = {
    **_BGN,
    "г": "h",
    "и": "y",
    "ґ": "g",
    "є": "ie",
    "ї": "i",
    "й": "i",
    "ю": "iu",
    "я": "ia",
    "ь": "",
    "ъ": "",
    "е": "e",
}

CYRILLIC_SCHEMES: tuple[str, ...] = ("icao", "bgn", "gost", "german", "french", "ukr")

_TABLES: dict[str, dict[str, str]] = {
    "icao": _ICAO,
    "bgn": _BGN,
    "gost": _GOST,
    "german": _GERMAN,
    "french": _FRENCH,
    "ukr": _UKR,
}


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


def _word(word: str, scheme: str, ukrainian: bool) -> str:
    table = _TABLES[scheme]
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        after_vowel = i == 0 or prev in _VOWELS or prev in "ьъ"
        if ukrainian and ch == "г":
            out.append("h")
            continue
        if ukrainian and ch == "и":
            out.append("y")
            continue
        if scheme == "ukr" and i == 0 and ch in "єїйюя":
            out.append({"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}[ch])
            continue
        if ch == "е":
            if scheme == "bgn" and after_vowel:
                out.append("ye")
                continue
            if scheme == "german" and after_vowel and i == 0:
                out.append("je")
                continue
        if (
            ch == "с"
            and scheme == "german"
            and 0 < i < n - 1
            and prev in _VOWELS
            and word[i + 1] in _VOWELS
        ):
            out.append("ss")
            continue
        if ch == "ё" and scheme == "icao" and after_vowel:
            out.append("e")
            continue
        out.append(table.get(ch, ch))
    result = "".join(out)
    if scheme == "german" and result.endswith(("ow", "ew", "ev", "ov")):
        result = result[:-1] + "w"
    return result


@lru_cache(maxsize=32768)
def transliterate_cyrillic(text: str, scheme: str) -> str:
    """Transliterate a normalised (casefolded) Cyrillic string with ``scheme``."""
    ukrainian = scheme != "ukr" and any(c in "іїєґ" for c in text)
    return " ".join(_word(w, scheme, ukrainian) for w in text.split())
