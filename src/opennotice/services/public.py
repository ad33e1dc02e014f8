"""The public face: public extracts in the format of INTERPOL's public notices web service.

Only public extracts leave through here: notices (never diffusions) that are issued, not
provisionally blocked, not restricted from any member, whose requester asked for a public extract
(UN Special Notices always are), of a type the format knows (red, yellow, UN), still valid
(`valid_until >= today`), with their data not purged. A notice that fails any of these is not
merely hidden: it is absent, so no answer (404, a count, a filter) can reveal that it exists.

Reads are public and carry no personal data beyond what the requester chose to publish, so they
are not audited. They are served from an in-memory catalogue of the public extracts, kept current
by the `index_changes` feed (polled every `settings.index_poll_seconds`), the photos table (photo
uploads do not write to the feed) and the in-process listener hook (`ctx.listeners`). Each query
filters that catalogue in memory; the database is only read for images.

The format (see `shared/domain.md`, last section): lists under `/notices/v1/{red,yellow,
un/persons,un/entities}` never yield more than 160 results; `total` is the true count; links are
computed on min(total, 160) and written `?&filter=value&resultPerPage=N&page=P` (the leading `&`
and `page` last, as the original writes them: some clients read the last page number off the end
of the `last` link); a page past the cap is clamped to the last page and `query.page` rewritten.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import math
import random
import re
import struct
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import re2
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opennotice.collector import collector_paused
from opennotice.domain.content import RequestContent
from opennotice.domain.types import Kind, NoticeType, Status
from opennotice.errors import NotFound, OpenNoticeError, ValidationFailed
from opennotice.store.tables import IndexChange, Notice, Photo

from .context import AppContext

# --- the format's constants (kept as data a maintainer can change) ----------------------------

MAX_RESULTS = 160  # no query yields more, whatever `page` and `resultPerPage` say
DEFAULT_PER_PAGE = 20
MAX_PATTERN_LENGTH = 100  # longest regular expression accepted in a name filter
MAX_TEXT_LENGTH = 200  # longest plain-text filter
MAX_AGE = 200  # ages asked beyond this are refused (422)
# RE2 memory budget per compiled pattern: a pattern whose program would be larger is refused.
RE2_MAX_MEM = 1 << 20
# What makes a name filter a regular expression rather than plain text.
_REGEX_MARKERS = frozenset("^$.*+?[](){}|\\")
PUBLIC_TYPES = (NoticeType.RED, NoticeType.YELLOW, NoticeType.UN)


class PublicKind(StrEnum):
    """The four collections of the public service, by their URL path."""

    RED = "red"
    YELLOW = "yellow"
    UN_PERSONS = "un/persons"
    UN_ENTITIES = "un/entities"


class PatternRefused(OpenNoticeError):
    """A filter the public service will not run (400)."""

    status = 400
    type_slug = "pattern-refused"
    title = "Search pattern refused"


# --- how names are compared ----------------------------------------------------------------------

_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "TH", "ð": "d",
        "Ð": "D", "ħ": "h", "Ħ": "H",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: 'Müller-Łęcka' -> 'muller lecka'."""
    # Case first: some letters change length with case ('ᾲ'.upper() is 'ᾺΙ'); letters that do
    # not decompose ('ø', 'ł', 'æ') are replaced once their accents are gone ('ǿ' -> 'ø' -> 'o').
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.translate(_SPECIAL_LETTERS)
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", bare).casefold()).strip()


_LINE_BREAKS = str.maketrans({"\n": " ", "\r": " "})


@dataclass(frozen=True, slots=True)
class Folded:
    """A text as the filters see it: as written (upper case, for patterns), folded, and folded
    without spaces (so that 'oconnell' finds "O'CONNELL" and 'vanderberg' "VAN DER BERG")."""

    raw: str
    words: str
    compact: str

    @classmethod
    def of(cls, text: str | None) -> Folded:
        words = fold(text or "")
        return cls((text or "").translate(_LINE_BREAKS).upper(), words, words.replace(" ", ""))


def is_pattern(value: str) -> bool:
    return any(c in _REGEX_MARKERS for c in value)


def _re2_options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.never_nl = True  # a match never spans two names of the search blob
    options.log_errors = False  # RE2 would print the pattern (maybe a name) to stderr
    options.max_mem = RE2_MAX_MEM
    return options


def _refusal(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    if "repetition" in text:
        return (
            "a repetition count is too large (at most 1000, and the whole pattern must stay small)"
        )
    if "perl operator" in text or "escape sequence" in text:
        return "look-arounds and back-references are not supported (patterns run on RE2)"
    if "pattern too large" in text or "program" in text:
        return "the pattern is too complex"
    return "it is not a valid regular expression"


@dataclass(frozen=True, slots=True)
class Blob:
    """The texts of one field of every entry of a collection, one per line, searched in one
    pass by `str.find` or RE2 instead of one call per entry."""

    text: str  # folded, without spaces
    starts: list[int]
    raw: bytes  # as written, UTF-8 (for patterns)
    raw_starts: list[int]
    upper: bytes  # folded, upper case, UTF-8 (for patterns, accent-free)
    upper_starts: list[int]

    @classmethod
    def of(cls, texts: Sequence[Folded]) -> Blob:
        def joined(lines: list[str]) -> tuple[str, list[int]]:
            starts, at = [], 0
            for line in lines:
                starts.append(at)
                at += len(line) + 1
            return "\n".join(lines), starts

        def joined_bytes(lines: list[str]) -> tuple[bytes, list[int]]:
            encoded = [line.encode() for line in lines]
            starts, at = [], 0
            for line in encoded:
                starts.append(at)
                at += len(line) + 1
            return b"\n".join(encoded), starts

        text, starts = joined([t.compact for t in texts])
        raw, raw_starts = joined_bytes([t.raw for t in texts])
        upper, upper_starts = joined_bytes([t.words.upper() for t in texts])
        return cls(text, starts, raw, raw_starts, upper, upper_starts)


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


@dataclass(frozen=True, slots=True)
class TextFilter:
    """A filter on a name: plain text (case, accents, order and punctuation forgiven, partial
    words: every word must occur) or a regular expression in RE2 syntax (linear time), searched
    case-insensitively in the name as written and in its accent-free form."""

    tokens: tuple[str, ...] = ()
    regex: Any = None  # compiled RE2 (bytes, multi-line), or None for plain text

    def __call__(self, target: Folded) -> bool:
        """Does one text pass? (The collection-wide search is `lines`.)"""
        if self.regex is not None:
            return bool(
                self.regex.search(target.raw.encode())
                or self.regex.search(target.words.upper().encode())
            )
        return all(t in target.compact for t in self.tokens)

    def lines(self, blob: Blob) -> set[int]:
        """The line numbers (entries) of `blob` that pass."""
        if self.regex is not None:
            return _regex_lines(self.regex, blob.raw, blob.raw_starts) | _regex_lines(
                self.regex, blob.upper, blob.upper_starts
            )
        found: set[int] | None = None
        for token in sorted(self.tokens, key=len, reverse=True):  # rarest first, as a rule
            hits = _find_lines(blob.text, blob.starts, token)
            found = hits if found is None else found & hits
            if not found:
                return set()
        return found if found is not None else set(range(len(blob.starts)))


def _find_lines(text: str, starts: list[int], token: str) -> set[int]:
    out: set[int] = set()
    find, pos, n = text.find, 0, len(starts)
    while (at := find(token, pos)) >= 0:
        line = _line_of(starts, at)
        out.add(line)
        pos = starts[line + 1] if line + 1 < n else len(text)
    return out


def _regex_lines(regex: Any, data: bytes, starts: list[int]) -> set[int]:
    out: set[int] = set()
    pos, n, end = 0, len(starts), len(data)
    while pos <= end and (m := regex.search(data, pos)) is not None:
        line = _line_of(starts, m.start())
        out.add(line)
        pos = starts[line + 1] if line + 1 < n else end + 1
    return out


def text_test(param: str, value: str, *, allow_pattern: bool = True) -> TextFilter:
    """Read a name filter; refuses (400) a pattern it will not run."""
    if allow_pattern and is_pattern(value):
        if len(value) > MAX_PATTERN_LENGTH:
            raise PatternRefused(
                f"'{param}': a regular expression may be at most {MAX_PATTERN_LENGTH} characters"
            )
        try:
            regex = re2.compile(b"(?m)" + value.encode(), _re2_options())
        except re2.error as exc:
            raise PatternRefused(
                f"'{param}' was read as a regular expression and refused: "
                f"{_refusal(exc.args[0] if exc.args else '')}"
            ) from None
        return TextFilter(regex=regex)
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationFailed(f"'{param}' may be at most {MAX_TEXT_LENGTH} characters")
    return TextFilter(tokens=tuple(fold(value).split()))


# --- the catalogue entries ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoRef:
    id: int
    content_type: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One public extract: its filterable facts and its detail document (without links)."""

    entity_id: str
    kind: PublicKind
    order: tuple[int, int]  # newest first: (year, serial), sorted descending
    valid_until: dt.date
    name: str | None
    forename: str | None
    date_of_birth: str | None
    birth: tuple[int, int, int] | None
    nationalities: tuple[str, ...]
    sex: str | None
    warrant_countries: frozenset[str]
    un_reference: str | None
    un_resolution: str | None
    name_text: Folded
    forename_text: Folded
    free_text: Folded
    photos: tuple[PhotoRef, ...]
    detail: dict[str, Any]

    @property
    def url_id(self) -> str:
        return self.entity_id.replace("/", "-")

    def age(self, today: dt.date) -> int | None:
        """Age in whole years; a partial date of birth counts from its first possible day."""
        if self.birth is None:
            return None
        year, month, day = self.birth
        return today.year - year - ((today.month, today.day) < (month, day))


def _public_date(value: str | None) -> str | None:
    """'YYYY-MM-DD' -> 'YYYY/MM/DD'; 'YYYY' or 'YYYY-MM' -> 'YYYY' (the format knows no months)."""
    if not value:
        return None
    parts = value.split("-")
    return "/".join(parts) if len(parts) == 3 else parts[0]


def _birth(value: str | None) -> tuple[int, int, int] | None:
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 3)


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value and value.strip() else None


def is_entity(content: RequestContent) -> bool:
    """A UN Special Notice names an entity (not a person) when its subject has no given names,
    no date of birth, no sex and no body description: our request format has no separate field."""
    s = content.subject
    return not (s.given_names or s.date_of_birth or s.sex or s.height_m or s.weight_kg)


def public_kind(notice_type: str, content: RequestContent) -> PublicKind | None:
    if notice_type == NoticeType.RED:
        return PublicKind.RED
    if notice_type == NoticeType.YELLOW:
        return PublicKind.YELLOW
    if notice_type == NoticeType.UN:
        return PublicKind.UN_ENTITIES if is_entity(content) else PublicKind.UN_PERSONS
    return None


def is_public(notice: Notice, today: dt.date) -> bool:
    """The one rule for what may leave through the public service (fail closed)."""
    return (
        notice.kind == Kind.NOTICE.value
        and notice.status == Status.ISSUED.value
        and not notice.blocked
        and bool(notice.public_extract)
        and not (notice.restricted_from or [])
        and notice.type in {t.value for t in PUBLIC_TYPES}
        and notice.content is not None
        and notice.valid_until is not None
        and notice.valid_until >= today
    )


def _order(entity_id: str) -> tuple[int, int]:
    year, _, serial = entity_id.partition("/")
    return (int(year), int(serial))


def build_entry(notice: Notice, photos: Sequence[PhotoRef]) -> Entry | None:
    """Map a stored request to its public extract; None if it cannot be published."""
    if notice.content is None or notice.valid_until is None:
        return None
    data = dict(notice.content)
    data["visibility"] = {"public_extract": True, "restricted_from": []}
    try:
        content = RequestContent.model_validate(data)
    except ValidationError:
        return None  # never publish what no longer validates
    kind = public_kind(notice.type, content)
    if kind is None:
        return None
    s = content.subject
    family = _upper(s.family_name) or _upper(s.original_family_name)
    given = _upper(s.given_names)
    name, forename = (family, given) if family else (given, None)
    entity = kind == PublicKind.UN_ENTITIES
    dob = None if entity else _public_date(s.date_of_birth)
    nationalities = list(s.nationalities)
    # Only a Red Notice publishes its charges (and so who issued the warrant).
    warrants = [
        {
            "charge": f"{c.description} ({c.legal_provision})",
            "charge_translation": None,
            "issuing_country_id": notice.requester,
        }
        for c in (content.charges if kind == PublicKind.RED else [])
    ]
    detail: dict[str, Any] = {
        "entity_id": notice.id,
        "name": name,
        "forename": forename,
        "date_of_birth": dob,
        "place_of_birth": None if entity else s.place_of_birth,
        "country_of_birth_id": None if entity else s.country_of_birth,
        "nationalities": nationalities or None,
        "sex_id": None if entity else (s.sex.value if s.sex else None),
        "height": _number(s.height_m),
        "weight": _number(s.weight_kg) or 0,
        "eyes_colors_id": list(s.eye_colours) or None,
        "hairs_id": list(s.hair_colours) or None,
        "distinguishing_marks": s.distinguishing_marks,
        "languages_spoken_ids": list(s.languages) or None,
        "arrest_warrants": warrants,
    }
    un_reference = un_resolution = None
    if kind == PublicKind.YELLOW:
        event = content.charges[0] if content.charges else None
        detail.update(
            birth_name=None,
            father_forename=None,
            mother_name=None,
            mother_forename=None,
            date_of_event=(
                event.date_of_facts.strftime("%Y/%m/%d") if event and event.date_of_facts else None
            ),
            place=event.place if event else None,
            country=event.country if event else None,
        )
    elif kind in (PublicKind.UN_PERSONS, PublicKind.UN_ENTITIES):
        # The UN listing: its reference as the warrant reference, the resolution as the
        # legal provision of the first charge.
        un_reference = content.warrant.reference if content.warrant else None
        un_resolution = content.charges[0].legal_provision if content.charges else None
        detail.update(
            un_reference=un_reference,
            un_resolution=un_resolution,
            aliases=[a.upper() for a in s.aliases] or None,
            summary=content.summary,
        )
    detail["_embedded"] = {"links": []}
    searchable = [
        name, forename, s.place_of_birth if not entity else None, s.distinguishing_marks,
        *(w["charge"] for w in warrants),
    ]  # fmt: skip
    un = kind in (PublicKind.UN_PERSONS, PublicKind.UN_ENTITIES)
    if un:
        searchable += [*s.aliases, content.summary, un_reference, un_resolution]
    if kind == PublicKind.YELLOW:
        searchable += [detail.get("place")]
    return Entry(
        entity_id=notice.id,
        kind=kind,
        order=_order(notice.id),
        valid_until=notice.valid_until,
        name=name,
        forename=forename,
        date_of_birth=dob,
        birth=None if entity else _birth(s.date_of_birth),
        nationalities=tuple(nationalities),
        sex=detail["sex_id"],
        warrant_countries=frozenset([notice.requester] if warrants else []),
        un_reference=un_reference,
        un_resolution=un_resolution,
        # UN aliases are published, so a name filter may find them.
        name_text=Folded.of(" ".join([name or "", *(s.aliases if un else [])])),
        forename_text=Folded.of(forename),
        free_text=Folded.of(" ".join(t for t in searchable if t)),
        photos=tuple(photos),
        detail=detail,
    )


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(slots=True)
class View:
    """The public extracts valid on one day, sorted newest first, with lookup tables."""

    day: dt.date
    by_kind: dict[PublicKind, list[Entry]]
    by_id: dict[str, Entry]
    by_nationality: dict[tuple[PublicKind, str], list[Entry]]
    by_sex: dict[tuple[PublicKind, str | None], list[Entry]]
    by_warrant: dict[tuple[PublicKind, str], list[Entry]]
    ages: dict[str, int | None]
    version: int
    positions: dict[str, int] = field(default_factory=dict)  # index in by_kind[its kind]
    blobs: dict[tuple[PublicKind, str], Blob] = field(default_factory=dict)


TEXT_FIELDS: dict[str, Callable[[Entry], Folded]] = {
    "name": lambda e: e.name_text,
    "forename": lambda e: e.forename_text,
    "freeText": lambda e: e.free_text,
}


def _view(entries: Iterable[Entry], day: dt.date, version: int) -> View:
    valid = sorted(
        (e for e in entries if e.valid_until >= day), key=lambda e: e.order, reverse=True
    )
    view = View(day, {k: [] for k in PublicKind}, {}, {}, {}, {}, {}, version)
    for e in valid:
        view.positions[e.entity_id] = len(view.by_kind[e.kind])
        view.by_kind[e.kind].append(e)
        view.by_id[e.entity_id] = e
        view.ages[e.entity_id] = e.age(day)
        for n in e.nationalities:
            view.by_nationality.setdefault((e.kind, n), []).append(e)
        view.by_sex.setdefault((e.kind, e.sex), []).append(e)
        for c in e.warrant_countries:
            view.by_warrant.setdefault((e.kind, c), []).append(e)
    for kind, listed in view.by_kind.items():
        for name, get in TEXT_FIELDS.items():
            view.blobs[(kind, name)] = Blob.of([get(e) for e in listed])
    return view


def _eligible_query() -> Any:
    return select(Notice).where(
        Notice.kind == Kind.NOTICE.value,
        Notice.status == Status.ISSUED.value,
        Notice.public_extract.is_(True),
        Notice.blocked.is_(False),
        Notice.type.in_([t.value for t in PUBLIC_TYPES]),
        Notice.content.is_not(None),
    )


class PublicCatalogue:
    """The public extracts in memory. Registered in `ctx.listeners` so that changes made in this
    process show at once; changes made by other processes show within one poll interval."""

    def __init__(self, ctx: AppContext, clock: Callable[[], float] = time.monotonic) -> None:
        self._ctx = ctx
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._view: View | None = None
        self._last_seq = 0
        self._last_photo = 0
        self._checked_at = -math.inf
        self._dirty = False
        self._version = 0

    # NoticeListener
    def notice_changed(self, notice_id: str) -> None:
        self._dirty = True

    def view(self, today: dt.date | None = None) -> View:
        day = today or dt.date.today()
        current = self._view
        fresh = self._clock() - self._checked_at < self._ctx.settings.index_poll_seconds
        if current is not None and current.day == day:
            if fresh and not self._dirty:
                return current
            # Another thread is catching up: serve what we have rather than queue behind it.
            if not self._lock.acquire(blocking=False):
                return current
        else:
            self._lock.acquire()
        try:
            if self._view is None:
                self._load_all()
            else:
                self._catch_up()
            assert self._view is not None
            if self._view.day != day:
                self._view = _view(self._entries.values(), day, self._version)
            return self._view
        finally:
            self._lock.release()

    def refresh(self) -> None:
        """Catch up now (tests and the command line; the server polls on its own)."""
        with self._lock:
            if self._view is None:
                self._load_all()
            else:
                self._catch_up()

    def _load_all(self) -> None:
        today = dt.date.today()
        # Collections walking the growing catalogue were half of a cold load.
        with collector_paused():
            with self._ctx.read_session_factory() as session:
                self._last_seq = session.scalar(select(func.max(IndexChange.seq))) or 0
                self._last_photo = session.scalar(select(func.max(Photo.id))) or 0
                notices = [n for n in session.scalars(_eligible_query()) if is_public(n, today)]
                photos = _photos_of(session, None)
            self._entries = {}
            for notice in notices:
                entry = build_entry(notice, photos.get(notice.id, ()))
                if entry is not None:
                    self._entries[entry.entity_id] = entry
            self._publish(today)

    def _catch_up(self) -> None:
        self._dirty = False
        today = dt.date.today()
        with self._ctx.read_session_factory() as session:
            changed = list(
                session.execute(
                    select(IndexChange.seq, IndexChange.notice_id).where(
                        IndexChange.seq > self._last_seq
                    )
                )
            )
            new_photos = list(
                session.execute(
                    select(Photo.id, Photo.notice_id).where(Photo.id > self._last_photo)
                )
            )
            ids = {nid for _, nid in changed} | {nid for _, nid in new_photos}
            altered = False
            pending = sorted(ids)
            for at in range(0, len(pending), 500):  # bounded IN lists
                batch = set(pending[at : at + 500])
                rows = {
                    n.id: n for n in session.scalars(select(Notice).where(Notice.id.in_(batch)))
                }
                photos = _photos_of(session, batch)
                for nid in batch:
                    notice = rows.get(nid)
                    entry = (
                        build_entry(notice, photos.get(nid, ()))
                        if notice is not None and is_public(notice, today)
                        else None
                    )
                    before = self._entries.get(nid)
                    if entry is None:
                        self._entries.pop(nid, None)
                    else:
                        self._entries[nid] = entry
                    altered = altered or before != entry
        # Only now, so that a failure above means the same changes are read again next time.
        if changed:
            self._last_seq = max(seq for seq, _ in changed)
        if new_photos:
            self._last_photo = max(pid for pid, _ in new_photos)
        # Most changes are to requests that are not public: nothing to rebuild then.
        if altered or self._view is None:
            self._publish(today)
        self._checked_at = self._clock()

    def _publish(self, today: dt.date) -> None:
        self._version += 1
        self._view = _view(self._entries.values(), today, self._version)
        self._checked_at = self._clock()


def _photos_of(session: Session, ids: set[str] | None) -> dict[str, list[PhotoRef]]:
    query = select(Photo.id, Photo.notice_id, Photo.content_type).order_by(Photo.id)
    if ids is not None:
        query = query.where(Photo.notice_id.in_(ids))
    else:
        query = query.join(Notice, Notice.id == Photo.notice_id).where(
            Notice.kind == Kind.NOTICE.value,
            Notice.status == Status.ISSUED.value,
            Notice.public_extract.is_(True),
        )
    out: dict[str, list[PhotoRef]] = {}
    for pid, nid, ctype in session.execute(query):
        out.setdefault(nid, []).append(PhotoRef(pid, ctype))
    return out


_CATALOGUE_LOCK = threading.Lock()


def catalogue(ctx: AppContext) -> PublicCatalogue:
    """This context's catalogue, created (and registered as a listener) on first use."""
    for listener in ctx.listeners:
        if isinstance(listener, PublicCatalogue):
            return listener
    with _CATALOGUE_LOCK:
        for listener in ctx.listeners:
            if isinstance(listener, PublicCatalogue):
                return listener
        created = PublicCatalogue(ctx)
        ctx.listeners.append(created)
        return created


def refresh(ctx: AppContext) -> None:
    catalogue(ctx).refresh()


# --- list queries ------------------------------------------------------------------------------

# Query parameters in the order the links write them.
FILTER_PARAMS = (
    "forename", "name", "nationality", "ageMax", "ageMin", "freeText", "sexId",
    "arrestWarrantCountryId", "unReference", "unResolution",
)  # fmt: skip


Test = Callable[[Entry, "View"], bool]


def _has_nationality(code: str) -> Test:
    return lambda e, _view: code in e.nationalities


def _has_warrant_from(code: str) -> Test:
    return lambda e, _view: code in e.warrant_countries


def _has_sex(sex: str) -> Test:
    # U (unknown) also finds the notices that state no sex at all.
    return lambda e, _view: (e.sex or "U") == sex


def _age_within(low: int | None, high: int | None) -> Test:
    def test(e: Entry, view: View) -> bool:
        age = view.ages.get(e.entity_id)
        if age is None:
            return False
        return (low is None or age >= low) and (high is None or age <= high)

    return test


def _attr_contains(attr: str, needle: str) -> Test:
    return lambda e, _view: needle in fold(getattr(e, attr) or "")


def _country_param(name: str, value: str) -> str:
    if not _CODE.match(value):
        raise ValidationFailed(f"'{name}' is an ISO 3166-1 alpha-2 code, e.g. FR")
    return value.upper()


@dataclass(frozen=True, slots=True)
class ListQuery:
    filters: dict[str, str | int]  # the filters as given (non-empty), normalised
    page: int
    per_page: int
    tests: tuple[Test, ...] = field(default=(), compare=False)
    text_filters: tuple[tuple[str, TextFilter], ...] = field(default=(), compare=False)
    narrow: tuple[str, str | None] | None = field(default=None, compare=False)


def _int_param(params: Mapping[str, str], name: str, low: int, high: int | None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"'{name}' must be a whole number") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationFailed(f"'{name}' must be {bound}")
    return value


_CODE = re.compile(r"^[A-Za-z]{2,3}$")


def parse_query(params: Mapping[str, str]) -> ListQuery:
    """Read the list parameters: empty ones are ignored (clients send `forename=&name=`), bad
    values answer 422, refused patterns 400."""
    filters: dict[str, str | int] = {}
    tests: list[Test] = []
    text_filters: list[tuple[str, TextFilter]] = []
    narrow: tuple[str, str | None] | None = None

    def text(name: str) -> str | None:
        value = (params.get(name) or "").strip()
        return value or None

    if (v := text("forename")) is not None:
        text_filters.append(("forename", text_test("forename", v)))
        filters["forename"] = v
    if (v := text("name")) is not None:
        text_filters.append(("name", text_test("name", v)))
        filters["name"] = v
    if (v := text("nationality")) is not None:
        code = _country_param("nationality", v)
        tests.append(_has_nationality(code))
        filters["nationality"] = code
        narrow = ("nationality", code)
    age_max = _int_param(params, "ageMax", 0, MAX_AGE)
    age_min = _int_param(params, "ageMin", 0, MAX_AGE)
    if age_max is not None:
        tests.append(_age_within(None, age_max))
        filters["ageMax"] = age_max
    if age_min is not None:
        tests.append(_age_within(age_min, None))
        filters["ageMin"] = age_min
    if (v := text("freeText")) is not None:
        text_filters.append(("freeText", text_test("freeText", v, allow_pattern=False)))
        filters["freeText"] = v
    if (v := text("sexId")) is not None:
        sex = v.upper()
        if sex not in ("M", "F", "U"):
            raise ValidationFailed("'sexId' is M, F or U")
        tests.append(_has_sex(sex))
        filters["sexId"] = sex
        if narrow is None and sex != "U":
            narrow = ("sex", sex)
    if (v := text("arrestWarrantCountryId")) is not None:
        code = _country_param("arrestWarrantCountryId", v)
        tests.append(_has_warrant_from(code))
        filters["arrestWarrantCountryId"] = code
        narrow = narrow or ("warrant", code)
    for param, attr in (("unReference", "un_reference"), ("unResolution", "un_resolution")):
        if (v := text(param)) is not None:
            if len(v) > MAX_TEXT_LENGTH:
                raise ValidationFailed(f"'{param}' may be at most {MAX_TEXT_LENGTH} characters")
            tests.append(_attr_contains(attr, fold(v)))
            filters[param] = v
    page = _int_param(params, "page", -(10**9), None)
    per_page = _int_param(params, "resultPerPage", 1, None)
    return ListQuery(
        filters=filters,
        page=max(1, page if page is not None else 1),
        per_page=min(MAX_RESULTS, per_page if per_page is not None else DEFAULT_PER_PAGE),
        tests=tuple(tests),
        text_filters=tuple(text_filters),
        narrow=narrow,
    )


@dataclass(frozen=True, slots=True)
class ListResult:
    kind: PublicKind
    items: list[Entry]
    total: int
    page: int
    per_page: int
    last_page: int
    query: ListQuery


def _candidates(view: View, kind: PublicKind, query: ListQuery) -> list[Entry]:
    if query.narrow is None:
        return view.by_kind[kind]
    what, value = query.narrow
    if what == "nationality":
        return view.by_nationality.get((kind, str(value)), [])
    if what == "sex":
        return view.by_sex.get((kind, value), [])
    return view.by_warrant.get((kind, str(value)), [])


def _times_listed(e: Entry, what: str, value: str | None) -> int:
    """How many times `_candidates` lists `e` for the narrowing (what, value)."""
    if what == "nationality":
        return e.nationalities.count(str(value))
    if what == "sex":
        return 1 if e.sex == value else 0
    return 1 if str(value) in e.warrant_countries else 0


def search(
    ctx: AppContext, kind: PublicKind, query: ListQuery, today: dt.date | None = None
) -> ListResult:
    view = catalogue(ctx).view(today)
    candidates = _candidates(view, kind, query)
    if query.text_filters:
        allowed: set[int] | None = None
        for name, text_filter in query.text_filters:
            lines = text_filter.lines(view.blobs[(kind, name)])
            allowed = lines if allowed is None else allowed & lines
        assert allowed is not None
        listed = view.by_kind[kind]
        if query.narrow is None:
            candidates = [listed[i] for i in sorted(allowed)]
        elif len(allowed) * 4 < len(candidates):
            # A few text matches within a long list (a forename among all the men): walk the
            # matches instead, each as many times as the list holds it, in the list's order.
            what, value = query.narrow
            candidates = [
                listed[i]
                for i in sorted(allowed)
                for _ in range(_times_listed(listed[i], what, value))
            ]
        else:
            candidates = [e for e in candidates if view.positions[e.entity_id] in allowed]
    tests = query.tests
    matches = [e for e in candidates if all(t(e, view) for t in tests)] if tests else candidates
    total = len(matches)
    capped = min(total, MAX_RESULTS)
    last_page = max(1, math.ceil(capped / query.per_page))
    page = min(query.page, last_page)
    start = (page - 1) * query.per_page
    items = matches[start : min(start + query.per_page, capped)]
    return ListResult(kind, items, total, page, query.per_page, last_page, query)


# --- the documents ------------------------------------------------------------------------------


def collection_url(base: str, kind: PublicKind) -> str:
    return f"{base}/notices/v1/{kind.value}"


def notice_url(base: str, entry: Entry) -> str:
    return f"{collection_url(base, entry.kind)}/{entry.url_id}"


def _href(url: str) -> dict[str, str]:
    return {"href": url}


def entry_links(base: str, entry: Entry) -> dict[str, dict[str, str]]:
    url = notice_url(base, entry)
    links = {"self": _href(url), "images": _href(f"{url}/images")}
    if entry.photos:
        links["thumbnail"] = _href(f"{url}/images/{entry.photos[0].id}")
    return links


def list_link(base: str, kind: PublicKind, query: ListQuery, per_page: int, page: int) -> str:
    """`...?&nationality=FR&resultPerPage=20&page=2`: filters first, page last."""
    parts = "".join(
        f"&{name}={quote(str(query.filters[name]), safe='')}"
        for name in FILTER_PARAMS
        if name in query.filters
    )
    return f"{collection_url(base, kind)}?{parts}&resultPerPage={per_page}&page={page}"


def list_item(base: str, entry: Entry) -> dict[str, Any]:
    return {
        "entity_id": entry.entity_id,
        "name": entry.name,
        "forename": entry.forename,
        "date_of_birth": entry.date_of_birth,
        "nationalities": list(entry.nationalities) or None,
        "_links": entry_links(base, entry),
    }


def list_document(base: str, result: ListResult) -> dict[str, Any]:
    q = result.query
    links: dict[str, dict[str, str]] = {
        "self": _href(list_link(base, result.kind, q, result.per_page, result.page)),
        "first": _href(list_link(base, result.kind, q, result.per_page, 1)),
    }
    if result.page < result.last_page:
        links["next"] = _href(list_link(base, result.kind, q, result.per_page, result.page + 1))
    links["last"] = _href(list_link(base, result.kind, q, result.per_page, result.last_page))
    return {
        "total": result.total,
        "query": {"page": result.page, "resultPerPage": result.per_page, **q.filters},
        "_embedded": {"notices": [list_item(base, e) for e in result.items]},
        "_links": links,
    }


def find(ctx: AppContext, kind: PublicKind, notice_id: str, today: dt.date | None = None) -> Entry:
    """The public extract with this id in this collection, or 404 (the same answer whether the
    notice does not exist, is of another type or is not public)."""
    entity_id = _parse_public_id(notice_id)
    entry = catalogue(ctx).view(today).by_id.get(entity_id or "")
    if entry is None or entry.kind != kind:
        raise NotFound("there is no public notice with this id here")
    return entry


def _parse_public_id(value: str) -> str | None:
    year, sep, serial = value.replace("/", "-").partition("-")
    if not sep or not (len(year) == 4 and year.isdigit() and serial.isdigit() and len(serial) < 10):
        return None
    return f"{int(year)}/{int(serial)}"


def detail_document(base: str, entry: Entry) -> dict[str, Any]:
    return {**entry.detail, "_links": entry_links(base, entry)}


def images_document(base: str, entry: Entry) -> dict[str, Any]:
    url = notice_url(base, entry)
    links = {"self": _href(f"{url}/images"), "notice": _href(url)}
    if entry.photos:
        links["thumbnail"] = _href(f"{url}/images/{entry.photos[0].id}")
    return {
        "_embedded": {
            "images": [
                {"picture_id": str(p.id), "_links": {"self": _href(f"{url}/images/{p.id}")}}
                for p in entry.photos
            ]
        },
        "_links": links,
    }


@dataclass(frozen=True, slots=True)
class Picture:
    data: bytes
    content_type: str
    etag: str


def photo_etag(entry: Entry, picture_id: str) -> str:
    """Photos never change once added: their id names their content."""
    return f'"p{entry.entity_id.replace("/", "-")}-{picture_id}"'


def picture(ctx: AppContext, entry: Entry, picture_id: str) -> Picture:
    ref = next((p for p in entry.photos if str(p.id) == picture_id), None)
    if ref is None:
        raise NotFound("there is no such picture on this public notice")
    with ctx.read_session_factory() as session:
        photo = session.get(Photo, ref.id)
        if photo is None or photo.notice_id != entry.entity_id:
            raise NotFound("there is no such picture on this public notice")
        return Picture(photo.data, photo.content_type, photo_etag(entry, picture_id))


def etag_of(document: Mapping[str, Any]) -> str:
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# --- demo content -------------------------------------------------------------------------------


def silhouette_png(rng: random.Random, width: int = 96, height: int = 120) -> bytes:
    """A small PNG of a head-and-shoulders silhouette on a plain background (no real face)."""
    bg = tuple(rng.randint(190, 235) for _ in range(3))
    fg = tuple(rng.randint(40, 110) for _ in range(3))
    cx, cy, r = width / 2, height * 0.36, width * 0.2 * rng.uniform(0.9, 1.1)
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            head = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
            body = (
                y > height * 0.62
                and ((x - cx) / (width * 0.42)) ** 2 + ((y - height) / (height * 0.4)) ** 2 <= 1
            )
            rows.extend(fg if head or body else bg)

    def chunk(tag: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(tag + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def seed_demo(ctx: AppContext, rng: random.Random) -> None:
    """Give most public notices of the demo a photo, added by the requesting member's NCB."""
    from opennotice.services.auth import actor_for
    from opennotice.services.requests import add_photo
    from opennotice.store.tables import User

    today = dt.date.today()
    with ctx.read_session_factory() as session:
        notices = [n for n in session.scalars(_eligible_query()) if is_public(n, today)]
        with_photo = {nid for (nid,) in session.execute(select(Photo.notice_id).distinct())}
        users: dict[str, User] = {}
        for row in session.scalars(select(User).where(User.role == "ncb", User.active.is_(True))):
            if row.member and row.member not in users:
                users[row.member] = row
    for notice in notices:
        user = users.get(notice.requester)
        if user is None or notice.id in with_photo or rng.random() < 0.15:
            continue  # some public notices have no photo, as in the original
        add_photo(ctx, actor_for(user, via="cli"), notice.id, "image/png", silhouette_png(rng))
    refresh(ctx)
