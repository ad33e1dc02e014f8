"""POST /api/v1/screen and /api/v1/screen/batch over HTTP, with real tokens."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from opennotice.api.routers.screen import HitOut, ScreenOut
from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.factories import red_notice
from tests.integration.screening_support import TRAVELLER, issue, subject, td3

HIT_FIELDS = {
    "notice", "kind", "type", "requester", "action", "contact", "name", "original_name",
    "date_of_birth", "score", "explanation",
}  # fmt: skip


def _problem(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    return body


def test_screening_user_sees_only_what_a_hit_needs(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    body = red_notice(
        subject=subject(original_family_name="Маркетти", aliases=["Enzo Marchetti"]),
        contact="NCB Paris, duty desk +33 1 00 00 00 00",
    )
    nid = issue(ctx, people, body)
    r = client.post(
        "/api/v1/screen", json=TRAVELLER | {"where": "Frankfurt FRA T1"},
        headers=people["screen_de"].headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    (hit,) = r.json()["hits"]
    assert set(hit) == HIT_FIELDS
    # The route writes the answer without the response model: it must still be that shape.
    assert set(HitOut.model_fields) == HIT_FIELDS
    assert ScreenOut.model_validate(r.json()).hits[0].notice == hit["notice"]
    assert hit["notice"] == nid and hit["type"] == "red" and hit["requester"] == "FR"
    assert hit["contact"] == "NCB Paris, duty desk +33 1 00 00 00 00"
    assert hit["name"] == "Marchetti, Lorenzo Aldo" and hit["date_of_birth"] == "1979-04-12"
    assert "extradition" in hit["action"] and 0.8 <= hit["score"] <= 1
    text = json.dumps(r.json())
    # Never the file: no charges, facts, warrant, place of birth or physical description.
    for secret in ("Lyon", "jewellery", "MA-2023-0042", "Bari", "Tribunal", "BRO"):
        assert secret not in text
    # The requesting NCB is told, in its inbox.
    inbox = client.get("/api/v1/notifications", headers=people["ncb_fr"].headers).json()
    (note,) = [n for n in inbox if n["kind"] == "hit"]
    assert note["notice_id"] == nid and "Frankfurt FRA T1" in note["message"]
    # Others are not.
    inbox_de = client.get("/api/v1/notifications", headers=people["ncb_de"].headers).json()
    assert not [n for n in inbox_de if n["kind"] == "hit"]


def test_member_contact_is_the_fallback(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    from opennotice.services.members import update_member
    from tests.conftest import OPERATOR

    update_member(ctx, OPERATOR, "FR", contact="NCB France, +33 4 00 00 00 00")
    issue(ctx, people)
    r = client.post("/api/v1/screen", json=TRAVELLER, headers=people["ncb_de"].headers)
    assert r.json()["hits"][0]["contact"] == "NCB France, +33 4 00 00 00 00"


def test_mrz_is_an_alternative_input(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    nid = issue(ctx, people)
    mrz = list(td3("MARCHETTI", "LORENZO ALDO"))
    r = client.post("/api/v1/screen", json={"mrz": mrz}, headers=people["screen_de"].headers)
    assert [h["notice"] for h in r.json()["hits"]] == [nid]
    broken = [mrz[0], mrz[1][:9] + "0" + mrz[1][10:]]  # wrong check digit
    problem = _problem(
        client.post("/api/v1/screen", json={"mrz": broken}, headers=people["screen_de"].headers),
        422,
    )
    assert "mrz" in str(problem["detail"]) and "YA1234567" not in json.dumps(problem)


def test_bad_requests_are_clear_and_echo_no_personal_data(
    client: TestClient, people: dict[str, Who]
) -> None:
    h = people["screen_de"].headers
    cases = [
        ({"date_of_birth": "1979-04-12"}, "family name"),
        (TRAVELLER | {"date_of_birth": "1979-02-31"}, "date_of_birth"),
        (TRAVELLER | {"nationalities": ["XQ"]}, "nationality"),
        (TRAVELLER | {"sex": "Q"}, "sex"),
        (TRAVELLER | {"surnmae": "Typo"}, "surnmae"),
        (TRAVELLER | {"threshold": 0.2}, "threshold"),
        ({"mrz": ["P<ITAMARCHETTI"]}, "mrz"),
    ]
    for body, word in cases:
        problem = _problem(client.post("/api/v1/screen", json=body, headers=h), 422)
        assert word in str(problem["detail"]), problem
        assert "MARCHETTI" not in json.dumps(problem) and "1979" not in json.dumps(problem)
    assert _problem(client.post("/api/v1/screen", content=b"{", headers=h), 422)


def test_roles(client: TestClient, people: dict[str, Who]) -> None:
    _problem(client.post("/api/v1/screen", json=TRAVELLER), 401)
    for who in ("gs_br", "ccf", "auditor", "admin"):
        _problem(client.post("/api/v1/screen", json=TRAVELLER, headers=people[who].headers), 403)
        r = client.post(
            "/api/v1/screen/batch", content=b"{}",
            headers=people[who].headers | {"content-type": "application/x-ndjson"},
        )  # fmt: skip
        _problem(r, 403)
    for who in ("screen_de", "ncb_de"):
        assert client.post("/api/v1/screen", json=TRAVELLER, headers=people[who].headers).is_success


def test_restricted_member_gets_no_hit(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    issue(ctx, people, red_notice(visibility={"public_extract": False, "restricted_from": ["US"]}))
    r = client.post("/api/v1/screen", json=TRAVELLER, headers=people["ncb_us"].headers)
    assert r.status_code == 200 and r.json()["hits"] == []
    r = client.post("/api/v1/screen", json=TRAVELLER, headers=people["ncb_de"].headers)
    assert len(r.json()["hits"]) == 1


def test_batch_jsonl_reports_bad_lines_and_answers_the_rest(
    client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    nid = issue(ctx, people)
    lines = [
        json.dumps(TRAVELLER | {"ref": "seat-1A"}),
        "{not json",
        "",
        json.dumps({"surname": "Tanaka-Moreau", "given_names": "Ines", "dob": "1990"}),
        json.dumps({"surname": "Doe", "dob": "31/31/1990"}),
        json.dumps(["a", "list"]),
        json.dumps({"mrz": list(td3("MARCHETTI", "LORENZO ALDO"))}),
    ]
    r = client.post(
        "/api/v1/screen/batch?where=Gate%2012", content="\n".join(lines).encode(),
        headers=people["screen_de"].headers | {"content-type": "application/x-ndjson"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["screened"], body["rejected"], body["hits"]) == (6, 3, 3, 2)
    assert [(e["line"]) for e in body["errors"]] == [2, 5, 6]
    assert (
        "JSON" in body["errors"][0]["message"] and "date_of_birth" in body["errors"][1]["message"]
    )
    results = {row["line"]: row for row in body["results"]}
    assert results[1]["ref"] == "seat-1A" and [h["notice"] for h in results[1]["hits"]] == [nid]
    assert results[4]["hits"] == [] and [h["notice"] for h in results[7]["hits"]] == [nid]
    assert "31/31" not in r.text
    events = client.get(
        "/api/v1/audit?action=screen:batch:made", headers=people["auditor"].headers
    ).json()
    assert len(events) == 1 and events[0]["details"]["rejected"] == 3
    assert "Tanaka" not in json.dumps(events)


def test_batch_csv(client: TestClient, people: dict[str, Who], ctx: AppContext) -> None:
    nid = issue(ctx, people)
    csv_text = (
        "Surname;Given names;Date of birth;Nationality;Sex;Document number;Seat\n"
        "Marchetti;Lorenzo;12.04.1979;ITA;M;YA1234567;12C\n"
        "Brandt;Hella;1962-13-01;DE;F;;3A\n"
        "\n"
        "Nakamura-Berg;Ingrid;1985;SE;F;;4B\n"
        "Smith-Rowe;Jon;1970;GB;M;;5C;extra\n"
    )
    r = client.post(
        "/api/v1/screen/batch", content=csv_text.encode(),
        headers=people["screen_de"].headers | {"content-type": "text/csv; charset=utf-8"},
    )  # fmt: skip
    body = r.json()
    assert r.status_code == 200, r.text
    assert [e["line"] for e in body["errors"]] == [3, 6]
    assert [(row["line"], len(row["hits"])) for row in body["results"]] == [(2, 1), (5, 0)]
    assert body["results"][0]["hits"][0]["notice"] == nid


def test_batch_bad_requests(client: TestClient, people: dict[str, Who]) -> None:
    h = people["screen_de"].headers
    r = client.post("/api/v1/screen/batch", content=b"x", headers=h | {"content-type": "image/png"})
    assert "JSON lines" in str(_problem(r, 422)["detail"])
    r = client.post(
        "/api/v1/screen/batch", content=b"\xff\xfe", headers=h | {"content-type": "text/csv"}
    )
    assert "UTF-8" in str(_problem(r, 422)["detail"])
    r = client.post("/api/v1/screen/batch", content=b"", headers=h | {"content-type": "text/csv"})
    assert "empty" in str(_problem(r, 422)["detail"])
    r = client.post(
        "/api/v1/screen/batch", content=b"seat,meal\n1A,veg\n",
        headers=h | {"content-type": "text/csv"},
    )  # fmt: skip
    body = r.json()
    assert body["screened"] == 0 and body["errors"][0]["line"] == 1
    r = client.post(
        "/api/v1/screen/batch",
        content=json.dumps([TRAVELLER, {"x": 1}]).encode(),
        headers=h | {"content-type": "application/json"},
    )
    assert r.json()["screened"] == 1 and r.json()["errors"][0]["line"] == 2


def test_the_app_builds_the_index_at_start_up_and_stops_following_at_shut_down(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    from opennotice.api.app import create_app
    from opennotice.services.screening import ScreeningIndex

    nid = issue(ctx, people)
    index = next(i for i in ctx.listeners if isinstance(i, ScreeningIndex))
    assert not index.loaded
    with TestClient(create_app(ctx)):
        assert index.loaded and nid in index
        assert index._thread is not None and index._thread.is_alive()
    assert index._thread is None
