"""The demo session, the public pages and JSON, the clerk's command line."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from opennotice.cli.main import app
from opennotice.services import assembly as svc
from opennotice.services.context import AppContext
from tests.conftest import Who


@pytest.fixture
def demo(ctx: AppContext, people: dict[str, Who]) -> dict[str, object]:
    svc.seed_demo(ctx, random.Random(7))
    sessions = svc.list_sessions(ctx)
    assert len(sessions) == 1
    return svc.session_overview(ctx, sessions[0]["id"])


def test_demo_has_candidates_an_open_letter_and_a_first_round(demo: dict[str, object]) -> None:
    candidates = demo["candidates"]
    assert isinstance(candidates, list) and len(candidates) == 4
    assert any(d["kind"] == "open_letter" for c in candidates for d in c["documents"])
    ballots = demo["ballots"]
    assert isinstance(ballots, list) and len(ballots) == 1
    first = ballots[0]
    assert first["round"] == 1 and first["status"] == "closed"
    assert first["result"]["papers"] == len(first["voted"]) == 4


def test_public_pages(client: TestClient, demo: dict[str, object]) -> None:
    sid = demo["id"]
    page = client.get("/assembly")
    assert page.status_code == 200 and f'href="/assembly/{sid}"' in page.text
    page = client.get(f"/assembly/{sid}")
    assert page.status_code == 200
    candidates = demo["candidates"]
    assert isinstance(candidates, list)
    for c in candidates:
        assert c["name"] in page.text and c["current_position"] in page.text
    assert "Open letter" in page.text and "Results per round" in page.text
    assert "two thirds of the votes cast" in page.text
    ballots = demo["ballots"]
    assert isinstance(ballots, list)
    ballot_id = ballots[0]["id"]
    board = client.get(f"/assembly/ballots/{ballot_id}")
    assert board.status_code == 200 and "equal to the published result" in board.text
    papers = client.get(f"/api/v1/assembly/ballots/{ballot_id}/board").json()["papers"]
    receipt = papers[0]["receipt"]
    assert receipt in board.text
    found = client.get("/assembly/receipt", params={"code": receipt})
    assert found.status_code == 200 and "Counted" in found.text
    bad = client.get("/assembly/receipt", params={"code": "not a code"})
    assert bad.status_code == 422 and "16 letters and digits" in bad.text
    assert client.get("/assembly/999999").status_code == 404
    # Escaped, not interpreted.
    assert "<script" not in page.text


def test_public_json_needs_no_token_and_writes_need_one(
    client: TestClient, demo: dict[str, object], people: dict[str, Who]
) -> None:
    sid = demo["id"]
    assert client.get(f"/api/v1/assembly/sessions/{sid}/results").status_code == 200
    r = client.post("/api/v1/assembly/sessions", json={})
    assert r.status_code == 401
    r = client.post(
        "/api/v1/assembly/sessions",
        json={
            "title": "x",
            "place": "y",
            "starts_on": "2031-01-02",
            "ends_on": "2031-01-01",
            "nominations_close": "2030-12-01T00:00:00Z",
        },
        headers=people["ncb_fr"].headers,
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/assembly/sessions",
        json={
            "title": "x",
            "place": "y",
            "starts_on": "2031-01-02",
            "ends_on": "2031-01-01",
            "nominations_close": "2030-12-01T00:00:00Z",
        },
        headers=people["admin"].headers,
    )
    assert r.status_code == 422 and "end before it starts" in r.json()["detail"]
    r = client.post(
        "/api/v1/assembly/ballots/1/votes",
        json={"choice": "abstain", "candidacy_id": 3},
        headers=people["ncb_fr"].headers,
    )
    assert r.status_code == 422 and "names no candidacy" in r.json()["detail"]


@pytest.fixture
def cli(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    from opennotice.cli import common

    common.context.cache_clear()
    monkeypatch.setenv("OPENNOTICE_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("OPENNOTICE_SECRET_KEY", ctx.settings.secret_key or "")
    yield CliRunner()
    common.context.cache_clear()


def test_clerk_command_line(
    cli: CliRunner, people: dict[str, Who], client: TestClient, tmp_path: Path
) -> None:
    def run(*args: str) -> str:
        result = cli.invoke(app, ["assembly", *args])
        assert result.exit_code == 0, result.output
        return result.output

    out = run(
        "session",
        "create",
        "--title",
        "Extraordinary session",
        "--place",
        "Nairobi",
        "--starts",
        "2031-03-01",
        "--ends",
        "2031-03-02",
        "--nominations-close",
        "2031-02-01T12:00",
    )
    sid = re.search(r"session (\d+) created", out)
    assert sid
    session = sid.group(1)
    for user in ("ncb.fr", "ncb.de", "ncb.us", "ncb.cn"):
        run("accredit", session, user, "--credentials", "Letter 1")
    got = re.search(r"post (\d+):", run("post", "add", session, "president"))
    assert got
    post = got.group(1)
    statement = tmp_path / "statement.txt"
    statement.write_text("A fictional programme.")
    out = run(
        "nominate",
        post,
        "--member",
        "US",
        "--name",
        "Dana Whitcombe",
        "--nationality",
        "US",
        "--position",
        "Director",
        "--statement",
        str(statement),
    )
    got = re.search(r"candidacy (\d+):", out)
    assert got
    candidacy = int(got.group(1))
    bad = cli.invoke(
        app,
        [
            "assembly",
            "nominate",
            post,
            "--member",
            "US",
            "--name",
            "Eli Moss",
            "--nationality",
            "CA",
            "--position",
            "x",
            "--statement",
            str(statement),
        ],
    )
    assert bad.exit_code == 2 and "own nationals" in " ".join(bad.output.split())
    bad = cli.invoke(app, ["assembly", "open", post])
    assert bad.exit_code == 2 and "publish the candidate list" in " ".join(bad.output.split())
    run("publish", session)
    # The four members on record are present: the quorum is met.
    got = re.search(r"ballot (\d+) open: seat 1, round 1", run("open", post))
    assert got
    ballot = got.group(1)
    r = client.post(
        f"/api/v1/assembly/ballots/{ballot}/votes",
        json={"candidacy_id": candidacy},
        headers=people["ncb_fr"].headers,
    )
    assert r.status_code == 201
    out = run("close", ballot)
    assert "Dana Whitcombe" in out and "elected" in out
    assert "round 1" in run("results", session)
    assert '"matches": true' in run("recount", ballot)
    assert "valid" in run("rules")


def test_staff_pages_clerk_opens_delegate_votes_and_gets_a_receipt(
    ctx: AppContext, people: dict[str, Who], client: TestClient, demo: dict[str, object]
) -> None:
    from tests.functional.staff_helpers import csrf_of, signed_in

    posts = demo["posts"]
    assert isinstance(posts, list)
    vp = next(p for p in posts if p["kind"] == "vice_president")
    # The clerk opens the next round from the staff site.
    csrf = signed_in(client, ctx, "admin")
    desk = client.get("/staff/assembly")
    assert desk.status_code == 200 and "Open the next round" in desk.text
    r = client.post(
        f"/staff/assembly/posts/{vp['id']}/open", data={"csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    r = client.post(f"/staff/assembly/posts/{vp['id']}/open", data={"csrf": "forged"})
    assert r.status_code == 403
    ballot = svc.session_overview(ctx, int(str(demo["id"])))["ballots"][-1]
    assert ballot["status"] == "open"
    # A delegate votes from the staff site and sees the receipt once.
    client.cookies.clear()
    csrf = signed_in(client, ctx, "ncb.fr")
    desk = client.get("/staff/assembly")
    assert desk.status_code == 200 and "Cast the vote" in desk.text
    csrf = csrf_of(desk.text)
    choice = str(ballot["candidates"][0]["candidacy_id"])
    r = client.post(
        f"/staff/assembly/ballots/{ballot['id']}/vote", data={"csrf": csrf, "choice": choice}
    )
    assert r.status_code == 201 and "Your member's vote is recorded" in r.text
    receipt = re.search(r'<code class="receipt">([0-9A-Z-]+)</code>', r.text)
    assert receipt and receipt.group(1) not in str(r.url)
    again = client.post(
        f"/staff/assembly/ballots/{ballot['id']}/vote", data={"csrf": csrf, "choice": choice}
    )
    assert again.status_code == 409 and "already voted" in again.text
    assert "Your member has voted" in client.get("/staff/assembly").text
    # Another role has no business here.
    client.cookies.clear()
    signed_in(client, ctx, "gs.br")
    assert client.get("/staff/assembly").status_code == 403


def test_presence_and_withdrawal_over_the_api(
    client: TestClient, demo: dict[str, object], people: dict[str, Who]
) -> None:
    sid = demo["id"]
    admin = people["admin"].headers
    r = client.put(
        f"/api/v1/assembly/sessions/{sid}/delegations/cn", json={"present": False}, headers=admin
    )
    assert r.status_code == 200 and r.json() == {
        "session_id": sid,
        "member": "CN",
        "present": False,
    }
    r = client.put(
        f"/api/v1/assembly/sessions/{sid}/delegations/BR", json={"present": True}, headers=admin
    )
    assert r.status_code == 404 and "no accredited delegation" in r.json()["detail"]
    overview = client.get(f"/api/v1/assembly/sessions/{sid}").json()
    assert "CN" not in overview["quorum"]["members_present"]
    candidates = overview["candidates"]
    mine = next(c for c in candidates if c["status"] == "nominated")
    owner = {"FR": "ncb_fr", "DE": "ncb_de", "US": "ncb_us", "CN": "ncb_cn"}[mine["nominated_by"]]
    other = next(w for w in ("ncb_fr", "ncb_de", "ncb_us", "ncb_cn") if w != owner)
    r = client.post(
        f"/api/v1/assembly/candidacies/{mine['id']}/withdraw", headers=people[other].headers
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/assembly/candidacies/{mine['id']}/withdraw", headers=people[owner].headers
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = client.post(
        f"/api/v1/assembly/candidacies/{mine['id']}/withdraw", headers=people[owner].headers
    )
    assert r.status_code == 409
    ballots = overview["ballots"]
    assert client.get(f"/api/v1/assembly/ballots/{ballots[0]['id']}").json()["status"] == "closed"
