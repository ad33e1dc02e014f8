"""Latin candidate forms of a name, through several transliteration schemes.

A name (family + given names, or a full-name alias, in any script) becomes a
small list of :class:`NameForm`.  Each form is a sequence of :class:`Part`
(one per name word, in family-first order); each part carries *all* the
Latin spellings of that word produced by the applicable schemes
(e.g. ``Щербаков`` -> ``shcherbakov`` (ICAO/BGN), ``scerbakov`` (GOST),
``schtscherbakow`` (German), ``chtcherbakov`` (French), ...), so the number of
forms stays small while the spelling alternatives are all available to the
scorer and to the index.
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache
from typing import Final

from anyascii import anyascii

from ._arabic import ARABIC_NAMES, arabic_tokens, is_arabic, transliterate_arabic
from ._cyrillic import CYRILLIC_SCHEMES, is_cyrillic, transliterate_cyrillic
from ._greek import GREEK_SCHEMES, is_greek, transliterate_greek
from ._han import han_to_pinyin, is_han, pinyin_to_wade_giles, split_pinyin, wade_giles_to_pinyin
from ._hangul import HANGUL_SCHEMES, KOREAN_SURNAMES, is_hangul, transliterate_hangul
from .normalize import latin_variants, normalize_text
from .phonetic import ARTICLES, canonical_tokens, skeleton

__all__ = [
    "ROLE_FAMILY",
    "ROLE_GIVEN",
    "ROLE_MIDDLE",
    "ROLE_UNKNOWN",
    "AltsInfo",
    "NameForm",
    "Part",
    "alts_info",
    "build_forms",
    "build_query_forms",
    "detect_script",
    "name_forms",
]

ROLE_FAMILY: Final = 0
ROLE_GIVEN: Final = 1
ROLE_MIDDLE: Final = 2
ROLE_UNKNOWN: Final = 3

#: Weights of a part in the name coverage (see ``scoring``): a middle name and
#: an initial count less than a family or first given name.
MIDDLE_WEIGHT: Final = 0.35
INITIAL_WEIGHT: Final = 0.5

_HAN_COMPOUND_SURNAMES: Final = frozenset(
    {
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "令狐",
        "慕容",
        "公孙",
        "夏侯",
        "尉迟",
        "长孙",
        "宇文",
        "司徒",
        "端木",
        "万俟",
        "单于",
        "歐陽",
        "司馬",
        "諸葛",
        "東方",
    }
)


#: What the scorer reads of a part's spellings: (is an initial, the set of spellings, the set of
#: their skeletons, the first six spellings with their lengths, their first letters).
AltsInfo = tuple[bool, frozenset[str], frozenset[str], tuple[tuple[str, int], ...], frozenset[str]]


@lru_cache(maxsize=1 << 18)
def alts_info(alts: tuple[str, ...]) -> AltsInfo:
    """The scorer's view of a part's spellings (computed once per distinct spellings)."""
    return (
        all(len(a) == 1 for a in alts),
        frozenset(alts),
        frozenset(skeleton(a) for a in alts),
        tuple((a, len(a)) for a in alts[:6]),
        frozenset(a[0] for a in alts),
    )


#: Serial numbers of parts: never reused, so a memo keyed by them cannot confuse two parts.
_PART_SERIALS: Final = itertools.count()


class Part:
    """One name word: its Latin spellings (canonical first) and their schemes.

    Immutable by convention (nothing assigns to a part after ``__init__``). A plain class
    rather than a frozen dataclass: a dataclass's generated ``__init__`` stays interpreted
    Python even when this module is compiled, and parts are made for every query.
    """

    __slots__ = (
        "alts",
        "info",
        "initials",
        "is_initial",
        "key_prefixes",
        "role",
        "schemes",
        "serial",
        "skeletons",
        "source",
        "weight",
    )

    #: True for an initial ("J"): every spelling is one letter (derived).
    is_initial: bool
    #: Weight in the name coverage (derived from role and ``is_initial``).
    weight: float
    #: :func:`alts_info` of ``alts`` (derived: the scorer reads it for every comparison).
    info: AltsInfo
    #: Serial number of this part object (derived; the scorer's memo of similarities).
    serial: int
    #: ``skeleton + "|"`` of each skeleton: the start of the part's blocking keys (derived).
    key_prefixes: tuple[str, ...]

    def __init__(
        self,
        alts: tuple[str, ...],
        schemes: tuple[str, ...],
        role: int,
        source: str,
        skeletons: frozenset[str],
        initials: frozenset[str],
    ) -> None:
        self.alts = alts
        self.schemes = schemes
        self.role = role
        self.source = source
        self.skeletons = skeletons
        self.initials = initials
        info = alts_info(alts)
        initial = info[0]
        self.is_initial = initial
        self.weight = INITIAL_WEIGHT if initial else MIDDLE_WEIGHT if role == ROLE_MIDDLE else 1.0
        self.info = info
        self.serial = next(_PART_SERIALS)
        self.key_prefixes = tuple([sk + "|" for sk in skeletons])

    def __repr__(self) -> str:
        return f"Part(alts={self.alts!r}, role={self.role}, source={self.source!r})"


class NameForm:
    """One reading of a name: its parts in family-first order.

    Compared and hashed by identity: forms are built once per name and shared (cached), so
    records with the same name hold the same forms, and the scorer can remember a name's
    score per query cheaply (see NameIndex.search). Immutable by convention, except the
    scorer's memo of merged-parts variants (a plain class for the reason given on
    :class:`Part`).
    """

    __slots__ = (
        "alts",
        "concat_family_first",
        "concat_given_first",
        "merged_memo",
        "origin",
        "parts",
        "script",
        "serials",
        "total_weight",
        "weights",
    )

    #: Per part: spellings, serial numbers and weights, and the total weight (derived, for
    #: scoring).
    alts: tuple[tuple[str, ...], ...]
    serials: tuple[int, ...]
    weights: tuple[float, ...]
    total_weight: float
    #: Memo of the scorer's merged-parts variants (computed on first use).
    merged_memo: tuple[NameForm, ...] | None
    #: ``concat(False)`` and ``concat(True)`` (derived: the scorer and the
    #: blocking keys read them for every comparison).
    concat_family_first: str
    concat_given_first: str

    def __init__(self, parts: tuple[Part, ...], origin: str, script: str) -> None:
        self.parts = parts
        self.origin = origin  # "name" | "original" | "alias:<n>" | "query"
        self.script = script
        self.alts = tuple([p.alts for p in parts])
        self.serials = tuple([p.serial for p in parts])
        weights = tuple([p.weight for p in parts])
        self.weights = weights
        self.total_weight = sum(weights)
        self.merged_memo = None
        fam = "".join([p.alts[0] for p in parts if p.role == ROLE_FAMILY])
        rest = "".join([p.alts[0] for p in parts if p.role != ROLE_FAMILY])
        self.concat_family_first = fam + rest
        self.concat_given_first = rest + fam

    def __repr__(self) -> str:
        return f"NameForm({self.display!r}, origin={self.origin!r}, script={self.script!r})"

    @property
    def display(self) -> str:
        return " ".join(p.alts[0] for p in self.parts)

    def concat(self, given_first: bool) -> str:
        """The canonical spellings joined, family parts first (or last)."""
        return self.concat_given_first if given_first else self.concat_family_first


def _script_of_char(ch: str) -> str:
    if "a" <= ch <= "z" or ch.isascii():
        return "latin"
    if is_han(ch):
        return "han"
    if is_hangul(ch):
        return "hangul"
    if is_cyrillic(ch):
        return "cyrillic"
    if is_arabic(ch):
        return "arabic"
    if is_greek(ch):
        return "greek"
    if unicodedata.category(ch).startswith("M"):
        return ""
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return "latin"
    return "other"


@lru_cache(maxsize=65536)
def detect_script(word: str) -> str:
    """Dominant script of a word: latin, han, hangul, cyrillic, arabic, greek or other."""
    if word.isascii():
        return "latin"
    counts: dict[str, int] = {}
    for ch in word:
        s = _script_of_char(ch)
        if s:
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return "latin"
    return max(counts.items(), key=lambda kv: kv[1])[0]


_KOREAN_SPELLING_GROUPS: Final[dict[str, tuple[str, ...]]] = {}
for _spellings in KOREAN_SURNAMES.values():
    for _sp in _spellings:
        prev = _KOREAN_SPELLING_GROUPS.get(_sp, ())
        _KOREAN_SPELLING_GROUPS[_sp] = prev + tuple(x for x in _spellings if x not in prev)


def _add(alts: list[tuple[str, str]], spelling: str, scheme: str) -> None:
    if spelling and all(spelling != a for a, _ in alts):
        alts.append((spelling, scheme))


@lru_cache(maxsize=65536)
def _wade_giles_alternatives(word: str) -> tuple[str, ...]:
    """Pinyin readings of a word that parses as Wade-Giles syllables (<= 3)."""
    sylls = split_pinyin(word, wade_giles=True)
    if sylls is None or len(sylls) > 3:
        return ()
    table = wade_giles_to_pinyin()
    combos: list[str] = [""]
    for s in sylls:
        options = table.get(s, ())[:3]
        if not options:
            return ()
        combos = [c + o for c in combos for o in options][:6]
    return tuple(c for c in combos if c != word)


def _latin_word(word: str, role: int) -> list[list[tuple[str, str]]]:
    """Latin word -> one or more positions (abd-compounds split) of (spelling, scheme)."""
    variants = latin_variants(word)
    if not variants:
        return []
    primary = canonical_tokens(variants[0])
    if len(primary) > 1:
        return [[(t, "variant-table")] for t in primary]
    alts: list[tuple[str, str]] = []
    canon = primary[0]
    if canon != variants[0]:
        _add(alts, canon, "variant-table")
    _add(alts, variants[0], "latin" if variants[0] == word else "latin-folded")
    for v in variants[1:]:
        _add(alts, v, "latin-expanded")
        c = canonical_tokens(v)
        if len(c) == 1:
            _add(alts, c[0], "variant-table")
    if role in (ROLE_FAMILY, ROLE_UNKNOWN):
        for sp in _KOREAN_SPELLING_GROUPS.get(variants[0], ())[:6]:
            _add(alts, sp, "korean-surname")
    if len(variants[0]) >= 2:
        for py in _wade_giles_alternatives(variants[0]):
            _add(alts, py, "wade-giles->pinyin")
    return [alts]


def _cyrillic_word(word: str) -> list[tuple[str, str]]:
    alts: list[tuple[str, str]] = []
    for scheme in CYRILLIC_SCHEMES:
        t = transliterate_cyrillic(word, scheme)
        for v in latin_variants(t):
            c = canonical_tokens(v)
            if len(c) == 1 and c[0] != v:
                _add(alts, c[0], "variant-table")
            _add(alts, v, "cyrillic-" + scheme)
    return alts


def _greek_word(word: str) -> list[tuple[str, str]]:
    alts: list[tuple[str, str]] = []
    for scheme in GREEK_SCHEMES:
        t = transliterate_greek(word, scheme)
        for v in latin_variants(t):
            c = canonical_tokens(v)
            if len(c) == 1 and c[0] != v:
                _add(alts, c[0], "variant-table")
            _add(alts, v, "greek-" + scheme)
    return alts


def _arabic_word(word: str) -> list[tuple[str, str]]:
    alts: list[tuple[str, str]] = []
    if word in ARABIC_NAMES:
        _add(alts, ARABIC_NAMES[word], "arabic-name-table")
    for scheme in ("arabic", "persian"):
        _add(alts, transliterate_arabic(word, scheme, False).replace(" ", ""), scheme + "-letters")
    return alts


def _han_word(word: str, role: int) -> tuple[list[tuple[str, str]], list[list[tuple[str, str]]]]:
    """Han word -> (joined alternatives, per-syllable alternatives)."""
    readings = han_to_pinyin(word, surname=role == ROLE_FAMILY)
    joined: list[tuple[str, str]] = []
    for seq in readings:
        _add(joined, "".join(seq), "pinyin")
    for seq in readings:
        _add(joined, "".join(pinyin_to_wade_giles(s) for s in seq), "wade-giles")
    per_syll: list[list[tuple[str, str]]] = []
    base = readings[0]
    for i in range(len(base)):
        pos: list[tuple[str, str]] = []
        for seq in readings:
            if i < len(seq):
                _add(pos, seq[i], "pinyin")
        for seq in readings:
            if i < len(seq):
                _add(pos, pinyin_to_wade_giles(seq[i]), "wade-giles")
        per_syll.append(pos)
    return joined, per_syll


def _hangul_word(word: str, role: int) -> tuple[list[tuple[str, str]], list[list[tuple[str, str]]]]:
    joined: list[tuple[str, str]] = []
    if role == ROLE_FAMILY and word in KOREAN_SURNAMES:
        for sp in KOREAN_SURNAMES[word]:
            _add(joined, sp, "korean-surname")
    for scheme in HANGUL_SCHEMES:
        _add(joined, transliterate_hangul(word, scheme), "hangul-" + scheme)
    per_syll: list[list[tuple[str, str]]] = []
    if len(word) > 1:
        for ch in word:
            pos: list[tuple[str, str]] = []
            for scheme in HANGUL_SCHEMES:
                _add(pos, transliterate_hangul(ch, scheme), "hangul-" + scheme)
            per_syll.append(pos)
    return joined, per_syll


def _make_part(alts: list[tuple[str, str]], role: int, source: str) -> Part:
    spellings = tuple(a for a, _ in alts)
    skels = frozenset(skeleton(a) for a in spellings)
    inits = frozenset([a[0] for a in spellings] + [s[0] for s in skels if not s.startswith("_")])
    return Part(spellings, tuple(s for _, s in alts), role, source, skels, inits)


@lru_cache(maxsize=1 << 17)
def _latin_parts(word: str, role: int) -> tuple[Part, ...]:
    """Parts of one Latin word (cached: words repeat across names)."""
    return tuple(_make_part(pos, role, word) for pos in _latin_word(word, role))


@lru_cache(maxsize=1 << 17)
def _script_parts(word: str, role: int, wscript: str) -> tuple[Part | None, tuple[Part, ...]]:
    """The part of one non-Latin word (all its schemes) and, for a Han or Hangul given name
    of several syllables, one part per syllable (else empty). Cached: words repeat across
    names, and transliterating one through every scheme is the costly step."""
    if wscript in ("han", "hangul"):
        joined, per_syll = _han_word(word, role) if wscript == "han" else _hangul_word(word, role)
        _add(joined, anyascii(word).lower().replace(" ", ""), "anyascii")
        jp = _make_part(joined, role, word)
        if len(per_syll) > 1 and role != ROLE_FAMILY:
            return jp, tuple(_make_part(pos, role, word) for pos in per_syll)
        return jp, ()
    if wscript == "cyrillic":
        alts = _cyrillic_word(word)
    elif wscript == "greek":
        alts = _greek_word(word)
    elif wscript == "arabic":
        alts = _arabic_word(word)
    else:
        alts = []
    asc = "".join(ch for ch in anyascii(word).lower() if ch.isalnum())
    _add(alts, asc, "anyascii")
    return (_make_part(alts, role, word) if alts else None), ()


def _split_full_name(text: str) -> tuple[str, str] | None:
    """Family/given split for an unspaced Han or Hangul full name."""
    if " " in text or len(text) < 2:
        return None
    script = detect_script(text)
    if script == "han":
        k = 2 if text[:2] in _HAN_COMPOUND_SURNAMES and len(text) > 2 else 1
        return text[:k], text[k:]
    if script == "hangul":
        k = 2 if text[:2] in KOREAN_SURNAMES and len(text) > 3 else 1
        return text[:k], text[k:]
    return None


def _words_with_roles(family: str, given: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    fam_words = family.split()
    giv_words = given.split()
    role_for_family = ROLE_FAMILY if giv_words or fam_words else ROLE_UNKNOWN
    for w in fam_words:
        out.append((w, role_for_family))
    for i, w in enumerate(giv_words):
        out.append((w, ROLE_GIVEN if i == 0 else ROLE_MIDDLE))
    return out


@lru_cache(maxsize=65536)
def _forms_cached(family: str, given: str, origin: str) -> tuple[NameForm, ...]:
    """:func:`_forms_of`, cached: records with the same name share their forms."""
    return _forms_of(family, given, origin)


def _forms_of(family: str, given: str, origin: str) -> tuple[NameForm, ...]:
    words = _words_with_roles(family, given)
    if not words:
        return ()
    joined_parts: list[Part] = []
    split_parts: list[Part] = []
    has_split = False
    nonlatin = False
    for word, role in words:
        wscript = detect_script(word)
        if wscript == "latin":
            for p in _latin_parts(word, role):
                joined_parts.append(p)
                split_parts.append(p)
            continue
        nonlatin = True
        joined_part, syllables = _script_parts(word, role, wscript)
        if joined_part is None:
            continue
        joined_parts.append(joined_part)
        if syllables:
            has_split = True
            split_parts.extend(syllables)
        else:
            split_parts.append(joined_part)

    # Articles (al-, el-) dropped when something else remains.
    def strip(parts: list[Part]) -> tuple[Part, ...]:
        # an article is dropped only when followed by a word of the same field
        kept = [
            p
            for i, p in enumerate(parts)
            if not (
                p.alts[0] in ARTICLES
                and i + 1 < len(parts)
                and (parts[i + 1].role == ROLE_FAMILY) == (p.role == ROLE_FAMILY)
            )
        ]
        return tuple(kept)

    # The whole name's script, read only when a word is not Latin (it is then the form's).
    script = detect_script(family + given) if nonlatin else "latin"
    forms = [NameForm(strip(joined_parts), origin, script)]
    if has_split:
        forms.append(NameForm(strip(split_parts), origin, script))
    return tuple(f for f in forms if f.parts)


def _prepare_arabic(text: str) -> str:
    # ASCII is never Arabic: spares the script cache a new entry for every name
    if not text.isascii() and detect_script(text) == "arabic":
        return " ".join(arabic_tokens(text))
    return text


def _prepared_name(name: str | None) -> str:
    return _prepare_arabic(normalize_text(name or ""))


def build_forms(
    family: str | None, given: str | None, origin: str = "name"
) -> tuple[NameForm, ...]:
    """Forms for a family/given pair (any script).  ``family`` may hold a whole
    name when ``given`` is None (aliases: pass the alias as ``family`` with
    origin ``alias:*``; its words get the UNKNOWN role)."""
    fam, giv = _prepared_name(family), _prepared_name(given)
    if origin.startswith("alias"):
        split = _split_full_name(fam)
        if split is not None:
            return _forms_cached(split[0], split[1], origin)
        return _forms_cached("", fam, origin) if fam else ()
    return _forms_cached(fam, giv, origin)


def build_query_forms(family: str | None, given: str | None) -> tuple[NameForm, ...]:
    """``build_forms(family, given, "query")`` without its cache, for a caller that caches
    what it derives from the forms as well (most names of a large batch are new, and each
    cache a new name misses costs a lookup, an insertion and an eviction)."""
    return _forms_of(_prepared_name(family), _prepared_name(given), "query")


def name_forms(family: str | None, given: str | None = None, *, limit: int = 64) -> list[str]:
    """Latin candidate spellings of a name (family-first and given-first orders).

    ``name_forms("王", "小明")`` contains ``"wang xiaoming"``, ``"wang xiao ming"``,
    ``"wang hsiaoming"``, ``"xiaoming wang"``...  Useful for detecting a
    re-submission of the same person under another spelling.
    """
    out: list[str] = []
    seen: set[str] = set()

    def push(s: str) -> None:
        if s and s not in seen and len(out) < limit:
            seen.add(s)
            out.append(s)

    forms = build_forms(family, given)
    for form in forms:
        n_alts = max((len(p.alts) for p in form.parts), default=0)
        for k in range(n_alts):
            fam = [p.alts[min(k, len(p.alts) - 1)] for p in form.parts if p.role == ROLE_FAMILY]
            rest = [p.alts[min(k, len(p.alts) - 1)] for p in form.parts if p.role != ROLE_FAMILY]
            push(" ".join(fam + rest))
            push(" ".join(rest + fam))
    for form in forms:
        for p in form.parts:
            for a in p.alts:
                others_f = [q.alts[0] if q is not p else a for q in form.parts]
                push(" ".join(others_f))
    return out
