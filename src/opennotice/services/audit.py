"""Reading and verifying the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennotice.audit.chain import VerifyResult, verify_chain
from opennotice.domain.actors import Actor
from opennotice.store.tables import AuditEvent, AuditHead

from .context import AppContext
from .guard import require

_BATCH = 5000


def _rows(session: Session) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(_BATCH)
            )
        )
        if not batch:
            return
        for row in batch:
            yield {
                "seq": row.seq, "at": row.at, "actor_id": row.actor_id, "actor": row.actor,
                "role": row.role, "member": row.member, "action": row.action,
                "object_type": row.object_type, "object_id": row.object_id,
                "request_id": row.request_id, "details": row.details,
                "prev_hash": row.prev_hash, "hash": row.hash,
            }  # fmt: skip
        last = batch[-1].seq
        session.expunge_all()


def verify_log(ctx: AppContext) -> VerifyResult:
    """Recompute the chain from the first event (operator command and auditor endpoint)."""
    with ctx.read_session_factory() as session:
        head = session.get(AuditHead, 1)
        head_pair = (head.seq, head.hash) if head else None
        return verify_chain(_rows(session), head_pair)


def verify_log_as(ctx: AppContext, actor: Actor) -> VerifyResult:
    require(actor, "audit:log:read")
    result = verify_log(ctx)
    with ctx.uow() as uow:
        uow.audit(actor, "audit:log:verified", None, None, {"ok": result.ok})
        uow.commit()
    return result


def list_events(
    ctx: AppContext,
    actor: Actor,
    *,
    after: int = 0,
    limit: int = 100,
    action: str | None = None,
    object_id: str | None = None,
) -> list[AuditEvent]:
    require(actor, "audit:log:read")
    query = select(AuditEvent).where(AuditEvent.seq > after)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(query.order_by(AuditEvent.seq).limit(limit)))
        uow.audit(actor, "audit:log:read", None, None, {"after": after, "count": len(rows)})
        uow.commit()
        return rows
