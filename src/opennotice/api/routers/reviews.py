"""/api/v1/reviews: the secretariat's queue and decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from opennotice.domain.actors import Actor
from opennotice.services import reviews as svc

from ..deps import Ctx, allow
from ..schemas import DecisionIn, DecisionOut, NoticeOut
from .notices import render

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"])
Reviewer = Annotated[Actor, Depends(allow("review:decision:make"))]


@router.get("", response_model=list[NoticeOut], summary="The review queue, by risk and age")
def queue(ctx: Ctx, actor: Reviewer) -> list[NoticeOut]:
    return [render(ctx, actor, n) for n in svc.review_queue(ctx, actor)]


@router.post("/{notice_id}/decision", response_model=DecisionOut, summary="Decide, with reasons")
def decide(notice_id: str, body: DecisionIn, ctx: Ctx, actor: Reviewer) -> DecisionOut:
    result = svc.decide(
        ctx, actor, notice_id, body.decision, body.reasons,
        ground=body.ground, cited_rules=body.cited_rules,
    )  # fmt: skip
    return DecisionOut(outcome=result.outcome, notice=render(ctx, actor, result.notice))
