"""The secretariat's review desk: the queue by risk and age, the request with its findings
beside the evidence, decisions with reasons, and the second reviewer's step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response

from opennotice.domain.types import Kind, RefusalGround
from opennotice.errors import ValidationFailed
from opennotice.services import compliance, reviews
from opennotice.services import requests as svc
from opennotice.store.tables import Notice, NoticeHistory, utcnow

from .common import Ctx, Form, Staff, StaffRoute, actor_of, need, page, page_slice, redirect, text
from .findings import all_terms, by_field, read_findings
from .ncb import _int, _row, url

router = APIRouter(route_class=StaffRoute, include_in_schema=False)

GROUND_LABELS = {
    RefusalGround.ART2: "Art. 2: human rights",
    RefusalGround.ART3: "Art. 3: political, military, religious or racial character",
    RefusalGround.REFUGEE_POLICY: "Refugee policy",
    RefusalGround.DATA_RULES: "Rules on the processing of data",
    RefusalGround.OTHER: "Other",
}
NOTICE_DECISIONS = {
    "ask_info": "Ask the NCB for more information",
    "issue": "Issue the notice",
    "refuse": "Refuse",
}
DIFFUSION_DECISIONS = {
    "release": "Release (prior review passed)",
    "confirm": "Confirm (compliant)",
    "recall": "Recall (non-compliant: recipients purge it)",
    "refuse": "Refuse (held diffusion)",
}
PER_PAGE = 25


def _age(notice: Notice) -> str:
    since = notice.submitted_at or notice.created_at
    if since is None:
        return "—"
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    days = (utcnow() - since).days
    return "today" if days <= 0 else f"{days} day{'s' if days != 1 else ''}"


@router.get("/staff/review")
def queue(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    need(actor, "review:queue:read", "The review queue")
    kind = request.query_params.get("kind", "notice")
    if kind not in ("notice", "diffusion"):
        raise ValidationFailed("kind is 'notice' or 'diffusion'")
    risk = request.query_params.get("risk", "")
    rows = [n for n in reviews.review_queue(ctx, actor, limit=1000) if n.kind == kind]
    if risk:
        rows = [n for n in rows if (n.risk or "routine") == risk]
    items, paging = page_slice(rows, _int(request.query_params.get("page")), PER_PAGE)
    return page(
        request, staff, "staff/review/queue.html",
        rows=[_row(n) | {"age": _age(n), "held": n.status == "submitted"} for n in items],
        paging=paging, kind=kind, risk=risk,
    )  # fmt: skip


def _approvals(steps: list[NoticeHistory]) -> list[NoticeHistory]:
    current: list[NoticeHistory] = []
    for row in steps:
        if row.action in ("submit", "resubmit"):
            current = []
        elif row.action == "approve":
            current.append(row)
    return current


def _restricted(ctx: Ctx, actor: Any, notice: Notice) -> dict[str, list[dict[str, Any]]]:
    """What only reviewers see behind the findings: the subject's earlier requests and the
    register entries the checks matched (from the compliance service, itself audited)."""
    out: dict[str, list[dict[str, Any]]] = {"earlier": [], "register": []}
    if not notice.findings:
        return out
    evidence = compliance.finding_evidence(ctx, actor, notice.id)
    seen: set[tuple[str, str]] = set()
    for finding in evidence.get("findings", []):
        restricted = finding.get("restricted") or {}
        if not isinstance(restricted, dict):
            continue
        rule = str(finding.get("rule", ""))
        for key in ("requests", "deleted_requests"):
            for item in restricted.get(key) or []:
                if isinstance(item, dict) and ("r", str(item.get("notice"))) not in seen:
                    seen.add(("r", str(item.get("notice"))))
                    out["earlier"].append(item | {"rule": rule, "url": url(str(item["notice"]))})
        for item in restricted.get("register") or []:
            if isinstance(item, dict) and ("e", str(item.get("entry"))) not in seen:
                seen.add(("e", str(item.get("entry"))))
                out["register"].append(item | {"rule": rule})
    return out


@router.get("/staff/review/{rid}")
def review_page(request: Request, ctx: Ctx, staff: Staff, rid: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "review:decision:make", "The review desk")
    notice = svc.get_request(ctx, actor, rid)
    steps = svc.history(ctx, actor, notice.id)
    views = read_findings(notice.findings)
    approvals = _approvals(steps)
    with ctx.read_session_factory() as session:
        photos = svc.photo_ids(session, notice.id)
    recused = bool(actor.nationality and actor.nationality == notice.requester)
    decisions = NOTICE_DECISIONS if notice.kind == Kind.NOTICE else DIFFUSION_DECISIONS
    return page(
        request, staff, "staff/review/request.html",
        notice=notice, nurl=url(notice.id), content=notice.content or {}, findings=views,
        terms=all_terms(views), field_findings=by_field(views), history=steps, photos=photos,
        approvals=approvals, already_approved=any(a.actor_id == actor.user_id for a in approvals),
        recused=recused, decisions=decisions, grounds=GROUND_LABELS,
        restricted=_restricted(ctx, actor, notice), values={}, errors={},
    )  # fmt: skip


@router.post("/staff/review/{rid}/decide")
def decide(request: Request, ctx: Ctx, staff: Staff, form: Form, rid: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "review:decision:make", "Deciding on requests")
    try:
        decision = reviews.Decision(text(form, "decision", 20))
    except ValueError:
        raise ValidationFailed("choose a decision") from None
    ground_text = text(form, "ground", 20)
    try:
        ground = RefusalGround(ground_text) if ground_text else None
    except ValueError:
        raise ValidationFailed("choose a ground from the list") from None
    cited = [c for c in form.getlist("cite") if isinstance(c, str) and c]
    result = reviews.decide(
        ctx, actor, rid, decision, text(form, "reasons", 8000), ground=ground, cited_rules=cited
    )
    done = "approval_recorded" if result.outcome == "approval_recorded" else "decided"
    return redirect(f"/staff/review/{url(result.notice.id)}?done={done}")


@router.post("/staff/review/{rid}/override")
def override(request: Request, ctx: Ctx, staff: Staff, form: Form, rid: str) -> Response:
    """Set a finding aside (or waive the penalty threshold), with reasons."""
    actor = actor_of(request, staff)
    need(actor, "review:finding:override", "Setting findings aside")
    notice = compliance.override_finding(
        ctx, actor, rid, text(form, "rule", 80), text(form, "reasons", 4000),
        waiver=text(form, "kind", 10) == "waiver",
    )  # fmt: skip
    return redirect(f"/staff/review/{url(notice.id)}?done=overridden")
