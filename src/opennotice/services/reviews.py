"""The secretariat's review: the queue, and decisions with reasons.

A reviewer never decides on a request from a member whose nationality they hold (recusal); a
high-risk request is issued only when two reviewers of different nationalities agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from opennotice.domain.actors import Actor
from opennotice.domain.lifecycle import Action
from opennotice.domain.types import Kind, RefusalGround, Status
from opennotice.errors import Conflict, Forbidden, ValidationFailed
from opennotice.store.tables import Notice, NoticeHistory, Notification

from .compliance import uncited
from .context import AppContext
from .guard import require
from .register import protect_after_refusal
from .requests import load_visible, record_history, transition

MIN_REASONS = 10


class Decision(StrEnum):
    ISSUE = "issue"
    REFUSE = "refuse"
    ASK_INFO = "ask_info"
    # Diffusions
    RELEASE = "release"
    CONFIRM = "confirm"
    RECALL = "recall"


_NOTICE_DECISIONS = {Decision.ISSUE, Decision.REFUSE, Decision.ASK_INFO}
_DIFFUSION_DECISIONS = {Decision.RELEASE, Decision.REFUSE, Decision.CONFIRM, Decision.RECALL}
# Decisions that let a request circulate: they must answer every serious finding.
_FAVOURABLE = {Decision.ISSUE, Decision.RELEASE, Decision.CONFIRM}


@dataclass(frozen=True, slots=True)
class DecisionResult:
    notice: Notice
    outcome: str  # the new status, or "approval_recorded" for the first of two approvals


def review_queue(ctx: AppContext, actor: Actor, limit: int = 200) -> list[Notice]:
    """What awaits review, most urgent first: by risk, then age. Recused items are left out."""
    require(actor, "review:queue:read")
    awaiting = (
        (Notice.kind == Kind.NOTICE.value)
        & Notice.status.in_([Status.SUBMITTED.value, Status.IN_REVIEW.value])
    ) | (
        (Notice.kind == Kind.DIFFUSION.value)
        & Notice.status.in_([Status.SUBMITTED.value, Status.CIRCULATING.value])
    )
    risk_rank = case((Notice.risk == "must_refuse", 0), (Notice.risk == "high", 1), else_=2)
    query = select(Notice).where(awaiting)
    if actor.nationality:
        query = query.where(Notice.requester != actor.nationality)
    query = query.order_by(risk_rank, Notice.submitted_at, Notice.id).limit(limit)
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(query))
        if rows:
            uow.audit(actor, "review:queue:read", "notice", None, {"ids": [r.id for r in rows]})
            uow.commit()
        return rows


def claim(ctx: AppContext, actor: Actor, notice_id: str) -> Notice:
    """A reviewer takes a submitted request into review."""
    require(actor, "review:decision:make")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        _check_recusal(actor, notice)
        transition(ctx, uow, actor, notice, Action.START_REVIEW, None)
        uow.commit()
        return notice


def _check_recusal(actor: Actor, notice: Notice) -> None:
    if actor.nationality and actor.nationality == notice.requester:
        raise Forbidden(
            f"you hold the nationality of the requesting member ({notice.requester}): "
            "another reviewer must decide"
        )


def decide(
    ctx: AppContext,
    actor: Actor,
    notice_id: str,
    decision: Decision,
    reasons: str,
    *,
    ground: RefusalGround | None = None,
    cited_rules: list[str] | None = None,
) -> DecisionResult:
    require(actor, "review:decision:make")
    if len((reasons or "").strip()) < MIN_REASONS:
        raise ValidationFailed("every decision states its reasons (at least a sentence)")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        _check_recusal(actor, notice)
        allowed = _NOTICE_DECISIONS if notice.kind == Kind.NOTICE else _DIFFUSION_DECISIONS
        if decision not in allowed:
            raise ValidationFailed(f"'{decision}' is not a decision on a {notice.kind}")
        if decision == Decision.REFUSE and ground is None:
            raise ValidationFailed("a refusal names its ground (art2, art3, refugee_policy, ...)")
        cited = sorted(set(cited_rules or []))
        known = {str(f.get("rule")) for f in notice.findings or []}
        unknown = [r for r in cited if r not in known]
        if unknown:
            raise ValidationFailed(f"the decision cites rules with no finding here: {unknown}")
        if decision != Decision.ASK_INFO:
            missing = uncited(notice.findings or [], cited, all_needed=decision in _FAVOURABLE)
            if missing:
                raise ValidationFailed(f"the decision must cite the findings it answers: {missing}")
        details: dict[str, object] = {"decision": decision.value, "cited_rules": cited}
        if ground is not None:
            details["ground"] = ground.value

        if notice.kind == Kind.NOTICE and notice.status == Status.SUBMITTED:
            transition(ctx, uow, actor, notice, Action.START_REVIEW, None)

        if decision in _FAVOURABLE and notice.risk == "must_refuse":
            raise Conflict(
                "the automatic checks found a ground that requires refusal; "
                "it cannot be issued unless those findings are overridden with reasons"
            )
        if decision == Decision.ISSUE and notice.risk == "high":
            first = _approvals(uow.session, notice)
            if not first:
                details["nationality"] = actor.nationality
                record_history(uow, actor, notice, "approve", reasons, details)
                uow.audit(actor, "review:approval:recorded", notice.kind, notice.id, details)
                uow.commit()
                return DecisionResult(notice, "approval_recorded")
            if any(a.actor_id == actor.user_id for a in first):
                raise Conflict("a high-risk request needs a second, different reviewer")
            if actor.nationality and any(
                a.details.get("nationality") == actor.nationality for a in first
            ):
                raise Conflict("the second reviewer must be of a different nationality")

        if decision == Decision.REFUSE and ground is not None:
            notice.refusal_ground = ground.value
        if decision in (Decision.REFUSE, Decision.RECALL) and ground is not None:
            protect_after_refusal(uow, actor, notice, ground.value)
        details["nationality"] = actor.nationality
        action = {
            Decision.ISSUE: Action.ISSUE,
            Decision.REFUSE: Action.REFUSE,
            Decision.ASK_INFO: Action.ASK_INFO,
            Decision.RELEASE: Action.RELEASE,
            Decision.CONFIRM: Action.CONFIRM,
            Decision.RECALL: Action.RECALL,
        }[decision]
        after = transition(ctx, uow, actor, notice, action, reasons, details)
        uow.audit(actor, "review:decision:made", notice.kind, notice.id, details)
        if decision in (Decision.ASK_INFO, Decision.REFUSE, Decision.ISSUE):
            uow.session.add(
                Notification(
                    member=notice.requester,
                    kind=f"decision:{decision.value}",
                    notice_id=notice.id,
                    message=_message(notice, decision),
                    details={"reasons": reasons},
                )
            )
        uow.commit()
        return DecisionResult(notice, after.value)


def _approvals(session: Session, notice: Notice) -> list[NoticeHistory]:
    # Approvals since the request last came back for review count; older ones do not.
    rows = list(
        session.scalars(
            select(NoticeHistory)
            .where(NoticeHistory.notice_id == notice.id)
            .order_by(NoticeHistory.id)
        )
    )
    current: list[NoticeHistory] = []
    for row in rows:
        if row.action in ("submit", "resubmit"):
            current = []
        elif row.action == "approve":
            current.append(row)
    return current


def _message(notice: Notice, decision: Decision) -> str:
    return {
        Decision.ASK_INFO: f"The secretariat asks for more information on request {notice.id}.",
        Decision.REFUSE: f"Request {notice.id} was refused.",
        Decision.ISSUE: f"Notice {notice.id} was issued.",
    }.get(decision, f"Decision on {notice.id}: {decision}.")
