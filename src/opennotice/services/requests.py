"""Notice requests and diffusions: create, update, submit, read, act on the lifecycle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from opennotice.domain.actors import Actor
from opennotice.domain.content import RequestContent, Visibility
from opennotice.domain.lifecycle import (
    Action,
    add_years,
    initial_diffusion_status,
    next_status,
)
from opennotice.domain.types import NEVER_PUBLIC_TYPES, Kind, NoticeType, Role, Status
from opennotice.domain.visibility import Exposure, can_view
from opennotice.errors import Conflict, Forbidden, NotFound, TooLarge, ValidationFailed
from opennotice.store.tables import (
    IndexChange,
    Notice,
    NoticeHistory,
    NoticeSerial,
    Notification,
    Photo,
    utcnow,
)
from opennotice.store.uow import UnitOfWork

from .context import AppContext
from .guard import require
from .members import ensure_member

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
# The magic bytes each accepted image type starts with.
_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "image/webp": b"RIFF"}


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Notice]
    total: int
    page: int
    per_page: int


def exposure(notice: Notice) -> Exposure:
    return Exposure(
        kind=Kind(notice.kind),
        status=Status(notice.status),
        requester=notice.requester,
        restricted_from=frozenset(notice.restricted_from or ()),
        recipients=frozenset(notice.recipients or ()),
        blocked=notice.blocked,
    )


def url_id(notice_id: str) -> str:
    return notice_id.replace("/", "-")


def parse_id(value: str) -> str:
    """Accept 'YYYY/N' or the URL form 'YYYY-N'."""
    text = value.replace("-", "/", 1)
    year, _, serial = text.partition("/")
    if not (year.isdigit() and len(year) == 4 and serial.isdigit() and len(serial) <= 9):
        raise NotFound(f"'{value}' is not a notice id (they look like 2024/123 or 2024-123)")
    return f"{int(year)}/{int(serial)}"


def _allocate_id(session: Session, year: int) -> str:
    """The next serial of the year; the row lock makes concurrent requests wait their turn."""
    if session.get_bind().dialect.name == "postgresql":
        # Two first requests of a year must not both create the year's row.
        session.execute(pg_insert(NoticeSerial).values(year=year, last=0).on_conflict_do_nothing())
    serial = session.execute(
        select(NoticeSerial).where(NoticeSerial.year == year).with_for_update()
    ).scalar_one_or_none()
    if serial is None:
        serial = NoticeSerial(year=year, last=0)
        session.add(serial)
    serial.last += 1
    return f"{year}/{serial.last}"


def _check_visibility_rules(content: RequestContent) -> None:
    if content.type in NEVER_PUBLIC_TYPES and content.visibility.public_extract:
        raise ValidationFailed(f"a {content.type} notice is never published")


def _content_json(content: RequestContent) -> dict[str, Any]:
    return content.model_dump(mode="json", exclude={"visibility"})


def _apply_content(notice: Notice, content: RequestContent) -> None:
    notice.type = content.type.value
    notice.content = _content_json(content)
    notice.public_extract = content.visibility.public_extract or content.type == NoticeType.UN
    notice.restricted_from = list(content.visibility.restricted_from)


def content_of(notice: Notice) -> RequestContent:
    """The stored request as a validated object (raises on a deleted notice)."""
    if notice.content is None:
        raise Conflict(f"{notice.id} was deleted: its data were purged")
    data = dict(notice.content)
    data["visibility"] = {
        "public_extract": notice.public_extract,
        "restricted_from": notice.restricted_from,
    }
    return RequestContent.model_validate(data)


def create_request(ctx: AppContext, actor: Actor, content: RequestContent) -> Notice:
    """An NCB drafts a notice request for its own member."""
    require(actor, "notice:request:create")
    assert actor.member is not None
    _check_visibility_rules(content)
    with ctx.uow() as uow:
        ensure_member(uow.session, actor.member)
        now = utcnow()
        notice = Notice(
            id=_allocate_id(uow.session, now.year),
            kind=Kind.NOTICE.value,
            requester=actor.member,
            status=Status.DRAFT.value,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
            findings=[],
            recipients=[],
        )
        _apply_content(notice, content)
        uow.session.add(notice)
        uow.session.flush()
        _history(uow, actor, notice, "create", None, Status.DRAFT, None)
        uow.audit(actor, "notice:request:created", "notice", notice.id, {"type": notice.type})
        uow.commit()
        return notice


def update_request(
    ctx: AppContext, actor: Actor, notice_id: str, content: RequestContent
) -> Notice:
    """The requester changes a draft, or answers a request for more information."""
    require(actor, "notice:request:update")
    _check_visibility_rules(content)
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        if notice.requester != actor.member:
            raise Forbidden("only the requesting member's NCB may change this request")
        if notice.status not in (Status.DRAFT, Status.INFO_REQUESTED):
            raise Conflict(
                f"{notice.id} is {notice.status}: only a draft or a request returned for more "
                "information can be changed"
            )
        if content.type.value != notice.type:
            raise ValidationFailed("the notice type of a request cannot change; start a new one")
        _apply_content(notice, content)
        notice.updated_at = utcnow()
        notice.version += 1
        _history(uow, actor, notice, "update", Status(notice.status), Status(notice.status), None)
        uow.audit(actor, "notice:request:updated", "notice", notice.id, {"version": notice.version})
        uow.commit()
        return notice


def submit_request(ctx: AppContext, actor: Actor, notice_id: str) -> Notice:
    """Send a draft (or an answered request) to the secretariat; the checks run now."""
    require(actor, "notice:request:act")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        action = Action.RESUBMIT if notice.status == Status.INFO_REQUESTED else Action.SUBMIT
        transition(ctx, uow, actor, notice, action, None)
        _run_checks(ctx, uow, actor, notice)
        notice.submitted_at = utcnow()
        uow.commit()
        return notice


def _run_checks(ctx: AppContext, uow: UnitOfWork, actor: Actor, notice: Notice) -> None:
    outcome = ctx.checker.check(uow.session, notice)
    notice.findings = outcome.findings
    notice.risk = outcome.risk
    uow.audit(
        actor,
        "review:checks:ran",
        notice.kind,
        notice.id,
        {"risk": outcome.risk, "rules": sorted({str(f.get("rule")) for f in outcome.findings})},
    )


def send_diffusion(
    ctx: AppContext, actor: Actor, content: RequestContent, recipients: list[str]
) -> Notice:
    """A diffusion goes to chosen members at once, unless its sender is under prior review;
    either way the checks run now and the secretariat reviews it."""
    require(actor, "diffusion:message:send")
    assert actor.member is not None
    if content.visibility.public_extract:
        raise ValidationFailed("a diffusion is never published")
    chosen = sorted({ensure_code(r) for r in recipients} - {actor.member})
    if not chosen:
        raise ValidationFailed("a diffusion needs at least one recipient member other than yours")
    with ctx.uow() as uow:
        sender = ensure_member(uow.session, actor.member)
        for code in chosen:
            ensure_member(uow.session, code)
        now = utcnow()
        status = initial_diffusion_status(sender.prior_review)
        notice = Notice(
            id=_allocate_id(uow.session, now.year),
            kind=Kind.DIFFUSION.value,
            requester=actor.member,
            status=status.value,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
            submitted_at=now,
            recipients=chosen,
            findings=[],
            sent_under_prior_review=sender.prior_review,
        )
        _apply_content(notice, content)
        notice.public_extract = False
        uow.session.add(notice)
        uow.session.flush()
        _history(uow, actor, notice, "send", None, status, None, {"recipients": chosen})
        uow.audit(
            actor,
            "diffusion:message:sent",
            "diffusion",
            notice.id,
            {"recipients": chosen, "held_for_prior_review": sender.prior_review},
        )
        _run_checks(ctx, uow, actor, notice)
        _changed(ctx, uow, notice)
        uow.commit()
        return notice


def ensure_code(code: str) -> str:
    from opennotice.domain.countries import normalise_country

    try:
        return normalise_country(code)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None


def get_request(ctx: AppContext, actor: Actor, notice_id: str) -> Notice:
    require(actor, "notice:request:read")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        uow.audit(actor, f"{notice.kind}:record:read", notice.kind, notice.id)
        uow.commit()
        return notice


def list_requests(
    ctx: AppContext,
    actor: Actor,
    *,
    kind: Kind = Kind.NOTICE,
    status: Status | None = None,
    notice_type: NoticeType | None = None,
    requester: str | None = None,
    mine: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """The requests this actor may see, newest first; the ids returned are audited."""
    require(actor, "notice:request:read")
    query = _visible_query(actor).where(Notice.kind == kind.value)
    if status is not None:
        query = query.where(Notice.status == status.value)
    if notice_type is not None:
        query = query.where(Notice.type == notice_type.value)
    if requester is not None:
        query = query.where(Notice.requester == requester.upper())
    if mine:
        query = query.where(Notice.requester == (actor.member or ""))
    with ctx.uow() as uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(
                query.order_by(Notice.created_at.desc(), Notice.id.desc())
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        )
        # The query narrows by SQL; the same pure rule then checks each row (defence in depth).
        rows = [r for r in rows if can_view(actor, exposure(r))]
        if rows:
            uow.audit(actor, f"{kind}:list:read", kind.value, None, {"ids": [r.id for r in rows]})
            uow.commit()
        return Page(rows, total, page, per_page)


def _visible_query(actor: Actor) -> Select[Notice]:
    query = select(Notice)
    if actor.role in (Role.SECRETARIAT, Role.CCF):
        return query
    if actor.role != Role.NCB or not actor.member:
        return query.where(Notice.id.is_(None))  # sees no files at all
    member = actor.member
    # Restriction and recipient lists are small JSON arrays; filtering them in SQL would differ
    # between SQLite and PostgreSQL, so the state filter runs in SQL and the rest per row.
    in_force = ((Notice.kind == Kind.NOTICE.value) & (Notice.status == Status.ISSUED.value)) | (
        (Notice.kind == Kind.DIFFUSION.value)
        & Notice.status.in_([Status.CIRCULATING.value, Status.CONFIRMED.value])
    )
    return query.where((Notice.requester == member) | (in_force & ~Notice.blocked))


def act_on_request(
    ctx: AppContext,
    actor: Actor,
    notice_id: str,
    action: Action,
    reasons: str | None = None,
) -> Notice:
    """Suspend, resume, withdraw, renew, cancel, expire or delete."""
    require(actor, "notice:request:act")
    if action in (Action.RENEW, Action.CANCEL, Action.DELETE, Action.RECALL) and not reasons:
        raise ValidationFailed(f"'{action}' needs reasons")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        transition(ctx, uow, actor, notice, action, reasons)
        uow.commit()
        return notice


def set_visibility(ctx: AppContext, actor: Actor, notice_id: str, vis: Visibility) -> Notice:
    """The requester asks for (or withdraws) a public extract, or restricts members."""
    require(actor, "notice:request:update")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        if notice.requester != actor.member:
            raise Forbidden("only the requesting member's NCB may change who sees this notice")
        if notice.status == Status.DELETED:
            raise Conflict(f"{notice.id} was deleted")
        if notice.kind == Kind.DIFFUSION and vis.public_extract:
            raise ValidationFailed("a diffusion is never published")
        if NoticeType(notice.type) in NEVER_PUBLIC_TYPES and vis.public_extract:
            raise ValidationFailed(f"a {notice.type} notice is never published")
        notice.public_extract = vis.public_extract or notice.type == NoticeType.UN
        notice.restricted_from = list(vis.restricted_from)
        notice.updated_at = utcnow()
        uow.audit(
            actor,
            "notice:visibility:changed",
            notice.kind,
            notice.id,
            {"public": notice.public_extract, "restricted_from": notice.restricted_from},
        )
        _changed(ctx, uow, notice)
        uow.commit()
        return notice


def add_photo(
    ctx: AppContext, actor: Actor, notice_id: str, content_type: str, data: bytes
) -> Photo:
    require(actor, "notice:photo:add")
    content_type = content_type.split(";")[0].strip().lower()
    if content_type not in PHOTO_TYPES:
        raise ValidationFailed(
            f"a photo must be JPEG, PNG or WebP (got '{content_type or 'no content type'}')"
        )
    if len(data) > ctx.settings.max_photo_bytes:
        raise TooLarge(f"a photo may be at most {ctx.settings.max_photo_bytes} bytes")
    if not data.startswith(_MAGIC[content_type]):
        raise ValidationFailed(f"the file is not a {content_type} image")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        if notice.requester != actor.member:
            raise Forbidden("only the requesting member's NCB may add photos")
        if notice.status == Status.DELETED:
            raise Conflict(f"{notice.id} was deleted")
        photo = Photo(notice_id=notice.id, content_type=content_type, data=data)
        uow.session.add(photo)
        uow.session.flush()
        uow.audit(actor, "notice:photo:added", notice.kind, notice.id, {"photo": photo.id})
        uow.commit()
        return photo


def photo_ids(session: Session, notice_id: str) -> list[int]:
    return list(
        session.scalars(select(Photo.id).where(Photo.notice_id == notice_id).order_by(Photo.id))
    )


def get_photo(ctx: AppContext, actor: Actor, notice_id: str, photo_id: int) -> Photo:
    require(actor, "notice:request:read")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        photo = uow.session.get(Photo, photo_id)
        if photo is None or photo.notice_id != notice.id:
            raise NotFound(f"no photo {photo_id} on {notice.id}")
        uow.audit(actor, "notice:photo:read", notice.kind, notice.id, {"photo": photo_id})
        uow.commit()
        return photo


def history(ctx: AppContext, actor: Actor, notice_id: str) -> list[NoticeHistory]:
    require(actor, "notice:request:read")
    with ctx.read_session_factory() as session:
        notice = load_visible(session, actor, notice_id)
        if actor.role == Role.NCB and notice.requester != actor.member:
            raise Forbidden("the history of a request is for its requester and the secretariat")
        return list(
            session.scalars(
                select(NoticeHistory)
                .where(NoticeHistory.notice_id == notice.id)
                .order_by(NoticeHistory.id)
            )
        )


def expire_due(ctx: AppContext, actor: Actor, today: dt.date | None = None) -> list[str]:
    """Let notices past their validity expire (run daily by the operator or the server)."""
    day = today or dt.date.today()
    with ctx.uow() as uow:
        due = list(
            uow.session.scalars(
                select(Notice).where(
                    Notice.kind == Kind.NOTICE.value,
                    Notice.status.in_([Status.ISSUED.value, Status.SUSPENDED.value]),
                    Notice.valid_until < day,
                )
            )
        )
        for notice in due:
            transition(ctx, uow, actor, notice, Action.EXPIRE, "validity ended", check=False)
        uow.commit()
        return [n.id for n in due]


# --- shared by the use cases of this package -----------------------------------------------


def load_visible(session: Session, actor: Actor, notice_id: str) -> Notice:
    nid = parse_id(notice_id)
    notice = session.get(Notice, nid)
    if notice is None or not can_view(actor, exposure(notice)):
        raise NotFound(f"no notice or request {nid} that you may see")
    return notice


def transition(
    ctx: AppContext,
    uow: UnitOfWork,
    actor: Actor,
    notice: Notice,
    action: Action,
    reasons: str | None,
    details: dict[str, Any] | None = None,
    *,
    check: bool = True,
) -> Status:
    before = Status(notice.status)
    if check:
        assert actor.role is not None
        after = next_status(
            Kind(notice.kind), before, action, actor.role, actor.member, notice.requester
        )
    else:  # the system's own step (expiry); still only from the states the table allows
        from opennotice.domain.lifecycle import transitions_for

        t = transitions_for(Kind(notice.kind))[action]
        if before not in t.sources:
            raise Conflict(f"cannot {action} {notice.id} from {before}")
        after = t.target
    now = utcnow()
    notice.status = after.value
    notice.updated_at = now
    if action == Action.ISSUE:
        notice.issued_on = now.date()
        notice.valid_until = add_years(now.date(), ctx.settings.validity_years)
        notice.decided_at = now
    elif action == Action.RENEW:
        base = notice.valid_until or now.date()
        notice.valid_until = add_years(base, ctx.settings.validity_years)
    elif action in (Action.REFUSE, Action.CONFIRM, Action.RECALL, Action.RELEASE):
        notice.decided_at = notice.decided_at or now
    if after in (Status.WITHDRAWN, Status.CANCELLED, Status.EXPIRED, Status.RECALLED):
        notice.ended_at = now
    if after == Status.DELETED:
        _purge(uow.session, notice, reasons)
    _history(uow, actor, notice, action.value, before, after, reasons, details)
    uow.audit(
        actor,
        f"{notice.kind}:status:{after.value}" if after != before else f"{notice.kind}:{action}",
        notice.kind,
        notice.id,
        {"from": before.value, "to": after.value, "action": action.value, **(details or {})},
    )
    was_out = before in (Status.ISSUED, Status.CIRCULATING, Status.CONFIRMED, Status.SUSPENDED)
    if notice.kind == Kind.DIFFUSION and was_out and after in (Status.RECALLED, Status.DELETED):
        tell_recipients_to_purge(uow.session, notice, reasons)
    _changed(ctx, uow, notice)
    return after


def _purge(session: Session, notice: Notice, reasons: str | None) -> None:
    """Deletion: the personal data go, a tombstone stays (id, type, requester, dates, ground)."""
    notice.content = None
    notice.findings = []
    notice.public_extract = False
    notice.deleted_at = utcnow()
    notice.deletion_ground = (reasons or "")[:40] or None
    for photo in session.scalars(select(Photo).where(Photo.notice_id == notice.id)):
        session.delete(photo)


def tell_recipients_to_purge(session: Session, notice: Notice, reasons: str | None) -> None:
    for member in notice.recipients or []:
        session.add(
            Notification(
                member=member,
                kind="purge",
                notice_id=notice.id,
                message=(
                    f"Diffusion {notice.id} from {notice.requester} was withdrawn from "
                    "circulation: delete it and any data taken from it from your national files."
                ),
                details={"reasons": reasons or ""},
            )
        )


def _history(
    uow: UnitOfWork,
    actor: Actor,
    notice: Notice,
    action: str,
    before: Status | None,
    after: Status,
    reasons: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    uow.session.add(
        NoticeHistory(
            notice_id=notice.id,
            action=action,
            from_status=before.value if before else None,
            to_status=after.value,
            actor_id=actor.user_id,
            actor_role=str(actor.role) if actor.role else None,
            actor_member=actor.member,
            reasons=reasons,
            details=details or {},
        )
    )


def record_history(
    uow: UnitOfWork,
    actor: Actor,
    notice: Notice,
    action: str,
    reasons: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    """A step that does not change the state (e.g. the first of two approvals)."""
    status = Status(notice.status)
    _history(uow, actor, notice, action, status, status, reasons, details)


def _changed(ctx: AppContext, uow: UnitOfWork, notice: Notice) -> None:
    """Feed the screening indexes of this and every other process."""
    uow.session.add(IndexChange(notice_id=notice.id))
    ctx.notify_changed(uow, notice.id)
