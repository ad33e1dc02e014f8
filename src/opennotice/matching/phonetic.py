"""Canonical spellings and a consonant-skeleton key for Latin name tokens.

* :func:`canonical_tokens` maps well-known spelling variants to one canonical
  token (Mohammed/Mohamed/Muhammad -> ``muhammad``; Hussein/Husayn -> ``husayn``),
  splits ``abdulrahman`` -> ``abd rahman`` and drops Arabic articles.
* :func:`skeleton` is a deliberately coarse phonetic key: digraphs folded
  (sch/sh/ch/tsch/zh/kh/ph/th/...), similar consonants merged (b/p, d/t, c/k/q/g,
  s/z, v/w/f...), vowels dropped, doubles collapsed.  It bridges transliteration
  schemes (``shcherbakov`` / ``scerbakov`` / ``schtscherbakow`` -> ``srpkv``) and
  the missing vowels of Arabic script (``mhmd`` == ``mohamed``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

__all__ = ["ARTICLES", "VARIANTS", "canonical_token", "canonical_tokens", "skeleton"]

#: canonical -> spelling variants (all ASCII, casefolded).
VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "muhammad": (
        "mohammed",
        "mohamed",
        "mohamad",
        "mohammad",
        "muhammed",
        "muhamed",
        "mohamud",
        "mahomed",
        "mouhamed",
        "mouhammad",
        "muhamad",
        "mehmet",
        "mehmed",
        "mohd",
        "muhammet",
        "mohammod",
        "mohummad",
        "muhamet",
        "mohamet",
        "mokhammed",
        "magomed",
        "mukhammad",
        "mamadou",
        "mamadu",
        "muhamadu",
        "mahamat",
        "mohammadou",
    ),
    "ahmad": ("ahmed", "ahmet", "ahamed", "akhmad", "akhmed", "ahmat"),
    "mahmud": ("mahmoud", "mahmood", "mehmood", "mahmut", "makhmud"),
    "husayn": (
        "hussein",
        "hussain",
        "husain",
        "hussien",
        "husein",
        "hossein",
        "houssein",
        "huseyin",
        "hussayn",
        "husseyn",
        "hosein",
        "hussen",
        "husen",
        "gusein",
    ),
    "hasan": ("hassan", "hasen", "hassen", "hacen", "gasan"),
    "ali": ("aly", "alee"),
    "umar": ("omar", "omer", "umer", "oumar", "omer"),
    "uthman": ("othman", "osman", "usman", "othmane", "ousmane", "osmane", "usmon"),
    "abd": (
        "abdel",
        "abdul",
        "abdal",
        "abdol",
        "abdou",
        "abdu",
        "abdoul",
        "abdur",
        "abdus",
        "abdi",
    ),
    "abdallah": ("abdullah", "abdulla", "abdellah", "abdollah", "abdillah", "abdoulaye", "abdula"),
    "yusuf": (
        "youssef",
        "yousef",
        "yusef",
        "yousuf",
        "youssouf",
        "yussuf",
        "yousif",
        "yusif",
        "yousof",
        "yousaf",
        "jusuf",
        "yusup",
        "yussef",
    ),
    "ibrahim": ("ebrahim", "ibraheem", "brahim", "ibrahima", "ebraheem", "ibragim"),
    "ismail": ("ismael", "esmail", "ismayil", "ismahil", "ismaeel", "smail"),
    "khalid": ("khaled", "khaleed", "halid", "haled", "khalied"),
    "said": ("saeed", "saied", "saaid", "saied", "sayeed"),
    "saad": ("saed", "saat"),
    "abu": ("abou", "abo", "aboo"),
    "bin": ("ben", "ibn", "bn", "bint"),
    "mustafa": ("mostafa", "moustafa", "mustapha", "mostapha", "moustapha", "mustefa"),
    "mahdi": ("mehdi", "mahdy"),
    "jafar": ("jaafar", "jaffar", "djafar", "jafer", "cafer"),
    "jamal": ("gamal", "jamel", "djamel", "cemal"),
    "karim": ("kareem", "kerim", "karime"),
    "rahman": ("rahmen", "rehman", "rahmane", "rachman"),
    "rahim": ("raheem", "rehim", "rakhim"),
    "fatima": ("fatimah", "fatma", "fatemeh", "fatme", "fadima", "fatime", "fatemah"),
    "aisha": ("aicha", "aysha", "ayesha", "aishah", "ayse", "aischa", "aiysha"),
    "khadija": ("khadijah", "khadidja", "hatice", "khadijeh", "kadiatou", "khadidsha"),
    "zaynab": ("zainab", "zeinab", "zaineb", "zeynep", "zainabu"),
    "maryam": ("mariam", "meryem", "maryem", "mariyam"),
    "nur": ("noor", "nour", "nurr"),
    "aziz": ("azeez", "azis"),
    "hamid": ("hameed", "hamed", "hamit"),
    "rashid": ("rasheed", "rached", "reshid", "rachid", "rashed", "rashit"),
    "salim": ("saleem", "selim", "salem"),
    "sulayman": (
        "suleiman",
        "sulaiman",
        "soliman",
        "suleyman",
        "slimane",
        "souleymane",
        "sulejman",
        "suleman",
        "sulaymon",
    ),
    "yahya": ("yahia", "yehia", "yahyaa", "yehya", "yahiya"),
    "zakariya": ("zakaria", "zakariyya", "zakariyah", "zakarya", "zekeriya"),
    "ayyub": ("ayoub", "ayub", "eyup", "ayoob", "ayyoub"),
    "bilal": ("belal",),
    "tariq": ("tarek", "tarik", "tareq", "tarique"),
    "walid": ("waleed", "oualid", "valid"),
    "faisal": ("faysal", "feisal", "faycal", "faisel"),
    "nasir": ("nasser", "naser", "nacer", "nassir", "nasr"),
    "qasim": ("kasim", "kassem", "qassem", "qasem", "gasim", "kassim", "casim"),
    "hamza": ("hamzah", "hamze", "hamzeh"),
    "reza": ("riza", "rida", "ridha", "redha"),
    "muhsin": ("mohsen", "mohsin", "muhsen"),
    "majid": ("majeed", "magid", "majed", "madjid", "mejid"),
    "amin": ("ameen", "emin", "amine"),
    "amina": ("aminah", "emine", "aminata", "ameena"),
    "salih": ("saleh", "saalih", "salah"),
    "mansur": ("mansour", "mansoor", "mansoer"),
    "nabil": ("nabeel",),
    "layla": ("leila", "laila", "leyla", "leilah", "laylah"),
    "yasmin": ("yasmine", "yasmeen", "jasmin", "yesmin"),
    "zahra": ("zahraa", "zehra", "zahrah"),
    "usama": ("osama", "ousama", "oussama", "usamah"),
    "yasir": ("yasser", "yaser", "yassir", "jasser"),
    "hisham": ("hesham", "hicham"),
    "ziyad": ("ziad", "ziyaad", "zied"),
    "javad": ("jawad", "djawad"),
    "kazim": ("kazem", "kadhim", "kadim", "kathem"),
    "habib": ("habeeb",),
    "sharif": ("shareef", "cherif", "sherif"),
    "latif": ("lateef", "latife"),
    "anwar": ("anouar", "enver", "anvar"),
    "imad": ("emad",),
    "adil": ("adel", "aadil"),
    "samir": ("sameer", "semir"),
    "munir": ("mounir", "muneer"),
    "najib": ("najeeb", "nagib"),
    "wasim": ("waseem", "wassim"),
    "saud": ("saoud",),
    "turki": ("torki",),
    "alexander": (
        "aleksandr",
        "alexandr",
        "oleksandr",
        "aleksander",
        "alexandre",
        "alessandro",
        "alejandro",
        "alexandros",
        "aleksandar",
        "iskander",
        "alyaksandr",
    ),
    "mikhail": ("michael", "mihail", "michail", "mykhailo", "mikhael", "michal", "mikail"),
    "yuri": ("yury", "yuriy", "iurii", "iouri", "juri", "jurij", "yurii", "yurij"),
    "sergei": ("sergey", "sergej", "sergiy", "serhii", "serhiy", "serguei", "sergii", "serge"),
    "dmitri": ("dmitry", "dmitriy", "dmitrii", "dmytro", "dimitri", "dimitrios", "dmitrij"),
    "andrei": ("andrey", "andrej", "andrii", "andriy", "andre", "andreas", "andrew"),
    "aleksei": ("alexey", "alexei", "aleksey", "oleksii", "oleksiy", "aleksej", "alexej"),
    "nikolai": ("nikolay", "nicolai", "mykola", "nikolaj", "nikolaos", "nicolas", "nikola"),
    "yevgeni": ("evgeny", "evgeniy", "yevgeny", "evgenii", "ievgen", "yevhen", "jewgeni", "eugene"),
    "yelena": ("elena", "olena", "jelena", "helena", "ielena"),
    "yekaterina": ("ekaterina", "kateryna", "katerina", "iekaterina", "jekaterina"),
    "ivan": ("iwan", "ivano"),
    "pyotr": ("petr", "piotr", "pyotor", "petro", "petros", "peter", "pierre", "pedro"),
    "georgi": ("georgy", "georgiy", "heorhii", "georgios", "george", "giorgi", "jorge", "georg"),
    "giorgos": ("yorgos", "yiorgos"),
    "ioannis": ("yannis", "giannis", "ioanis", "ioannes"),
}
#: Arabic articles and similar particles, dropped from canonical forms when
#: another token remains ("al-Hassan" -> "hasan").
ARTICLES: Final[frozenset[str]] = frozenset(
    {"al", "el", "ul", "il", "ad", "ar", "as", "ash", "at", "az", "an", "ud", "aal"}
)

_CANON: Final[dict[str, str]] = {v: k for k, vs in VARIANTS.items() for v in vs}
for _k in VARIANTS:
    _CANON[_k] = _k
_ABD_PREFIXES: Final[tuple[str, ...]] = (
    "abdul",
    "abdel",
    "abdal",
    "abdol",
    "abdoul",
    "abdur",
    "abdus",
    "abdou",
    "abdu",
    "abd",
)


def canonical_token(token: str) -> str:
    """Canonical spelling of one ASCII token (identity for unknown tokens)."""
    return _CANON.get(token, token)


@lru_cache(maxsize=131072)
def canonical_tokens(token: str) -> tuple[str, ...]:
    """Canonical token(s) for one ASCII token, splitting ``abd`` compounds."""
    if token in _CANON:
        return (_CANON[token],)
    if token.startswith("abd") and len(token) > 6:
        for pre in _ABD_PREFIXES:
            if token.startswith(pre) and len(token) - len(pre) >= 3:
                rest = token[len(pre) :]
                if rest.startswith(("al", "el", "ul", "ar", "ur")) and len(rest) > 5:
                    rest = rest[2:]
                return ("abd", _CANON.get(rest, rest))
    return (token,)


_DIGRAPHS: Final[tuple[tuple[str, str], ...]] = (
    ("schtsch", "S"),
    ("shtch", "S"),
    ("chtch", "S"),
    ("szcz", "S"),
    ("shch", "S"),
    ("sch", "S"),
    ("cz", "J"),
    ("sz", "S"),
    ("tsch", "J"),
    ("tch", "J"),
    ("tsh", "J"),
    ("dzh", "J"),
    ("dj", "J"),
    ("zh", "J"),
    ("ch", "J"),
    ("sh", "S"),
    ("kh", "H"),
    ("gh", "K"),
    ("ph", "F"),
    ("th", "T"),
    ("dh", "T"),
    ("ck", "K"),
    ("ks", "X"),
    ("cs", "X"),
    ("ts", "Z"),
    ("tz", "Z"),
)
_CLASS: Final[dict[str, str]] = {
    "b": "p",
    "p": "p",
    "d": "t",
    "t": "t",
    "T": "t",
    "c": "k",
    "k": "k",
    "q": "k",
    "g": "k",
    "K": "k",
    "s": "s",
    "z": "s",
    "Z": "s",
    "S": "s",
    "j": "j",
    "J": "j",
    "v": "v",
    "w": "v",
    "f": "f",
    "F": "f",
    "h": "h",
    "H": "h",
    "x": "x",
    "X": "x",
    "l": "l",
    "r": "r",
    "m": "m",
    "n": "n",
    "N": "n",
}


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Coarse consonant skeleton of an ASCII token (see module docstring)."""
    s = token
    if len(s) > 2 and s.endswith(("ah", "eh")):
        s = s[:-1]
    for pat, rep in _DIGRAPHS:
        if pat in s:
            s = s.replace(pat, rep)
    out: list[str] = []
    for ch in s:
        cls = _CLASS.get(ch)
        if cls is None:
            continue
        if out and out[-1] == cls:
            continue
        out.append(cls)
    if not out:
        return "_" + token[:3]
    return "".join(out)
