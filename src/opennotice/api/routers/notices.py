"""/api/v1/notices: an NCB's requests and the notices others may see."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from opennotice.domain.actors import Actor
from opennotice.domain.content import RequestContent, Visibility
from opennotice.domain.lifecycle import Action
from opennotice.domain.types import Kind, NoticeType, Status
from opennotice.errors import ValidationFailed
from opennotice.services import requests as svc
from opennotice.services.views import notice_view

from ..deps import Ctx, CurrentActor, allow
from ..schemas import ActionIn, HistoryOut, NoticeOut, PageOut

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])
Drafter = Annotated[Actor, Depends(allow("notice:request:create"))]

Page = Annotated[int, Query(ge=1, le=100000)]
PerPage = Annotated[int, Query(ge=1, le=200)]


_BINARY = {"type": "string", "format": "binary"}


class NoticeAction(StrEnum):
    suspend = "suspend"
    resume = "resume"
    withdraw = "withdraw"
    renew = "renew"
    cancel = "cancel"
    delete = "delete"


def render(ctx: Ctx, actor: CurrentActor, notice: object) -> NoticeOut:
    with ctx.read_session_factory() as session:
        return NoticeOut.model_validate(notice_view(notice, actor, session))  # type: ignore[arg-type]


@router.post("", status_code=201, response_model=NoticeOut, summary="Draft a notice request")
def create(body: RequestContent, ctx: Ctx, actor: Drafter) -> NoticeOut:
    return render(ctx, actor, svc.create_request(ctx, actor, body))


@router.get("", response_model=PageOut[NoticeOut], summary="Requests and notices you may see")
def list_notices(
    ctx: Ctx,
    actor: CurrentActor,
    status: Status | None = None,
    type: NoticeType | None = None,
    requester: Annotated[str | None, Query(max_length=3)] = None,
    mine: bool = False,
    page: Page = 1,
    per_page: PerPage = 50,
) -> PageOut[NoticeOut]:
    result = svc.list_requests(
        ctx, actor, kind=Kind.NOTICE, status=status, notice_type=type,
        requester=requester, mine=mine, page=page, per_page=per_page,
    )  # fmt: skip
    return PageOut[NoticeOut](
        items=[render(ctx, actor, n) for n in result.items],
        total=result.total, page=result.page, per_page=result.per_page,
    )  # fmt: skip


@router.get("/{notice_id}", response_model=NoticeOut, summary="One request or notice")
def get(notice_id: str, ctx: Ctx, actor: CurrentActor) -> NoticeOut:
    return render(ctx, actor, svc.get_request(ctx, actor, notice_id))


@router.put("/{notice_id}", response_model=NoticeOut, summary="Change a draft or answer")
def update(notice_id: str, body: RequestContent, ctx: Ctx, actor: Drafter) -> NoticeOut:
    return render(ctx, actor, svc.update_request(ctx, actor, notice_id, body))


@router.post("/{notice_id}/submit", response_model=NoticeOut, summary="Submit for review")
def submit(notice_id: str, ctx: Ctx, actor: CurrentActor) -> NoticeOut:
    return render(ctx, actor, svc.submit_request(ctx, actor, notice_id))


@router.post(
    "/{notice_id}/actions/{action}", response_model=NoticeOut, summary="Act on the lifecycle"
)
def act(
    notice_id: str,
    action: NoticeAction,
    ctx: Ctx,
    actor: CurrentActor,
    body: ActionIn | None = None,
) -> NoticeOut:
    reasons = body.reasons if body else None
    notice = svc.act_on_request(ctx, actor, notice_id, Action(action.value), reasons)
    return render(ctx, actor, notice)


@router.put("/{notice_id}/visibility", response_model=NoticeOut, summary="Public or restricted")
def visibility(notice_id: str, body: Visibility, ctx: Ctx, actor: CurrentActor) -> NoticeOut:
    return render(ctx, actor, svc.set_visibility(ctx, actor, notice_id, body))


@router.get("/{notice_id}/history", response_model=list[HistoryOut], summary="Lifecycle steps")
def history(notice_id: str, ctx: Ctx, actor: CurrentActor) -> list[HistoryOut]:
    return [HistoryOut.model_validate(h) for h in svc.history(ctx, actor, notice_id)]


@router.post(
    "/{notice_id}/photos",
    status_code=201,
    summary="Add a photo (the raw image as the body, with its Content-Type)",
    openapi_extra={
        "requestBody": {
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}} for t in svc.PHOTO_TYPES
            }
        }
    },
)
async def add_photo(
    notice_id: str, request: Request, ctx: Ctx, actor: CurrentActor
) -> dict[str, int]:
    data = await request.body()
    if not data:
        raise ValidationFailed("send the image as the request body")
    content_type = request.headers.get("content-type", "")
    photo = await run_in_threadpool(svc.add_photo, ctx, actor, notice_id, content_type, data)
    return {"id": photo.id}


@router.get(
    "/{notice_id}/photos/{photo_id}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
    summary="A photo",
)
def get_photo(notice_id: str, photo_id: int, ctx: Ctx, actor: CurrentActor) -> Response:
    photo = svc.get_photo(ctx, actor, notice_id, photo_id)
    return Response(
        photo.data, media_type=photo.content_type, headers={"Cache-Control": "private, no-store"}
    )
