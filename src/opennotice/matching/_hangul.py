"""Korean Hangul to Latin: Revised Romanization (2000) and a McCune-Reischauer-like
scheme (ASCII, breves dropped), plus the customary surname spellings."""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "HANGUL_SCHEMES",
    "KOREAN_SURNAMES",
    "hangul_syllables",
    "is_hangul",
    "transliterate_hangul",
]

HANGUL_SCHEMES: tuple[str, ...] = ("rr", "mr")

_RR_INITIAL = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
_MR_INITIAL = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "ch",
    "tch",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
_RR_MEDIAL = (
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
)
_MR_MEDIAL = (
    "a",
    "ae",
    "ya",
    "yae",
    "o",
    "e",
    "yo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "u",
    "ui",
    "i",
)
_RR_FINAL = (
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
)
_MR_FINAL = _RR_FINAL

#: Customary spellings of common Korean surnames (first is the RR spelling).
KOREAN_SURNAMES: dict[str, tuple[str, ...]] = {
    "이": ("i", "lee", "yi", "rhee", "ree", "li"),
    "리": ("ri", "lee", "li", "rhee"),
    "박": ("bak", "park", "pak", "bahk"),
    "김": ("gim", "kim"),
    "최": ("choe", "choi", "chey"),
    "정": ("jeong", "jung", "chung", "cheong"),
    "강": ("gang", "kang"),
    "조": ("jo", "cho"),
    "윤": ("yun", "yoon"),
    "장": ("jang", "chang"),
    "임": ("im", "lim", "rim"),
    "한": ("han",),
    "오": ("o", "oh"),
    "서": ("seo", "suh", "so"),
    "신": ("sin", "shin"),
    "권": ("gwon", "kwon"),
    "황": ("hwang",),
    "안": ("an", "ahn"),
    "송": ("song",),
    "류": ("ryu", "yoo", "yu", "ryoo", "lyu"),
    "유": ("yu", "yoo", "ryu"),
    "홍": ("hong",),
    "전": ("jeon", "jun", "chun", "chon"),
    "고": ("go", "ko"),
    "문": ("mun", "moon"),
    "손": ("son", "sohn"),
    "양": ("yang",),
    "배": ("bae", "pae"),
    "백": ("baek", "paik", "baik", "paek"),
    "허": ("heo", "hur", "huh", "ho"),
    "노": ("no", "noh", "roh"),
    "남": ("nam",),
    "심": ("sim", "shim"),
    "하": ("ha",),
    "곽": ("gwak", "kwak"),
    "성": ("seong", "sung"),
    "차": ("cha",),
    "주": ("ju", "joo", "chu"),
    "우": ("u", "woo"),
    "구": ("gu", "koo", "ku"),
    "나": ("na", "ra"),
    "민": ("min",),
    "진": ("jin", "chin"),
    "지": ("ji", "chi"),
    "엄": ("eom", "um", "uhm"),
    "채": ("chae",),
    "원": ("won",),
    "천": ("cheon", "chun"),
    "방": ("bang", "pang"),
    "공": ("gong", "kong"),
    "현": ("hyeon", "hyun"),
    "함": ("ham",),
    "변": ("byeon", "byun", "pyun"),
    "염": ("yeom", "yum"),
    "여": ("yeo", "yuh"),
    "추": ("chu", "choo"),
    "도": ("do", "doh"),
    "소": ("so",),
    "석": ("seok", "suk"),
    "선": ("seon", "sun"),
    "설": ("seol", "sul"),
    "마": ("ma",),
    "길": ("gil", "kil"),
    "연": ("yeon", "yun"),
    "위": ("wi", "wee"),
    "표": ("pyo",),
    "명": ("myeong", "myung"),
    "기": ("gi", "ki"),
    "반": ("ban", "pan"),
    "왕": ("wang",),
    "금": ("geum", "keum"),
    "옥": ("ok",),
    "육": ("yuk", "yook"),
    "인": ("in",),
    "맹": ("maeng",),
    "제": ("je", "jae"),
    "모": ("mo",),
    "탁": ("tak",),
    "국": ("guk", "kook"),
    "은": ("eun",),
    "편": ("pyeon", "pyun"),
    "용": ("yong",),
    "예": ("ye",),
    "경": ("gyeong", "kyung"),
    "봉": ("bong",),
    "사": ("sa",),
    "부": ("bu", "boo"),
    "황보": ("hwangbo",),
    "남궁": ("namgung", "namkung"),
    "제갈": ("jegal",),
    "선우": ("seonu", "sunwoo"),
    "독고": ("dokgo",),
    "사공": ("sagong",),
}


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def hangul_syllables(word: str) -> list[tuple[int, int, int] | str]:
    """Decompose precomposed syllables into (initial, medial, final) indexes."""
    out: list[tuple[int, int, int] | str] = []
    for ch in word:
        if is_hangul(ch):
            idx = ord(ch) - 0xAC00
            out.append((idx // 588, (idx % 588) // 28, idx % 28))
        else:
            out.append(ch)
    return out


def _syllable(parts: tuple[int, int, int], scheme: str) -> str:
    ini, med, fin = parts
    if scheme == "rr":
        return _RR_INITIAL[ini] + _RR_MEDIAL[med] + _RR_FINAL[fin]
    return _MR_INITIAL[ini] + _MR_MEDIAL[med] + _MR_FINAL[fin]


@lru_cache(maxsize=32768)
def transliterate_hangul(text: str, scheme: str, sep: str = "") -> str:
    """Romanise syllable by syllable; ``sep`` goes between syllables of a word
    (``""`` -> ``minjun``, ``"-"`` -> ``min-jun``, ``" "`` -> ``min jun``)."""
    words: list[str] = []
    for w in text.split():
        sylls = [s if isinstance(s, str) else _syllable(s, scheme) for s in hangul_syllables(w)]
        words.append(sep.join(sylls))
    return " ".join(words)
