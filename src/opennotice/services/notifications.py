"""An NCB's inbox: hits on its notices, purge orders, questions and decisions."""

from __future__ import annotations

from sqlalchemy import select

from opennotice.domain.actors import Actor
from opennotice.errors import NotFound
from opennotice.store.tables import Notification, utcnow

from .context import AppContext
from .guard import require


def inbox(
    ctx: AppContext, actor: Actor, *, unread_only: bool = False, kind: str | None = None,
    limit: int = 100,
) -> list[Notification]:  # fmt: skip
    require(actor, "notification:inbox:read")
    query = select(Notification).where(Notification.member == actor.member)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if kind:
        query = query.where(Notification.kind == kind)
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))
        if rows:
            uow.audit(actor, "notification:inbox:read", None, None, {"count": len(rows)})
            uow.commit()
        return rows


def mark_read(ctx: AppContext, actor: Actor, notification_id: int) -> Notification:
    require(actor, "notification:inbox:read")
    with ctx.uow() as uow:
        row = uow.session.get(Notification, notification_id)
        if row is None or row.member != actor.member:
            raise NotFound(f"no notification {notification_id}")
        row.read_at = row.read_at or utcnow()
        uow.audit(actor, "notification:inbox:acknowledged", "notification", str(row.id))
        uow.commit()
        return row
