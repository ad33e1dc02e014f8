"""Han characters (Chinese names) to Latin: Hanyu Pinyin and Wade-Giles.

Pinyin comes from pypinyin (tones dropped).  Wade-Giles is produced from the
pinyin syllable through :data:`PINYIN_TO_WADE_GILES`, a syllable table built
from the standard initial/final correspondences plus the irregular syllables.
Apostrophes and umlauts are dropped, as on most travel documents
("Hsiao-ming", "Chang", not "Ch'ang").
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

__all__ = [
    "PINYIN_TO_WADE_GILES",
    "SURNAME_READINGS",
    "han_to_pinyin",
    "is_han",
    "pinyin_to_wade_giles",
    "split_pinyin",
    "valid_pinyin_syllables",
    "wade_giles_to_pinyin",
]

# Initials: pinyin -> Wade-Giles (aspiration apostrophe dropped)
_INITIALS: tuple[tuple[str, str], ...] = (
    ("zh", "ch"),
    ("ch", "ch"),
    ("sh", "sh"),
    ("b", "p"),
    ("p", "p"),
    ("m", "m"),
    ("f", "f"),
    ("d", "t"),
    ("t", "t"),
    ("n", "n"),
    ("l", "l"),
    ("g", "k"),
    ("k", "k"),
    ("h", "h"),
    ("j", "ch"),
    ("q", "ch"),
    ("x", "hs"),
    ("r", "j"),
    ("z", "ts"),
    ("c", "ts"),
    ("s", "s"),
    ("y", "y"),
    ("w", "w"),
)
_FINALS = (
    "a",
    "ai",
    "an",
    "ang",
    "ao",
    "e",
    "ei",
    "en",
    "eng",
    "er",
    "i",
    "ia",
    "ian",
    "iang",
    "iao",
    "ie",
    "in",
    "ing",
    "iong",
    "iu",
    "o",
    "ong",
    "ou",
    "u",
    "ua",
    "uai",
    "uan",
    "uang",
    "ue",
    "ui",
    "un",
    "uo",
    "v",
    "ve",
    "van",
    "vn",
    "ü",
    "üe",
    "üan",
    "ün",
)
# Irregular syllables (complete mapping).
_IRREGULAR: dict[str, str] = {
    "zi": "tzu",
    "ci": "tzu",
    "si": "ssu",
    "zhi": "chih",
    "chi": "chih",
    "shi": "shih",
    "ri": "jih",
    "er": "erh",
    "e": "o",
    "ye": "yeh",
    "yan": "yen",
    "you": "yu",
    "yu": "yu",
    "yue": "yueh",
    "yuan": "yuan",
    "yun": "yun",
    "yong": "yung",
    "ge": "ko",
    "ke": "ko",
    "he": "ho",
    "duo": "to",
    "tuo": "to",
    "nuo": "no",
    "luo": "lo",
    "zuo": "tso",
    "cuo": "tso",
    "suo": "so",
    "zhuo": "cho",
    "chuo": "cho",
    "ruo": "jo",
    "guo": "kuo",
    "kuo": "kuo",
    "huo": "huo",
    "shuo": "shuo",
    "bo": "po",
    "po": "po",
    "mo": "mo",
    "fo": "fo",
    "lv": "lu",
    "nv": "nu",
    "lve": "lueh",
    "nve": "nueh",
    "lü": "lu",
    "nü": "nu",
    "lüe": "lueh",
    "nüe": "nueh",
    "jiong": "chiung",
    "qiong": "chiung",
    "xiong": "hsiung",
    "de": "te",
    "te": "te",
    "ne": "ne",
    "le": "le",
    "ze": "tse",
    "ce": "tse",
    "se": "se",
    "zhe": "che",
    "che": "che",
    "she": "she",
    "re": "je",
    "me": "me",
}


def _final_wg(initial: str, final: str) -> str:
    if initial in ("j", "q", "x", "y"):
        final = {"u": "ü", "ue": "üe", "uan": "üan", "un": "ün"}.get(final, final)
    final = final.replace("v", "ü")
    rep = {
        "ong": "ung",
        "ian": "ien",
        "ie": "ieh",
        "ui": "ui",
        "üe": "üeh",
        "ue": "ueh",
        "iong": "iung",
        "üan": "üan",
    }.get(final, final)
    return rep.replace("ü", "u")


def _build_table() -> dict[str, str]:
    table: dict[str, str] = {}
    initials = [p for p, _ in _INITIALS] + [""]
    wg_init = dict(_INITIALS)
    for ini in initials:
        for fin in _FINALS:
            syl = ini + fin
            if syl in _IRREGULAR:
                continue
            table[syl] = wg_init.get(ini, "") + _final_wg(ini, fin)
    table.update(_IRREGULAR)
    return table


#: Pinyin syllable (no tone, ``v``/``ü`` for ü) -> Wade-Giles (ASCII).
PINYIN_TO_WADE_GILES: dict[str, str] = _build_table()


@lru_cache(maxsize=1)
def valid_pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable that occurs in pypinyin's dictionary."""
    from pypinyin.core import to_fixed
    from pypinyin.pinyin_dict import pinyin_dict

    raw: set[str] = set()
    for value in pinyin_dict.values():
        raw.update(value.split(","))
    out = {to_fixed(p, Style.NORMAL) for p in raw}
    return frozenset(p for p in out if p.isascii() and p.isalpha() and "v" not in p)


@lru_cache(maxsize=1)
def wade_giles_to_pinyin() -> dict[str, tuple[str, ...]]:
    """Wade-Giles (ASCII) syllable -> possible pinyin syllables."""
    valid = valid_pinyin_syllables()
    inv: dict[str, set[str]] = {}
    for py, wg in PINYIN_TO_WADE_GILES.items():
        if py in valid:
            inv.setdefault(wg, set()).add(py)
    return {k: tuple(sorted(v)) for k, v in inv.items()}


#: Surname readings that differ from the everyday reading of the character.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "区": ("ou",),
    "仇": ("qiu",),
    "解": ("xie",),
    "查": ("zha",),
    "朴": ("piao",),
    "覃": ("qin",),
    "乐": ("yue", "le"),
    "黑": ("he",),
    "盖": ("ge",),
    "柏": ("bai",),
    "缪": ("miao",),
    "秘": ("bi",),
    "翟": ("zhai",),
    "员": ("yun",),
    "召": ("shao",),
    "种": ("chong",),
    "任": ("ren",),
    "宁": ("ning",),
    "沈": ("shen",),
    "葛": ("ge",),
    "华": ("hua",),
    "燕": ("yan",),
    "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "蕃": ("pi",),
    "那": ("na",),
    "句": ("gou",),
    "能": ("nai",),
    "过": ("guo",),
    "石": ("shi",),
}


def is_han(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2A6DF
        or 0xF900 <= o <= 0xFAFF
    )


@lru_cache(maxsize=32768)
def han_to_pinyin(text: str, surname: bool = False) -> tuple[tuple[str, ...], ...]:
    """Pinyin syllables for a Han string; several readings when a surname is polyphonic.

    Returns a tuple of alternative syllable sequences (first is pypinyin's default).
    ``ü`` is written ``u`` except after l/n where both ``lu`` and ``lyu`` are
    produced (PRC passports write 吕 as LYU).
    """
    base = tuple(s.replace("ü", "v") for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True))
    alts: list[tuple[str, ...]] = [base]
    if surname:
        for k in sorted(SURNAME_READINGS, key=len, reverse=True):
            if text.startswith(k):
                alt = SURNAME_READINGS[k] + base[len(k) :]
                if alt not in alts:
                    alts.append(alt)
                break
    out: list[tuple[str, ...]] = []
    for seq in alts:
        plain = tuple(s.replace("v", "u") for s in seq)
        if plain not in out:
            out.append(plain)
        if any("v" in s for s in seq):
            lyu = tuple(s.replace("v", "yu") for s in seq)
            if lyu not in out:
                out.append(lyu)
    return tuple(out)


def pinyin_to_wade_giles(syllable: str) -> str:
    return PINYIN_TO_WADE_GILES.get(syllable, syllable)


@lru_cache(maxsize=65536)
def split_pinyin(word: str, wade_giles: bool = False) -> tuple[str, ...] | None:
    """Split a Latin word into pinyin (or Wade-Giles) syllables, longest match first.

    Returns None if the word cannot be fully segmented.
    """
    vocab: Collection[str] = wade_giles_to_pinyin() if wade_giles else valid_pinyin_syllables()
    n = len(word)
    if n == 0 or n > 24:
        return None
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for j in range(min(n, i + 6), i, -1):
            piece = word[i:j]
            if piece in vocab:
                cand = (*cur, piece)
                prev = best[j]
                if prev is None or len(cand) < len(prev):
                    best[j] = cand
    return best[n]
