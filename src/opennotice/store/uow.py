"""The unit of work: one transaction per use case, its audit events written inside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from opennotice.audit.chain import GENESIS, event_hash
from opennotice.domain.actors import Actor

from .tables import AuditEvent, AuditHead


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._after_commit: list[Callable[[], None]] = []
        self._committed = False
        self._head: AuditHead | None = None

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        if self._committed and exc is None:
            for callback in self._after_commit:
                callback()

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run once the transaction is committed (e.g. update the in-process index)."""
        self._after_commit.append(callback)

    def audit(
        self,
        actor: Actor,
        action: str,
        object_type: str | None = None,
        object_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Append one event to the chain in this transaction.

        The head row is locked (FOR UPDATE on PostgreSQL; SQLite's write lock is already held),
        so concurrent transactions extend the chain one after the other and a rollback leaves
        no gap in the numbering. The head is read once per transaction: later events of the
        same transaction extend it in memory and are inserted together at the flush.
        """
        session = self.session
        head = self._head
        if head is None:
            head = session.execute(
                select(AuditHead).where(AuditHead.id == 1).with_for_update()
            ).scalar_one_or_none()
            if head is None:
                head = AuditHead(id=1, seq=0, hash=GENESIS)
                session.add(head)
            self._head = head
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor.user_id,
            "actor": actor.username,
            "role": str(actor.role) if actor.role else None,
            "member": actor.member,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "request_id": actor.request_id or None,
            "details": details or {},
        }
        digest = event_hash(head.hash, fields)
        row = AuditEvent(**fields, prev_hash=head.hash, hash=digest)
        session.add(row)
        head.seq, head.hash = fields["seq"], digest
        return row


UowFactory = Callable[[], UnitOfWork]
