"""The review desk over HTTP: findings at submission, citing them, overrides and waivers, the
four-eyes rule on high risk, recusal, prior review of diffusions, and the register's API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Who
from tests.factories import red_notice


def u(nid: str) -> str:
    return nid.replace("/", "-")


REFUGEE = {
    "family_name": "Tursunjan",
    "given_names": "Erkin",
    "date_of_birth": "1968-05-02",
    "sex": "M",
    "nationalities": ["DE"],
}


def submit(client: TestClient, who: Who, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/v1/notices", json=body, headers=who.headers)
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/notices/{u(r.json()['id'])}/submit", headers=who.headers)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def decide(client: TestClient, who: Who, nid: str, **payload: Any) -> Any:
    payload.setdefault("reasons", "Reviewed against the rules and the findings.")
    return client.post(f"/api/v1/reviews/{u(nid)}/decision", json=payload, headers=who.headers)


def political(**subject: Any) -> dict[str, Any]:
    body = red_notice()
    body["subject"] = {**body["subject"], **subject}
    body["charges"][0].update(
        description="Subversion of state power", iccs_code="0904", legal_provision="NSL art. 22"
    )
    return body


def short_penalty() -> dict[str, Any]:
    body = red_notice()
    body["charges"][0].update(
        description="Theft of a mobile phone", iccs_code="0502", max_penalty_years=1
    )
    return body


def test_refugee_case_must_be_refused_unless_overridden_then_two_nationalities(
    client: TestClient, people: dict[str, Who]
) -> None:
    r = client.post(
        "/api/v1/protected-persons",
        json={"person": REFUGEE, "granted_on": "1998-06-15", "feared_country": "CN"},
        headers=people["ncb_de"].headers,
    )
    assert r.status_code == 201 and set(r.json()) == {"id", "kind", "created_at"}
    body = red_notice()
    body["subject"] = {**REFUGEE, "family_name": "Tursun", "nationalities": ["CN"]}
    notice = submit(client, people["ncb_cn"], body)
    assert notice["risk"] == "must_refuse"
    refugee = next(f for f in notice["findings"] if f["rule"] == "refugee_policy")
    assert refugee["severity"] == "must_refuse" and "Refugee policy" in refugee["citation"]
    nid = notice["id"]
    # Issuing is impossible, even citing the finding.
    r = decide(client, people["gs_br"], nid, decision="issue", cited_rules=["refugee_policy"])
    assert r.status_code == 409
    # Overriding needs reasons, from a reviewer who is not recused.
    why = {"rule": "refugee_policy", "reasons": "Status was revoked last month; see file 12."}
    r = client.post(f"/api/v1/reviews/{u(nid)}/overrides", json={**why, "reasons": "no"},
                    headers=people["gs_br"].headers)  # fmt: skip
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/overrides", json=why, headers=people["ncb_cn"].headers
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/overrides", json=why, headers=people["gs_br"].headers
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["risk"] == "high"
    override = next(f for f in after["findings"] if f["rule"] == "refugee_policy")["override"]
    assert override["kind"] == "override" and override["author_nationality"] == "BR"
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/overrides", json=why, headers=people["gs_ke"].headers
    )
    assert r.status_code == 409  # already set aside
    # Four eyes: two reviewers of different nationalities, each citing the serious findings.
    serious = sorted(
        {f["rule"] for f in after["findings"] if f["severity"] in ("high", "must_refuse")}
    )
    r = decide(client, people["gs_br"], nid, decision="issue")
    assert r.status_code == 422 and "cite" in r.json()["detail"]
    r = decide(client, people["gs_br"], nid, decision="issue", cited_rules=serious)
    assert r.json()["outcome"] == "approval_recorded"
    r = decide(client, people["gs_br"], nid, decision="issue", cited_rules=serious)
    assert r.status_code == 409
    r = decide(client, people["gs_ke"], nid, decision="issue", cited_rules=serious)
    assert r.json()["outcome"] == "issued"
    # The evidence and the override are on file for reviewers.
    ev = client.get(f"/api/v1/reviews/{u(nid)}/findings", headers=people["ccf"].headers).json()
    assert ev["overrides"][0]["rule"] == "refugee_policy"
    assert (
        client.get(
            f"/api/v1/reviews/{u(nid)}/findings", headers=people["ncb_cn"].headers
        ).status_code
        == 403
    )


def test_a_refusal_cites_findings_and_protects_the_person(
    client: TestClient, people: dict[str, Who]
) -> None:
    notice = submit(
        client, people["ncb_cn"], political(family_name="Yeung", given_names="Siu-ming")
    )
    assert notice["risk"] == "high"
    nid = notice["id"]
    r = decide(client, people["gs_ke"], nid, decision="refuse", ground="art3")
    assert r.status_code == 422
    r = decide(
        client, people["gs_ke"], nid, decision="refuse", ground="art3", cited_rules=["art3_offence"]
    )
    assert r.status_code == 200 and r.json()["notice"]["status"] == "refused"
    entries = client.get("/api/v1/protected-persons", headers=people["gs_br"].headers).json()
    assert [(e["kind"], e["against"], e["notice_id"]) for e in entries] == [("refusal", "CN", nid)]
    # The same person later, as a diffusion from another member, in another spelling.
    body = red_notice(recipients=["FR"])
    body["subject"] = {**body["subject"], "family_name": "Yang", "given_names": "Siu Ming"}
    r = client.post("/api/v1/diffusions", json=body, headers=people["ncb_us"].headers)
    assert r.status_code == 201
    assert "resubmission" in {f["rule"] for f in r.json()["findings"]}


def test_penalty_waiver_is_recorded_and_lets_one_reviewer_issue(
    client: TestClient, people: dict[str, Who]
) -> None:
    notice = submit(client, people["ncb_fr"], short_penalty())
    assert notice["risk"] == "high"
    nid = notice["id"]
    why = {"rule": "art3_offence", "reasons": "x" * 40, "waiver": True}
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/overrides", json=why, headers=people["gs_br"].headers
    )
    assert r.status_code == 422  # only the penalty threshold can be waived
    reasons = "Case of particular importance: part of a series across five members."
    why = {"rule": "penalty_threshold", "waiver": True, "reasons": reasons}
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/overrides", json=why, headers=people["gs_fr"].headers
    )
    assert r.status_code == 403  # recused: the reviewer holds the requester's nationality
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/overrides", json=why, headers=people["gs_br"].headers
    )
    assert r.status_code == 200 and r.json()["risk"] == "routine"
    r = decide(client, people["gs_ke"], nid, decision="issue")
    assert r.json()["outcome"] == "issued"
    hist = client.get(f"/api/v1/notices/{u(nid)}/history", headers=people["gs_br"].headers).json()
    waiver = next(h for h in hist if h["action"] == "waiver")
    assert waiver["actor_role"] == "secretariat" and "particular importance" in waiver["reasons"]
    events = client.get("/api/v1/audit?limit=1000", headers=people["auditor"].headers).json()
    assert any(e["action"] == "review:finding:waiver" and e["object_id"] == nid for e in events)


def test_override_errors(client: TestClient, people: dict[str, Who]) -> None:
    nid = submit(client, people["ncb_fr"], red_notice())["id"]
    h = people["gs_br"].headers
    body = {"rule": "no_such_rule", "reasons": "x" * 40}
    r = client.post(f"/api/v1/reviews/{u(nid)}/overrides", json=body, headers=h)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    body = {"rule": "refugee_policy", "reasons": "x" * 40}
    r = client.post(f"/api/v1/reviews/{u(nid)}/overrides", json=body, headers=h)
    assert r.status_code == 422 and "no finding" in r.json()["detail"]
    r = client.post("/api/v1/reviews/2020-99999/overrides", json=body, headers=h)
    assert r.status_code == 404


def test_queue_by_risk_then_age_and_recusal(client: TestClient, people: dict[str, Who]) -> None:
    routine = submit(client, people["ncb_fr"], red_notice())["id"]
    high = submit(client, people["ncb_us"], short_penalty())["id"]
    client.post(
        "/api/v1/protected-persons",
        json={"person": REFUGEE, "granted_on": "1998-06-15", "feared_country": "CN"},
        headers=people["ncb_de"].headers,
    )
    body = red_notice()
    body["subject"] = {**REFUGEE, "nationalities": ["CN"]}
    refuse = submit(client, people["ncb_cn"], body)["id"]
    queue = [n["id"] for n in client.get("/api/v1/reviews", headers=people["gs_br"].headers).json()]
    assert queue == [refuse, high, routine]
    queue = [n["id"] for n in client.get("/api/v1/reviews", headers=people["gs_fr"].headers).json()]
    assert routine not in queue


def test_prior_review_holds_diffusions_until_a_decision(
    client: TestClient, people: dict[str, Who]
) -> None:
    r = client.patch(
        "/api/v1/members/CN",
        json={"prior_review": True, "reason": "Repeated Art. 3 refusals of its diffusions."},
        headers=people["admin"].headers,
    )
    assert r.status_code == 200, r.text
    r = client.post(
        "/api/v1/diffusions",
        json={**political(), "recipients": ["FR", "DE"]},
        headers=people["ncb_cn"].headers,
    )
    d = r.json()
    assert d["status"] == "submitted" and d["risk"] == "high"
    # Recipients do not see it while it waits.
    assert (
        client.get(f"/api/v1/diffusions/{u(d['id'])}", headers=people["ncb_fr"].headers).status_code
        == 404
    )
    r = decide(client, people["gs_br"], d["id"], decision="release")
    assert r.status_code == 422  # must answer the findings
    r = decide(
        client,
        people["gs_br"],
        d["id"],
        decision="refuse",
        ground="art3",
        cited_rules=["art3_offence"],
    )
    assert r.json()["notice"]["status"] == "refused"
    assert (
        client.get(f"/api/v1/diffusions/{u(d['id'])}", headers=people["ncb_fr"].headers).status_code
        == 404
    )


def test_a_non_compliant_diffusion_is_recalled_and_recipients_purge(
    client: TestClient, people: dict[str, Who]
) -> None:
    r = client.post(
        "/api/v1/diffusions",
        json={**political(), "recipients": ["FR"]},
        headers=people["ncb_cn"].headers,
    )
    d = r.json()
    assert d["status"] == "circulating" and "art3_offence" in {f["rule"] for f in d["findings"]}
    r = decide(client, people["gs_ke"], d["id"], decision="confirm")
    assert r.status_code == 422
    r = decide(
        client,
        people["gs_ke"],
        d["id"],
        decision="recall",
        ground="art3",
        cited_rules=["art3_offence"],
    )
    assert r.json()["notice"]["status"] == "recalled"
    inbox = client.get("/api/v1/notifications", headers=people["ncb_fr"].headers).json()
    assert any(n["kind"] == "purge" and n["notice_id"] == d["id"] for n in inbox)


def test_register_api_permissions_and_audit(client: TestClient, people: dict[str, Who]) -> None:
    r = client.post(
        "/api/v1/protected-persons",
        json={"person": REFUGEE, "granted_on": "1998-06-15", "feared_country": "CN"},
        headers=people["ncb_de"].headers,
    )
    eid = r.json()["id"]
    for who in ("ncb_de", "ncb_cn", "screen_de", "auditor"):
        assert (
            client.get(f"/api/v1/protected-persons/{eid}", headers=people[who].headers).status_code
            == 403
        )
        assert (
            client.get("/api/v1/protected-persons", headers=people[who].headers).status_code == 403
        )
    assert client.get(f"/api/v1/protected-persons/{eid}").status_code == 401
    got = client.get(f"/api/v1/protected-persons/{eid}", headers=people["gs_br"].headers).json()
    assert got["person"]["family_name"] == "Tursunjan" and got["recorded_by"] == "DE"
    found = client.post(
        "/api/v1/protected-persons/search",
        json={"person": {"family_name": "Tursun", "given_names": "Erkin", "date_of_birth": "1968"}},
        headers=people["ccf"].headers,
    ).json()
    assert [m["entry"]["id"] for m in found] == [eid]
    bad = client.post(
        "/api/v1/protected-persons",
        json={"person": {"family_name": "X"}, "granted_on": "2999-01-01", "feared_country": "CN"},
        headers=people["ncb_de"].headers,
    )
    assert bad.status_code == 422
    events = client.get("/api/v1/audit?limit=1000", headers=people["auditor"].headers).json()
    reads = [e for e in events if e["action"] == "register:entry:read"]
    assert [e["actor"] for e in reads] == ["gs.br"]
    end = {"reason": "Revoked by court order."}
    r = client.post(
        f"/api/v1/protected-persons/{eid}/end", json=end, headers=people["ncb_de"].headers
    )
    assert r.status_code == 200


def test_the_catalogue_is_readable(client: TestClient, people: dict[str, Who]) -> None:
    cat = client.get("/api/v1/rules", headers=people["ncb_fr"].headers).json()
    ids = {r["id"] for r in cat["rules"]}
    assert {"refugee_policy", "resubmission", "art3_offence", "penalty_threshold"} <= ids
    assert cat["routing"]["must_refuse"] == "must_refuse"
    assert cat["iccs"]["06"]["title"].startswith("Acts involving controlled")
