"""Arabic-script names (Arabic, Persian, Urdu letters) to Latin.

Arabic script does not write short vowels, so a letter-level transliteration
gives a consonant skeleton ("محمد" -> "mhmd").  Two things bridge that to the
vocalised spellings found on passports:

* a table of common names in Arabic script with their canonical Latin form
  (:data:`ARABIC_NAMES`), and
* the consonant skeleton key in :mod:`opennotice.matching.phonetic`, which
  drops vowels ("mohamed" -> "mhmt" == skeleton of "mhmd").

Schemes: ``arabic`` (DIN-31635-like, ASCII: th, kh, dh, sh, gh, q) and
``persian`` (Persian letter values: ث/ص -> s, ذ/ض/ظ -> z, و -> v/o).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["ARABIC_NAMES", "ARABIC_SCHEMES", "arabic_tokens", "is_arabic", "transliterate_arabic"]

ARABIC_SCHEMES: tuple[str, ...] = ("arabic", "persian")

_ARABIC: dict[str, str] = {
    "ا": "a",
    "أ": "a",
    "إ": "i",
    "آ": "a",
    "ٱ": "a",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ة": "a",
    "ى": "a",
    "ء": "",
    "ئ": "",
    "ؤ": "",
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
    "ڤ": "v",
    "ٹ": "t",
    "ڈ": "d",
    "ڑ": "r",
    "ں": "n",
    "ھ": "h",
    "ہ": "h",
    "ۃ": "a",
    "ے": "e",
}
_PERSIAN: dict[str, str] = {
    **_ARABIC,
    "ث": "s",
    "ذ": "z",
    "ض": "z",
    "ظ": "z",
    "ص": "s",
    "ق": "gh",
    "ع": "",
    "ة": "eh",
    "ه": "h",
}
_HARAKAT: dict[str, str] = {
    "\u064e": "a",
    "\u064f": "u",
    "\u0650": "i",
    "\u064b": "an",
    "\u064c": "un",
    "\u064d": "in",
}
_SHADDA = "\u0651"
_SUKUN = "\u0652"
_FOLD = {"ي": "ي", "ی": "ي", "ى": "ى", "ک": "ك", "ۀ": "ة", "ە": "ه"}
_LONG_VOWEL_LETTERS = {"ا", "أ", "إ", "آ", "ٱ", "ى"}


def is_arabic(ch: str) -> bool:
    return (
        "\u0600" <= ch <= "\u06ff"
        or "\u0750" <= ch <= "\u077f"
        or "\ufb50" <= ch <= "\ufdff"
        or "\ufe70" <= ch <= "\ufeff"
    )


def _fold(word: str) -> str:
    return "".join(_FOLD.get(c, c) for c in word)


# Common names in Arabic script (folded: Persian ی/ک -> Arabic ي/ك) -> canonical Latin.
_NAME_LIST: tuple[tuple[str, str], ...] = (
    ("محمد", "muhammad"),
    ("احمد", "ahmad"),
    ("أحمد", "ahmad"),
    ("محمود", "mahmud"),
    ("حسين", "husayn"),
    ("حسن", "hasan"),
    ("علي", "ali"),
    ("على", "ali"),
    ("عمر", "umar"),
    ("عثمان", "uthman"),
    ("عبد", "abd"),
    ("عبدالله", "abdallah"),
    ("يوسف", "yusuf"),
    ("ابراهيم", "ibrahim"),
    ("إبراهيم", "ibrahim"),
    ("اسماعيل", "ismail"),
    ("إسماعيل", "ismail"),
    ("خالد", "khalid"),
    ("سعيد", "said"),
    ("سعد", "saad"),
    ("ابو", "abu"),
    ("أبو", "abu"),
    ("بن", "bin"),
    ("ابن", "bin"),
    ("بنت", "bint"),
    ("مصطفى", "mustafa"),
    ("مصطفي", "mustafa"),
    ("مهدي", "mahdi"),
    ("جعفر", "jafar"),
    ("جمال", "jamal"),
    ("كريم", "karim"),
    ("رحمن", "rahman"),
    ("رحيم", "rahim"),
    ("فاطمة", "fatima"),
    ("فاطمه", "fatima"),
    ("عائشة", "aisha"),
    ("عايشة", "aisha"),
    ("خديجة", "khadija"),
    ("زينب", "zaynab"),
    ("مريم", "maryam"),
    ("نور", "nur"),
    ("عزيز", "aziz"),
    ("حامد", "hamid"),
    ("راشد", "rashid"),
    ("سليم", "salim"),
    ("سليمان", "sulayman"),
    ("يحيى", "yahya"),
    ("يحيي", "yahya"),
    ("زكريا", "zakariya"),
    ("ايوب", "ayyub"),
    ("أيوب", "ayyub"),
    ("بلال", "bilal"),
    ("طارق", "tariq"),
    ("وليد", "walid"),
    ("فيصل", "faisal"),
    ("ناصر", "nasir"),
    ("قاسم", "qasim"),
    ("حمزة", "hamza"),
    ("حمزه", "hamza"),
    ("هادي", "hadi"),
    ("رضا", "reza"),
    ("محسن", "muhsin"),
    ("ماجد", "majid"),
    ("امين", "amin"),
    ("أمين", "amin"),
    ("امينة", "amina"),
    ("صالح", "salih"),
    ("منصور", "mansur"),
    ("نبيل", "nabil"),
    ("نادية", "nadia"),
    ("ليلى", "layla"),
    ("ليلا", "layla"),
    ("ياسمين", "yasmin"),
    ("زهرا", "zahra"),
    ("زهراء", "zahra"),
    ("عباس", "abbas"),
    ("جلال", "jalal"),
    ("غلام", "ghulam"),
    ("امير", "amir"),
    ("أمير", "amir"),
    ("عادل", "adil"),
    ("سمير", "samir"),
    ("سميرة", "samira"),
    ("كمال", "kamal"),
    ("جميل", "jamil"),
    ("جميلة", "jamila"),
    ("رشيد", "rashid"),
    ("منير", "munir"),
    ("نجيب", "najib"),
    ("انور", "anwar"),
    ("أنور", "anwar"),
    ("اسامة", "usama"),
    ("أسامة", "usama"),
    ("ياسر", "yasir"),
    ("عماد", "imad"),
    ("هشام", "hisham"),
    ("زياد", "ziyad"),
    ("فارس", "faris"),
    ("سلمان", "salman"),
    ("سلطان", "sultan"),
    ("فهد", "fahd"),
    ("نايف", "nayef"),
    ("تركي", "turki"),
    ("بدر", "badr"),
    ("منى", "muna"),
    ("هدى", "huda"),
    ("سارة", "sara"),
    ("ساره", "sara"),
    ("رقية", "ruqayya"),
    ("حليمة", "halima"),
    ("صفية", "safiya"),
    ("حسيني", "husayni"),
    ("رضائي", "rezai"),
    ("احمدي", "ahmadi"),
    ("محمدي", "muhammadi"),
    ("كاظم", "kazim"),
    ("جواد", "javad"),
    ("رسول", "rasul"),
    ("مجيد", "majid"),
    ("نبي", "nabi"),
    ("حبيب", "habib"),
    ("شريف", "sharif"),
    ("لطيف", "latif"),
    ("عزيزة", "aziza"),
    ("دين", "din"),
    ("شمس", "shams"),
    ("نصر", "nasr"),
    ("نصير", "nasir"),
    ("منذر", "mundhir"),
    ("وسيم", "wasim"),
    ("سعود", "saud"),
    ("فرح", "farah"),
    ("زهرة", "zahra"),
    ("آمنة", "amina"),
    ("امنة", "amina"),
)
#: Folded Arabic-script word -> canonical Latin.
ARABIC_NAMES: dict[str, str] = {_fold(a): b for a, b in _NAME_LIST}
# Compounds written as one word (mostly Persian): split into known names.
_COMPOUND_HEADS = ("محمد", "علي", "عبد", "امير", "غلام", "حسين", "ابو")


def _strip_article(word: str) -> str:
    if len(word) > 3 and word.startswith("ال"):
        return word[2:]
    return word


def arabic_tokens(text: str) -> list[str]:
    """Split into name words: article removed, ``عبدالرحمن`` -> ``عبد`` + ``رحمن``,
    Persian compounds such as ``محمدرضا`` split when both halves are known names.
    Particles such as ``آل`` (family) are dropped when other words remain."""
    out: list[str] = []
    for raw in text.split():
        word = _fold(raw)
        if word in ("آل", "ال"):
            continue
        bare = "".join(c for c in word if c not in _HARAKAT and c not in (_SHADDA, _SUKUN))
        if bare in ARABIC_NAMES:
            out.append(bare)
            continue
        if _strip_article(bare) in ARABIC_NAMES:
            out.append(_strip_article(bare))
            continue
        word = _strip_article(word)
        split_done = False
        for head in _COMPOUND_HEADS:
            if word.startswith(head) and len(word) > len(head) + 1 and word not in ARABIC_NAMES:
                rest = _strip_article(word[len(head) :])
                if head == "عبد" or rest in ARABIC_NAMES:
                    out.append(head)
                    out.append(rest)
                    split_done = True
                    break
        if not split_done:
            out.append(word)
    return out or text.split()


def _letters(word: str, scheme: str) -> str:
    table = _PERSIAN if scheme == "persian" else _ARABIC
    out: list[str] = []
    prev_is_consonant = False
    n = len(word)
    for i, ch in enumerate(word):
        if ch in _HARAKAT:
            out.append(_HARAKAT[ch])
            prev_is_consonant = False
            continue
        if ch == _SHADDA:
            if out:
                out.append(out[-1][-1:])
            continue
        if ch == _SUKUN:
            continue
        if ch == "و":
            if i == 0:
                out.append("v" if scheme == "persian" else "w")
                prev_is_consonant = True
            elif prev_is_consonant:
                out.append("o" if scheme == "persian" else "u")
                prev_is_consonant = False
            else:
                out.append("v" if scheme == "persian" else "w")
                prev_is_consonant = True
            continue
        if ch in ("ي", "ی"):
            if i == 0 or not prev_is_consonant:
                out.append("y")
                prev_is_consonant = True
            else:
                out.append("i")
                prev_is_consonant = False
            continue
        if ch in _LONG_VOWEL_LETTERS:
            out.append(table.get(ch, "a"))
            prev_is_consonant = False
            continue
        if ch == "ه" and i == n - 1 and i > 0:
            out.append("eh" if scheme == "persian" else "ah")
            continue
        rep = table.get(ch)
        if rep is None:
            continue
        out.append(rep)
        prev_is_consonant = bool(rep) or ch in "عءئؤ"
    return "".join(out)


@lru_cache(maxsize=32768)
def transliterate_arabic(text: str, scheme: str, use_names: bool = True) -> str:
    """Transliterate normalised Arabic-script text.  With ``use_names`` known
    names are replaced by their canonical vocalised Latin spelling."""
    words: list[str] = []
    for w in arabic_tokens(text):
        if use_names and w in ARABIC_NAMES:
            words.append(ARABIC_NAMES[w])
        else:
            rendered = _letters(w, scheme)
            if rendered:
                words.append(rendered)
    return " ".join(words)
