"""The unit of work: one transaction per use case, its audit events written inside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from opennotice.audit.chain import GENESIS, event_hash
from opennotice.domain.actors import Actor

from .tables import AuditEvent, AuditHead

#: ``Session.info`` key of the transaction's audit chain (:class:`_Appends`).
_APPENDS = "opennotice.audit_appends"
# Executed on the connection, these are plain statements: rows in and out, no ORM objects.
_READ_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_INSERT_EVENTS = insert(AuditEvent)
_INSERT_HEAD = insert(AuditHead)
_UPDATE_HEAD = update(AuditHead).where(AuditHead.id == 1)


class _Appends:
    """The chain's head as this transaction extends it, and the rows not yet inserted."""

    __slots__ = ("hash", "rows", "seq", "stored")

    def __init__(self, seq: int, hash_: str, stored: bool) -> None:
        self.seq = seq
        self.hash = hash_
        self.stored = stored  # the head row exists
        self.rows: list[dict[str, Any]] = []


def _insert_pending(session: Session) -> None:
    """Insert the appended rows (one executemany, in order) and move the head row."""
    appends: _Appends | None = session.info.get(_APPENDS)
    if appends is None or not appends.rows:
        return
    rows, appends.rows = appends.rows, []
    conn = session.connection()
    conn.execute(_INSERT_EVENTS, rows)
    if appends.stored:
        conn.execute(_UPDATE_HEAD, {"seq": appends.seq, "hash": appends.hash})
    else:
        conn.execute(_INSERT_HEAD, {"id": 1, "seq": appends.seq, "hash": appends.hash})
        appends.stored = True


@event.listens_for(Session, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    # A statement in the transaction sees the events appended before it (as an ORM
    # autoflush would show pending objects).
    _insert_pending(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _insert_pending(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _transaction_ended(session: Session, *_: object) -> None:
    # The next transaction reads the head again (under its lock): another may have moved it.
    # (No use case opens savepoints; one rolled back would also drop the rows still pending.)
    session.info.pop(_APPENDS, None)


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._after_commit: list[Callable[[], None]] = []
        self._committed = False

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
    ) -> int:
        """Append one event to the chain in this transaction; its number in the chain.

        The head row is locked (FOR UPDATE on PostgreSQL; SQLite's write lock is already held),
        so concurrent transactions extend the chain one after the other and a rollback leaves
        no gap in the numbering. The head is read once per transaction: later events of the
        same transaction extend it in memory. The rows are inserted together, as plain rows
        (no ORM objects: a screening server appends one per query), at the commit or before
        the transaction's next statement, whichever comes first.
        """
        session = self.session
        appends: _Appends | None = session.info.get(_APPENDS)
        if appends is None:
            head = session.connection().execute(_READ_HEAD).first()
            appends = _Appends(*head, True) if head is not None else _Appends(0, GENESIS, False)
            session.info[_APPENDS] = appends
        fields: dict[str, Any] = {
            "seq": appends.seq + 1,
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
        digest = event_hash(appends.hash, fields)
        fields["prev_hash"] = appends.hash
        fields["hash"] = digest
        appends.rows.append(fields)
        appends.seq, appends.hash = fields["seq"], digest
        return appends.seq


UowFactory = Callable[[], UnitOfWork]
