"""The screening index and use cases on a real database: who may be told of which hit."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from sqlalchemy import select

from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.domain.content import RequestContent, Visibility
from opennotice.domain.lifecycle import Action
from opennotice.errors import Forbidden, ValidationFailed
from opennotice.matching import NameIndex, PersonQuery, PersonRecord
from opennotice.services import requests, reviews
from opennotice.services.audit import verify_log
from opennotice.services.context import AppContext
from opennotice.services.screening import (
    GroupWriter,
    ScreeningIndex,
    screen_batch,
    screen_one,
    screening_index,
)
from opennotice.services.screening_input import BatchItem, RowError
from opennotice.store.tables import AuditEvent, IndexChange, Notice, Notification
from opennotice.store.tables_screening import ScreeningHit
from opennotice.store.uow import UnitOfWork
from tests.conftest import OPERATOR, Who
from tests.factories import red_notice

from .screening_support import diffuse, issue, subject

TRAVELLER = PersonQuery("MARCHETTI", "LORENZO", date_of_birth="1979-04-12", sex="M")


def hits(ctx: AppContext, who: Who, query: PersonQuery = TRAVELLER) -> list[str]:
    return [h.notice_id for h in screen_one(ctx, who.actor, query, "test desk").hits]


def test_issued_notice_hits_and_lifecycle_changes_stop_it(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    screener = people["screen_de"]
    nid = issue(ctx, people)
    assert hits(ctx, screener) == [nid]
    fr = people["ncb_fr"].actor
    requests.act_on_request(ctx, fr, nid, Action.SUSPEND)
    assert hits(ctx, screener) == []
    requests.act_on_request(ctx, fr, nid, Action.RESUME)
    assert hits(ctx, screener) == [nid]
    requests.act_on_request(ctx, fr, nid, Action.WITHDRAW)
    assert hits(ctx, screener) == []


def test_not_yet_issued_and_refused_never_hit(ctx: AppContext, people: dict[str, Who]) -> None:
    screening_index(ctx)  # loaded before the requests exist: follows them as they change
    fr = people["ncb_fr"].actor
    draft = requests.create_request(ctx, fr, RequestContent.model_validate(red_notice()))
    assert hits(ctx, people["screen_de"]) == []
    requests.submit_request(ctx, fr, draft.id)
    assert hits(ctx, people["screen_de"]) == []
    reason = "Private dispute over a debt; not an ordinary-law crime."
    art2 = reviews.RefusalGround.ART2
    reviews.decide(
        ctx, people["gs_br"].actor, draft.id, reviews.Decision.REFUSE, reason, ground=art2
    )
    assert hits(ctx, people["screen_de"]) == []


def test_restricted_member_never_hits_even_after_a_later_restriction(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    body = red_notice(visibility={"public_extract": False, "restricted_from": ["US"]})
    nid = issue(ctx, people, body)
    assert hits(ctx, people["ncb_us"]) == []
    assert hits(ctx, people["ncb_de"]) == [nid]
    assert hits(ctx, people["screen_de"]) == [nid]
    requests.set_visibility(
        ctx, people["ncb_fr"].actor, nid, Visibility(public_extract=False, restricted_from=["DE"])
    )
    assert hits(ctx, people["screen_de"]) == []
    assert hits(ctx, people["ncb_us"]) == [nid]


def test_cancelled_expired_and_deleted_never_hit(ctx: AppContext, people: dict[str, Who]) -> None:
    gs = people["gs_br"].actor
    a = issue(ctx, people, red_notice(subject=subject(family_name="Okonkwo-Reyes")))
    b = issue(ctx, people, red_notice(subject=subject(family_name="Vasquez-Holm")))
    c = issue(ctx, people, red_notice(subject=subject(family_name="Lindqvist-Ade")))
    screener = people["screen_de"]

    def q(name: str) -> PersonQuery:
        return PersonQuery(name, "Lorenzo Aldo", date_of_birth="1979-04-12")

    assert [hits(ctx, screener, q(n)) for n in ("Okonkwo-Reyes", "Vasquez-Holm")] == [[a], [b]]
    requests.act_on_request(ctx, gs, a, Action.CANCEL, "Cancelled on review of new facts.")
    assert hits(ctx, screener, q("Okonkwo-Reyes")) == []
    expired = requests.expire_due(ctx, gs, dt.date.today() + dt.timedelta(days=365 * 6))
    assert b in expired and hits(ctx, screener, q("Vasquez-Holm")) == []
    assert hits(ctx, screener, q("Lindqvist-Ade")) == []  # expired with the others
    requests.act_on_request(ctx, people["ccf"].actor, c, Action.DELETE, "ccf-order")
    assert hits(ctx, screener, q("Lindqvist-Ade")) == []


def test_past_validity_never_hits_before_the_daily_expiry(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    issue(ctx, people)
    index = screening_index(ctx)
    assert index.search(TRAVELLER, "DE")
    later = dt.date.today() + dt.timedelta(days=365 * 6)
    assert index.search(TRAVELLER, "DE", today=later) == []


def test_blocked_notice_never_hits(ctx: AppContext, people: dict[str, Who]) -> None:
    nid = issue(ctx, people)
    assert hits(ctx, people["screen_de"]) == [nid]
    # The commission's provisional block (its own area sets the flag and feeds the index).
    with ctx.uow() as uow:
        notice = uow.session.get(Notice, nid)
        assert notice is not None
        notice.blocked = True
        uow.session.add(IndexChange(notice_id=nid))
        ctx.notify_changed(uow, nid)
        uow.commit()
    assert hits(ctx, people["screen_de"]) == []


def test_diffusion_hits_only_its_recipients_and_requester(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    did = diffuse(ctx, people, ["DE", "FR"])
    assert hits(ctx, people["screen_de"]) == [did]
    assert hits(ctx, people["ncb_fr"]) == [did]
    assert hits(ctx, people["ncb_cn"]) == [did]  # the sender
    assert hits(ctx, people["ncb_us"]) == []  # not a recipient
    result = screen_one(ctx, people["screen_de"].actor, TRAVELLER)
    assert result.hits[0].action.startswith("Diffusion not yet confirmed")
    reviews.decide(
        ctx, people["gs_br"].actor, did, reviews.Decision.RECALL,
        "Political offence: Art. 3 applies to this diffusion.",
    )  # fmt: skip
    assert hits(ctx, people["screen_de"]) == []
    assert hits(ctx, people["ncb_cn"]) == []


def test_hit_is_recorded_and_notified_to_the_requesting_ncb(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    nid = issue(ctx, people)
    result = screen_one(ctx, people["screen_de"].actor, TRAVELLER, "Frankfurt airport, T1")
    (hit,) = result.hits
    assert hit.type == "red" and hit.requester == "FR" and "arrest" in hit.action
    assert hit.score >= 0.8 and hit.explanation["date_of_birth"]
    assert hit.name == "Marchetti, Lorenzo Aldo" and hit.date_of_birth == "1979-04-12"
    with ctx.read_session_factory() as session:
        (note,) = session.scalars(select(Notification).where(Notification.kind == "hit")).all()
        assert note.member == "FR" and note.notice_id == nid
        assert note.details["screening_member"] == "DE"
        assert note.details["where"] == "Frankfurt airport, T1"
        assert note.details["score"] == hit.score and "arrest" in note.details["action"]
        assert note.details["when"]
        (row,) = session.scalars(select(ScreeningHit)).all()
        assert (row.notice_id, row.member, row.requester) == (nid, "DE", "FR")
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "screen:query:made")
        ).all()
    assert len(events) == 1
    assert events[0].details["hits"] == 1 and events[0].details["notices"] == [nid]
    assert "Marchetti" not in str(events[0].details).title()


def test_shared_name_with_another_birth_date_is_no_hit(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    issue(ctx, people)
    other = PersonQuery("Marchetti", "Lorenzo Aldo", date_of_birth="1991-11-03", sex="M")
    assert hits(ctx, people["screen_de"], other) == []
    with ctx.read_session_factory() as session:
        assert session.scalars(select(Notification).where(Notification.kind == "hit")).all() == []


def test_roles_and_thresholds(ctx: AppContext, people: dict[str, Who]) -> None:
    for who in ("gs_br", "ccf", "auditor", "admin"):
        with pytest.raises(Forbidden):
            screen_one(ctx, people[who].actor, TRAVELLER)
    with pytest.raises(ValidationFailed):
        screen_one(ctx, people["screen_de"].actor, TRAVELLER, threshold=0.1)
    with pytest.raises(ValidationFailed):
        screen_one(ctx, people["screen_de"].actor, TRAVELLER, where="x" * 201)


def test_batch_counts_in_one_audit_event_and_keeps_bad_rows(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    nid = issue(ctx, people)
    rows: list[BatchItem | RowError] = [
        BatchItem(1, TRAVELLER, "p-1"),
        RowError(2, "date_of_birth: not a real date"),
        BatchItem(3, PersonQuery("Nakamura-Berg", "Ingrid", date_of_birth="1985")),
    ]
    result = screen_batch(ctx, people["screen_de"].actor, rows, "gate 12")
    assert result.screened == 2 and result.hits == 1 and [e.line for e in result.errors] == [2]
    assert [(r.line, r.ref, [h.notice_id for h in r.hits]) for r in result.rows] == [
        (1, "p-1", [nid]),
        (3, None, []),
    ]
    with ctx.read_session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("screen:%"))).all()
    assert [e.action for e in events] == ["screen:batch:made"]
    details = events[0].details
    assert (details["rows"], details["screened"], details["rejected"], details["hits"]) == (
        3, 2, 1, 1,
    )  # fmt: skip
    assert "Nakamura" not in str(details)


def test_another_process_follows_the_change_feed(
    ctx: AppContext, people: dict[str, Who], settings: Settings
) -> None:
    """A second context on the same database stands for another server process."""
    other_ctx = build_context(settings)
    try:
        other = next(i for i in other_ctx.listeners if isinstance(i, ScreeningIndex))
        other.ensure_loaded()
        nid = issue(ctx, people)
        assert other.search(TRAVELLER, "DE") == []  # not told in-process
        assert other.poll() >= 1
        assert [m.key for m, _ in other.search(TRAVELLER, "DE")] == [nid]
        requests.act_on_request(ctx, people["ncb_fr"].actor, nid, Action.WITHDRAW)
        other.poll()
        assert other.search(TRAVELLER, "DE") == []
    finally:
        other_ctx.engine.dispose()


def test_a_change_committed_late_with_an_earlier_number_is_not_missed(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    """On PostgreSQL a transaction may commit after one that took a later sequence number."""
    index = screening_index(ctx)
    nid = issue(ctx, people)
    index.poll()
    with ctx.read_session_factory() as session:
        high = session.scalar(select(IndexChange.seq).order_by(IndexChange.seq.desc()).limit(1))
    assert high is not None
    # Number high+2 commits first; the notice is withdrawn "by" number high+1 afterwards.
    with ctx.uow() as uow:
        uow.session.add(IndexChange(seq=high + 2, notice_id="2000/1"))
        uow.commit()
    index.poll()
    with ctx.uow() as uow:
        notice = uow.session.get(Notice, nid)
        assert notice is not None
        notice.status = "withdrawn"
        uow.session.add(IndexChange(seq=high + 1, notice_id=nid))
        uow.commit()
    assert index.search(TRAVELLER, "DE")  # not told in-process (no listener call)
    index.poll()
    assert index.search(TRAVELLER, "DE") == []


def test_concurrent_queries_each_get_their_audit_event_and_the_chain_verifies(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    nid = issue(ctx, people)
    screener = people["screen_de"].actor

    def work(i: int) -> list[str]:
        return [h.notice_id for h in screen_one(ctx, screener, TRAVELLER, f"desk {i}").hits]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(40)))
    assert results == [[nid]] * 40
    with ctx.read_session_factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "screen:query:made")
        ).all()
        places = {str(n.details["where"]) for n in session.scalars(select(Notification))
                  if n.kind == "hit"}  # fmt: skip
        assert len(session.scalars(select(ScreeningHit)).all()) == 40
    assert len(events) == 40 and places == {f"desk {i}" for i in range(40)}
    assert verify_log(ctx).ok


def test_a_failing_write_fails_only_its_own_query(ctx: AppContext) -> None:
    writer = GroupWriter(ctx)

    def ok(uow: UnitOfWork) -> str:
        uow.audit(OPERATOR, "screen:query:made", "screening", None, {"hits": 0})
        return "written"

    def bad(uow: UnitOfWork) -> str:
        uow.session.add(ScreeningHit(notice_id="1999/404", notice_kind="notice", requester="FR",
                                     username="x", score=1.0))  # fmt: skip
        uow.session.flush()  # no such notice: the foreign key refuses it
        return "never"

    group: list[tuple[Callable[[UnitOfWork], str], Future[str]]] = [
        (ok, Future()), (bad, Future()), (ok, Future()),
    ]  # fmt: skip
    writer._write(group)  # type: ignore[arg-type]
    assert group[0][1].result() == "written" and group[2][1].result() == "written"
    assert group[1][1].exception() is not None
    with ctx.read_session_factory() as session:
        assert len(session.scalars(select(AuditEvent)).all()) == 2
    assert verify_log(ctx).ok


def test_demo_seed_leaves_hit_notifications(ctx: AppContext, people: dict[str, Who]) -> None:
    import random

    from opennotice.services.screening import seed_demo

    nid = issue(ctx, people)
    seed_demo(ctx, random.Random(3))
    with ctx.read_session_factory() as session:
        notes = session.scalars(select(Notification).where(Notification.kind == "hit")).all()
    assert [(n.member, n.notice_id) for n in notes] == [("FR", nid)]


def test_the_writer_thread_ends_when_idle_and_comes_back_for_the_next_job(
    ctx: AppContext,
) -> None:
    writer = GroupWriter(ctx)
    writer.IDLE_SECONDS = 0.05

    def job(uow: UnitOfWork) -> int:
        return uow.audit(OPERATOR, "screen:query:made", "screening", None, {"hits": 0})

    futures = [writer.submit(job) for _ in range(5)]
    seqs = sorted(f.result(timeout=10) for f in futures)
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    deadline = time.monotonic() + 10
    while writer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer._thread is None  # no thread left behind by an idle writer
    assert writer.run(job) == seqs[-1] + 1
    assert verify_log(ctx).ok


def test_the_index_is_built_with_the_collector_paused_and_resumed_after(
    ctx: AppContext, people: dict[str, Who], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half of a large build went to full collections walking the growing index."""
    nid = issue(ctx, people)
    seen: list[bool] = []
    real_add = NameIndex.add

    def add(self: NameIndex, record: PersonRecord) -> None:
        seen.append(gc.isenabled())
        real_add(self, record)

    monkeypatch.setattr(NameIndex, "add", add)
    index = screening_index(ctx)
    assert gc.isenabled()
    assert index.load() == 1
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()  # a process that keeps the collector off has it off afterwards too
    try:
        index.load()
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert [m.key for m, _ in index.search(TRAVELLER, "DE")] == [nid]
