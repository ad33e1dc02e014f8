"""Users, members, photos and wrong-state transitions over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Who
from tests.factories import red_notice

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def u(nid: str) -> str:
    return nid.replace("/", "-")


def test_admin_adds_users_and_tokens_work_once_shown(
    client: TestClient, people: dict[str, Who]
) -> None:
    admin = people["admin"].headers
    r = client.post(
        "/api/v1/users", json={"username": "it.ncb.1", "role": "ncb", "member": "IT"}, headers=admin
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert len(token) >= 40  # 256 random bits, url-safe
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"username": "it.ncb.1", "role": "ncb", "member": "IT", "nationality": None}
    # The token is not stored, and the list of users does not show it.
    listing = client.get("/api/v1/users", headers=admin).json()
    assert all("token" not in row for row in listing)
    # Rotating replaces it; the old one stops working.
    uid = r.json()["user"]["id"]
    new = client.post(f"/api/v1/users/{uid}/token", headers=admin).json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    # Disabled users are refused.
    client.patch(f"/api/v1/users/{uid}", json={"active": False}, headers=admin)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"}).status_code == 401


def test_user_validation_messages(client: TestClient, people: dict[str, Who]) -> None:
    admin = people["admin"].headers
    cases = [
        ({"username": "x.1", "role": "ncb"}, "member country"),
        ({"username": "x.2", "role": "secretariat"}, "nationality"),
        ({"username": "x.3", "role": "emperor"}, "unknown role"),
        ({"username": "x.4", "role": "ncb", "member": "XX"}, "ISO 3166"),
        ({"username": "ncb.fr", "role": "auditor"}, "taken"),
    ]
    for body, words in cases:
        r = client.post("/api/v1/users", json=body, headers=admin)
        assert r.status_code in (409, 422), body
        assert words in r.json()["detail"], r.json()
    r = client.post(
        "/api/v1/users", json={"username": "y", "role": "ncb"}, headers=people["ncb_fr"].headers
    )
    assert r.status_code == 403


def test_members_every_iso_country_and_prior_review_needs_reason(
    client: TestClient, people: dict[str, Who]
) -> None:
    admin = people["admin"].headers
    r = client.patch("/api/v1/members/KE", json={"prior_review": True}, headers=admin)
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    r = client.patch("/api/v1/members/ZZ", json={"contact": "x"}, headers=admin)
    assert r.status_code == 422
    r = client.patch("/api/v1/members/TV", json={"contact": "ncb@tv.example"}, headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "Tuvalu"
    r = client.patch("/api/v1/members/TV", json={"contact": "x"}, headers=people["ncb_fr"].headers)
    assert r.status_code == 403


def test_photos_stored_with_type_and_seen_only_by_who_sees_the_notice(
    client: TestClient, people: dict[str, Who]
) -> None:
    h = people["ncb_fr"].headers
    nid = client.post("/api/v1/notices", json=red_notice(), headers=h).json()["id"]
    r = client.post(
        f"/api/v1/notices/{u(nid)}/photos", content=PNG, headers=h | {"content-type": "image/png"}
    )
    assert r.status_code == 201
    pid = r.json()["id"]
    r = client.post(
        f"/api/v1/notices/{u(nid)}/photos",
        content=b"GIF89a",
        headers=h | {"content-type": "image/png"},
    )
    assert r.status_code == 422 and "not a image/png" in r.json()["detail"]
    got = client.get(f"/api/v1/notices/{u(nid)}/photos/{pid}", headers=h)
    assert got.content == PNG and got.headers["content-type"] == "image/png"
    # A draft's photo is as invisible to another member as the draft.
    assert (
        client.get(
            f"/api/v1/notices/{u(nid)}/photos/{pid}", headers=people["ncb_de"].headers
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/notices/{u(nid)}", headers=h).json()["photos"] == [pid]


def test_wrong_state_is_a_clear_conflict(client: TestClient, people: dict[str, Who]) -> None:
    h = people["ncb_fr"].headers
    nid = client.post("/api/v1/notices", json=red_notice(), headers=h).json()["id"]
    assert client.post(f"/api/v1/notices/{u(nid)}/submit", headers=h).status_code == 200
    r = client.post(f"/api/v1/notices/{u(nid)}/submit", headers=h)
    assert r.status_code == 409 and "submitted" in r.json()["detail"]
    r = client.post(f"/api/v1/notices/{u(nid)}/actions/suspend", headers=h)
    assert r.status_code == 409 and "issued" in r.json()["detail"]
    r = client.put(f"/api/v1/notices/{u(nid)}", json=red_notice(), headers=h)
    assert r.status_code == 409
    # An NCB cannot decide on review, nor a reviewer without reasons.
    d = {"decision": "issue", "reasons": "fine by me, really"}
    assert client.post(f"/api/v1/reviews/{u(nid)}/decision", json=d, headers=h).status_code == 403
    r = client.post(
        f"/api/v1/reviews/{u(nid)}/decision",
        json={"decision": "refuse", "reasons": "Political offence under Art. 3."},
        headers=people["gs_br"].headers,
    )
    assert r.status_code == 422 and "ground" in r.json()["detail"]


def test_paging_and_filters(client: TestClient, people: dict[str, Who]) -> None:
    h = people["ncb_fr"].headers
    for _ in range(5):
        client.post("/api/v1/notices", json=red_notice(), headers=h)
    page = client.get("/api/v1/notices?mine=true&per_page=2&page=3", headers=h).json()
    assert page["total"] == 5 and len(page["items"]) == 1
    assert client.get("/api/v1/notices?per_page=1000", headers=h).status_code == 422
    assert (
        client.get("/api/v1/notices?status=draft", headers=people["ncb_de"].headers).json()["total"]
        == 0
    )
