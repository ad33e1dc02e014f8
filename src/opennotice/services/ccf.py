"""The commission (CCF): individuals' requests for access, correction or deletion.

Anyone may file, without an account; they get a reference and a secret to follow the case (only
an HMAC of the secret is stored). The request is confidential: it is kept in the commission's own
tables, never in police files nor in the screening index; NCBs see only the questions and the
decisions sent to them. A member of the commission decides admissibility, confirms which notices
the case concerns (proposed by the name matcher), asks the requesting NCB for its view, may block
a notice provisionally while a deletion request is examined, and decides with reasons. A deletion
ordered is carried out by the system at once: data purged, tombstone kept, index updated,
recipients of diffusions told to purge, and the person entered in the protected-persons register.

The loophole is closed: if the requesting member withdraws a notice while a case concerns it, the
withdrawal is recorded against that member (`ccf_withdrawal` in the notice's history, counted in
the public figures), the commission may still rule, and the person is protected from
re-submission.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from opennotice.domain.actors import SYSTEM, Actor
from opennotice.domain.ccf import (
    REVIEW_STATES,
    CaseAction,
    CaseDates,
    CaseState,
    DeadlineState,
    Outcome,
    RequestKind,
    check_revision,
    deadline_state,
    deadlines,
    deletion_ordered,
    next_state,
    worst,
)
from opennotice.domain.content import check_partial_date
from opennotice.domain.countries import normalise_country
from opennotice.domain.lifecycle import Action
from opennotice.domain.types import Kind, Role, Status
from opennotice.errors import Conflict, NotFound, TooLarge, ValidationFailed
from opennotice.matching import NameIndex, PersonQuery, PersonRecord
from opennotice.store.tables import IndexChange, Notice, NoticeHistory, Notification, utcnow
from opennotice.store.tables_ccf import CcfCase, CcfConsultation, CcfDocument, CcfEvent, CcfLink
from opennotice.store.tables_register import ProtectedPerson
from opennotice.store.uow import UnitOfWork

from .context import AppContext
from .guard import require
from .register import add_protection
from .requests import parse_id, record_history, transition

MIN_REASONS = 10
MATCH_THRESHOLD = 0.7
MAX_DOCUMENTS = 5
DOCUMENT_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
CONSULTATION_DAYS = 30
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


# --- what the applicant sends ----------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Short = Annotated[str, Field(min_length=1, max_length=200)]


class Applicant(_Strict):
    """The person concerned, as they name themselves (and their lawyer, if any)."""

    family_name: Short
    given_names: Short | None = None
    other_names: Annotated[list[Short], Field(max_length=10)] = []
    date_of_birth: str | None = None
    sex: Annotated[str, Field(pattern=r"^[MFU]$")] | None = None
    nationalities: Annotated[list[str], Field(max_length=5)] = []
    contact: Annotated[str, Field(min_length=3, max_length=300)]
    represented_by: Short | None = None  # lawyer or representative

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: str | None) -> str | None:
        return None if not v else check_partial_date(v)

    @field_validator("nationalities")
    @classmethod
    def _nats(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for code in v:
            c = normalise_country(code)
            if c not in out:
                out.append(c)
        return out

    def display_name(self) -> str:
        return ", ".join(p for p in (self.family_name, self.given_names or "") if p)


class Filing(_Strict):
    kind: RequestKind
    applicant: Applicant
    grounds: Annotated[str, Field(min_length=20, max_length=20000)]


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Filed:
    reference: str
    secret: str  # shown once to the applicant, never stored


# --- what the services return ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineView:
    name: str
    due: dt.date
    done: dt.date | None
    state: DeadlineState


@dataclass(frozen=True, slots=True)
class EventView:
    action: str
    at: dt.datetime
    reasons: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LinkView:
    notice_id: str
    requester: str
    status: str
    score: float | None
    blocked: bool
    withdrawn_during_review: bool
    notice_status: str | None


@dataclass(frozen=True, slots=True)
class ConsultationView:
    id: int
    notice_id: str
    member: str
    question: str
    asked_at: dt.datetime
    due_on: dt.date
    view: str | None
    answered_at: dt.datetime | None
    state: DeadlineState


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as the commission sees it (`applicant` is None in the public follow-up view)."""

    reference: str
    kind: RequestKind
    state: CaseState
    received_at: dt.datetime
    deadlines: list[DeadlineView]
    flag: DeadlineState
    outcome: str | None
    decision_reasons: str | None
    applicant: dict[str, Any] | None = None
    grounds: str | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    links: list[LinkView] = field(default_factory=list)
    consultations: list[ConsultationView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _day(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else _aware(value).date()


def secret_digest(ctx: AppContext, reference: str, secret: str) -> str:
    message = f"ccf:{reference}:{secret}".encode()
    return hmac.new(ctx.secret_key, message, hashlib.sha256).hexdigest()


def _new_reference(now: dt.datetime) -> str:
    body = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"CCF-{now.year}-{body}"


def normalise_reference(value: str) -> str:
    ref = value.strip().upper()
    if not (8 <= len(ref) <= 24) or not ref.startswith("CCF-"):
        raise NotFound("no commission case with this reference and secret")
    return ref


def _case_dates(case: CcfCase) -> CaseDates:
    return CaseDates(
        kind=RequestKind(case.kind),
        received=_day(case.received_at) or dt.date.today(),
        admissible=_day(case.admissibility_at),
        admitted=case.admitted,
        decided=_day(case.decided_at),
        deletion_ordered=bool(
            case.outcome and deletion_ordered(RequestKind(case.kind), Outcome(case.outcome))
        ),
        executed=_day(case.executed_at),
    )


def case_deadlines(case: CcfCase, today: dt.date) -> list[DeadlineView]:
    out = []
    for d in deadlines(_case_dates(case)):
        out.append(DeadlineView(d.name, d.due, d.done, d.state(today)))
    return out


def _flag(views: list[DeadlineView]) -> DeadlineState:
    return worst([v.state for v in views])


def _event(
    uow: UnitOfWork,
    actor: Actor,
    case: CcfCase,
    action: str,
    reasons: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    to_applicant: bool = False,
) -> None:
    uow.session.add(
        CcfEvent(
            case_id=case.id,
            action=action,
            actor_id=actor.user_id,
            actor_role=str(actor.role) if actor.role else None,
            actor_member=actor.member,
            reasons=reasons,
            to_applicant=to_applicant,
            details=details or {},
        )
    )
    case.updated_at = utcnow()


def _load_case(session: Session, reference: str) -> CcfCase:
    ref = normalise_reference(reference)
    case = session.execute(select(CcfCase).where(CcfCase.reference == ref)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"no commission case {ref}")
    return case


def _move(case: CcfCase, action: CaseAction) -> None:
    case.state = next_state(CaseState(case.state), action).value


def _reasons(reasons: str | None) -> str:
    text = (reasons or "").strip()
    if len(text) < MIN_REASONS:
        raise ValidationFailed("every decision of the commission states its reasons")
    return text


def _index_changed(ctx: AppContext, uow: UnitOfWork, notice_id: str) -> None:
    """Feed the screening indexes, as services.requests does for its own changes."""
    uow.session.add(IndexChange(notice_id=notice_id))
    ctx.notify_changed(uow, notice_id)


def _check_document(ctx: AppContext, doc: Document) -> Document:
    ctype = doc.content_type.split(";")[0].strip().lower()
    magic = DOCUMENT_TYPES.get(ctype)
    if magic is None:
        raise ValidationFailed("documents must be PDF, JPEG or PNG files")
    if len(doc.data) > ctx.settings.max_photo_bytes:
        raise TooLarge(f"a document may be at most {ctx.settings.max_photo_bytes} bytes")
    if not doc.data.startswith(magic):
        raise ValidationFailed(f"a document is not the {ctype} file it claims to be")
    name = "".join(c for c in doc.filename if c.isalnum() or c in "._- ")[:120] or "document"
    return Document(name, ctype, doc.data)


# --- the public side: filing and following a case --------------------------------------------


def file_request(
    ctx: AppContext,
    actor: Actor,
    filing: Filing,
    documents: list[Document] | None = None,
) -> Filed:
    """Anyone files a request (no account). Returns the reference and the secret, once."""
    docs = [_check_document(ctx, d) for d in (documents or [])]
    if len(docs) > MAX_DOCUMENTS:
        raise ValidationFailed(f"at most {MAX_DOCUMENTS} documents may be attached")
    secret = secrets.token_urlsafe(18)
    with ctx.uow() as uow:
        now = utcnow()
        reference = _new_reference(now)
        while uow.session.execute(select(CcfCase.id).where(CcfCase.reference == reference)).first():
            reference = _new_reference(now)
        case = CcfCase(
            reference=reference,
            secret_hash=secret_digest(ctx, reference, secret),
            kind=filing.kind.value,
            state=CaseState.RECEIVED.value,
            applicant=filing.applicant.model_dump(mode="json"),
            grounds=filing.grounds,
            received_at=now,
            updated_at=now,
            admitted=False,
            revisions=0,
        )
        uow.session.add(case)
        uow.session.flush()
        for doc in docs:
            uow.session.add(
                CcfDocument(
                    case_id=case.id,
                    filename=doc.filename,
                    content_type=doc.content_type,
                    data=doc.data,
                )
            )
        _event(uow, actor, case, "filed", None, {"documents": len(docs)}, to_applicant=True)
        uow.audit(
            actor,
            "ccf:request:filed",
            "ccf_case",
            reference,
            {"kind": filing.kind.value, "documents": len(docs)},
        )
        uow.commit()
    return Filed(reference, secret)


def _authorised_case(ctx: AppContext, session: Session, reference: str, secret: str) -> CcfCase:
    unknown = NotFound("no commission case with this reference and secret")
    try:
        ref = normalise_reference(reference)
    except NotFound:
        raise unknown from None
    case = session.execute(select(CcfCase).where(CcfCase.reference == ref)).scalar_one_or_none()
    expected = case.secret_hash if case is not None else "0" * 64
    given = secret_digest(ctx, ref, (secret or "").strip()[:200])
    if not hmac.compare_digest(expected, given) or case is None:
        raise unknown
    return case


def follow(
    ctx: AppContext, actor: Actor, reference: str, secret: str, today: dt.date | None = None
) -> CaseView:
    """What the applicant may see of their case: state, deadlines, decisions with reasons."""
    day = today or utcnow().date()
    with ctx.uow() as uow:
        case = _authorised_case(ctx, uow.session, reference, secret)
        views = case_deadlines(case, day)
        events = [
            EventView(e.action, _aware(e.at), e.reasons, {})
            for e in uow.session.scalars(
                select(CcfEvent)
                .where(CcfEvent.case_id == case.id, CcfEvent.to_applicant.is_(True))
                .order_by(CcfEvent.id)
            )
        ]
        uow.audit(actor, "ccf:case:followed", "ccf_case", case.reference)
        uow.commit()
        return CaseView(
            reference=case.reference,
            kind=RequestKind(case.kind),
            state=CaseState(case.state),
            received_at=_aware(case.received_at),
            deadlines=views,
            flag=_flag(views),
            outcome=case.outcome,
            decision_reasons=case.decision_reasons,
            events=events,
        )


def ask_revision(
    ctx: AppContext,
    actor: Actor,
    reference: str,
    secret: str,
    new_fact: str,
    discovered_on: dt.date,
    today: dt.date | None = None,
) -> CaseView:
    """The applicant asks for a revision: only on a new fact, within 6 months of discovery."""
    day = today or utcnow().date()
    check_revision(discovered_on, day, new_fact)
    with ctx.uow() as uow:
        case = _authorised_case(ctx, uow.session, reference, secret)
        _revise(uow, actor, case, new_fact, discovered_on)
        uow.commit()
    return follow(ctx, actor, reference, secret, day)


def _revise(
    uow: UnitOfWork, actor: Actor, case: CcfCase, new_fact: str, discovered_on: dt.date
) -> None:
    _move(case, CaseAction.REVISE)
    now = utcnow()
    case.revisions += 1
    # The revision is examined anew: admitted today, decision deadline counted from today.
    case.admitted = True
    case.admissibility_at = now
    case.decided_at = None
    case.outcome = None
    case.decision_reasons = None
    case.executed_at = None
    _event(
        uow,
        actor,
        case,
        "revision_opened",
        new_fact,
        {"fact_discovered_on": discovered_on.isoformat()},
        to_applicant=True,
    )
    uow.audit(
        actor, "ccf:case:revision_opened", "ccf_case", case.reference, {"revision": case.revisions}
    )


# --- the commission's side -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseSummary:
    reference: str
    kind: RequestKind
    state: CaseState
    received_at: dt.datetime
    flag: DeadlineState
    next_due: dt.date | None
    links: int
    blocked: int


def list_cases(
    ctx: AppContext,
    actor: Actor,
    *,
    state: CaseState | None = None,
    flag: DeadlineState | None = None,
    today: dt.date | None = None,
    limit: int = 500,
) -> list[CaseSummary]:
    """The commission's cases, the most urgent first (overdue, then due soon, then by date)."""
    require(actor, "ccf:case:handle")
    day = today or utcnow().date()
    query = select(CcfCase)
    if state is not None:
        query = query.where(CcfCase.state == state.value)
    with ctx.uow() as uow:
        cases = list(uow.session.scalars(query.order_by(CcfCase.received_at).limit(limit)))
        links = list(
            uow.session.scalars(
                select(CcfLink).where(CcfLink.case_id.in_([c.id for c in cases] or [-1]))
            )
        )
        out: list[CaseSummary] = []
        for case in cases:
            views = case_deadlines(case, day)
            pending = [v.due for v in views if v.done is None]
            mine = [lk for lk in links if lk.case_id == case.id and lk.status == "confirmed"]
            out.append(
                CaseSummary(
                    reference=case.reference,
                    kind=RequestKind(case.kind),
                    state=CaseState(case.state),
                    received_at=_aware(case.received_at),
                    flag=_flag(views),
                    next_due=min(pending) if pending else None,
                    links=len(mine),
                    blocked=sum(1 for lk in mine if lk.blocked),
                )
            )
        if flag is not None:
            out = [c for c in out if c.flag == flag]
        rank = {DeadlineState.OVERDUE: 0, DeadlineState.DUE_SOON: 1}
        out.sort(key=lambda c: (rank.get(c.flag, 2), c.next_due or dt.date.max, c.reference))
        uow.audit(actor, "ccf:case:listed", "ccf_case", None, {"count": len(out)})
        uow.commit()
        return out


def _view(session: Session, case: CcfCase, day: dt.date) -> CaseView:
    views = case_deadlines(case, day)
    links = []
    for lk in session.scalars(
        select(CcfLink).where(CcfLink.case_id == case.id).order_by(CcfLink.id)
    ):
        notice = session.get(Notice, lk.notice_id)
        links.append(
            LinkView(
                lk.notice_id,
                lk.requester,
                lk.status,
                lk.score,
                lk.blocked,
                lk.withdrawn_during_review,
                notice.status if notice else None,
            )
        )
    consultations = [
        ConsultationView(
            c.id,
            c.notice_id,
            c.member,
            c.question,
            _aware(c.asked_at),
            c.due_on,
            c.view,
            _aware(c.answered_at) if c.answered_at else None,
            deadline_state(c.due_on, _day(c.answered_at), day),
        )
        for c in session.scalars(
            select(CcfConsultation)
            .where(CcfConsultation.case_id == case.id)
            .order_by(CcfConsultation.id)
        )
    ]
    events = [
        EventView(e.action, _aware(e.at), e.reasons, dict(e.details or {}))
        for e in session.scalars(
            select(CcfEvent).where(CcfEvent.case_id == case.id).order_by(CcfEvent.id)
        )
    ]
    documents = [
        {"id": d.id, "filename": d.filename, "content_type": d.content_type, "size": len(d.data)}
        for d in session.scalars(select(CcfDocument).where(CcfDocument.case_id == case.id))
    ]
    return CaseView(
        reference=case.reference,
        kind=RequestKind(case.kind),
        state=CaseState(case.state),
        received_at=_aware(case.received_at),
        deadlines=views,
        flag=_flag(views),
        outcome=case.outcome,
        decision_reasons=case.decision_reasons,
        applicant=dict(case.applicant),
        grounds=case.grounds,
        documents=documents,
        links=links,
        consultations=consultations,
        events=events,
    )


def get_case(
    ctx: AppContext, actor: Actor, reference: str, today: dt.date | None = None
) -> CaseView:
    require(actor, "ccf:case:handle")
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        view = _view(uow.session, case, today or utcnow().date())
        uow.audit(actor, "ccf:case:read", "ccf_case", case.reference)
        uow.commit()
        return view


def get_document(ctx: AppContext, actor: Actor, reference: str, document_id: int) -> CcfDocument:
    require(actor, "ccf:case:handle")
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        doc = uow.session.get(CcfDocument, document_id)
        if doc is None or doc.case_id != case.id:
            raise NotFound(f"no document {document_id} in case {case.reference}")
        uow.audit(actor, "ccf:document:read", "ccf_case", case.reference, {"document": doc.id})
        uow.commit()
        return doc


def decide_admissibility(
    ctx: AppContext, actor: Actor, reference: str, admissible: bool, reasons: str
) -> CaseView:
    require(actor, "ccf:case:handle")
    text = _reasons(reasons)
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        _move(case, CaseAction.ADMIT if admissible else CaseAction.REJECT_ADMISSIBILITY)
        case.admissibility_at = utcnow()
        case.admitted = admissible
        case.admissibility_reasons = text
        if not admissible:
            case.decision_reasons = text
        action = "admitted" if admissible else "found_inadmissible"
        _event(uow, actor, case, action, text, to_applicant=True)
        uow.audit(actor, f"ccf:case:{action}", "ccf_case", case.reference)
        uow.commit()
        return _view(uow.session, case, utcnow().date())


def _subject_record(notice: Notice) -> PersonRecord | None:
    content = notice.content or {}
    subject = content.get("subject")
    if not isinstance(subject, dict):
        return None
    return PersonRecord(
        key=notice.id,
        family_name=subject.get("family_name"),
        given_names=subject.get("given_names"),
        original_family_name=subject.get("original_family_name"),
        original_given_names=subject.get("original_given_names"),
        aliases=tuple(subject.get("aliases") or ()),
        date_of_birth=subject.get("date_of_birth"),
        sex=subject.get("sex"),
        nationalities=tuple(subject.get("nationalities") or ()),
    )


def _queries(applicant: dict[str, Any]) -> list[PersonQuery]:
    dob, sex = applicant.get("date_of_birth"), applicant.get("sex")
    nats = tuple(applicant.get("nationalities") or ())
    names = [(applicant.get("family_name"), applicant.get("given_names"))]
    names += [(other, None) for other in applicant.get("other_names") or []]
    return [PersonQuery(family, given, dob, sex, nats) for family, given in names]


def propose_matches(
    ctx: AppContext, actor: Actor, reference: str, threshold: float = MATCH_THRESHOLD
) -> CaseView:
    """Run the name matcher over every notice and diffusion still holding data (any state:
    the commission sees the whole file). Proposals await a member's confirmation."""
    require(actor, "ccf:case:handle")
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        if CaseState(case.state) != CaseState.UNDER_REVIEW:
            raise Conflict("matching is done once the request is found admissible")
        index = NameIndex()
        requesters: dict[str, str] = {}
        for notice in uow.session.scalars(select(Notice).where(Notice.content.is_not(None))):
            record = _subject_record(notice)
            if record is not None:
                index.add(record)
                requesters[notice.id] = notice.requester
        best: dict[str, float] = {}
        for query in _queries(case.applicant):
            for match in index.search(query, threshold=threshold, limit=50):
                best[match.key] = max(best.get(match.key, 0.0), match.score)
        existing = {
            lk.notice_id: lk
            for lk in uow.session.scalars(select(CcfLink).where(CcfLink.case_id == case.id))
        }
        for notice_id, score in sorted(best.items()):
            link = existing.get(notice_id)
            if link is None:
                uow.session.add(
                    CcfLink(
                        case_id=case.id,
                        notice_id=notice_id,
                        requester=requesters[notice_id],
                        score=round(score, 4),
                        status="proposed",
                        blocked=False,
                        withdrawn_during_review=False,
                    )
                )
            elif link.status == "proposed":
                link.score = round(score, 4)
        _event(uow, actor, case, "matched", None, {"proposals": len(best)})
        uow.audit(actor, "ccf:case:matched", "ccf_case", case.reference, {"notices": sorted(best)})
        uow.commit()
        return _view(uow.session, case, utcnow().date())


def _notice(session: Session, notice_id: str) -> Notice:
    nid = parse_id(notice_id)
    notice = session.get(Notice, nid)
    if notice is None:
        raise NotFound(f"no notice or request {nid}")
    return notice


def _link(session: Session, case: CcfCase, notice_id: str) -> CcfLink:
    nid = parse_id(notice_id)
    link = session.execute(
        select(CcfLink).where(CcfLink.case_id == case.id, CcfLink.notice_id == nid)
    ).scalar_one_or_none()
    if link is None:
        raise NotFound(f"case {case.reference} has no link to {nid}")
    return link


def review_match(
    ctx: AppContext, actor: Actor, reference: str, notice_id: str, confirm: bool
) -> CaseView:
    """A member of the commission confirms (or rejects) that the case concerns a notice.
    A member may also link a notice the matcher missed, by confirming it directly."""
    require(actor, "ccf:case:handle")
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        if CaseState(case.state) != CaseState.UNDER_REVIEW:
            raise Conflict("the notices concerned are settled while the case is under review")
        notice = _notice(uow.session, notice_id)
        link = uow.session.execute(
            select(CcfLink).where(CcfLink.case_id == case.id, CcfLink.notice_id == notice.id)
        ).scalar_one_or_none()
        if link is None:
            link = CcfLink(
                case_id=case.id,
                notice_id=notice.id,
                requester=notice.requester,
                score=None,
                status="proposed",
                blocked=False,
                withdrawn_during_review=False,
            )
            uow.session.add(link)
        if link.status == "confirmed" and not confirm and link.blocked:
            raise Conflict("lift the provisional block before unlinking this notice")
        was = link.status
        link.status = "confirmed" if confirm else "rejected"
        link.decided_by = actor.user_id
        uow.session.flush()
        if confirm and was != "confirmed":
            record_history(uow, actor, notice, "ccf_case_opened", None, {"request_kind": case.kind})
            _note_withdrawal(ctx, uow, case, link, notice)
        _event(
            uow,
            actor,
            case,
            "link_confirmed" if confirm else "link_rejected",
            None,
            {"notice": notice.id},
        )
        uow.audit(
            actor,
            "ccf:link:" + ("confirmed" if confirm else "rejected"),
            "ccf_case",
            case.reference,
            {"notice": notice.id},
        )
        uow.commit()
        return _view(uow.session, case, utcnow().date())


def _confirmed_links(session: Session, case: CcfCase) -> list[CcfLink]:
    return list(
        session.scalars(
            select(CcfLink)
            .where(CcfLink.case_id == case.id, CcfLink.status == "confirmed")
            .order_by(CcfLink.id)
        )
    )


def ask_ncb(
    ctx: AppContext,
    actor: Actor,
    reference: str,
    notice_id: str,
    question: str,
    days: int = CONSULTATION_DAYS,
) -> ConsultationView:
    """Ask the requesting NCB for its view on a notice the case concerns, by a date."""
    require(actor, "ccf:case:handle")
    text = _reasons(question)
    if not 1 <= days <= 120:
        raise ValidationFailed("the NCB is given between 1 and 120 days to answer")
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        if CaseState(case.state) != CaseState.UNDER_REVIEW:
            raise Conflict("the NCB is consulted while the case is under review")
        link = _link(uow.session, case, notice_id)
        if link.status != "confirmed":
            raise Conflict("confirm that the case concerns this notice before consulting")
        now = utcnow()
        due = now.date() + dt.timedelta(days=days)
        row = CcfConsultation(
            case_id=case.id,
            notice_id=link.notice_id,
            member=link.requester,
            question=text,
            asked_at=now,
            due_on=due,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.session.add(
            Notification(
                member=link.requester,
                kind="ccf:consultation",
                notice_id=link.notice_id,
                message=(
                    f"The Commission for the Control of the Files asks your view on "
                    f"{link.notice_id} by {due.isoformat()}: {text}"
                ),
                details={"consultation": row.id, "due_on": due.isoformat()},
            )
        )
        facts = {"notice": link.notice_id, "member": link.requester, "due_on": due.isoformat()}
        _event(uow, actor, case, "ncb_consulted", text, facts)
        uow.audit(
            actor,
            "ccf:consultation:sent",
            "ccf_case",
            case.reference,
            {"notice": link.notice_id, "member": link.requester},
        )
        uow.commit()
        return ConsultationView(
            row.id,
            row.notice_id,
            row.member,
            text,
            now,
            due,
            None,
            None,
            deadline_state(due, None, now.date()),
        )


def answer_consultation(
    ctx: AppContext, actor: Actor, consultation_id: int, view: str
) -> ConsultationView:
    """The requesting NCB gives its view (once)."""
    require(actor, "ccf:consultation:answer")
    text = _reasons(view)
    with ctx.uow() as uow:
        row = uow.session.get(CcfConsultation, consultation_id)
        if row is None or row.member != actor.member:
            raise NotFound(f"no question {consultation_id} from the commission to your member")
        if row.answered_at is not None:
            raise Conflict("this question was already answered")
        now = utcnow()
        row.view, row.answered_at, row.answered_by = text, now, actor.user_id
        case = uow.session.get(CcfCase, row.case_id)
        assert case is not None
        _event(
            uow,
            actor,
            case,
            "ncb_answered",
            text,
            {"notice": row.notice_id, "late": now.date() > row.due_on},
        )
        uow.audit(actor, "ccf:consultation:answered", "ccf_consultation", str(row.id))
        uow.commit()
        return ConsultationView(
            row.id,
            row.notice_id,
            row.member,
            row.question,
            _aware(row.asked_at),
            row.due_on,
            text,
            now,
            deadline_state(row.due_on, now.date(), now.date()),
        )


def set_block(
    ctx: AppContext, actor: Actor, reference: str, notice_id: str, blocked: bool, reasons: str
) -> CaseView:
    """Provisionally block a notice while a deletion request is examined: it stays in the file
    but stops circulating and hitting. Lifting the block puts it back."""
    require(actor, "ccf:case:handle")
    text = _reasons(reasons)
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        if blocked and RequestKind(case.kind) != RequestKind.DELETION:
            raise Conflict("a notice is blocked only while a deletion request is examined")
        if blocked and CaseState(case.state) not in REVIEW_STATES:
            raise Conflict("a notice is blocked only while the case is under examination")
        link = _link(uow.session, case, notice_id)
        if link.status != "confirmed":
            raise Conflict("confirm that the case concerns this notice before blocking it")
        notice = _notice(uow.session, link.notice_id)
        if notice.status == Status.DELETED:
            raise Conflict(f"{notice.id} was deleted")
        _apply_block(ctx, uow, actor, case, link, notice, blocked, text)
        uow.commit()
        return _view(uow.session, case, utcnow().date())


def _apply_block(
    ctx: AppContext,
    uow: UnitOfWork,
    actor: Actor,
    case: CcfCase,
    link: CcfLink,
    notice: Notice,
    blocked: bool,
    reasons: str,
) -> None:
    if link.blocked == blocked and notice.blocked == blocked:
        return
    link.blocked = blocked
    # Another open case may still hold a block on the same notice.
    others = uow.session.scalars(
        select(CcfLink.id).where(
            CcfLink.notice_id == notice.id, CcfLink.blocked.is_(True), CcfLink.id != link.id
        )
    ).first()
    notice.blocked = blocked or others is not None
    notice.updated_at = utcnow()
    action = "ccf_block" if blocked else "ccf_unblock"
    record_history(uow, actor, notice, action, reasons, {"request_kind": case.kind})
    _event(uow, actor, case, action, reasons, {"notice": notice.id})
    uow.audit(
        actor,
        f"ccf:notice:{'blocked' if blocked else 'unblocked'}",
        notice.kind,
        notice.id,
        {"case": case.reference},
    )
    _index_changed(ctx, uow, notice.id)


def decide(
    ctx: AppContext,
    actor: Actor,
    reference: str,
    outcome: Outcome,
    reasons: str,
) -> CaseView:
    """The commission's binding decision, with reasons, sent to the applicant and to each
    requesting NCB. A deletion ordered is carried out by the system in the same transaction."""
    require(actor, "ccf:case:handle")
    text = _reasons(reasons)
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        _move(case, CaseAction.DECIDE)
        links = _confirmed_links(uow.session, case)
        kind = RequestKind(case.kind)
        if outcome != Outcome.REJECTED and not links:
            raise Conflict("confirm which notices the case concerns before granting it")
        now = utcnow()
        case.decided_at, case.outcome, case.decision_reasons = now, outcome.value, text
        # A withdrawal the watcher may have missed is still caught here.
        for link in links:
            _note_withdrawal(ctx, uow, case, link, _notice(uow.session, link.notice_id))
        ordered = deletion_ordered(kind, outcome)
        for link in links:
            notice = _notice(uow.session, link.notice_id)
            record_history(
                uow,
                actor,
                notice,
                "ccf_decision",
                None,
                {"request_kind": kind.value, "outcome": outcome.value, "deletion_ordered": ordered},
            )
            uow.session.add(
                Notification(
                    member=link.requester,
                    kind="ccf:decision",
                    notice_id=link.notice_id,
                    message=_decision_message(kind, outcome, link.notice_id),
                    details={"outcome": outcome.value, "request_kind": kind.value, "reasons": text},
                )
            )
            if not ordered and link.blocked:
                _apply_block(
                    ctx,
                    uow,
                    actor,
                    case,
                    link,
                    notice,
                    False,
                    "block lifted: the request was decided",
                )
        _event(uow, actor, case, "decided", text, {"outcome": outcome.value}, to_applicant=True)
        concerned = [lk.notice_id for lk in links]
        uow.audit(
            actor,
            "ccf:case:decided",
            "ccf_case",
            case.reference,
            {"outcome": outcome.value, "notices": concerned},
        )
        if ordered:
            _execute_deletion(ctx, uow, actor, case, links, text)
            _move(case, CaseAction.EXECUTE)
        else:
            _move(case, CaseAction.CLOSE)
        uow.commit()
        return _view(uow.session, case, utcnow().date())


def _decision_message(kind: RequestKind, outcome: Outcome, notice_id: str) -> str:
    effect = {
        (RequestKind.DELETION, True): "the data are deleted; delete any copy in your files",
        (RequestKind.CORRECTION, True): "correct the data as the decision states",
        (RequestKind.ACCESS, True): "the applicant is told what is held, as the decision states",
    }.get((kind, outcome != Outcome.REJECTED), "no change is ordered")
    return (
        f"The Commission for the Control of the Files decided a {kind} request concerning "
        f"{notice_id}: {outcome.value.replace('_', ' ')}; {effect}. The reasons are attached."
    )


def _execute_deletion(
    ctx: AppContext,
    uow: UnitOfWork,
    actor: Actor,
    case: CcfCase,
    links: list[CcfLink],
    reasons: str,
) -> None:
    """Carry out a deletion ordered: protect the person first (the data go next), then purge."""
    for link in links:
        notice = _notice(uow.session, link.notice_id)
        if notice.status == Status.DELETED:
            continue
        protect_person(ctx, uow, actor, case, notice, "deletion ordered by the commission")
        was_public = notice.public_extract
        restricted = bool(notice.restricted_from)
        notice.blocked = False
        link.blocked = False
        # transition() purges, keeps the tombstone, feeds the index and, for a diffusion,
        # tells its recipients to purge.
        facts = {"ccf": True, "public_extract": was_public, "restricted": restricted}
        transition(ctx, uow, actor, notice, Action.DELETE, "ccf: deletion ordered", facts)
    case.executed_at = utcnow()
    _event(
        uow,
        actor,
        case,
        "deletion_carried_out",
        reasons,
        {"notices": [lk.notice_id for lk in links]},
        to_applicant=True,
    )
    uow.audit(
        actor,
        "ccf:deletion:carried_out",
        "ccf_case",
        case.reference,
        {"notices": [lk.notice_id for lk in links]},
    )


def revise(
    ctx: AppContext,
    actor: Actor,
    reference: str,
    new_fact: str,
    discovered_on: dt.date,
    today: dt.date | None = None,
) -> CaseView:
    """A member of the commission reopens a case on a new fact (e.g. raised by the NCB)."""
    require(actor, "ccf:case:handle")
    check_revision(discovered_on, today or utcnow().date(), new_fact)
    with ctx.uow() as uow:
        case = _load_case(uow.session, reference)
        _revise(uow, actor, case, new_fact, discovered_on)
        uow.commit()
        return _view(uow.session, case, utcnow().date())


# --- the loophole: a withdrawal while a case concerns the notice -----------------------------


def _note_withdrawal(
    ctx: AppContext, uow: UnitOfWork, case: CcfCase, link: CcfLink, notice: Notice
) -> bool:
    """If the requesting member withdrew the notice after the case was filed and before it was
    decided, record it against that member (once) and protect the person."""
    if link.withdrawn_during_review or link.status != "confirmed":
        return False
    if CaseState(case.state) not in REVIEW_STATES and case.decided_at is None:
        return False
    since = case.received_at
    query = select(NoticeHistory).where(
        NoticeHistory.notice_id == notice.id,
        NoticeHistory.action == Action.WITHDRAW.value,
        NoticeHistory.at >= since,
    )
    if case.decided_at is not None:
        query = query.where(NoticeHistory.at <= case.decided_at)
    withdrawal = uow.session.scalars(query.order_by(NoticeHistory.id)).first()
    if withdrawal is None:
        return False
    link.withdrawn_during_review = True
    member = withdrawal.actor_member or notice.requester
    record_history(
        uow,
        SYSTEM,
        notice,
        "ccf_withdrawal",
        None,
        {
            "against_member": member,
            "request_kind": case.kind,
            "withdrawn_at": _aware(withdrawal.at).isoformat(),
        },
    )
    _event(
        uow, SYSTEM, case, "withdrawal_during_review", None, {"notice": notice.id, "member": member}
    )
    uow.audit(
        SYSTEM,
        "ccf:withdrawal:recorded",
        notice.kind,
        notice.id,
        {"case": case.reference, "member": member},
    )
    protect_person(ctx, uow, SYSTEM, case, notice, "withdrawn during a commission review")
    return True


def note_withdrawals(ctx: AppContext, notice_id: str) -> int:
    """Check one notice against the open cases that concern it; returns how many recorded."""
    # A cheap read first: almost every change concerns no commission case.
    with ctx.read_session_factory() as session:
        concerned = session.scalar(
            select(CcfLink.id)
            .join(CcfCase, CcfCase.id == CcfLink.case_id)
            .join(Notice, Notice.id == CcfLink.notice_id)
            .where(
                CcfLink.notice_id == notice_id,
                CcfLink.status == "confirmed",
                CcfLink.withdrawn_during_review.is_(False),
                CcfCase.state.in_([s.value for s in REVIEW_STATES]),
                Notice.status == Status.WITHDRAWN.value,
            )
            .limit(1)
        )
    if concerned is None:
        return 0
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(CcfLink, CcfCase)
            .join(CcfCase, CcfCase.id == CcfLink.case_id)
            .where(
                CcfLink.notice_id == notice_id,
                CcfLink.status == "confirmed",
                CcfLink.withdrawn_during_review.is_(False),
                CcfCase.state.in_([s.value for s in REVIEW_STATES]),
            )
        ).all()
        if not rows:
            return 0
        notice = uow.session.get(Notice, notice_id)
        if notice is None or notice.status != Status.WITHDRAWN:
            return 0
        count = sum(1 for link, case in rows if _note_withdrawal(ctx, uow, case, link, notice))
        uow.commit()
        return count


class WithdrawalWatch:
    """A NoticeListener: after any change to a notice, record a withdrawal made while a
    commission case concerns it. Wired in bootstrap; errors never break the caller."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def notice_changed(self, notice_id: str) -> None:
        try:
            note_withdrawals(self.ctx, notice_id)
        except Exception:  # the decision sweep catches what this misses
            import logging

            logging.getLogger("opennotice.ccf").warning("withdrawal check failed")


# --- the protected-persons register ----------------------------------------------------------


def protect_person(
    ctx: AppContext, uow: UnitOfWork, actor: Actor, case: CcfCase, notice: Notice, why: str
) -> None:
    """Enter the notice's subject in the protected-persons register (services/register.py):
    an entry of kind "commission" against the requesting member, written in this transaction
    and before any purge, so that a re-submission by that member is caught. Once per case and
    notice."""
    subject = (notice.content or {}).get("subject")
    if not isinstance(subject, dict):
        _event(uow, actor, case, "register_entry_skipped", "no subject data", {"notice": notice.id})
        return
    already = uow.session.scalar(
        select(ProtectedPerson.id).where(
            ProtectedPerson.kind == "commission",
            ProtectedPerson.reference == case.reference,
            ProtectedPerson.notice_id == notice.id,
        )
    )
    if already is not None:
        return
    entry = add_protection(
        uow,
        actor,
        kind="commission",
        subject=subject,
        against=notice.requester,
        ground="commission_decision",
        notice_id=notice.id,
        reference=case.reference,
        notes=why,
    )
    _event(uow, actor, case, "register_entry", why, {"notice": notice.id, "entry": entry.id})


# --- demo ------------------------------------------------------------------------------------


def seed_demo(ctx: AppContext, rng: random.Random) -> None:
    """File a few fictional commission cases against existing demo notices: one overdue (its
    admissibility deadline passed), one deletion request with a provisional block."""
    from opennotice.store.tables import User

    with ctx.read_session_factory() as session:
        issued = list(
            session.scalars(
                select(Notice)
                .where(
                    Notice.kind == Kind.NOTICE.value,
                    Notice.status == Status.ISSUED.value,
                    Notice.content.is_not(None),
                )
                .order_by(Notice.id)
            )
        )
        member = session.scalars(select(User).where(User.role == Role.CCF.value)).first()
    if len(issued) < 3:
        return
    ccf = Actor(
        member.id if member else None,
        member.username if member else "ccf.demo",
        Role.CCF,
        via="system",
    )
    public = Actor(None, "public", None, via="system")
    chosen = rng.sample(issued, 3)
    kinds = [RequestKind.ACCESS, RequestKind.DELETION, RequestKind.CORRECTION]
    for i, (notice, kind) in enumerate(zip(chosen, kinds, strict=True)):
        subject = (notice.content or {}).get("subject") or {}
        applicant = Applicant(
            family_name=subject.get("family_name") or subject.get("original_family_name") or "X",
            given_names=subject.get("given_names"),
            date_of_birth=subject.get("date_of_birth"),
            nationalities=list(subject.get("nationalities") or []),
            contact=f"applicant{i + 1}@example.org",
            represented_by="Maître Odile Ferrand (fictional)" if i == 1 else None,
        )
        filed = file_request(
            ctx,
            public,
            Filing(
                kind=kind,
                applicant=applicant,
                grounds="I learnt that a notice names me. The charges are political and "
                "I am recognised as a refugee (demo case, fictional).",
            ),
        )
        if i == 0:
            # Overdue: filed seven weeks ago, admissibility never decided.
            with ctx.uow() as uow:
                case = _load_case(uow.session, filed.reference)
                case.received_at = utcnow() - dt.timedelta(days=50)
                uow.commit()
            continue
        decide_admissibility(ctx, ccf, filed.reference, True, "The request is admissible.")
        review_match(ctx, ccf, filed.reference, notice.id, True)
        question = "Please state the current basis of the notice and the status of the warrant."
        ask_ncb(ctx, ccf, filed.reference, notice.id, question)
        if kind == RequestKind.DELETION:
            set_block(
                ctx,
                ccf,
                filed.reference,
                notice.id,
                True,
                "Serious doubts under Art. 3 while the request is examined.",
            )
