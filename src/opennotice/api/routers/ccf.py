"""/api/v1/ccf: the commission's procedure.

Public, without an account (rate-limited per client address): file a request
(`POST /api/v1/ccf/requests`), follow it with its reference and secret
(`POST /api/v1/ccf/requests/status`: the secret travels in the body, never in a URL), ask for a
revision on a new fact. For the `ccf` role: the case list with deadlines and flags, the file,
admissibility, matching, consultation of the NCB, provisional blocking, decisions. For an `ncb`:
answering the commission's question.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import threading
import time
from collections import deque
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from opennotice.domain.actors import Actor
from opennotice.domain.ccf import CaseState, DeadlineState, Outcome, RequestKind
from opennotice.errors import RateLimited, ValidationFailed
from opennotice.services import ccf as svc

from ..deps import Ctx, allow, public_actor

router = APIRouter(prefix="/api/v1/ccf", tags=["ccf"])
Commission = Annotated[Actor, Depends(allow("ccf:case:handle"))]
Answerer = Annotated[Actor, Depends(allow("ccf:consultation:answer"))]
Public = Annotated[Actor, Depends(public_actor)]

FILINGS_PER_HOUR = 10
FOLLOWS_PER_MINUTE = 30


# --- rate limiting of the public endpoints ---------------------------------------------------


class RateLimiter:
    """A sliding window per key (client address), kept in this process."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit, self.window = limit, window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, what: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = int(self.window - (now - hits[0])) + 1
                raise RateLimited(f"too many {what} from your address; try again later", retry)
            hits.append(now)
            if len(self._hits) > 10000:  # forget idle addresses
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]


def limiter(request: Request, name: str, limit: int, window: float) -> RateLimiter:
    """One limiter per application and purpose (kept on app.state)."""
    attr = f"ccf_limiter_{name}"
    found: RateLimiter | None = getattr(request.app.state, attr, None)
    if found is None:
        found = RateLimiter(limit, window)
        setattr(request.app.state, attr, found)
    return found


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit_filing(request: Request) -> None:
    limiter(request, "file", FILINGS_PER_HOUR, 3600).check(client_key(request), "requests")


def limit_follow(request: Request) -> None:
    limiter(request, "follow", FOLLOWS_PER_MINUTE, 60).check(client_key(request), "look-ups")


# --- bodies ----------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DocumentIn(_Strict):
    filename: Annotated[str, Field(min_length=1, max_length=120)]
    content_type: Annotated[str, Field(max_length=60)]
    data_base64: Annotated[str, Field(min_length=4)]


class FilingIn(svc.Filing):
    documents: Annotated[list[DocumentIn], Field(max_length=svc.MAX_DOCUMENTS)] = []


class FiledOut(BaseModel):
    reference: str
    secret: str
    message: str


class FollowIn(_Strict):
    reference: Annotated[str, Field(min_length=1, max_length=40)]
    secret: Annotated[str, Field(min_length=1, max_length=200)]


class RevisionIn(_Strict):
    new_fact: Annotated[str, Field(min_length=10, max_length=20000)]
    discovered_on: dt.date


class PublicRevisionIn(FollowIn, RevisionIn):
    pass


class AdmissibilityIn(_Strict):
    admissible: bool
    reasons: Annotated[str, Field(min_length=10, max_length=20000)]


class LinkIn(_Strict):
    confirm: bool


class ConsultIn(_Strict):
    notice_id: Annotated[str, Field(max_length=20)]
    question: Annotated[str, Field(min_length=10, max_length=8000)]
    days: Annotated[int, Field(ge=1, le=120)] = svc.CONSULTATION_DAYS


class BlockIn(_Strict):
    blocked: bool
    reasons: Annotated[str, Field(min_length=10, max_length=8000)]


class DecisionIn(_Strict):
    outcome: Outcome
    reasons: Annotated[str, Field(min_length=10, max_length=40000)]


class AnswerIn(_Strict):
    view: Annotated[str, Field(min_length=10, max_length=20000)]


class DeadlineOut(BaseModel):
    name: str
    due: dt.date
    done: dt.date | None
    state: DeadlineState


class EventOut(BaseModel):
    action: str
    at: dt.datetime
    reasons: str | None
    details: dict[str, Any] = {}


class LinkOut(BaseModel):
    notice_id: str
    requester: str
    status: str
    score: float | None
    blocked: bool
    withdrawn_during_review: bool
    notice_status: str | None


class ConsultationOut(BaseModel):
    id: int
    notice_id: str
    member: str
    question: str
    asked_at: dt.datetime
    due_on: dt.date
    view: str | None
    answered_at: dt.datetime | None
    state: DeadlineState


class PublicCaseOut(BaseModel):
    """What the applicant sees."""

    reference: str
    kind: RequestKind
    state: CaseState
    received_at: dt.datetime
    deadlines: list[DeadlineOut]
    flag: DeadlineState
    outcome: str | None
    decision_reasons: str | None
    events: list[EventOut]


class CaseOut(PublicCaseOut):
    applicant: dict[str, Any] | None
    grounds: str | None
    documents: list[dict[str, Any]]
    links: list[LinkOut]
    consultations: list[ConsultationOut]


class CaseSummaryOut(BaseModel):
    reference: str
    kind: RequestKind
    state: CaseState
    received_at: dt.datetime
    flag: DeadlineState
    next_due: dt.date | None
    links: int
    blocked: int


def _public(view: svc.CaseView) -> PublicCaseOut:
    return PublicCaseOut(
        reference=view.reference,
        kind=view.kind,
        state=view.state,
        received_at=view.received_at,
        deadlines=[_deadline(d) for d in view.deadlines],
        flag=view.flag,
        outcome=view.outcome,
        decision_reasons=view.decision_reasons,
        events=[EventOut(action=e.action, at=e.at, reasons=e.reasons) for e in view.events],
    )


def _deadline(d: svc.DeadlineView) -> DeadlineOut:
    return DeadlineOut(name=d.name, due=d.due, done=d.done, state=d.state)


def _consultation(c: svc.ConsultationView) -> ConsultationOut:
    return ConsultationOut(
        id=c.id,
        notice_id=c.notice_id,
        member=c.member,
        question=c.question,
        asked_at=c.asked_at,
        due_on=c.due_on,
        view=c.view,
        answered_at=c.answered_at,
        state=c.state,
    )


def _full(view: svc.CaseView) -> CaseOut:
    return CaseOut(
        reference=view.reference,
        kind=view.kind,
        state=view.state,
        received_at=view.received_at,
        deadlines=[_deadline(d) for d in view.deadlines],
        flag=view.flag,
        outcome=view.outcome,
        decision_reasons=view.decision_reasons,
        events=[
            EventOut(action=e.action, at=e.at, reasons=e.reasons, details=e.details)
            for e in view.events
        ],
        applicant=view.applicant,
        grounds=view.grounds,
        documents=view.documents,
        links=[
            LinkOut(
                notice_id=lk.notice_id,
                requester=lk.requester,
                status=lk.status,
                score=lk.score,
                blocked=lk.blocked,
                withdrawn_during_review=lk.withdrawn_during_review,
                notice_status=lk.notice_status,
            )
            for lk in view.links
        ],
        consultations=[_consultation(c) for c in view.consultations],
    )


def _documents(items: list[DocumentIn]) -> list[svc.Document]:
    out = []
    for item in items:
        try:
            data = base64.b64decode(item.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed("a document's data_base64 is not valid base64") from None
        out.append(svc.Document(item.filename, item.content_type, data))
    return out


# --- public ----------------------------------------------------------------------------------


@router.post(
    "/requests",
    status_code=201,
    response_model=FiledOut,
    summary="File a request to the commission (no account needed)",
    dependencies=[Depends(limit_filing)],
)
def file_request(body: FilingIn, ctx: Ctx, actor: Public) -> FiledOut:
    filing = svc.Filing(kind=body.kind, applicant=body.applicant, grounds=body.grounds)
    filed = svc.file_request(ctx, actor, filing, _documents(body.documents))
    return FiledOut(
        reference=filed.reference,
        secret=filed.secret,
        message=(
            "Keep the reference and the secret: together they let you follow your request. "
            "The secret is shown only once."
        ),
    )


@router.post(
    "/requests/status",
    response_model=PublicCaseOut,
    summary="Follow a request with its reference and secret",
    dependencies=[Depends(limit_follow)],
)
def follow(body: FollowIn, ctx: Ctx, actor: Public, response: Response) -> PublicCaseOut:
    response.headers["Cache-Control"] = "no-store"
    return _public(svc.follow(ctx, actor, body.reference, body.secret))


@router.post(
    "/requests/revision",
    response_model=PublicCaseOut,
    summary="Ask for a revision on a new fact (within 6 months of its discovery)",
    dependencies=[Depends(limit_follow)],
)
def ask_revision(body: PublicRevisionIn, ctx: Ctx, actor: Public) -> PublicCaseOut:
    view = svc.ask_revision(
        ctx, actor, body.reference, body.secret, body.new_fact, body.discovered_on
    )
    return _public(view)


# --- the commission --------------------------------------------------------------------------


@router.get("/requests", response_model=list[CaseSummaryOut], summary="Cases, most urgent first")
def list_cases(
    ctx: Ctx,
    actor: Commission,
    state: CaseState | None = None,
    flag: Annotated[DeadlineState | None, Query(description="e.g. overdue, due_soon")] = None,
) -> list[CaseSummaryOut]:
    return [
        CaseSummaryOut(**{k: getattr(c, k) for k in CaseSummaryOut.model_fields})
        for c in svc.list_cases(ctx, actor, state=state, flag=flag)
    ]


@router.get("/requests/{reference}", response_model=CaseOut, summary="The commission's file")
def get_case(reference: str, ctx: Ctx, actor: Commission) -> CaseOut:
    return _full(svc.get_case(ctx, actor, reference))


@router.get("/requests/{reference}/documents/{document_id}", summary="An attached document")
def get_document(reference: str, document_id: int, ctx: Ctx, actor: Commission) -> Response:
    doc = svc.get_document(ctx, actor, reference, document_id)
    return Response(
        doc.data,
        media_type=doc.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{doc.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/requests/{reference}/admissibility", response_model=CaseOut)
def admissibility(reference: str, body: AdmissibilityIn, ctx: Ctx, actor: Commission) -> CaseOut:
    return _full(svc.decide_admissibility(ctx, actor, reference, body.admissible, body.reasons))


@router.post(
    "/requests/{reference}/matches",
    response_model=CaseOut,
    summary="Propose the notices the case concerns (name matcher)",
)
def matches(reference: str, ctx: Ctx, actor: Commission) -> CaseOut:
    return _full(svc.propose_matches(ctx, actor, reference))


@router.post(
    "/requests/{reference}/links/{notice_id}",
    response_model=CaseOut,
    summary="Confirm or reject that the case concerns a notice",
)
def link(reference: str, notice_id: str, body: LinkIn, ctx: Ctx, actor: Commission) -> CaseOut:
    return _full(svc.review_match(ctx, actor, reference, notice_id, body.confirm))


@router.post(
    "/requests/{reference}/consultations",
    status_code=201,
    response_model=ConsultationOut,
    summary="Ask the requesting NCB for its view, by a date",
)
def consult(reference: str, body: ConsultIn, ctx: Ctx, actor: Commission) -> ConsultationOut:
    row = svc.ask_ncb(ctx, actor, reference, body.notice_id, body.question, body.days)
    return _consultation(row)


@router.post(
    "/requests/{reference}/blocks/{notice_id}",
    response_model=CaseOut,
    summary="Block (or unblock) a notice while a deletion request is examined",
)
def block(reference: str, notice_id: str, body: BlockIn, ctx: Ctx, actor: Commission) -> CaseOut:
    return _full(svc.set_block(ctx, actor, reference, notice_id, body.blocked, body.reasons))


@router.post(
    "/requests/{reference}/decision", response_model=CaseOut, summary="Decide, with reasons"
)
def decision(reference: str, body: DecisionIn, ctx: Ctx, actor: Commission) -> CaseOut:
    return _full(svc.decide(ctx, actor, reference, body.outcome, body.reasons))


@router.post(
    "/requests/{reference}/revision",
    response_model=CaseOut,
    summary="Reopen a case on a new fact",
)
def revision(reference: str, body: RevisionIn, ctx: Ctx, actor: Commission) -> CaseOut:
    return _full(svc.revise(ctx, actor, reference, body.new_fact, body.discovered_on))


# --- the requesting NCB ----------------------------------------------------------------------


@router.post(
    "/consultations/{consultation_id}/answer",
    response_model=ConsultationOut,
    summary="The requesting NCB answers the commission's question",
)
def answer(consultation_id: int, body: AnswerIn, ctx: Ctx, actor: Answerer) -> ConsultationOut:
    return _consultation(svc.answer_consultation(ctx, actor, consultation_id, body.view))
