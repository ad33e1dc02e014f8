"""The core flow over HTTP with real tokens: request, review, issue, who sees what, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from opennotice.services.audit import verify_log
from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.factories import red_notice


def u(nid: str) -> str:
    return nid.replace("/", "-")


def _issue(client: TestClient, people: dict[str, Who], body: dict | None = None) -> str:
    r = client.post("/api/v1/notices", json=body or red_notice(), headers=people["ncb_fr"].headers)
    assert r.status_code == 201, r.text
    nid = r.json()["id"]
    r = client.post(f"/api/v1/notices/{u(nid)}/submit", headers=people["ncb_fr"].headers)
    assert r.json()["status"] == "submitted"
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/decision",
        json={"decision": "issue", "reasons": "Serious ordinary crime, data complete."},
        headers=people["gs_br"].headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "issued"
    return nid


def test_request_review_issue_and_visibility(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    body = red_notice(visibility={"public_extract": False, "restricted_from": ["US"]})
    nid = _issue(client, people, body)
    url = f"/api/v1/notices/{nid.replace('/', '-')}"
    # Another member sees it, the restricted member does not even learn it exists.
    assert client.get(url, headers=people["ncb_de"].headers).status_code == 200
    assert client.get(url, headers=people["ncb_us"].headers).status_code == 404
    # Screening, auditor and admin read no files.
    for who in ("screen_de", "auditor", "admin"):
        assert client.get(url, headers=people[who].headers).status_code in (403, 404)
    detail = client.get(url, headers=people["ncb_de"].headers).json()
    assert detail["valid_until"] is not None and detail["findings"] is None
    listing = client.get("/api/v1/notices", headers=people["ncb_us"].headers).json()
    assert nid not in [n["id"] for n in listing["items"]]
    # Every read of personal data is in the log, and the chain verifies.
    events = client.get("/api/v1/audit?limit=1000", headers=people["auditor"].headers).json()
    reads = [e for e in events if e["action"] == "notice:record:read" and e["object_id"] == nid]
    assert {e["member"] for e in reads} == {"DE"}
    assert verify_log(ctx).ok


def test_draft_not_visible_to_others_and_unknown_is_404(
    client: TestClient, people: dict[str, Who]
) -> None:
    r = client.post("/api/v1/notices", json=red_notice(), headers=people["ncb_fr"].headers)
    nid = r.json()["id"]
    assert (
        client.get(f"/api/v1/notices/{u(nid)}", headers=people["ncb_de"].headers).status_code == 404
    )
    assert (
        client.get(f"/api/v1/notices/{u(nid)}", headers=people["gs_br"].headers).status_code == 200
    )
    r = client.get("/api/v1/notices/2020-999999", headers=people["gs_br"].headers)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_recusal_and_ask_info_round_trip(client: TestClient, people: dict[str, Who]) -> None:
    h = people["ncb_fr"].headers
    nid = client.post("/api/v1/notices", json=red_notice(), headers=h).json()["id"]
    client.post(f"/api/v1/notices/{u(nid)}/submit", headers=h)
    decision = {"decision": "ask_info", "reasons": "Give the date of the warrant, please."}
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/decision", json=decision, headers=people["gs_fr"].headers
    )
    assert r.status_code == 403 and "nationality" in r.json()["detail"]
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/decision", json=decision, headers=people["gs_ke"].headers
    )
    assert r.json()["notice"]["status"] == "info_requested"
    inbox = client.get("/api/v1/notifications", headers=h).json()
    assert any(n["kind"] == "decision:ask_info" and n["notice_id"] == nid for n in inbox)
    body = red_notice()
    body["summary"] = "Warrant dated 1 April 2023."
    assert client.put(f"/api/v1/notices/{u(nid)}", json=body, headers=h).status_code == 200
    assert (
        client.post(f"/api/v1/notices/{u(nid)}/submit", headers=h).json()["status"] == "submitted"
    )


def test_lifecycle_actions_and_deletion_tombstone(
    client: TestClient, people: dict[str, Who]
) -> None:
    nid = _issue(client, people)
    h = people["ncb_fr"].headers
    base = f"/api/v1/notices/{u(nid)}"
    assert client.post(f"{base}/actions/suspend", headers=h).json()["status"] == "suspended"
    assert client.get(base, headers=people["ncb_de"].headers).status_code == 404
    assert client.post(f"{base}/actions/resume", headers=h).json()["status"] == "issued"
    r = client.post(f"{base}/actions/renew", headers=h)
    assert r.status_code == 422  # renewal needs reasons
    r = client.post(f"{base}/actions/renew", json={"reasons": "Still wanted."}, headers=h)
    assert r.status_code == 200
    # Another member's NCB cannot act on it.
    r = client.post(f"{base}/actions/withdraw", headers=people["ncb_de"].headers)
    assert r.status_code == 403
    r = client.post(
        f"{base}/actions/delete", json={"reasons": "ccf-order"}, headers=people["ccf"].headers
    )
    assert r.status_code == 200
    tomb = client.get(base, headers=people["gs_br"].headers).json()
    assert tomb["status"] == "deleted" and tomb["content"] is None
    assert tomb["type"] == "red" and tomb["requester"] == "FR"


def test_diffusion_prior_review_and_recall(client: TestClient, people: dict[str, Who]) -> None:
    h = people["ncb_cn"].headers
    body = red_notice() | {"recipients": ["DE", "FR"]}
    d = client.post("/api/v1/diffusions", json=body, headers=h).json()
    assert d["status"] == "circulating"
    did = d["id"]
    assert (
        client.get(f"/api/v1/diffusions/{u(did)}", headers=people["ncb_de"].headers).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/diffusions/{u(did)}", headers=people["ncb_us"].headers).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/reviews/{u(did)}/decision",
        json={"decision": "recall", "reasons": "Political offence (Art. 3)."},
        headers=people["gs_br"].headers,
    )
    assert r.json()["outcome"] == "recalled"
    assert (
        client.get(f"/api/v1/diffusions/{u(did)}", headers=people["ncb_de"].headers).status_code
        == 404
    )
    inbox = client.get("/api/v1/notifications?kind=purge", headers=people["ncb_de"].headers).json()
    assert [n["notice_id"] for n in inbox] == [did]
    # Under prior review, the next one waits.
    r = client.patch(
        "/api/v1/members/CN",
        json={"prior_review": True, "reason": "Repeated non-compliant diffusions."},
        headers=people["admin"].headers,
    )
    assert r.json()["prior_review"] is True
    d2 = client.post("/api/v1/diffusions", json=body, headers=h).json()
    assert d2["status"] == "submitted"
    url = f"/api/v1/diffusions/{u(d2['id'])}"
    assert client.get(url, headers=people["ncb_de"].headers).status_code == 404


def test_bad_input_changes_nothing(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    h = people["ncb_fr"].headers
    before = client.get("/api/v1/audit/verify", headers=people["auditor"].headers).json()
    cases = [
        (b"{not json", "application/json"),
    ]
    for raw, ctype in cases:
        r = client.post("/api/v1/notices", content=raw, headers=h | {"content-type": ctype})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
    bad_bodies = [
        red_notice(colour="red"),  # unknown field
        red_notice(type="scarlet"),
        red_notice(subject={"family_name": "X", "date_of_birth": "1980-02-30"}),
        red_notice(subject={"family_name": "X", "nationalities": ["ZZ"]}),
        red_notice(charges="many"),
    ]
    for body in bad_bodies:
        r = client.post("/api/v1/notices", json=body, headers=h)
        assert r.status_code == 422, body
        assert r.json()["detail"]
    big = {"type": "red", "subject": {"family_name": "x" * 3_000_000}}
    assert client.post("/api/v1/notices", json=big, headers=h).status_code == 413
    r = client.post("/api/v1/notices", json=red_notice(), headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    listing = client.get("/api/v1/notices?mine=true", headers=h).json()
    assert listing["total"] == 0
    after = client.get("/api/v1/audit/verify", headers=people["auditor"].headers).json()
    assert after["ok"] and after["checked"] == before["checked"] + 1  # only the verify itself
