"""The commission's whole procedure on fictional cases, over HTTP with real tokens where a user
would act, and through the services where a test needs to move a clock."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from opennotice.services import ccf, requests
from opennotice.services.audit import verify_log
from opennotice.services.context import AppContext
from opennotice.store.tables import (
    AuditEvent,
    IndexChange,
    Notice,
    NoticeHistory,
    Notification,
    utcnow,
)
from opennotice.store.tables_ccf import CcfCase, CcfLink
from opennotice.store.tables_register import ProtectedPerson
from tests.conftest import Who
from tests.factories import red_notice
from tests.integration.screening_support import TRAVELLER, issue

API = "/api/v1/ccf/requests"
PDF = b"%PDF-1.4\n% fictional letter from the applicant's lawyer\n"


def u(nid: str) -> str:
    return nid.replace("/", "-")


def filing(kind: str = "deletion", **applicant: Any) -> dict[str, Any]:
    person = {
        "family_name": "Marchetti",
        "given_names": "Lorenzo",
        "date_of_birth": "1979-04-12",
        "nationalities": ["IT"],
        "contact": "l.marchetti@example.org",
        "represented_by": "Avv. Serena Quarta (fictional)",
    } | applicant
    return {
        "kind": kind,
        "applicant": person,
        "grounds": "The charges were invented by a business rival; the court has acquitted me.",
        "documents": [
            {
                "filename": "judgment.pdf",
                "content_type": "application/pdf",
                "data_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }


def file(client: TestClient, body: dict[str, Any] | None = None) -> tuple[str, str]:
    r = client.post(API, json=body or filing())
    assert r.status_code == 201, r.text
    data = r.json()
    return data["reference"], data["secret"]


def follow(client: TestClient, ref: str, secret: str) -> dict[str, Any]:
    r = client.post(f"{API}/status", json={"reference": ref, "secret": secret})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def screen_hits(client: TestClient, people: dict[str, Who]) -> list[str]:
    r = client.post("/api/v1/screen", json=TRAVELLER, headers=people["screen_de"].headers)
    assert r.status_code == 200, r.text
    return [h["notice"] for h in r.json()["hits"]]


def admit_and_link(client: TestClient, people: dict[str, Who], ref: str, nid: str) -> None:
    h = people["ccf"].headers
    r = client.post(
        f"{API}/{ref}/admissibility",
        headers=h,
        json={"admissible": True, "reasons": "Filed by the person concerned."},
    )
    assert r.status_code == 200, r.text
    r = client.post(f"{API}/{ref}/matches", headers=h)
    assert r.status_code == 200, r.text
    proposed = {lk["notice_id"]: lk for lk in r.json()["links"]}
    assert proposed[nid]["status"] == "proposed" and proposed[nid]["score"] >= 0.8
    r = client.post(f"{API}/{ref}/links/{u(nid)}", json={"confirm": True}, headers=h)
    assert r.status_code == 200, r.text


def test_public_filing_is_confidential_and_followed_with_the_secret(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    ref, secret = file(client)
    assert ref.startswith("CCF-") and len(secret) >= 20
    case = follow(client, ref, secret)
    assert case["state"] == "received" and case["kind"] == "deletion"
    assert [d["name"] for d in case["deadlines"]] == ["admissibility"]
    assert "applicant" not in case  # the follow-up view does not echo the identity back
    # A wrong secret and an unknown reference answer the same 404.
    for body in (
        {"reference": ref, "secret": secret + "x"},
        {"reference": "CCF-2026-NOPE2345", "secret": secret},
    ):
        r = client.post(f"{API}/status", json=body)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
        assert "reference and secret" in r.json()["detail"]
    with ctx.read_session_factory() as s:
        row = s.scalars(select(CcfCase).where(CcfCase.reference == ref)).one()
        assert row.secret_hash != secret and secret not in json.dumps(row.applicant)
        # Confidential: nothing about the applicant in police files, notifications or the log.
        events = s.scalars(select(AuditEvent)).all()
        assert all("Marchetti" not in json.dumps(e.details) for e in events)
        assert s.scalar(select(text("count(*)")).select_from(Notification)) == 0
        assert s.scalar(select(text("count(*)")).select_from(Notice)) == 0
    # Only the commission reads cases; NCBs, screening and the public do not.
    assert client.get(API).status_code == 401
    for who in ("ncb_fr", "gs_br", "screen_de", "auditor"):
        assert client.get(API, headers=people[who].headers).status_code == 403
        assert client.get(f"{API}/{ref}", headers=people[who].headers).status_code == 403
    full = client.get(f"{API}/{ref}", headers=people["ccf"].headers).json()
    assert full["applicant"]["family_name"] == "Marchetti" and full["documents"][0]["size"] == len(
        PDF
    )
    doc_id = full["documents"][0]["id"]
    r = client.get(f"{API}/{ref}/documents/{doc_id}", headers=people["ccf"].headers)
    assert r.content == PDF and r.headers["content-type"] == "application/pdf"


def test_bad_filings_are_refused_clearly_and_nothing_is_written(
    client: TestClient, ctx: AppContext
) -> None:
    bad = filing()
    bad["documents"][0]["data_base64"] = base64.b64encode(b"MZ\x90\x00 not a pdf").decode()
    cases = [
        (filing(kind="erase"), 422),
        ({**filing(), "grounds": "short"}, 422),
        (filing(date_of_birth="1979-02-30"), 422),
        (filing(nationalities=["ZZ"]), 422),
        (bad, 422),
        ({**filing(), "extra": 1}, 422),
    ]
    for body, status in cases:
        r = client.post(API, json=body)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert "Marchetti" not in r.text  # never echoes personal data
    with ctx.read_session_factory() as s:
        assert s.scalars(select(CcfCase)).first() is None


def test_public_filing_is_rate_limited(client: TestClient) -> None:
    statuses = [client.post(API, json=filing()).status_code for _ in range(11)]
    assert statuses[:10] == [201] * 10 and statuses[10] == 429
    r = client.post(API, json=filing())
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_deletion_with_provisional_block_removes_the_notice_everywhere(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    body = red_notice(visibility={"public_extract": True, "restricted_from": []})
    nid = issue(ctx, people, body)
    dif = requests.send_diffusion(
        ctx, people["ncb_fr"].actor, requests.RequestContent.model_validate(red_notice()), ["DE"]
    ).id
    notice_url = f"/api/v1/notices/{u(nid)}"
    assert client.get(notice_url, headers=people["ncb_de"].headers).status_code == 200
    assert nid in screen_hits(client, people)
    assert client.get(f"/notices/v1/red/{u(nid)}").status_code == 200

    ref, secret = file(client)
    admit_and_link(client, people, ref, nid)
    h = people["ccf"].headers
    r = client.post(f"{API}/{ref}/links/{u(dif)}", json={"confirm": True}, headers=h)
    assert r.status_code == 200

    # The requesting NCB is asked for its view, by a date, and answers.
    r = client.post(
        f"{API}/{ref}/consultations",
        headers=h,
        json={
            "notice_id": nid,
            "question": "On what evidence does the warrant rest today?",
            "days": 30,
        },
    )
    assert r.status_code == 201, r.text
    consultation = r.json()
    assert consultation["member"] == "FR" and consultation["state"] == "open"
    inbox = client.get("/api/v1/notifications", headers=people["ncb_fr"].headers).json()
    (note,) = [n for n in inbox if n["kind"] == "ccf:consultation"]
    assert "Marchetti" not in note["message"] and "l.marchetti" not in json.dumps(note)
    other = client.post(
        f"/api/v1/ccf/consultations/{consultation['id']}/answer",
        json={"view": "Not our question."},
        headers=people["ncb_de"].headers,
    )
    assert other.status_code == 404
    r = client.post(
        f"/api/v1/ccf/consultations/{consultation['id']}/answer",
        json={"view": "The warrant stands; trial pending."},
        headers=people["ncb_fr"].headers,
    )
    assert r.status_code == 200 and r.json()["state"] == "met"

    # Provisional block: stays in the file, stops circulating and hitting.
    with ctx.read_session_factory() as s:
        seq_before = s.scalar(select(text("max(seq)")).select_from(IndexChange))
    r = client.post(
        f"{API}/{ref}/blocks/{u(nid)}",
        headers=h,
        json={"blocked": True, "reasons": "Serious doubts under Art. 3."},
    )
    assert r.status_code == 200, r.text
    assert [lk["blocked"] for lk in r.json()["links"] if lk["notice_id"] == nid] == [True]
    assert client.get(notice_url, headers=people["ncb_de"].headers).status_code == 404
    assert client.get(notice_url, headers=people["ncb_fr"].headers).status_code == 200
    assert client.get(notice_url, headers=h).status_code == 200
    listing = client.get("/api/v1/notices", headers=people["ncb_de"].headers).json()
    assert nid not in [n["id"] for n in listing["items"]]
    assert nid not in screen_hits(client, people)
    assert client.get(f"/notices/v1/red/{u(nid)}").status_code == 404
    with ctx.read_session_factory() as s:
        assert s.get(Notice, nid).blocked  # type: ignore[union-attr]
        assert s.scalar(select(text("max(seq)")).select_from(IndexChange)) > seq_before
        actions = s.scalars(select(NoticeHistory.action).where(NoticeHistory.notice_id == nid))
        assert "ccf_block" in list(actions)
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "ccf:notice:blocked")).one()

    # A block is only for deletion requests under examination.
    ref2, _ = file(client, filing(kind="access"))
    admit_and_link(client, people, ref2, nid)
    r = client.post(
        f"{API}/{ref2}/blocks/{u(nid)}",
        headers=h,
        json={"blocked": True, "reasons": "An access request cannot block."},
    )
    assert r.status_code == 409

    # The decision: deletion ordered, carried out at once by the system.
    r = client.post(
        f"{API}/{ref}/decision",
        headers=h,
        json={
            "outcome": "granted",
            "reasons": "The acquittal removes the basis of the notice; the data must be deleted.",
        },
    )
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["state"] == "closed" and decided["outcome"] == "granted"
    assert [d["state"] for d in decided["deadlines"]] == ["met", "met", "met"]
    assert {lk["notice_status"] for lk in decided["links"]} == {"deleted"}

    # Gone from every view, index and list; a tombstone remains.
    for who in ("ncb_de", "ncb_us", "ncb_cn"):
        assert client.get(notice_url, headers=people[who].headers).status_code == 404
        assert client.get(
            f"/api/v1/diffusions/{u(dif)}", headers=people[who].headers
        ).status_code in (404, 403)
        items = client.get("/api/v1/notices", headers=people[who].headers).json()["items"]
        assert nid not in [n["id"] for n in items]
    own = client.get(notice_url, headers=people["ncb_fr"].headers)
    assert own.status_code == 200 and own.json()["status"] == "deleted"
    assert "Marchetti" not in own.text and "Lyon" not in own.text
    assert screen_hits(client, people) == []
    assert client.get(f"/notices/v1/red/{u(nid)}").status_code == 404
    assert nid not in client.get("/notices/v1/red?name=Marchetti").text
    with ctx.read_session_factory() as s:
        tomb = s.get(Notice, nid)
        assert tomb is not None and tomb.content is None and tomb.status == "deleted"
        assert not tomb.blocked and tomb.type == "red" and tomb.requester == "FR"
        # Recipients of the diffusion are told to purge; the requester gets the decision.
        notes = s.scalars(select(Notification)).all()
        assert any(n.kind == "purge" and n.member == "DE" and n.notice_id == dif for n in notes)
        decisions = [n for n in notes if n.kind == "ccf:decision"]
        assert {n.notice_id for n in decisions} == {nid, dif}
        assert all(n.member == "FR" and "reasons" in n.details for n in decisions)
        # The person is protected from re-submission by the requesting member.
        entries = s.scalars(select(ProtectedPerson).where(ProtectedPerson.kind == "commission"))
        entry = next(e for e in entries if e.notice_id == nid)
        assert entry.against == "FR" and entry.reference == ref and entry.active
        assert entry.person["family_name"] == "Marchetti"
    # The applicant sees the decision with its reasons.
    seen = follow(client, ref, secret)
    assert seen["state"] == "closed" and "acquittal" in seen["decision_reasons"]
    assert "deletion_carried_out" in [e["action"] for e in seen["events"]]
    assert "ncb_consulted" not in [e["action"] for e in seen["events"]]  # internal steps
    assert verify_log(ctx).ok


def test_rejected_deletion_lifts_the_block(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    nid = issue(ctx, people)
    ref, _ = file(client)
    admit_and_link(client, people, ref, nid)
    h = people["ccf"].headers
    client.post(
        f"{API}/{ref}/blocks/{u(nid)}",
        headers=h,
        json={"blocked": True, "reasons": "Doubts while we examine it."},
    )
    assert nid not in screen_hits(client, people)
    r = client.post(
        f"{API}/{ref}/decision",
        headers=h,
        json={
            "outcome": "rejected",
            "reasons": "The notice meets the rules; the charges are ordinary.",
        },
    )
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert nid in screen_hits(client, people)
    assert (
        client.get(f"/api/v1/notices/{u(nid)}", headers=people["ncb_de"].headers).status_code == 200
    )


def test_overdue_and_due_soon_cases_are_flagged(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    late, _ = file(client)
    soon, _ = file(client)
    fresh, _ = file(client)
    with ctx.uow() as uow:
        now = utcnow()
        uow.session.execute(
            update(CcfCase)
            .where(CcfCase.reference == late)
            .values(received_at=now - dt.timedelta(days=45))
        )
        uow.session.execute(
            update(CcfCase)
            .where(CcfCase.reference == soon)
            .values(received_at=now - dt.timedelta(days=25))
        )
        uow.commit()
    h = people["ccf"].headers
    listing = client.get(API, headers=h).json()
    assert [c["reference"] for c in listing][:2] == [late, soon]  # most urgent first
    flags = {c["reference"]: c["flag"] for c in listing}
    assert flags == {late: "overdue", soon: "due_soon", fresh: "open"}
    overdue = client.get(f"{API}?flag=overdue", headers=h).json()
    assert [c["reference"] for c in overdue] == [late]
    case = client.get(f"{API}/{late}", headers=h).json()
    assert case["deadlines"][0]["state"] == "overdue"
    # Deciding admissibility late leaves a trace: the deadline shows as "late".
    client.post(
        f"{API}/{late}/admissibility",
        headers=h,
        json={"admissible": True, "reasons": "Admissible, decided late."},
    )
    case = client.get(f"{API}/{late}", headers=h).json()
    assert [d["state"] for d in case["deadlines"]] == ["late", "open"]
    # The decision deadline on a deletion is 9 months from admissibility.
    due = dt.date.fromisoformat(case["deadlines"][1]["due"])
    assert 270 <= (due - utcnow().date()).days <= 276


def test_overdue_consultation_is_flagged(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    nid = issue(ctx, people)
    ref, _ = file(client)
    admit_and_link(client, people, ref, nid)
    ccf.ask_ncb(ctx, people["ccf"].actor, ref, nid, "Please give your view on the request.", 5)
    view = ccf.get_case(ctx, people["ccf"].actor, ref, today=utcnow().date() + dt.timedelta(days=6))
    assert view.consultations[0].state.value == "overdue"


def test_withdrawal_during_review_is_recorded_and_the_commission_still_rules(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    nid = issue(ctx, people)
    ref, secret = file(client)
    admit_and_link(client, people, ref, nid)
    # The requesting member withdraws its notice while the commission examines it.
    r = client.post(
        f"/api/v1/notices/{u(nid)}/actions/withdraw",
        headers=people["ncb_fr"].headers,
        json={"reasons": "No longer needed."},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn"
    with ctx.read_session_factory() as s:
        link = s.scalars(select(CcfLink).where(CcfLink.notice_id == nid)).one()
        assert link.withdrawn_during_review
        rows = s.scalars(
            select(NoticeHistory).where(
                NoticeHistory.notice_id == nid, NoticeHistory.action == "ccf_withdrawal"
            )
        )
        (row,) = list(rows)
        assert row.details["against_member"] == "FR"
        entry = s.scalars(select(ProtectedPerson).where(ProtectedPerson.notice_id == nid)).one()
        assert entry.kind == "commission" and entry.against == "FR"
    # Recorded once, even when the notice changes again.
    assert ccf.note_withdrawals(ctx, nid) == 0
    case = client.get(f"{API}/{ref}", headers=people["ccf"].headers).json()
    assert "withdrawal_during_review" in [e["action"] for e in case["events"]]
    assert case["links"][0]["withdrawn_during_review"] is True
    # The commission may still rule on the merits: it orders the deletion.
    r = client.post(
        f"{API}/{ref}/decision",
        headers=people["ccf"].headers,
        json={
            "outcome": "granted",
            "reasons": "Withdrawn to avoid a ruling; the data were unlawful.",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["links"][0]["notice_status"] == "deleted"
    assert follow(client, ref, secret)["outcome"] == "granted"
    # The same member re-submits the same person: the checks flag the commission's protection.
    again = requests.create_request(
        ctx, people["ncb_fr"].actor, requests.RequestContent.model_validate(red_notice())
    )
    submitted = requests.submit_request(ctx, people["ncb_fr"].actor, again.id)
    rules = {str(f.get("rule")) for f in submitted.findings}
    assert any("commission" in r for r in rules), rules
    assert submitted.risk != "routine"


def test_a_withdrawal_before_the_link_is_confirmed_is_caught_at_confirmation(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    nid = issue(ctx, people)
    ref, _ = file(client)
    requests.act_on_request(ctx, people["ncb_fr"].actor, nid, requests.Action.WITHDRAW)
    admit_and_link(client, people, ref, nid)
    with ctx.read_session_factory() as s:
        assert (
            s.scalars(select(CcfLink).where(CcfLink.notice_id == nid)).one().withdrawn_during_review
        )


def test_a_withdrawal_before_the_request_was_filed_is_not_held_against_the_member(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    nid = issue(ctx, people)
    requests.act_on_request(ctx, people["ncb_fr"].actor, nid, requests.Action.WITHDRAW)
    ref, _ = file(client)
    admit_and_link(client, people, ref, nid)
    with ctx.read_session_factory() as s:
        link = s.scalars(select(CcfLink).where(CcfLink.notice_id == nid)).one()
        assert not link.withdrawn_during_review


def test_inadmissible_access_and_revision(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    h = people["ccf"].headers
    ref, secret = file(client, filing(kind="access"))
    r = client.post(
        f"{API}/{ref}/admissibility",
        headers=h,
        json={"admissible": False, "reasons": "No identity document was given."},
    )
    assert r.status_code == 200 and r.json()["state"] == "inadmissible"
    assert client.post(f"{API}/{ref}/matches", headers=h).status_code == 409
    seen = follow(client, ref, secret)
    assert seen["state"] == "inadmissible" and "identity document" in seen["decision_reasons"]
    # A revision needs a new fact discovered within 6 months.
    old = (utcnow().date() - dt.timedelta(days=200)).isoformat()
    r = client.post(
        f"{API}/revision",
        json={
            "reference": ref,
            "secret": secret,
            "new_fact": "I now have my passport copy.",
            "discovered_on": old,
        },
    )
    assert r.status_code == 422 and "6 months" in r.json()["detail"]
    recent = (utcnow().date() - dt.timedelta(days=3)).isoformat()
    r = client.post(
        f"{API}/revision",
        json={
            "reference": ref,
            "secret": "wrong-secret",
            "new_fact": "I now have my passport copy.",
            "discovered_on": recent,
        },
    )
    assert r.status_code == 404
    r = client.post(
        f"{API}/revision",
        json={
            "reference": ref,
            "secret": secret,
            "new_fact": "I now have my passport copy.",
            "discovered_on": recent,
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "under_review"
    # Access decided: granted with reasons; no notice changes.
    nid = issue(ctx, people)
    client.post(f"{API}/{ref}/links/{u(nid)}", json={"confirm": True}, headers=h)
    r = client.post(
        f"{API}/{ref}/decision",
        headers=h,
        json={
            "outcome": "granted",
            "reasons": "A Red Notice from FR concerns you; charges: robbery.",
        },
    )
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert (
        client.get(f"/api/v1/notices/{u(nid)}", headers=people["ncb_de"].headers).status_code == 200
    )
    # Deciding twice is refused.
    r = client.post(
        f"{API}/{ref}/decision",
        headers=h,
        json={"outcome": "rejected", "reasons": "A second decision is not possible."},
    )
    assert r.status_code == 409


def test_seed_demo_files_an_overdue_case_and_a_provisional_block(
    people: dict[str, Who], ctx: AppContext
) -> None:
    import random

    for family in ("Brandvold", "Szemere", "Otxoa"):
        issue(ctx, people, red_notice(subject=red_notice()["subject"] | {"family_name": family}))
    ccf.seed_demo(ctx, random.Random(5))
    cases = ccf.list_cases(ctx, people["ccf"].actor)
    assert len(cases) == 3
    assert [c.flag.value for c in cases].count("overdue") == 1
    assert sum(c.blocked for c in cases) == 1
    with ctx.read_session_factory() as s:
        blocked = s.scalars(select(Notice).where(Notice.blocked.is_(True))).all()
        assert len(blocked) == 1 and blocked[0].status == "issued"
        asked = s.scalars(select(Notification).where(Notification.kind == "ccf:consultation"))
        assert len(list(asked)) == 2


def test_any_filing_is_either_refused_cleanly_or_followable(ctx: AppContext) -> None:
    """Wide inputs through the validation and the service: never a crash, never half-written."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from pydantic import ValidationError

    from opennotice.domain.actors import Actor
    from opennotice.errors import OpenNoticeError

    public = Actor(user_id=None, username="public", role=None)
    text_ = st.text(min_size=0, max_size=60)

    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        kind=st.sampled_from(["access", "correction", "deletion", "purge"]),
        family=text_,
        dob=st.one_of(st.none(), text_, st.dates().map(str)),
        nats=st.lists(st.text(min_size=0, max_size=4), max_size=3),
        grounds=st.text(min_size=0, max_size=80),
        contact=text_,
    )
    def check(
        kind: str, family: str, dob: str | None, nats: list[str], grounds: str, contact: str
    ) -> None:
        data = {
            "kind": kind,
            "grounds": grounds,
            "applicant": {
                "family_name": family,
                "date_of_birth": dob,
                "nationalities": nats,
                "contact": contact,
            },
        }
        with ctx.read_session_factory() as s:
            before = s.scalar(select(text("count(*)")).select_from(CcfCase))
        try:
            filed = ccf.file_request(ctx, public, ccf.Filing.model_validate(data))
        except (ValidationError, OpenNoticeError):
            with ctx.read_session_factory() as s:
                assert s.scalar(select(text("count(*)")).select_from(CcfCase)) == before
            return
        view = ccf.follow(ctx, public, filed.reference, filed.secret)
        assert view.state.value == "received" and view.kind.value == kind

    check()
