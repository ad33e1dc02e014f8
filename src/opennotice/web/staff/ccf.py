"""The commission's pages: cases by urgency with their deadlines, the case with the notices it
concerns (and their full file), admissibility, matching, consulting the NCB, provisional
blocking and the binding decision. The NCB's answer to the commission's question is here too.

A case reference is not personal data, so it may appear in addresses; the applicant's names
never do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response

from opennotice.domain.ccf import CaseState, DeadlineState, Outcome
from opennotice.errors import ValidationFailed
from opennotice.services import ccf as svc
from opennotice.store.tables import utcnow

from .common import Ctx, Form, Staff, StaffRoute, actor_of, need, page, page_slice, redirect, text
from .ncb import _int, url

router = APIRouter(route_class=StaffRoute, include_in_schema=False)
PER_PAGE = 25
OUTCOME_LABELS = {
    Outcome.GRANTED: "Granted (access given, correction or deletion ordered)",
    Outcome.PARTLY_GRANTED: "Partly granted",
    Outcome.REJECTED: "Rejected",
}


def _ref(reference: str) -> str:
    return svc.normalise_reference(reference)


def _enum(kind: type[Any], value: str | None) -> Any:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise ValidationFailed(f"'{value}' is not a valid filter value") from None


@router.get("/staff/ccf")
def cases(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    q = request.query_params
    state = _enum(CaseState, q.get("state"))
    flag = _enum(DeadlineState, q.get("flag"))
    rows = svc.list_cases(ctx, actor, state=state, flag=flag)
    items, paging = page_slice(rows, _int(q.get("page")), PER_PAGE)
    return page(
        request, staff, "staff/ccf/cases.html", rows=items, paging=paging,
        filters={"state": q.get("state", ""), "flag": q.get("flag", "")},
        states=[s.value for s in CaseState], flags=[f.value for f in DeadlineState],
        today=utcnow().date(),
    )  # fmt: skip


@router.get("/staff/ccf/{reference}")
def case_page(request: Request, ctx: Ctx, staff: Staff, reference: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    view = svc.get_case(ctx, actor, _ref(reference))
    return page(
        request, staff, "staff/ccf/case.html", case=view, outcomes=OUTCOME_LABELS, url=url,
        today=dt.date.today(),
    )  # fmt: skip


def _back(reference: str, done: str = "acted") -> Response:
    return redirect(f"/staff/ccf/{_ref(reference)}?done={done}")


@router.post("/staff/ccf/{reference}/admissibility")
def admissibility(request: Request, ctx: Ctx, staff: Staff, form: Form, reference: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    choice = text(form, "admissible", 5)
    if choice not in ("yes", "no"):
        raise ValidationFailed("say whether the request is admissible")
    svc.decide_admissibility(ctx, actor, _ref(reference), choice == "yes", text(form, "reasons"))
    return _back(reference)


@router.post("/staff/ccf/{reference}/match")
def match(request: Request, ctx: Ctx, staff: Staff, form: Form, reference: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    svc.propose_matches(ctx, actor, _ref(reference))
    return _back(reference)


@router.post("/staff/ccf/{reference}/links")
def link(request: Request, ctx: Ctx, staff: Staff, form: Form, reference: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    choice = text(form, "confirm", 5)
    if choice not in ("yes", "no"):
        raise ValidationFailed("confirm or reject the proposed notice")
    svc.review_match(ctx, actor, _ref(reference), text(form, "notice", 20), choice == "yes")
    return _back(reference)


@router.post("/staff/ccf/{reference}/consult")
def consult(request: Request, ctx: Ctx, staff: Staff, form: Form, reference: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    days = _int(text(form, "days", 4), svc.CONSULTATION_DAYS)
    svc.ask_ncb(ctx, actor, _ref(reference), text(form, "notice", 20), text(form, "question"), days)
    return _back(reference)


@router.post("/staff/ccf/{reference}/block")
def block(request: Request, ctx: Ctx, staff: Staff, form: Form, reference: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    choice = text(form, "blocked", 5)
    if choice not in ("yes", "no"):
        raise ValidationFailed("say whether to block or release the notice")
    svc.set_block(
        ctx, actor, _ref(reference), text(form, "notice", 20), choice == "yes",
        text(form, "reasons"),
    )  # fmt: skip
    return _back(reference)


@router.post("/staff/ccf/{reference}/decide")
def decide(request: Request, ctx: Ctx, staff: Staff, form: Form, reference: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:case:handle", "The commission's cases")
    try:
        outcome = Outcome(text(form, "outcome", 20))
    except ValueError:
        raise ValidationFailed("choose the outcome of the decision") from None
    svc.decide(ctx, actor, _ref(reference), outcome, text(form, "reasons", 20000))
    return _back(reference, "decided")


# --- the NCB answers the commission's question -------------------------------------------


@router.post("/staff/inbox/consultations/{consultation_id}")
def answer(request: Request, ctx: Ctx, staff: Staff, form: Form, consultation_id: int) -> Response:
    actor = actor_of(request, staff)
    need(actor, "ccf:consultation:answer", "Answering the commission")
    svc.answer_consultation(ctx, actor, consultation_id, text(form, "view", 20000))
    return redirect("/staff/inbox?done=saved")
