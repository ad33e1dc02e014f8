"""Seeded generator of fictional notice subjects and travellers (benchmarks).

Notice subjects come from Faker native-script locales (zh_CN, ru_RU, uk_UA,
ar_SA, fa_IR, ko_KR, el_GR) and Latin ones (de_DE, fr_FR, es_ES, tr_TR, en_US).
Each notice carries the original-script name plus a Latin rendering in one
scheme; a *true-match traveller* renders the same person through a DIFFERENT
scheme (the traveller renderers below are written independently of the matcher
where possible: Polish-, Spanish- and English-style Cyrillic, vocalised Arabic
with random vowels, customary Korean spellings...) plus one variation
(name order, initials, typo, missing middle name, partial DOB, day/month swap,
merged/split parts).  *Hard non-matches* share a notice's name but not its
date of birth; *random non-matches* are other people.

Usage: ``python bench/gen_people.py --notices 5 --seed 1`` prints samples.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path

try:
    import opennotice.matching  # noqa: F401
except ImportError:  # running from a checkout without installation
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from anyascii import anyascii
from faker import Faker
from pypinyin import Style, lazy_pinyin

from opennotice.matching import PersonQuery, PersonRecord
from opennotice.matching._han import pinyin_to_wade_giles

NATIVE = ("zh_CN", "ru_RU", "uk_UA", "ar_SA", "fa_IR", "ko_KR", "el_GR")
LATIN = ("de_DE", "fr_FR", "es_ES", "tr_TR", "en_US")
LOCALES = NATIVE + LATIN
COUNTRY = {
    "zh_CN": "CN",
    "ru_RU": "RU",
    "uk_UA": "UA",
    "ar_SA": "SA",
    "fa_IR": "IR",
    "ko_KR": "KR",
    "el_GR": "GR",
    "de_DE": "DE",
    "fr_FR": "FR",
    "es_ES": "ES",
    "tr_TR": "TR",
    "en_US": "US",
}
VARIATIONS = (
    "translit",
    "order",
    "initials",
    "typo",
    "missing_middle",
    "partial_dob",
    "dob_swap",
    "merged_split",
)


@dataclass(frozen=True, slots=True)
class Subject:
    locale: str
    native_family: str
    native_given: tuple[str, ...]
    sex: str
    dob: dt.date


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    query: PersonQuery
    target: str | None  # notice key it should hit, or None
    kind: str  # variation name, "hard_negative" or "random_negative"


# ----------------------------------------------------------------- renderers
_CYR_POLISH = {
    "а": "a",
    "б": "b",
    "в": "w",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "io",
    "ж": "ż",
    "з": "z",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "ł",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "ch",
    "ц": "c",
    "ч": "cz",
    "ш": "sz",
    "щ": "szcz",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "і": "i",
    "ї": "ji",
    "є": "je",
    "ґ": "g",
}
_CYR_ENGLISH = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
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
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
}
_CYR_SPANISH = {
    **_CYR_ENGLISH,
    "ж": "y",
    "х": "j",
    "ш": "sh",
    "щ": "sch",
    "ч": "ch",
    "й": "i",
    "ю": "iu",
    "я": "ia",
}
_CYR_GERMAN = {
    **_CYR_ENGLISH,
    "в": "w",
    "ж": "sch",
    "з": "s",
    "й": "j",
    "х": "ch",
    "ц": "z",
    "ч": "tsch",
    "ш": "sch",
    "щ": "schtsch",
    "ю": "ju",
    "я": "ja",
    "е": "e",
    "ё": "jo",
}
_CYR_SCHEMES = {
    "polish": _CYR_POLISH,
    "english": _CYR_ENGLISH,
    "spanish": _CYR_SPANISH,
    "german": _CYR_GERMAN,
}


def _cyr(text: str, scheme: str) -> str:
    table = _CYR_SCHEMES[scheme]
    out = "".join(table.get(c, table.get(c.lower(), c)) for c in text.lower())
    return out


_GREEK_PHON = {
    "α": "a",
    "β": "v",
    "γ": "gh",
    "δ": "dh",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "ks",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "i",
    "φ": "f",
    "χ": "h",
    "ψ": "ps",
    "ω": "o",
}


def _greek(text: str) -> str:
    import unicodedata

    base = "".join(
        c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c)
    )
    base = (
        base.replace("ου", "u")
        .replace("μπ", "b")
        .replace("ντ", "d")
        .replace("γκ", "g")
        .replace("αι", "e")
        .replace("ει", "i")
        .replace("οι", "i")
    )
    return "".join(_GREEK_PHON.get(c, c) for c in base)


_KOREAN_SURNAME_PASSPORT = {
    "김": "Kim",
    "이": "Lee",
    "박": "Park",
    "최": "Choi",
    "정": "Jung",
    "강": "Kang",
    "조": "Cho",
    "윤": "Yoon",
    "장": "Jang",
    "임": "Lim",
    "한": "Han",
    "오": "Oh",
    "서": "Seo",
    "신": "Shin",
    "권": "Kwon",
    "황": "Hwang",
    "안": "Ahn",
    "송": "Song",
    "류": "Ryu",
    "유": "Yoo",
    "홍": "Hong",
    "전": "Jeon",
    "고": "Ko",
    "문": "Moon",
    "손": "Son",
    "양": "Yang",
    "배": "Bae",
    "백": "Baek",
    "허": "Heo",
    "노": "Noh",
    "남": "Nam",
    "심": "Shim",
    "하": "Ha",
    "곽": "Kwak",
    "성": "Sung",
    "차": "Cha",
    "주": "Joo",
    "우": "Woo",
    "구": "Koo",
    "민": "Min",
    "진": "Jin",
    "지": "Ji",
}
# McCune-Reischauer-like syllable parts (ASCII), written independently of the matcher.
_MR_I = (
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
    "ch'",
    "k'",
    "t'",
    "p'",
    "h",
)
_MR_M = (
    "a",
    "ae",
    "ya",
    "yae",
    "ŏ",
    "e",
    "yŏ",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wŏ",
    "we",
    "wi",
    "yu",
    "ŭ",
    "ŭi",
    "i",
)
_MR_F = (
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


def _korean_mr(word: str) -> str:
    out = []
    for ch in word:
        o = ord(ch) - 0xAC00
        if 0 <= o < 11172:
            out.append(_MR_I[o // 588] + _MR_M[(o % 588) // 28] + _MR_F[o % 28])
        else:
            out.append(ch)
    return "-".join(out)


_AR_PASSPORT = {
    "محمد": ["Mohamed", "Mohammed", "Mohammad", "Muhammad"],
    "أحمد": ["Ahmed", "Ahmad"],
    "احمد": ["Ahmed", "Ahmad"],
    "علي": ["Ali", "Aly"],
    "حسين": ["Hussein", "Hussain", "Hossein"],
    "حسن": ["Hassan", "Hasan"],
    "عمر": ["Omar", "Umar"],
    "يوسف": ["Youssef", "Yousef", "Yusuf"],
    "خالد": ["Khaled", "Khalid"],
    "عبدالله": ["Abdullah", "Abdallah"],
    "مريم": ["Mariam", "Maryam"],
    "فاطمة": ["Fatima", "Fatma"],
    "زهرا": ["Zahra"],
    "رضا": ["Reza", "Rida"],
    "مهدی": ["Mehdi", "Mahdi"],
    "علی": ["Ali"],
    "محمدرضا": ["Mohammadreza", "Mohammad Reza"],
    "سعيد": ["Saeed", "Said"],
}
_AR_CONS = {
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "z",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ک": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
    "ة": "a",
    "ء": "",
    "ع": "",
    "ئ": "",
    "ؤ": "",
}
_AR_VOWELS = {"ا": "a", "أ": "a", "إ": "e", "آ": "a", "ى": "a"}


def _arabic_passport(word: str, rng: random.Random) -> str:
    if word in _AR_PASSPORT:
        return rng.choice(_AR_PASSPORT[word])
    prefix = ""
    if word.startswith("ال") and len(word) > 3:
        prefix = rng.choice(["Al-", "El-", "Al "])
        word = word[2:]
    out: list[str] = []
    prev_cons = False
    for i, ch in enumerate(word):
        if ch in ("و",):
            out.append("w" if i == 0 or not prev_cons else rng.choice(["ou", "u", "o"]))
            prev_cons = i == 0
            continue
        if ch in ("ي", "ی"):
            out.append("y" if i == 0 or not prev_cons else rng.choice(["i", "ee", "i"]))
            prev_cons = i == 0
            continue
        if ch in _AR_VOWELS:
            out.append(_AR_VOWELS[ch])
            prev_cons = False
            continue
        rep = _AR_CONS.get(ch)
        if rep is None:
            continue
        if prev_cons and rep:
            out.append(rng.choice(["a", "e", "a", "i", "ou"]))  # unwritten short vowel
        out.append(rep)
        prev_cons = bool(rep)
    s = "".join(out)
    return (prefix + s[:1].upper() + s[1:]) if s else prefix.strip("- ")


def _cap(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in s.split())


def render(subject: Subject, scheme: str, rng: random.Random) -> tuple[str, str]:
    """(family, given) in Latin for ``scheme``: 'notice' or 'traveller'."""
    loc = subject.locale
    fam, giv = subject.native_family, subject.native_given
    if loc == "zh_CN":
        fam_py = "".join(lazy_pinyin(fam, style=Style.NORMAL))
        sylls = [lazy_pinyin(g, style=Style.NORMAL) for g in giv]
        if scheme == "notice":
            return _cap(fam_py), " ".join(_cap("".join(s)) for s in sylls)
        mode = rng.choice(["wg", "wg", "spaced", "hyphen"])
        if mode == "wg":
            fam_wg = "".join(pinyin_to_wade_giles(s) for s in lazy_pinyin(fam, style=Style.NORMAL))
            return _cap(fam_wg), " ".join(
                _cap("-".join(pinyin_to_wade_giles(x) for x in s)) for s in sylls
            )
        sep = " " if mode == "spaced" else "-"
        return _cap(fam_py), " ".join(
            _cap(sep.join(s)) if sep == " " else "-".join(s).capitalize() for s in sylls
        )
    if loc in ("ru_RU", "uk_UA"):
        if scheme == "notice":
            return _cap(anyascii(fam)), " ".join(_cap(anyascii(g)) for g in giv)
        sch = rng.choice(list(_CYR_SCHEMES))
        return _cap(_cyr(fam, sch)), " ".join(_cap(_cyr(g, sch)) for g in giv)
    if loc in ("ar_SA", "fa_IR"):
        if scheme == "notice":
            return _cap(anyascii(fam)), " ".join(_cap(anyascii(g)) for g in giv)
        fam_words = [w for w in fam.split() if w != "آل"]
        f = " ".join(_arabic_passport(w, rng) for w in fam_words) or _arabic_passport(fam, rng)
        return f, " ".join(_arabic_passport(g, rng) for g in giv)
    if loc == "ko_KR":
        if scheme == "notice":
            return _cap(anyascii(fam)), " ".join(_cap(anyascii(g)) for g in giv)
        f = _KOREAN_SURNAME_PASSPORT.get(fam) or _cap(_korean_mr(fam))
        g = " ".join(_korean_mr(x).capitalize() for x in giv)
        return f, g
    if loc == "el_GR":
        if scheme == "notice":
            return _cap(anyascii(fam)), " ".join(_cap(anyascii(g)) for g in giv)
        return _cap(_greek(fam)), " ".join(_cap(_greek(g)) for g in giv)
    # Latin locales: notice keeps diacritics; traveller uses MRZ-style ASCII.
    if scheme == "notice":
        return fam, " ".join(giv)
    german = rng.random() < 0.5

    def mrz(s: str) -> str:
        if german:
            for a, b in (
                ("ä", "ae"),
                ("ö", "oe"),
                ("ü", "ue"),
                ("Ä", "Ae"),
                ("Ö", "Oe"),
                ("Ü", "Ue"),
                ("ß", "ss"),
            ):
                s = s.replace(a, b)
        return anyascii(s)

    return mrz(fam), " ".join(mrz(g) for g in giv)


# ---------------------------------------------------------------- generation
class Generator:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for i, loc in enumerate(LOCALES):
            f = Faker(loc)
            f.seed_instance(seed * 1000 + i)
            self.fakers[loc] = f

    def subject(self, locale: str | None = None) -> Subject:
        rng = self.rng
        loc = locale or rng.choice(LOCALES)
        f = self.fakers[loc]
        sex = rng.choice("MF")
        if sex == "M":
            fam = f.last_name_male() if hasattr(f, "last_name_male") else f.last_name()
            given = [f.first_name_male()]
        else:
            fam = f.last_name_female() if hasattr(f, "last_name_female") else f.last_name()
            given = [f.first_name_female()]
        if rng.random() < 0.3 and loc not in ("zh_CN", "ko_KR"):
            given.append(
                f.first_name_male()
                if loc in ("ar_SA", "fa_IR", "ru_RU", "uk_UA")
                else (f.first_name_male() if sex == "M" else f.first_name_female())
            )
        dob = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        return Subject(loc, fam, tuple(given), sex, dob)

    def notice(self, key: str, s: Subject) -> PersonRecord:
        fam, giv = render(s, "notice", self.rng)
        native = s.locale in NATIVE
        r = self.rng.random()
        dob = (
            s.dob.isoformat()
            if r < 0.85
            else s.dob.isoformat()[:7]
            if r < 0.92
            else str(s.dob.year)
        )
        return PersonRecord(
            key=key,
            family_name=fam,
            given_names=giv,
            original_family_name=s.native_family if native else None,
            original_given_names=" ".join(s.native_given) if native else None,
            date_of_birth=dob,
            sex=s.sex,
            nationalities=(COUNTRY[s.locale],),
        )

    def _typo(self, text: str) -> str:
        rng = self.rng
        words = text.split()
        cands = [i for i, w in enumerate(words) if len(w) >= 5]
        if not cands:
            return text
        i = rng.choice(cands)
        w = words[i]
        p = rng.randrange(1, len(w) - 1)
        op = rng.choice(["sub", "del", "ins", "swap"])
        letters = "aeioulnrstm"
        if op == "sub":
            w = w[:p] + rng.choice([c for c in letters if c != w[p].lower()]) + w[p + 1 :]
        elif op == "del":
            w = w[:p] + w[p + 1 :]
        elif op == "ins":
            w = w[:p] + rng.choice(letters) + w[p:]
        else:
            w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
        words[i] = w
        return " ".join(words)

    def traveller(self, s: Subject, target: str, variation: str) -> LabelledQuery:
        rng = self.rng
        fam, giv = render(s, "traveller", rng)
        dob = s.dob.isoformat()
        if variation == "order":
            fam, giv = giv, fam
        elif variation == "initials":
            parts = giv.split()
            giv = " ".join([parts[0][0], *parts[1:]]) if parts else giv
        elif variation == "typo":
            if rng.random() < 0.5 and len(fam) >= 5:
                fam = self._typo(fam)
            else:
                giv = self._typo(giv) if any(len(w) >= 5 for w in giv.split()) else giv
                if giv == render(s, "traveller", random.Random(0))[1]:
                    fam = self._typo(fam)
        elif variation == "missing_middle":
            parts = giv.split()
            giv = parts[0] if parts else giv
        elif variation == "partial_dob":
            dob = str(s.dob.year) if rng.random() < 0.6 else s.dob.isoformat()[:7]
        elif variation == "dob_swap":
            if s.dob.day <= 12 and s.dob.day != s.dob.month:
                dob = f"{s.dob.year:04d}-{s.dob.day:02d}-{s.dob.month:02d}"
        elif variation == "merged_split":
            parts = giv.split()
            if len(parts) > 1:
                giv = "".join(parts)
            elif "-" in giv:
                giv = giv.replace("-", " ")
        return LabelledQuery(
            PersonQuery(fam, giv, dob, s.sex, (COUNTRY[s.locale],)), target, variation
        )

    def hard_negative(self, s: Subject, target: str) -> LabelledQuery:
        """Same name as the notice (another scheme), different person: another DOB."""
        fam, giv = render(s, "traveller" if self.rng.random() < 0.5 else "notice", self.rng)
        other = s.dob + dt.timedelta(days=self.rng.randrange(400, 9000) * self.rng.choice([-1, 1]))
        return LabelledQuery(
            PersonQuery(fam, giv, other.isoformat(), s.sex, (COUNTRY[s.locale],)),
            None,
            "hard_negative",
        )

    def random_negative(self) -> LabelledQuery:
        s = self.subject()
        fam, giv = render(s, "traveller", self.rng)
        return LabelledQuery(
            PersonQuery(fam, giv, s.dob.isoformat(), s.sex, (COUNTRY[s.locale],)),
            None,
            "random_negative",
        )


def build_dataset(
    n_notices: int, n_true: int, n_hard: int, n_random: int, seed: int = 1
) -> tuple[list[PersonRecord], list[LabelledQuery]]:
    g = Generator(seed)
    subjects = [g.subject() for _ in range(n_notices)]
    records = [g.notice(f"{2000 + i // 100000}/{i}", s) for i, s in enumerate(subjects)]
    queries: list[LabelledQuery] = []
    for k in range(n_true):
        i = g.rng.randrange(n_notices)
        var = VARIATIONS[k % len(VARIATIONS)]
        queries.append(g.traveller(subjects[i], records[i].key, var))
    for _ in range(n_hard):
        i = g.rng.randrange(n_notices)
        queries.append(g.hard_negative(subjects[i], records[i].key))
    for _ in range(n_random):
        queries.append(g.random_negative())
    return records, queries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--notices", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    records, queries = build_dataset(args.notices, args.notices, 3, 3, args.seed)
    for r in records:
        print(
            "NOTICE",
            r.key,
            r.family_name,
            "|",
            r.given_names,
            "|",
            r.original_family_name,
            r.original_given_names,
            r.date_of_birth,
            r.sex,
        )
    for q in queries:
        print(
            "QUERY ",
            q.kind,
            q.target,
            q.query.family_name,
            "|",
            q.query.given_names,
            q.query.date_of_birth,
        )


if __name__ == "__main__":
    main()
