"""/api/v1/diffusions: sent at once to chosen members (unless held for prior review)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from opennotice.domain.actors import Actor
from opennotice.domain.content import RequestContent
from opennotice.domain.lifecycle import Action
from opennotice.domain.types import Kind, Status
from opennotice.services import requests as svc

from ..deps import Ctx, CurrentActor, allow
from ..schemas import ActionIn, DiffusionIn, NoticeOut, PageOut
from .notices import render

router = APIRouter(prefix="/api/v1/diffusions", tags=["diffusions"])
Sender = Annotated[Actor, Depends(allow("diffusion:message:send"))]


@router.post("", status_code=201, response_model=NoticeOut, summary="Send a diffusion")
def send(body: DiffusionIn, ctx: Ctx, actor: Sender) -> NoticeOut:
    content = RequestContent.model_validate(body.model_dump(exclude={"recipients"}))
    return render(ctx, actor, svc.send_diffusion(ctx, actor, content, body.recipients))


@router.get("", response_model=PageOut[NoticeOut], summary="Diffusions you sent or received")
def list_diffusions(
    ctx: Ctx,
    actor: CurrentActor,
    status: Status | None = None,
    mine: bool = False,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut[NoticeOut]:
    result = svc.list_requests(
        ctx, actor, kind=Kind.DIFFUSION, status=status, mine=mine, page=page, per_page=per_page
    )
    return PageOut[NoticeOut](
        items=[render(ctx, actor, n) for n in result.items],
        total=result.total, page=result.page, per_page=result.per_page,
    )  # fmt: skip


@router.get("/{diffusion_id}", response_model=NoticeOut, summary="One diffusion")
def get(diffusion_id: str, ctx: Ctx, actor: CurrentActor) -> NoticeOut:
    return render(ctx, actor, svc.get_request(ctx, actor, diffusion_id))


@router.post("/{diffusion_id}/withdraw", response_model=NoticeOut, summary="Withdraw it")
def withdraw(
    diffusion_id: str, ctx: Ctx, actor: CurrentActor, body: ActionIn | None = None
) -> NoticeOut:
    reasons = body.reasons if body else None
    return render(
        ctx, actor, svc.act_on_request(ctx, actor, diffusion_id, Action.WITHDRAW, reasons)
    )
