"""/api/v1/audit and /api/v1/notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from opennotice.domain.actors import Actor
from opennotice.services import audit as audit_svc
from opennotice.services import notifications as inbox_svc

from ..deps import Ctx, CurrentActor, allow
from ..schemas import AuditEventOut, NotificationOut, VerifyOut

router = APIRouter(prefix="/api/v1", tags=["audit and notifications"])
Auditor = Annotated[Actor, Depends(allow("audit:log:read"))]


@router.get("/audit", response_model=list[AuditEventOut], summary="Audit events, in order")
def events(
    ctx: Ctx,
    actor: Auditor,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: Annotated[str | None, Query(max_length=60)] = None,
    object_id: Annotated[str | None, Query(max_length=60)] = None,
) -> list[AuditEventOut]:
    rows = audit_svc.list_events(
        ctx, actor, after=after, limit=limit, action=action, object_id=object_id
    )
    return [AuditEventOut.model_validate(r) for r in rows]


@router.get("/audit/verify", response_model=VerifyOut, summary="Verify the hash chain")
def verify(ctx: Ctx, actor: Auditor) -> VerifyOut:
    r = audit_svc.verify_log_as(ctx, actor)
    return VerifyOut(
        ok=r.ok, checked=r.checked, first_bad_seq=r.first_bad_seq, problem=r.problem,
        head_hash=r.head_hash,
    )  # fmt: skip


@router.get("/notifications", response_model=list[NotificationOut], summary="Your NCB's inbox")
def notifications(
    ctx: Ctx,
    actor: CurrentActor,
    unread: bool = False,
    kind: Annotated[str | None, Query(max_length=30)] = None,
) -> list[NotificationOut]:
    rows = inbox_svc.inbox(ctx, actor, unread_only=unread, kind=kind)
    return [NotificationOut.model_validate(r) for r in rows]


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: int, ctx: Ctx, actor: CurrentActor) -> NotificationOut:
    return NotificationOut.model_validate(inbox_svc.mark_read(ctx, actor, notification_id))
