"""A whole election of the Executive Committee over HTTP, on fictional candidates.

Nominations (one refused as ineligible, one after the deadline), a President elected in the third
round once the majority needed drops from two thirds to more than half, a run-off, receipts
checked on the bulletin board, a recount equal to the result, and a database in which no ballot
can be tied to the member who cast it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DatabaseError

from opennotice.services.auth import actor_for
from opennotice.services.context import AppContext
from opennotice.services.users import bootstrap_user
from opennotice.store.tables import AuditEvent
from tests.conftest import OPERATOR, Who

API = "/api/v1/assembly"
VOTERS = ["FR", "DE", "US", "CN", "BR", "KE", "JP", "IN", "AU", "ZA", "MX", "IT"]


@pytest.fixture
def ncbs(ctx: AppContext, people: dict[str, Who]) -> dict[str, Who]:
    out = {"FR": people["ncb_fr"], "DE": people["ncb_de"], "US": people["ncb_us"]}
    out["CN"] = people["ncb_cn"]
    for code in VOTERS:
        if code not in out:
            new = bootstrap_user(
                ctx, OPERATOR, username=f"ncb.{code.lower()}", role="ncb", member=code
            )
            out[code] = Who(new, actor_for(new.user, via="test"))
    # A second delegate for France: either may cast France's one vote.
    new = bootstrap_user(ctx, OPERATOR, username="ncb.fr.2", role="ncb", member="FR")
    out["FR2"] = Who(new, actor_for(new.user, via="test"))
    return out


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def problem(r: Any, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert words in r.json()["detail"], r.json()["detail"]


class Election:
    def __init__(self, client: TestClient, ncbs: dict[str, Who], admin: Who) -> None:
        self.client, self.ncbs, self.admin = client, ncbs, admin
        self.receipts: dict[int, dict[str, tuple[str, Any]]] = {}

    def post(self, path: str, body: Any = None, who: Who | None = None) -> Any:
        return self.client.post(API + path, json=body, headers=(who or self.admin).headers)

    def nominate(self, post: int, who: str, name: str, nat: str, **extra: Any) -> Any:
        body = {
            "name": name,
            "nationality": nat,
            "current_position": "Head of the fictional NCB",
            "statement": f"{name}'s programme: review before circulation.",
            **extra,
        }
        return self.post(f"/posts/{post}/candidacies", body, self.ncbs[who])

    def round(self, post: int, plan: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Open a ballot, let each member of the plan vote, close it; the closed ballot."""
        ballot = ok(self.post(f"/posts/{post}/ballots"), 201)
        receipts: dict[str, tuple[str, Any]] = {}
        for member, choice in plan.items():
            who = self.ncbs["FR2" if member == "FR" and ballot["round"] % 2 == 0 else member]
            body = {"choice": choice} if isinstance(choice, str) else {"candidacy_id": choice}
            got = ok(self.post(f"/ballots/{ballot['id']}/votes", body, who), 201)
            receipts[member] = (got["receipt"], choice)
        self.receipts[ballot["id"]] = receipts
        closed = ok(self.post(f"/ballots/{ballot['id']}/close"))
        return ballot["id"], closed


def test_a_whole_committee_election(
    client: TestClient, ctx: AppContext, people: dict[str, Who], ncbs: dict[str, Who]
) -> None:
    admin = people["admin"]
    e = Election(client, ncbs, admin)
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).isoformat()
    session = ok(
        e.post(
            "/sessions",
            {
                "title": "Ordinary session (test)",
                "place": "Lyon",
                "starts_on": "2031-11-04",
                "ends_on": "2031-11-07",
                "nominations_close": soon,
                "agenda": "Elections to the Executive Committee",
            },
        ),
        201,
    )
    sid = session["id"]

    # Delegations: one NCB delegate per member, two for France; no one for another member.
    problem(
        e.post(
            f"/sessions/{sid}/delegates",
            {"username": "ncb.us", "credentials": "L-1", "member": "FR"},
        ),
        422,
        "not of France",
    )
    for code, who in ncbs.items():
        body = {"username": who.user.user.username, "credentials": f"Credentials {code}"}
        ok(e.post(f"/sessions/{sid}/delegates", body), 201)
    problem(
        e.post(f"/sessions/{sid}/delegates", {"username": "gs.br", "credentials": "x"}),
        422,
        "National Central Bureau",
    )

    # The Committee: a continuing Delegate of Germany; four posts to fill.
    ok(
        e.post(
            f"/sessions/{sid}/continuing",
            {"post_kind": "delegate", "name": "Greta Holm-Ansel", "country": "DE"},
        ),
        201,
    )
    president = ok(e.post(f"/sessions/{sid}/posts", {"kind": "president"}), 201)["id"]
    vp = ok(
        e.post(f"/sessions/{sid}/posts", {"kind": "vice_president", "continent": "americas"}), 201
    )["id"]
    europe = ok(e.post(f"/sessions/{sid}/posts", {"kind": "delegate", "continent": "europe"}), 201)
    europe_id = europe["id"]
    problem(e.post(f"/sessions/{sid}/posts", {"kind": "delegate"}), 422, "one continent")

    # Nominations.
    a = ok(e.nominate(president, "FR", "Aurele Fontanet", "FR"), 201)["id"]
    b = ok(e.nominate(president, "KE", "Wanjiru Odhiambo-Lake", "KE"), 201)["id"]
    c = ok(e.nominate(president, "IN", "Devika Raman-Iyer", "IN"), 201)["id"]
    d = ok(e.nominate(vp, "BR", "Tiago Albuquerque Neto", "BR"), 201)["id"]
    ok(e.nominate(vp, "MX", "Lucia Arvizu Pena", "MX"), 201)
    f = ok(e.nominate(europe_id, "IT", "Matteo Carraro", "IT"), 201)["id"]
    g = ok(e.nominate(europe_id, "FR", "Solene Marchetti", "FR"), 201)["id"]
    h = ok(
        e.post(
            f"/posts/{europe_id}/candidacies",
            {
                "name": "Irene Valcarcel",
                "nationality": "ES",
                "member": "ES",
                "current_position": "Commissioner",
                "statement": "Data protection first.",
            },
        ),
        201,
    )["id"]
    j = ok(
        e.post(
            f"/posts/{europe_id}/candidacies",
            {
                "name": "Callum Bracewell",
                "nationality": "GB",
                "member": "GB",
                "current_position": "Chief Superintendent",
                "statement": "Transparency.",
            },
        ),
        201,
    )["id"]
    # Ineligible candidacies are refused, with the rule that refuses them.
    problem(
        e.nominate(europe_id, "DE", "Jonas Kellerhals", "DE"),
        422,
        "no two members of the Committee from the same country",
    )
    problem(e.nominate(vp, "JP", "Haruto Kisaragi", "JP"), 422, "reserved for Americas")
    problem(e.nominate(president, "FR", "Yara Benali", "MA"), 422, "own nationals")
    problem(
        e.nominate(president, "DE", "Lena Vogt", "DE", member="FR"),
        403,
        "cannot nominate for France",
    )
    problem(e.nominate(president, "FR", "Aurele Fontanet", "FR"), 409, "already nominated")
    # An open letter by observers against a candidacy.
    ok(
        e.post(
            f"/candidacies/{a}/documents",
            {
                "kind": "open_letter",
                "title": "Open letter to the delegations",
                "authors": "Legislators of eleven member countries",
                "body": "Weigh the record first.",
            },
            people["ccf"],
        ),
        201,
    )

    # The deadline passes: a late nomination is refused.
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    ok(
        client.patch(
            f"{API}/sessions/{sid}", json={"nominations_close": past}, headers=admin.headers
        )
    )
    problem(
        e.nominate(president, "CN", "Zhou Mingrui", "CN"),
        409,
        "nominations for this session closed",
    )
    # No ballot before the list is published; then the public sees the candidates.
    problem(e.post(f"/posts/{president}/ballots"), 409, "publish the candidate list")
    assert client.get(f"{API}/sessions/{sid}/candidates").json() == []
    ok(e.post(f"/sessions/{sid}/publish"))
    listed = ok(client.get(f"{API}/sessions/{sid}/candidates"))
    assert {x["name"] for x in listed} >= {"Aurele Fontanet", "Irene Valcarcel"}
    letter = next(x for x in listed if x["id"] == a)["documents"]
    assert letter[0]["kind"] == "open_letter"
    overview = ok(client.get(f"{API}/sessions/{sid}"))
    assert overview["quorum"]["present"] == len(VOTERS) and overview["quorum"]["met"]

    # President, round 1 (two thirds of votes cast; abstentions are not votes cast).
    plan1 = {m: a for m in ["FR", "US", "JP", "AU", "MX", "IT"]}
    plan1 |= {m: b for m in ["KE", "ZA", "BR", "CN"]} | {"IN": c, "DE": "abstain"}
    b1, r1 = e.round(president, plan1)
    assert r1["majority"] == "two_thirds" and r1["result"]["votes_cast"] == 11
    assert r1["result"]["needed"] == 8 and r1["result"]["elected"] is None
    # Round 2 (still two thirds): 7 of 11 is not enough. A spoilt ballot is not a vote cast.
    plan2 = {m: a for m in ["FR", "US", "JP", "AU", "MX", "IT", "IN"]}
    plan2 |= {m: b for m in ["KE", "ZA", "BR", "CN"]} | {"DE": "spoilt"}
    _, r2 = e.round(president, plan2)
    assert (r2["round"], r2["majority"], r2["result"]["needed"]) == (2, "two_thirds", 8)
    assert r2["result"]["elected"] is None and r2["result"]["spoilt"] == 1
    # Round 3: more than half of the votes cast suffices; 7 of 12 elects.
    plan3 = {m: a for m in ["FR", "US", "JP", "AU", "MX", "IT", "IN"]}
    plan3 |= {m: b for m in ["KE", "ZA", "BR", "CN", "DE"]}
    b3, r3 = e.round(president, plan3)
    assert (r3["round"], r3["majority"], r3["result"]["needed"]) == (3, "absolute", 7)
    assert r3["result"]["elected"] == a
    problem(e.post(f"/posts/{president}/ballots"), 409, "every seat of President is filled")

    # Vice-President for the Americas, elected in round 1 by more than half.
    _, v1 = e.round(vp, {m: d for m in VOTERS[:7]} | {m: "abstain" for m in VOTERS[7:]})
    assert v1["result"]["elected"] == d

    # Delegate for Europe: France now holds the presidency, so its national no longer stands.
    ballot = ok(e.post(f"/posts/{europe_id}/ballots"), 201)
    assert {x["candidacy_id"] for x in ballot["candidates"]} == {f, h, j}
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": g}, ncbs["FR"]),
        422,
        "does not stand",
    )
    # Bad input while the ballot is open: nothing is counted twice.
    first = ok(e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": f}, ncbs["IT"]), 201)
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": h}, ncbs["IT"]),
        409,
        "already voted",
    )
    ok(e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": f}, ncbs["FR2"]), 201)
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": h}, ncbs["FR"]),
        409,
        "already voted",
    )
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": h, "member": "US"}, ncbs["DE"]),
        403,
        "you are a delegate of Germany",
    )
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": h}, people["gs_br"]),
        403,
        "may not",
    )
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": h}, people["screen_de"]),
        403,
        "may not",
    )
    problem(client.get(f"{API}/ballots/{ballot['id']}/board"), 409, "when the ballot closes")
    rest = {"US": f, "JP": f, "AU": h, "MX": h, "IN": h, "KE": h, "ZA": j, "BR": j, "CN": j}
    for member, choice in rest.items():
        ok(e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": choice}, ncbs[member]), 201)
    ok(e.post(f"/ballots/{ballot['id']}/votes", {"choice": "abstain"}, ncbs["DE"]), 201)
    r = ok(e.post(f"/ballots/{ballot['id']}/close"))
    assert {v["candidacy_id"]: v["votes"] for v in r["result"]["votes"]} == {f: 4, h: 4, j: 3}
    assert r["result"]["papers"] == 12 and r["result"]["elected"] is None
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": f}, ncbs["AU"]),
        409,
        "no vote after the close",
    )
    problem(e.post(f"/ballots/{ballot['id']}/close"), 409, "already closed")
    board = ok(client.get(f"{API}/ballots/{ballot['id']}/board"))
    assert len(board["papers"]) == 12 and first["receipt"] in {
        p["receipt"] for p in board["papers"]
    }
    # Round 2 is absolute majority again; round 3 is the run-off between the two leaders.
    _, e2 = e.round(
        europe_id,
        {m: f for m in ["FR", "IT", "US", "JP", "AU"]}
        | {m: h for m in ["MX", "IN", "KE", "ZA", "BR"]}
        | {"CN": j, "DE": j},
    )
    assert e2["majority"] == "absolute" and e2["result"]["elected"] is None
    ballot = ok(e.post(f"/posts/{europe_id}/ballots"), 201)
    assert ballot["majority"] == "runoff"
    assert {x["candidacy_id"] for x in ballot["candidates"]} == {f, h}
    problem(
        e.post(f"/ballots/{ballot['id']}/votes", {"candidacy_id": j}, ncbs["CN"]), 422, "run-off"
    )
    ok(e.post(f"/ballots/{ballot['id']}/close"))  # an empty round: no result, no error
    _, e4 = e.round(europe_id, {m: f for m in VOTERS[:7]} | {m: h for m in VOTERS[7:]})
    assert e4["majority"] == "runoff" and e4["result"]["elected"] == f

    # The public results: every round, with the majority needed.
    results = ok(client.get(f"{API}/sessions/{sid}/results"))
    pres = [x for x in results if x["post_id"] == president]
    assert [(x["round"], x["majority"]) for x in pres] == [
        (1, "two_thirds"),
        (2, "two_thirds"),
        (3, "absolute"),
    ]
    assert pres[2]["result"]["elected_name"] == "Aurele Fontanet"
    assert sorted(pres[2]["voted"]) == sorted(VOTERS)
    posts = {p["id"]: p for p in ok(client.get(f"{API}/sessions/{sid}"))["posts"]}
    assert [x["name"] for x in posts[europe_id]["elected"]] == ["Matteo Carraro"]

    # Every receipt is on its board with the choice its member made, and every recount agrees.
    for ballot_id, receipts in e.receipts.items():
        board = ok(client.get(f"{API}/ballots/{ballot_id}/board"))
        on_board = {p["receipt"]: p for p in board["papers"]}
        assert len(on_board) == len(receipts) == len(board["ballot"]["voted"])
        for receipt, choice in receipts.values():
            paper = on_board[receipt]
            if isinstance(choice, str):
                assert paper["kind"] == choice and paper["candidacy_id"] is None
            else:
                assert paper["kind"] == "candidate" and paper["candidacy_id"] == choice
            check = ok(client.get(f"{API}/receipts/{receipt.lower()}"))
            assert check["ballot_id"] == ballot_id and check["counted"]
        again = ok(client.get(f"{API}/ballots/{ballot_id}/recount"))
        assert again["matches"], again
    problem(client.get(f"{API}/receipts/0000-0000-0000-0000"), 404, "no closed ballot")
    problem(client.get(f"{API}/receipts/nonsense"), 422, "16 letters and digits")

    # The audit log says who voted for which member in which ballot, never what.
    with ctx.read_session_factory() as s:
        casts = list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == "assembly:ballot:cast"))
        )
        everything = " ".join(str(ev.details) for ev in s.scalars(select(AuditEvent)))
    assert casts and all(set(ev.details) == {"member"} for ev in casts)
    assert all(ev.object_id == str(int(ev.object_id or 0)) for ev in casts)
    all_receipts = [rc for rs in e.receipts.values() for rc, _ in rs.values()]
    assert not any(rc in everything for rc in all_receipts)
    assert_no_link(ctx, b1, b3)


def assert_no_link(ctx: AppContext, *ballots: int) -> None:
    """Nothing in the database ties a ballot paper to a voter-roll row."""
    insp = inspect(ctx.engine)
    papers = {c["name"] for c in insp.get_columns("assembly_ballot_papers")}
    roll = {c["name"] for c in insp.get_columns("assembly_voter_roll")}
    # Only the ballot they belong to is shared: no member, delegate, time or sequence.
    assert papers == {"receipt", "ballot_id", "kind", "candidacy_id"}
    assert roll == {"ballot_id", "member"}
    assert papers & roll == {"ballot_id"}
    assert insp.get_pk_constraint("assembly_ballot_papers")["constrained_columns"] == ["receipt"]
    with ctx.engine.connect() as conn:
        for ballot in ballots:
            stored = [
                r[0]
                for r in conn.execute(
                    text("SELECT receipt FROM assembly_ballot_papers WHERE ballot_id = :b"),
                    {"b": ballot},
                )
            ]
            assert len(stored) == len(set(stored)) > 0
            if ctx.engine.dialect.name == "sqlite":
                # No hidden rowid to betray the insertion order: rows live in receipt order.
                with pytest.raises(DatabaseError):
                    conn.execute(text("SELECT rowid FROM assembly_ballot_papers")).all()
                with pytest.raises(DatabaseError):
                    conn.execute(text("SELECT rowid FROM assembly_voter_roll")).all()
                natural = [
                    r[0]
                    for r in conn.execute(
                        text("SELECT receipt FROM assembly_ballot_papers WHERE ballot_id = :b"),
                        {"b": ballot},
                    )
                ]
                assert natural == stored
            else:
                # Rewritten at the close in one transaction: one xmin for every paper and every
                # roll row of the ballot, so the writing transaction tells nothing.
                xmins = {
                    r[0]
                    for r in conn.execute(
                        text(
                            "SELECT xmin::text FROM assembly_ballot_papers WHERE ballot_id = :b "
                            "UNION SELECT xmin::text FROM assembly_voter_roll WHERE ballot_id = :b"
                        ),
                        {"b": ballot},
                    )
                }
                assert len(xmins) == 1
