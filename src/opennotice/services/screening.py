"""Screening: the in-memory index of notices in force, and the use cases that query it.

The index is built from the database at start-up, updated in this process after every commit
that changes a notice (it is a `NoticeListener`), and follows the changes made by other processes
by polling the `index_changes` feed in a background thread (every `index_poll_seconds`).

A screening user is told only what a hit needs: the notice reference and type, the action to
take, whom to contact, the matched name and date of birth, the score and its explanation. Each
hit is recorded and the requesting NCB is notified; each query (or batch) is one audit event.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from opennotice.collector import collector_paused
from opennotice.domain.actors import Actor
from opennotice.domain.countries import country_name
from opennotice.domain.types import Kind, Status
from opennotice.domain.visibility import Exposure, can_screen_hit, in_screening_index
from opennotice.errors import Conflict, ValidationFailed
from opennotice.matching import DEFAULT_THRESHOLD, Match, NameIndex, PersonQuery, PersonRecord
from opennotice.store.tables import IndexChange, Member, Notice, Notification, utcnow
from opennotice.store.tables_screening import ScreeningHit
from opennotice.store.uow import UnitOfWork

from .context import AppContext
from .guard import require
from .screening_input import BatchItem, RawRow, RowError
from .screening_workers import Searched, Unmatched, search_rows

log = logging.getLogger("opennotice.screening")

# What the officer who gets a hit is asked to do, per notice type. Kept as data so that a
# maintainer can reword it without touching the logic.
ACTIONS: dict[str, str] = {
    "red": (
        "Locate the person and arrest provisionally with a view to extradition or surrender, "
        "under your national law; contact the requesting NCB at once."
    ),
    "yellow": (
        "Missing person: do not detain on the strength of this notice; note where the person "
        "is, check their welfare and inform the requesting NCB."
    ),
    "blue": (
        "Collect information on the person's identity, location or activities and send it to "
        "the requesting NCB; no arrest on the strength of this notice."
    ),
    "black": "Unidentified body: send any identifying information to the requesting NCB.",
    "green": (
        "Warning: criminal activities likely to be repeated. Apply your national measures and "
        "inform the requesting NCB."
    ),
    "orange": (
        "Serious and imminent threat: take the protective measures your national law allows and "
        "contact the requesting NCB at once."
    ),
    "purple": "Report the encounter and any objects or methods observed to the requesting NCB.",
    "un": (
        "Subject of UN Security Council sanctions (travel ban, assets freeze, arms embargo as "
        "listed): apply them and inform your NCB."
    ),
    "silver": (
        "Trace the person's assets and send what you find to the requesting NCB; no arrest on "
        "the strength of this notice."
    ),
}
UNREVIEWED_DIFFUSION = (
    "Diffusion not yet confirmed by the secretariat's review: check with the requesting NCB "
    "before acting. "
)

MIN_THRESHOLD = 0.5
MAX_LIMIT = 50
# Sequence numbers of the change feed re-read at load, and how long a missing number is
# waited for (on PostgreSQL a transaction can commit after one that took a later number).
GAP_WINDOW = 1000
GAP_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class IndexedNotice:
    """What the index keeps beside the names: who may be told, and what a hit shows."""

    id: str
    type: str
    exposure: Exposure
    valid_until: dt.date | None
    name: str
    original_name: str | None
    date_of_birth: str | None
    contact: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    notice_id: str
    kind: str
    type: str
    requester: str
    action: str
    contact: str
    name: str
    original_name: str | None
    date_of_birth: str | None
    score: float
    explanation: dict[str, object]

    def as_dict(self) -> dict[str, Any]:
        return {
            "notice": self.notice_id,
            "kind": self.kind,
            "type": self.type,
            "requester": self.requester,
            "action": self.action,
            "contact": self.contact,
            "name": self.name,
            "original_name": self.original_name,
            "date_of_birth": self.date_of_birth,
            "score": self.score,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class ScreenResult:
    hits: list[Hit]
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class BatchRow:
    line: int
    ref: str | None
    hits: list[Hit]


@dataclass(slots=True)
class BatchResult:
    rows: list[BatchRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    screened: int = 0
    hits: int = 0
    at: dt.datetime = field(default_factory=utcnow)


def may_hit(member: str | None, item: IndexedNotice, today: dt.date) -> bool:
    """The rule of `can_screen_hit`, plus: a notice past its validity never hits, even before
    the daily expiry has run. Without a member (the operator's command line), only notices in
    force that no member is restricted from can hit."""
    if item.valid_until is not None and item.valid_until < today:
        return False
    if member is None:
        exp = item.exposure
        return in_screening_index(exp) and exp.kind == Kind.NOTICE and not exp.restricted_from
    return can_screen_hit(member, item.exposure)


# The columns the index reads (never the charges, findings or photos).
_COLUMNS = (
    Notice.id, Notice.kind, Notice.type, Notice.requester, Notice.status, Notice.blocked,
    Notice.restricted_from, Notice.recipients, Notice.valid_until, Notice.content,
)  # fmt: skip


def _text(value: object, limit: int = 200) -> str | None:
    return value[:limit] if isinstance(value, str) and value.strip() else None


def _texts(value: object, limit: int = 30) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value[:limit] if isinstance(v, str) and v.strip())


def _indexed(row: Any) -> tuple[PersonRecord, IndexedNotice] | None:
    """The record and metadata of a notice (a row of `_COLUMNS`, or a `Notice`) that belongs
    in the index, else None.

    The stored subject was validated by `RequestContent` when it was written; it is read here
    field by field, defensively, without validating the whole request again: the index is
    built from every notice in force at start-up, and that must stay fast.
    """
    exp = Exposure(
        kind=Kind(row.kind),
        status=Status(row.status),
        requester=row.requester,
        restricted_from=frozenset(row.restricted_from or ()),
        recipients=frozenset(row.recipients or ()),
        blocked=bool(row.blocked),
    )
    content = row.content
    if not in_screening_index(exp) or not isinstance(content, dict):
        return None
    subject = content.get("subject")
    if not isinstance(subject, dict):
        log.warning("notice %s left out of the screening index: no subject", row.id)
        return None
    family, given = _text(subject.get("family_name")), _text(subject.get("given_names"))
    original_family = _text(subject.get("original_family_name"))
    original_given = _text(subject.get("original_given_names"))
    if not (family or given or original_family or original_given):
        log.warning("notice %s left out of the screening index: no name", row.id)
        return None
    dob = _text(subject.get("date_of_birth"), 10)
    sex = subject.get("sex") if subject.get("sex") in ("M", "F", "U") else None
    record = PersonRecord(
        key=row.id,
        family_name=family,
        given_names=given,
        original_family_name=original_family,
        original_given_names=original_given,
        aliases=_texts(subject.get("aliases")),
        date_of_birth=dob,
        sex=sex,
        nationalities=_texts(subject.get("nationalities"), 5),
        restricted_from=exp.restricted_from,
    )
    original = ", ".join(p for p in (original_family, original_given) if p)
    meta = IndexedNotice(
        id=row.id,
        type=row.type,
        exposure=exp,
        valid_until=row.valid_until,
        name=", ".join(p for p in (family or original_family, given) if p),
        original_name=original or None,
        date_of_birth=dob,
        contact=_text(content.get("contact"), 300),
    )
    return record, meta


T = TypeVar("T")


class GroupWriter:
    """Writes the audit events and hits of concurrent queries in shared transactions.

    Each query still gets its own audit event; one writer thread per process commits every
    job waiting at that moment in one transaction (group commit). This keeps one writer per
    process (no SQLite lock contention), pays one commit for many queries, and lets an event
    loop wait for its job without a thread of its own (`submit` returns a future). If a shared
    transaction fails, each job is retried alone so that one bad job cannot fail the others;
    no answer is given without its audit event. The thread ends after a few idle seconds and
    starts again with the next job.
    """

    MAX_GROUP = 256
    IDLE_SECONDS = 5.0

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._cond = threading.Condition()
        self._pending: list[tuple[Callable[[UnitOfWork], Any], Future[Any]]] = []
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[UnitOfWork], T]) -> Future[T]:
        """Queue a job; the future holds its result once the transaction is committed."""
        future: Future[T] = Future()
        with self._cond:
            self._pending.append((job, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._drain, name="screening-writer", daemon=True
                )
                self._thread.start()
            else:
                self._cond.notify()
        return future

    def run(self, job: Callable[[UnitOfWork], T]) -> T:
        return self.submit(job).result()

    def _drain(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    if not self._cond.wait(self.IDLE_SECONDS) and not self._pending:
                        self._thread = None
                        return
                group = self._pending[: self.MAX_GROUP]
                del self._pending[: self.MAX_GROUP]
            try:
                self._write(group)
            except BaseException as exc:  # never leave a caller waiting for ever
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)

    def _write(self, group: list[tuple[Callable[[UnitOfWork], Any], Future[Any]]]) -> None:
        try:
            with self._ctx.uow() as uow:
                results = [job(uow) for job, _ in group]
                uow.commit()
        except Exception:
            if len(group) == 1:
                _, future = group[0]
                future.set_exception(sys.exc_info()[1] or RuntimeError("write failed"))
                return
            for item in group:
                self._write([item])
            return
        for (_, future), result in zip(group, results, strict=True):
            future.set_result(result)


class ScreeningIndex:
    """The notices in force, by name, for this process. Thread-safe."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._names = NameIndex()
        self._meta: dict[str, IndexedNotice] = {}
        # Serialises loads and updates: each reads the database inside the lock, so a later
        # read is always applied after an earlier one.
        self._update = threading.RLock()
        self._loaded = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._high = 0  # highest change sequence number applied
        self._gaps: dict[int, float] = {}  # numbers not seen yet -> when first missed
        self.last_poll: float | None = None
        self.writer = GroupWriter(ctx)

    # -- the NoticeListener protocol ------------------------------------------------------

    def notice_changed(self, notice_id: str) -> None:
        with self._update:
            if not self._loaded.is_set():
                return  # the load, when it comes, reads the current state
            self.refresh([notice_id])

    # -- building and following ------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, notice_id: object) -> bool:
        return notice_id in self._meta

    def load(self) -> int:
        """(Re)build from the database; returns the number of notices indexed."""
        with self._update:
            names = NameIndex()
            meta: dict[str, IndexedNotice] = {}
            with self._ctx.read_session_factory() as session:
                high = session.scalar(select(func.max(IndexChange.seq))) or 0
                seen = set(
                    session.scalars(
                        select(IndexChange.seq).where(IndexChange.seq > high - GAP_WINDOW)
                    )
                )
                in_force = (
                    (Notice.kind == Kind.NOTICE.value) & (Notice.status == Status.ISSUED.value)
                ) | (
                    (Notice.kind == Kind.DIFFUSION.value)
                    & Notice.status.in_([Status.CIRCULATING.value, Status.CONFIRMED.value])
                )
                query = (
                    select(*_COLUMNS)
                    .where(in_force, ~Notice.blocked)
                    .execution_options(yield_per=1000)
                )
                # The collector would walk the growing index again and again: half the build.
                with collector_paused():
                    for row in session.execute(query):
                        entry = _indexed(row)
                        if entry is not None:
                            names.add(entry[0])
                            meta[entry[1].id] = entry[1]
            now = time.monotonic()
            self._gaps = {
                n: now for n in range(max(1, high - GAP_WINDOW + 1), high + 1) if n not in seen
            }
            self._high = high
            self._names, self._meta = names, meta
            self._loaded.set()
            return len(meta)

    def ensure_loaded(self) -> None:
        if not self._loaded.is_set():
            with self._update:
                if not self._loaded.is_set():
                    self.load()

    def refresh(self, notice_ids: Iterable[str]) -> None:
        """Re-read these notices and add, replace or remove them."""
        ids = sorted(set(notice_ids))
        if not ids:
            return
        with self._update, self._ctx.read_session_factory() as session:
            rows = {r.id: r for r in session.execute(select(*_COLUMNS).where(Notice.id.in_(ids)))}
            for nid in ids:
                notice = rows.get(nid)
                entry = _indexed(notice) if notice is not None else None
                if entry is None:
                    self._names.remove(nid)
                    self._meta.pop(nid, None)
                else:
                    self._meta[nid] = entry[1]
                    self._names.add(entry[0])

    def poll(self) -> int:
        """Apply the changes other processes made since the last poll; returns how many."""
        self.ensure_loaded()
        with self._update:
            with self._ctx.read_session_factory() as session:
                rows = [
                    (seq, nid)
                    for seq, nid in session.execute(
                        select(IndexChange.seq, IndexChange.notice_id)
                        .where(IndexChange.seq > self._high)
                        .order_by(IndexChange.seq)
                        .limit(10000)
                    )
                ]
                late: list[tuple[int, str]] = []
                if self._gaps:
                    waiting = sorted(self._gaps)[-1000:]
                    late = [
                        (seq, nid)
                        for seq, nid in session.execute(
                            select(IndexChange.seq, IndexChange.notice_id).where(
                                IndexChange.seq.in_(waiting)
                            )
                        )
                    ]
            now = time.monotonic()
            for seq, _ in late:
                self._gaps.pop(seq, None)
            for seq, _ in rows:
                if seq > self._high + 1:
                    for missing in range(max(self._high + 1, seq - GAP_WINDOW), seq):
                        self._gaps[missing] = now
                self._high = max(self._high, seq)
            for seq, first in list(self._gaps.items()):
                if now - first > GAP_TIMEOUT_SECONDS:
                    del self._gaps[seq]
            changed = [nid for _, nid in rows] + [nid for _, nid in late]
            self.refresh(changed)
            self.last_poll = time.time()
            return len(changed)

    def start(self) -> None:
        """Load (if needed) and start following the change feed in a background thread."""
        self.ensure_loaded()
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="screening-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        interval = max(0.05, self._ctx.settings.index_poll_seconds)
        while not self._stop.wait(interval):
            try:
                self.poll()
            except Exception as exc:  # keep following; the next poll retries
                log.error("screening index poll failed: %s", type(exc).__name__)

    # -- searching ------------------------------------------------------------------------

    def search(
        self,
        query: PersonQuery,
        member: str | None,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
        today: dt.date | None = None,
    ) -> list[tuple[Match, IndexedNotice]]:
        """Matches this member may be told of, best first."""
        self.ensure_loaded()
        day = today or dt.date.today()
        want = max(1, limit)
        asked = want
        while True:
            matches = self._names.search(query, member=member, threshold=threshold, limit=asked)
            out: list[tuple[Match, IndexedNotice]] = []
            for match in matches:
                item = self._meta.get(match.key)
                if item is not None and may_hit(member, item, day):
                    out.append((match, item))
            if len(out) >= want or len(matches) < asked or asked >= len(self._names):
                return out[:want]
            asked *= 4


def screening_index(ctx: AppContext) -> ScreeningIndex:
    """The index wired into this context (see bootstrap), loaded."""
    for listener in ctx.listeners:
        if isinstance(listener, ScreeningIndex):
            listener.ensure_loaded()
            return listener
    raise Conflict("screening is not available: no screening index is configured")


def attach_index(ctx: AppContext) -> ScreeningIndex:
    """Create the index for a context and register it as a listener (built lazily)."""
    index = ScreeningIndex(ctx)
    ctx.listeners.append(index)
    return index


# -- use cases ---------------------------------------------------------------------------------


def _threshold(value: float | None) -> float:
    t = DEFAULT_THRESHOLD if value is None else float(value)
    if not MIN_THRESHOLD <= t <= 1.0:
        raise ValidationFailed(f"the threshold must be between {MIN_THRESHOLD} and 1")
    return t


def _where(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    if len(text) > 200:
        raise ValidationFailed("'where' is at most 200 characters")
    return text or None


# Executed on the connection, these are plain statements: rows in, no ORM objects.
_INSERT_HITS = insert(ScreeningHit)
_INSERT_NOTIFICATIONS = insert(Notification)


def _contacts(session: Session, hits: Iterable[IndexedNotice]) -> dict[str, str]:
    codes = {h.exposure.requester for h in hits}
    if not codes:
        return {}
    # Plain rows, not ORM objects: this runs in the screening writer for every query with hits.
    rows = session.connection().execute(
        select(Member.code, Member.contact).where(Member.code.in_(sorted(codes)))
    )
    found = {code: contact for code, contact in rows}
    return {
        code: found.get(code) or f"NCB of {country_name(code)} (no contact recorded)"
        for code in codes
    }


def _action(item: IndexedNotice) -> str:
    text = ACTIONS.get(item.type, "Inform the requesting NCB.")
    exp = item.exposure
    if exp.kind == Kind.DIFFUSION and exp.status != Status.CONFIRMED:
        return UNREVIEWED_DIFFUSION + text
    return text


def _hit(match: Match, item: IndexedNotice, contacts: dict[str, str]) -> Hit:
    exp = item.exposure
    return Hit(
        notice_id=item.id,
        kind=exp.kind.value,
        type=item.type,
        requester=exp.requester,
        action=_action(item),
        contact=item.contact or contacts[exp.requester],
        name=item.name,
        original_name=item.original_name,
        date_of_birth=item.date_of_birth,
        score=round(match.score, 4),
        explanation=match.explanation,
    )


def _record_hits(
    session: Session,
    actor: Actor,
    member: str | None,
    where: str | None,
    found: Sequence[tuple[Match, IndexedNotice]],
    at: dt.datetime,
    *,
    batch: bool,
) -> None:
    """Each hit: a row for the figures, and a notification to the requesting NCB (inserted
    as plain rows, one statement per table: the screening writer records them per query)."""
    if not found:
        return
    who = member or "the operator's command line"
    place = f" at {where}" if where else ""
    hits: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for match, item in found:
        exp = item.exposure
        score = round(match.score, 4)
        hits.append(
            {
                "notice_id": item.id,
                "notice_kind": exp.kind.value,
                "requester": exp.requester,
                "member": member,
                "user_id": actor.user_id,
                "username": actor.username,
                "place": where,
                "score": score,
                "batch": batch,
                "at": at,
            }
        )
        notes.append(
            {
                "member": exp.requester,
                "kind": "hit",
                "notice_id": item.id,
                "message": (
                    f"Screening hit on {exp.kind.value} {item.id} by {who}{place} "
                    f"(score {score:.2f})."
                ),
                "details": {
                    "screening_member": member,
                    "screened_by": actor.username,
                    "where": where,
                    "when": at.isoformat(),
                    "score": score,
                    "action": _action(item),
                },
                "created_at": at,
                "read_at": None,
            }
        )
    conn = session.connection()
    conn.execute(_INSERT_HITS, hits)
    conn.execute(_INSERT_NOTIFICATIONS, notes)


@dataclass(frozen=True, slots=True)
class PendingScreen:
    """A query searched, its audit event and hits handed to the writer: `written` completes
    once they are committed (a thread waits with `result()`, an event loop awaits
    `asyncio.wrap_future(written)` first)."""

    found: list[tuple[Match, IndexedNotice]]
    at: dt.datetime
    written: Future[dict[str, str]]

    def result(self) -> ScreenResult:
        contacts = self.written.result()
        return ScreenResult([_hit(m, item, contacts) for m, item in self.found], self.at)


def index_ready(ctx: AppContext) -> bool:
    """True when searching needs no database read first (the index is loaded)."""
    return any(isinstance(i, ScreeningIndex) and i.loaded for i in ctx.listeners)


def start_screen_one(
    ctx: AppContext,
    actor: Actor,
    query: PersonQuery,
    where: str | None = None,
    *,
    threshold: float | None = None,
    limit: int = 10,
) -> PendingScreen:
    """Search for one person now; the audit event and hits are written by the writer.
    Nothing is answered before `written` completes (see `screen_one`)."""
    require(actor, "screen:query:make")
    t = _threshold(threshold)
    place = _where(where)
    limit = min(max(1, limit), MAX_LIMIT)
    index = screening_index(ctx)
    found = index.search(query, actor.member, threshold=t, limit=limit)
    at = utcnow()

    def record(uow: UnitOfWork) -> dict[str, str]:
        contacts = _contacts(uow.session, (item for _, item in found))
        _record_hits(uow.session, actor, actor.member, place, found, at, batch=False)
        uow.audit(
            actor,
            "screen:query:made",
            "screening",
            None,
            {
                "where": place,
                "threshold": t,
                "hits": len(found),
                "notices": [item.id for _, item in found],
            },
        )
        return contacts

    return PendingScreen(found, at, index.writer.submit(record))


def screen_one(
    ctx: AppContext,
    actor: Actor,
    query: PersonQuery,
    where: str | None = None,
    *,
    threshold: float | None = None,
    limit: int = 10,
) -> ScreenResult:
    """Screen one person for the actor's member; audited, hits recorded and notified."""
    return start_screen_one(ctx, actor, query, where, threshold=threshold, limit=limit).result()


def _screen_many(
    ctx: AppContext,
    actor: Actor,
    member: str | None,
    rows: Iterable[RawRow | BatchItem | RowError],
    where: str | None,
    threshold: float,
    limit: int,
    action: str,
    on_row: Callable[[BatchRow], None] | None,
    on_error: Callable[[RowError], None] | None,
    keep_rows: bool,
    workers: int = 1,
) -> BatchResult:
    index = screening_index(ctx)
    result = BatchResult()
    found_all: list[Searched] = []  # the rows with hits
    today = dt.date.today()
    for row in search_rows(
        index, rows, member=member, threshold=threshold, limit=limit, today=today,
        workers=workers, list_unmatched=keep_rows,
    ):  # fmt: skip
        if isinstance(row, Unmatched):
            result.screened += row.rows
            continue
        if isinstance(row, RowError):
            result.errors.append(row)
            if on_error is not None:
                on_error(row)
            continue
        result.screened += 1
        line, ref, found = row
        if found:
            # Rows with hits are given out once the hits are recorded (with the contacts).
            result.hits += len(found)
            found_all.append(row)
            continue
        # Reached only when the rows are kept: otherwise rows without a hit come counted.
        result.rows.append(BatchRow(line, ref, []))
    result.at = utcnow()
    flat = [pair for _, _, found in found_all for pair in found]

    def record(uow: UnitOfWork) -> dict[str, str]:
        contacts = _contacts(uow.session, (item for _, item in flat))
        _record_hits(uow.session, actor, member, where, flat, result.at, batch=True)
        uow.audit(
            actor,
            action,
            "screening",
            None,
            {
                "where": where,
                "threshold": threshold,
                "rows": result.screened + len(result.errors),
                "screened": result.screened,
                "rejected": len(result.errors),
                "hits": result.hits,
                "notices": sorted({item.id for _, item in flat})[:1000],
            },
        )
        return contacts

    contacts = index.writer.run(record)
    for line, ref, found in found_all:
        batch_row = BatchRow(line, ref, [_hit(m, item, contacts) for m, item in found])
        if keep_rows:
            result.rows.append(batch_row)
        if on_row is not None:
            on_row(batch_row)
    result.rows.sort(key=lambda r: r.line)
    return result


def screen_batch(
    ctx: AppContext,
    actor: Actor,
    rows: Iterable[BatchItem | RowError],
    where: str | None = None,
    *,
    threshold: float | None = None,
    limit: int = 10,
) -> BatchResult:
    """Screen many people for the actor's member: one audit event with the counts (never the
    names); bad rows are kept as errors with their line numbers, the rest answered."""
    require(actor, "screen:query:make")
    return _screen_many(
        ctx, actor, actor.member, rows, _where(where), _threshold(threshold),
        min(max(1, limit), MAX_LIMIT), "screen:batch:made", None, None, keep_rows=True,
    )  # fmt: skip


def screen_file(
    ctx: AppContext,
    actor: Actor,
    rows: Iterable[RawRow | BatchItem | RowError],
    *,
    member: str | None = None,
    where: str | None = None,
    threshold: float | None = None,
    limit: int = 10,
    on_row: Callable[[BatchRow], None] | None = None,
    on_error: Callable[[RowError], None] | None = None,
    workers: int = 1,
) -> BatchResult:
    """The operator screens a file on the server, for a member (its restrictions and
    diffusions apply) or for none (only notices no member is restricted from). The rows
    with hits are passed to `on_row` once the run is recorded; the others are only counted.
    Rows may come unread, as split from a file (:func:`.screening_input.split_rows`): they
    are read where they are searched. With ``workers`` > 1 that is in that many forked
    processes (:mod:`.screening_workers`); the results are the same."""
    require(actor, "screen:file:run")
    code = None
    if member:
        from .requests import ensure_code

        code = ensure_code(member)
    return _screen_many(
        ctx, actor, code, rows, _where(where), _threshold(threshold),
        min(max(1, limit), MAX_LIMIT), "screen:file:made", on_row, on_error, keep_rows=False,
        workers=workers,
    )  # fmt: skip


_DEMO_PLACES = (
    "Frankfurt airport, terminal 1",
    "Port of Rotterdam, ferry terminal",
    "Madrid-Barajas airport, T4",
    "Road crossing, Kapitan Andreevo",
    "Johannesburg O. R. Tambo airport",
)


def seed_demo(ctx: AppContext, rng: random.Random) -> None:
    """A few demo screenings of the subjects of issued notices, so that the requesting NCBs
    find hit notifications in their inboxes (run by `opennotice demo`)."""
    from opennotice.services.auth import actor_for
    from opennotice.store.tables import User

    with ctx.read_session_factory() as session:
        screeners = list(
            session.scalars(
                select(User).where(User.role == "screening", User.active).order_by(User.id)
            )
        )
        rows = list(
            session.execute(
                select(*_COLUMNS)
                .where(Notice.kind == Kind.NOTICE.value, Notice.status == Status.ISSUED.value)
                .order_by(Notice.id)
            )
        )
    if not screeners or not rows:
        return
    for row in rng.sample(rows, min(6, len(rows))):
        entry = _indexed(row)
        if entry is None:
            continue
        record = entry[0]
        query = PersonQuery(
            record.family_name or record.original_family_name,
            record.given_names or record.original_given_names,
            record.date_of_birth,
            record.sex,
            record.nationalities,
        )
        actor = actor_for(rng.choice(screeners), via="system")
        screen_one(ctx, actor, query, rng.choice(_DEMO_PLACES))
