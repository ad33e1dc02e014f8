"""Public pages of the General Assembly elections: sessions, candidates with their statements and
the observers' documents, results per round, bulletin boards, receipt checks. No JavaScript.

They render the same public data the `/api/v1/assembly/` endpoints serve, so they never show more.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from opennotice.api.deps import Ctx
from opennotice.api.routers.public import rate_limit
from opennotice.domain.assembly import default_continents
from opennotice.domain.permissions import allowed
from opennotice.errors import OpenNoticeError, ValidationFailed
from opennotice.services import assembly as svc

from .staff.common import (
    Form,
    Staff,
    StaffRoute,
    actor_of,
    need,
    page,
    redirect,
    text,
)
from .templating import templates

router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False, dependencies=[Depends(rate_limit)])

DOCUMENT_LABELS = {
    "objection": "Objection",
    "open_letter": "Open letter",
    "support": "Letter of support",
    "other": "Document",
}


def _problem(request: Request, exc: OpenNoticeError) -> Response:
    return templates.TemplateResponse(
        request, "assembly_problem.html", {"message": exc.detail}, status_code=exc.status
    )


@public_router.get("/assembly", response_class=HTMLResponse)
def sessions_page(request: Request, ctx: Ctx) -> Response:
    return templates.TemplateResponse(
        request, "assembly_sessions.html", {"sessions": svc.list_sessions(ctx)}
    )


@public_router.get("/assembly/receipt", response_class=HTMLResponse)
def receipt_page(
    request: Request, ctx: Ctx, code: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    found: dict[str, Any] | None = None
    message = None
    status = 200
    if code:
        try:
            found = svc.verify_receipt(ctx, code)
        except (ValidationFailed, OpenNoticeError) as exc:
            message, status = exc.detail, exc.status
    return templates.TemplateResponse(
        request,
        "assembly_receipt.html",
        {"code": code, "found": found, "message": message},
        status_code=status,
    )


@public_router.get("/assembly/{session_id}", response_class=HTMLResponse)
def session_page(session_id: int, request: Request, ctx: Ctx) -> Response:
    try:
        overview = svc.session_overview(ctx, session_id)
    except OpenNoticeError as exc:
        return _problem(request, exc)
    by_post: dict[int, list[dict[str, Any]]] = {}
    for c in overview["candidates"]:
        by_post.setdefault(c["post_id"], []).append(c)
    rounds: dict[int, list[dict[str, Any]]] = {}
    for b in overview["ballots"]:
        rounds.setdefault(b["post_id"], []).append(b)
    return templates.TemplateResponse(
        request,
        "assembly_session.html",
        {
            "s": overview,
            "by_post": by_post,
            "rounds": rounds,
            "labels": DOCUMENT_LABELS,
            "continents": default_continents(),
        },
    )


@public_router.get("/assembly/ballots/{ballot_id}", response_class=HTMLResponse)
def board_page(ballot_id: int, request: Request, ctx: Ctx) -> Response:
    try:
        board = svc.bulletin_board(ctx, ballot_id)
        recount = svc.recount(ctx, ballot_id)
    except OpenNoticeError as exc:
        return _problem(request, exc)
    return templates.TemplateResponse(
        request, "assembly_board.html", {"board": board, "recount": recount}
    )


# ---- the staff website: delegates vote, the clerk opens and closes ballots ------------------

staff_router = APIRouter(route_class=StaffRoute, include_in_schema=False)


@staff_router.get("/staff/assembly")
def staff_desk(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    if allowed(actor.role, "assembly:session:manage"):
        return page(request, staff, "assembly_staff.html", clerk=svc.clerk_desk(ctx, actor))
    need(actor, "assembly:ballot:cast", "Voting at the General Assembly")
    return page(request, staff, "assembly_staff.html", desk=svc.delegate_desk(ctx, actor))


@staff_router.post("/staff/assembly/ballots/{ballot_id}/vote")
def staff_vote(request: Request, ctx: Ctx, staff: Staff, form: Form, ballot_id: int) -> Response:
    actor = actor_of(request, staff)
    need(actor, "assembly:ballot:cast", "Voting at the General Assembly")
    choice = text(form, "choice", 20)
    if choice in ("abstain", "spoilt"):
        got = svc.cast_vote(
            ctx, actor, ballot_id, abstain=choice == "abstain", spoil=choice == "spoilt"
        )
    elif choice.isdigit():
        got = svc.cast_vote(ctx, actor, ballot_id, candidacy_id=int(choice))
    else:
        raise ValidationFailed("choose a candidate, a blank ballot or a spoilt ballot")
    # The receipt is shown on this page only: never in an address, a log or the audit trail.
    return page(request, staff, "assembly_staff.html", receipt=got, status_code=201)


@staff_router.post("/staff/assembly/posts/{post_id}/open")
def staff_open(request: Request, ctx: Ctx, staff: Staff, form: Form, post_id: int) -> Response:
    actor = actor_of(request, staff)
    need(actor, "assembly:session:manage", "Running the Assembly's ballots")
    svc.open_ballot(ctx, actor, post_id)
    return redirect("/staff/assembly?done=acted")


@staff_router.post("/staff/assembly/ballots/{ballot_id}/close")
def staff_close(request: Request, ctx: Ctx, staff: Staff, form: Form, ballot_id: int) -> Response:
    actor = actor_of(request, staff)
    need(actor, "assembly:session:manage", "Running the Assembly's ballots")
    svc.close_ballot(ctx, actor, ballot_id)
    return redirect("/staff/assembly?done=acted")


router.include_router(public_router)
router.include_router(staff_router)
