"""Guards of the election use cases: quorum, presence, withdrawal, seats, who may do what."""

from __future__ import annotations

import datetime as dt

import pytest

from opennotice.domain.actors import Actor
from opennotice.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from opennotice.services import assembly as svc
from opennotice.services.context import AppContext
from opennotice.services.members import ensure_all_members
from tests.conftest import OPERATOR, Who


def setup(ctx: AppContext, people: dict[str, Who]) -> tuple[int, int, list[int]]:
    admin = people["admin"].actor
    s = svc.create_session(
        ctx,
        admin,
        title="Session",
        place="Lyon",
        starts_on=dt.date(2031, 1, 1),
        ends_on=dt.date(2031, 1, 2),
        nominations_close=dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
    )
    for user in ("ncb.fr", "ncb.de", "ncb.us", "ncb.cn"):
        svc.accredit(ctx, admin, s.id, username=user, credentials="ok")
    post = svc.add_post(ctx, admin, s.id, kind="delegate", continent="europe", seats=2)
    ids = []
    for who, name in (("ncb_fr", "Odile Ferrand"), ("ncb_de", "Kai Brenner")):
        c = svc.nominate(
            ctx,
            people[who].actor,
            post.id,
            name=name,
            nationality=people[who].actor.member or "",
            current_position="Director",
            statement="Programme.",
            now=dt.datetime(2030, 6, 1, tzinfo=dt.UTC),
        )
        ids.append(c.id)
    return s.id, post.id, ids


def test_presence_quorum_withdrawal_and_seats(ctx: AppContext, people: dict[str, Who]) -> None:
    admin = people["admin"].actor
    sid, post, (fr, de) = setup(ctx, people)
    with pytest.raises(Conflict, match="closed on 01 Jan 2031"):
        svc.nominate(
            ctx,
            people["ncb_us"].actor,
            post,
            name="Late",
            nationality="US",
            current_position="x",
            statement="y",
            now=dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
        )
    with pytest.raises(Forbidden, match="only the nominating member"):
        svc.withdraw(ctx, people["ncb_us"].actor, de)
    svc.publish_candidates(ctx, admin, sid)
    with pytest.raises(Conflict, match="already published"):
        svc.publish_candidates(ctx, admin, sid)
    with pytest.raises(Conflict, match="deadline is final"):
        svc.set_nominations_close(ctx, admin, sid, dt.datetime(2032, 1, 1, tzinfo=dt.UTC))
    # An absent delegation does not vote.
    svc.set_presence(ctx, admin, sid, "CN", False)
    ballot = svc.open_ballot(ctx, admin, post)
    with pytest.raises(Forbidden, match="not recorded as present"):
        svc.cast_vote(ctx, people["ncb_cn"].actor, ballot.id, candidacy_id=fr)
    with pytest.raises(Conflict, match="still open"):
        svc.open_ballot(ctx, admin, post)
    with pytest.raises(Conflict, match="a ballot for this post is open"):
        svc.withdraw(ctx, people["ncb_de"].actor, de)
    with pytest.raises(ValidationFailed, match="exactly one"):
        svc.cast_vote(ctx, people["ncb_fr"].actor, ballot.id, candidacy_id=fr, abstain=True)
    with pytest.raises(Unauthenticated):
        svc.cast_vote(ctx, Actor(None, "public", None), ballot.id, abstain=True)
    svc.cast_vote(ctx, people["ncb_fr"].actor, ballot.id, candidacy_id=fr)
    svc.cast_vote(ctx, people["ncb_us"].actor, ballot.id, candidacy_id=fr)
    svc.cast_vote(ctx, people["ncb_de"].actor, ballot.id, candidacy_id=de)
    closed = svc.close_ballot(ctx, admin, ballot.id)
    assert closed.result and closed.result["elected"] == str(fr)
    # The second seat: France's candidate is elected, Germany's still stands. Then it withdraws,
    # and no eligible candidate is left.
    svc.withdraw(ctx, people["ncb_de"].actor, de)
    with pytest.raises(Conflict, match="no eligible candidate"):
        svc.open_ballot(ctx, admin, post)
    with pytest.raises(NotFound):
        svc.open_ballot(ctx, admin, 9999)
    # With every country a member, four delegations are no quorum.
    ensure_all_members(ctx, OPERATOR)
    post2 = svc.add_post(ctx, admin, sid, kind="president")
    with pytest.raises(Conflict, match=r"no quorum: 3 of \d+ members present"):
        svc.open_ballot(ctx, admin, post2.id)


def test_who_may_do_what(ctx: AppContext, people: dict[str, Who]) -> None:
    sid, post, (fr, _) = setup(ctx, people)
    with pytest.raises(Forbidden):
        svc.open_ballot(ctx, people["ncb_fr"].actor, post)
    with pytest.raises(Forbidden):
        svc.nominate(
            ctx,
            people["gs_br"].actor,
            post,
            name="x",
            nationality="BR",
            current_position="x",
            statement="y",
        )
    with pytest.raises(ValidationFailed, match="reserved for Europe"):
        svc.nominate(
            ctx,
            people["ncb_us"].actor,
            post,
            name="Ann Reyes",
            nationality="US",
            current_position="x",
            statement="y",
            now=dt.datetime(2030, 6, 1, tzinfo=dt.UTC),
        )
    with pytest.raises(ValidationFailed, match="kind of document"):
        svc.attach_document(
            ctx, people["ccf"].actor, fr, kind="rant", title="t", authors="a", body="b"
        )
    with pytest.raises(ValidationFailed, match="http"):
        svc.attach_document(
            ctx,
            people["ccf"].actor,
            fr,
            kind="objection",
            title="t",
            authors="a",
            body="b",
            url="javascript:alert(1)",
        )
    with pytest.raises(ValidationFailed, match="unknown post"):
        svc.add_post(ctx, people["admin"].actor, sid, kind="treasurer")
    with pytest.raises(Conflict, match="already accredited"):
        svc.accredit(ctx, people["admin"].actor, sid, username="ncb.fr", credentials="again")


def test_concurrent_votes_of_one_member_count_once(ctx: AppContext, people: dict[str, Who]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from opennotice.services.auth import actor_for
    from opennotice.services.users import bootstrap_user

    admin = people["admin"].actor
    sid, post, (fr, de) = setup(ctx, people)
    second = bootstrap_user(ctx, OPERATOR, username="ncb.fr.2", role="ncb", member="FR")
    svc.accredit(ctx, admin, sid, username="ncb.fr.2", credentials="ok")
    svc.publish_candidates(ctx, admin, sid)
    ballot = svc.open_ballot(ctx, admin, post)
    delegates = [people["ncb_fr"].actor, actor_for(second.user)] * 4

    def vote(i: int) -> str:
        try:
            svc.cast_vote(ctx, delegates[i], ballot.id, candidacy_id=fr if i % 2 else de)
            return "ok"
        except Conflict as exc:
            assert "already voted" in exc.detail
            return "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(vote, range(8)))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 7
    svc.close_ballot(ctx, admin, ballot.id)
    board = svc.bulletin_board(ctx, ballot.id)
    assert len(board["papers"]) == 1 and board["ballot"]["voted"] == ["FR"]
