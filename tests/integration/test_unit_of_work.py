"""The unit of work appends audit events as plain rows: in order, visible to the rest of their
transaction, gone with a rollback, and chained from the head another transaction left."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.services.audit import verify_log
from opennotice.services.context import AppContext
from opennotice.store.tables import AuditEvent, AuditHead

WHO = Actor(user_id=None, username="operator:test", role=Role.ADMIN, via="cli")


def _head(ctx: AppContext) -> tuple[int, str]:
    with ctx.read_session_factory() as session:
        head = session.get(AuditHead, 1)
        assert head is not None
        return head.seq, head.hash


def test_events_of_one_transaction_are_numbered_in_order_and_chained(ctx: AppContext) -> None:
    start, _ = _head(ctx)
    with ctx.uow() as uow:
        seqs = [uow.audit(WHO, "test:event:made", "test", str(i), {"i": i}) for i in range(5)]
        uow.commit()
    assert seqs == list(range(start + 1, start + 6))
    with ctx.read_session_factory() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > start).order_by(AuditEvent.seq)
        ).all()
    assert [(r.object_id, r.details) for r in rows] == [(str(i), {"i": i}) for i in range(5)]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert _head(ctx) == (rows[-1].seq, rows[-1].hash)
    assert verify_log(ctx).ok


def test_a_statement_later_in_the_transaction_sees_the_events_appended_before_it(
    ctx: AppContext,
) -> None:
    with ctx.uow() as uow:
        uow.audit(WHO, "test:event:seen", "test", "a")
        uow.audit(WHO, "test:event:seen", "test", "b")
        seen = uow.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "test:event:seen")
        )
        uow.audit(WHO, "test:event:seen", "test", "c")
        uow.commit()
    assert seen == 2
    assert verify_log(ctx).ok


def test_a_rolled_back_transaction_leaves_no_event_and_the_head_where_it_was(
    ctx: AppContext,
) -> None:
    before = _head(ctx)
    with pytest.raises(RuntimeError), ctx.uow() as uow:
        uow.audit(WHO, "test:event:lost", "test", "a")
        # flushed into the transaction by the statement, then rolled back with it
        uow.session.scalar(select(func.count()).select_from(AuditEvent))
        uow.audit(WHO, "test:event:lost", "test", "b")
        raise RuntimeError("the use case failed")
    assert _head(ctx) == before
    with ctx.read_session_factory() as session:
        lost = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "test:event:lost")
        )
    assert lost == 0
    with ctx.uow() as uow:
        assert uow.audit(WHO, "test:event:made", "test", "next") == before[0] + 1
        uow.commit()
    assert verify_log(ctx).ok


def test_each_transaction_chains_from_the_head_the_others_left(ctx: AppContext) -> None:
    # Two units of work one after the other, and one session reused after a commit: none
    # may extend the chain from a head it read before another transaction moved it.
    with ctx.uow() as first:
        first.audit(WHO, "test:event:made", "test", "1")
        first.commit()
    with ctx.uow() as second:
        second.audit(WHO, "test:event:made", "test", "2")
        second.session.commit()  # a use case committing through its session directly
        with ctx.uow() as other:
            other.audit(WHO, "test:event:made", "test", "3")
            other.commit()
        second.audit(WHO, "test:event:made", "test", "4")
        second.commit()
    with ctx.read_session_factory() as session:
        order = session.scalars(
            select(AuditEvent.object_id)
            .where(AuditEvent.action == "test:event:made")
            .order_by(AuditEvent.seq)
        ).all()
    assert order == ["1", "2", "3", "4"]
    assert verify_log(ctx).ok
