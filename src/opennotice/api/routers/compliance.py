"""The review desk's compliance resources: the rules catalogue, the restricted evidence of a
request's findings, and overrides or waivers of findings (under /api/v1/reviews)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from opennotice.domain.content import Strict
from opennotice.services import compliance as svc

from ..deps import Ctx, CurrentActor
from ..schemas import NoticeOut
from .notices import render

router = APIRouter(prefix="/api/v1", tags=["reviews"])


class OverrideIn(Strict):
    rule: Annotated[str, Field(min_length=1, max_length=40)]
    reasons: Annotated[str, Field(min_length=1, max_length=4000)]
    waiver: bool = Field(
        default=False, description="waive the penalty threshold (a case of particular importance)"
    )


class EvidenceOut(BaseModel):
    notice_id: str
    risk: str | None
    findings: list[dict[str, Any]]
    overrides: list[dict[str, Any]]


@router.get("/rules", summary="The compliance rules catalogue, as reviewers read it")
def rules(ctx: Ctx, actor: CurrentActor) -> dict[str, Any]:
    return svc.catalogue_view(ctx, actor)


@router.get(
    "/reviews/{notice_id}/findings",
    response_model=EvidenceOut,
    summary="Findings with the evidence only reviewers may see (audited)",
)
def findings(notice_id: str, ctx: Ctx, actor: CurrentActor) -> EvidenceOut:
    return EvidenceOut.model_validate(svc.finding_evidence(ctx, actor, notice_id))


@router.post(
    "/reviews/{notice_id}/overrides",
    response_model=NoticeOut,
    summary="Set a finding aside, or waive the penalty threshold, with reasons",
)
def override(notice_id: str, body: OverrideIn, ctx: Ctx, actor: CurrentActor) -> NoticeOut:
    notice = svc.override_finding(
        ctx, actor, notice_id, body.rule, body.reasons, waiver=body.waiver
    )
    return render(ctx, actor, notice)
