"""The public service speaks the format of INTERPOL's public notices web service, quirks included.

The recorded examples below are the shapes of the original service's answers (keys, nesting and
value types, as documented in shared/domain.md), with fictional people in them.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from opennotice.api.app import create_app
from opennotice.config import Settings
from opennotice.domain.codes import EYE_COLOURS, HAIR_COLOURS, language_codes
from opennotice.domain.countries import is_country
from opennotice.services.context import AppContext
from opennotice.services.public import silhouette_png
from tests.conftest import Who
from tests.factories import red_notice
from tests.functional.test_public_support import Spec, population, store, url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Follow every change at once (the server default polls twice a second).
    return Settings(
        database_url=database_url,
        secret_key="test-key-" + "x" * 32,
        index_poll_seconds=0,
        public_rate_per_minute=100_000,
    )


# --- recorded example shapes ------------------------------------------------------------------

RECORDED_LIST = {
    "total": 7527,
    "query": {"page": 1, "resultPerPage": 20},
    "_embedded": {
        "notices": [
            {
                "forename": "EXAMPLE GIVEN",
                "date_of_birth": "1979/01/17",
                "entity_id": "2021/75051",
                "nationalities": ["UY"],
                "name": "EXAMPLE FAMILY",
                "_links": {
                    "self": {"href": "https://host.example/notices/v1/red/2021-75051"},
                    "images": {"href": "https://host.example/notices/v1/red/2021-75051/images"},
                    "thumbnail": {
                        "href": "https://host.example/notices/v1/red/2021-75051/images/62311920"
                    },
                },
            }
        ]
    },
    "_links": {
        "self": {"href": "https://host.example/notices/v1/red?&resultPerPage=20&page=1"},
        "first": {"href": "https://host.example/notices/v1/red?&resultPerPage=20&page=1"},
        "next": {"href": "https://host.example/notices/v1/red?&resultPerPage=20&page=2"},
        "last": {"href": "https://host.example/notices/v1/red?&resultPerPage=20&page=8"},
    },
}
RECORDED_RED_DETAIL = {
    "date_of_birth": "1993/01/08",
    "distinguishing_marks": None,
    "weight": 68,
    "nationalities": ["IN"],
    "entity_id": "2025/6928",
    "eyes_colors_id": ["BLA"],
    "sex_id": "M",
    "place_of_birth": "Example Town",
    "forename": "EXAMPLE",
    "arrest_warrants": [
        {"charge": "Example charge", "issuing_country_id": "IN", "charge_translation": None}
    ],
    "country_of_birth_id": "IN",
    "hairs_id": ["BLA"],
    "name": "EXAMPLE",
    "languages_spoken_ids": ["ENG", "HIN"],
    "height": 1.68,
    "_embedded": {"links": []},
    "_links": {
        "self": {"href": "https://host.example/notices/v1/red/2025-6928"},
        "images": {"href": "https://host.example/notices/v1/red/2025-6928/images"},
        "thumbnail": {"href": "https://host.example/notices/v1/red/2025-6928/images/63354768"},
    },
}
YELLOW_EXTRA = {
    "birth_name", "father_forename", "mother_name", "mother_forename", "date_of_event", "place",
    "country",
}  # fmt: skip
UN_EXTRA = {"un_reference", "un_resolution", "aliases", "summary"}
RECORDED_IMAGES = {
    "_embedded": {
        "images": [
            {
                "picture_id": "63354768",
                "_links": {
                    "self": {
                        "href": "https://host.example/notices/v1/red/2025-6928/images/63354768"
                    }
                },
            }
        ]
    },
    "_links": {
        "self": {"href": "https://host.example/notices/v1/red/2025-6928/images"},
        "notice": {"href": "https://host.example/notices/v1/red/2025-6928"},
        "thumbnail": {"href": "https://host.example/notices/v1/red/2025-6928/images/63354768"},
    },
}


# `thumbnail` is absent without a photo, `next` on the last page.
OPTIONAL_KEYS = {"thumbnail", "next"}


def same_shape(ours: Any, recorded: Any, path: str = "$") -> None:
    """Same keys at every level, same JSON types (null allowed where a value may be unknown)."""
    if isinstance(recorded, dict):
        assert isinstance(ours, dict), path
        missing = set(recorded) - set(ours) - OPTIONAL_KEYS
        assert not missing and set(ours) <= set(recorded), f"{path}: {set(ours) ^ set(recorded)}"
        for key, value in recorded.items():
            if ours.get(key) is not None and value is not None:
                same_shape(ours[key], value, f"{path}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(ours, list), path
        if ours and recorded:
            for item in ours:
                same_shape(item, recorded[0], f"{path}[]")
    elif isinstance(recorded, bool):
        assert isinstance(ours, bool), path
    elif isinstance(recorded, (int, float)):
        assert isinstance(ours, (int, float)) and not isinstance(ours, bool), path
    else:
        assert isinstance(ours, type(recorded)), f"{path}: {ours!r}"


def get_json(client: TestClient, href: str, status: int = 200) -> Any:
    r = client.get(href)
    assert r.status_code == status, (href, r.status_code, r.text[:300])
    return r.json()


# --- the shapes ---------------------------------------------------------------------------------


def test_list_detail_and_images_have_the_recorded_shapes(
    ctx: AppContext, client: TestClient
) -> None:
    store(ctx, population(30))
    doc = get_json(client, "/notices/v1/red")
    same_shape(doc, RECORDED_LIST)
    assert doc["query"] == {"page": 1, "resultPerPage": 20}
    with_photo = [n for n in doc["_embedded"]["notices"] if "thumbnail" in n["_links"]]
    assert with_photo, "the population has photos"
    item = with_photo[0]
    detail = get_json(client, item["_links"]["self"]["href"])
    same_shape(detail, RECORDED_RED_DETAIL)
    assert detail["_embedded"] == {"links": []}
    images = get_json(client, item["_links"]["images"]["href"])
    same_shape(images, RECORDED_IMAGES)
    assert images["_links"]["notice"]["href"] == item["_links"]["self"]["href"]
    assert images["_links"]["thumbnail"] == item["_links"]["thumbnail"]
    assert all(isinstance(i["picture_id"], str) for i in images["_embedded"]["images"])


def test_yellow_and_un_details_add_their_keys(ctx: AppContext, client: TestClient) -> None:
    un = {
        "warrant": {"authority": "UN Security Council Committee", "date": "2015-03-01",
                    "reference": "QDi.999"},
        "charges": [{"legal_provision": "Resolution 2253 (2015)",
                     "description": "Listed for supplying arms to a sanctioned group"}],
        "summary": "Listed by the Committee on 1 March 2015.",
        "subject": {"aliases": ["Exemplar Trading Co"]},
    }  # fmt: skip
    yellow, person, entity = store(
        ctx,
        [
            Spec(type="yellow", family="Lindqvist", given="Maja", sex="F"),
            Spec(type="un", family="Haddad", given="Omar", content=un),
            Spec(type="un", family="Exemplar Holdings", given=None, dob=None, sex=None,
                 content={**un, "subject": {"height_m": None, "aliases": []}}),
        ],
    )  # fmt: skip
    y = get_json(client, f"/notices/v1/yellow/{url(yellow)}")
    assert set(y) == set(RECORDED_RED_DETAIL) | YELLOW_EXTRA
    assert y["date_of_event"] == "2023/03/03" and y["place"] == "Lyon" and y["country"] == "FR"
    assert y["arrest_warrants"] == [] and y["mother_name"] is None
    # What a Yellow Notice does not publish cannot be searched either.
    assert total(client, "freeText=robbery", "yellow") == 0
    assert total(client, "arrestWarrantCountryId=FR", "yellow") == 0
    assert total(client, "freeText=lyon", "yellow") == 1  # the place it happened is public
    p = get_json(client, f"/notices/v1/un/persons/{url(person)}")
    assert set(p) == set(RECORDED_RED_DETAIL) | UN_EXTRA
    assert p["un_reference"] == "QDi.999" and p["un_resolution"] == "Resolution 2253 (2015)"
    assert p["summary"] == un["summary"] and p["aliases"] == ["EXEMPLAR TRADING CO"]
    e = get_json(client, f"/notices/v1/un/entities/{url(entity)}")
    assert set(e) == set(RECORDED_RED_DETAIL) | UN_EXTRA
    assert e["name"] == "EXEMPLAR HOLDINGS" and e["forename"] is None and e["sex_id"] is None
    assert e["date_of_birth"] is None and e["weight"] == 0 and e["aliases"] is None
    # Each collection holds only its own kind, and an id answers only in its own collection.
    assert get_json(client, "/notices/v1/un/persons")["total"] == 1
    assert get_json(client, "/notices/v1/un/entities")["total"] == 1
    assert client.get(f"/notices/v1/red/{url(yellow)}").status_code == 404
    assert client.get(f"/notices/v1/un/persons/{url(entity)}").status_code == 404
    # UN filters.
    assert get_json(client, "/notices/v1/un/persons?unReference=qdi.999")["total"] == 1
    assert get_json(client, "/notices/v1/un/persons?unResolution=2253")["total"] == 1
    assert get_json(client, "/notices/v1/un/persons?unReference=QDi.1")["total"] == 0
    assert get_json(client, "/notices/v1/un/persons?name=exemplar")["total"] == 1  # an alias


def test_values_follow_the_format(ctx: AppContext, client: TestClient) -> None:
    full, year_only, month_only, mononym, bare = store(
        ctx,
        [
            Spec(content={"subject": {"weight_kg": 72.0, "height_m": 1.825,
                                      "distinguishing_marks": "Scar on the left hand"}}),
            Spec(dob="1975"),
            Spec(dob="1980-06"),
            Spec(family=None, given="Samsudin"),
            Spec(nationalities=[], photos=0, sex=None,
                 content={"subject": {"height_m": None, "eye_colours": [], "hair_colours": [],
                                      "languages": []}}),
        ],
    )  # fmt: skip
    d = get_json(client, f"/notices/v1/red/{url(full)}")
    assert d["weight"] == 72 and isinstance(d["weight"], int) and d["height"] == 1.825
    assert d["date_of_birth"] == "1979/04/12"
    assert d["name"] == "MARCHETTI" and d["forename"] == "LORENZO ALDO"
    assert d["arrest_warrants"][0]["issuing_country_id"] == "FR"
    assert d["arrest_warrants"][0]["charge_translation"] is None
    assert get_json(client, f"/notices/v1/red/{url(year_only)}")["date_of_birth"] == "1975"
    assert get_json(client, f"/notices/v1/red/{url(month_only)}")["date_of_birth"] == "1980"
    m = get_json(client, f"/notices/v1/red/{url(mononym)}")
    assert m["name"] == "SAMSUDIN" and m["forename"] is None
    b = get_json(client, f"/notices/v1/red/{url(bare)}")
    assert b["nationalities"] is None and b["weight"] == 0 and b["height"] is None
    assert b["eyes_colors_id"] is None and b["hairs_id"] is None
    assert b["languages_spoken_ids"] is None and b["sex_id"] is None
    assert "thumbnail" not in b["_links"] and "images" in b["_links"]
    assert get_json(client, f"/notices/v1/red/{url(bare)}/images")["_embedded"]["images"] == []
    listing = get_json(client, "/notices/v1/red?resultPerPage=160")["_embedded"]["notices"]
    by_id = {n["entity_id"]: n for n in listing}
    assert by_id[bare]["nationalities"] is None and "thumbnail" not in by_id[bare]["_links"]
    # Every code is one clients know.
    for n in listing:
        d = get_json(client, n["_links"]["self"]["href"])
        assert re.fullmatch(r"\d{4}/\d+", d["entity_id"])
        assert d["date_of_birth"] is None or re.fullmatch(
            r"\d{4}(/\d{2}/\d{2})?", d["date_of_birth"]
        )
        for code in (d["nationalities"] or []) + [d["country_of_birth_id"]]:
            assert code is None or is_country(code)
        assert set(d["eyes_colors_id"] or []) <= set(EYE_COLOURS)
        assert set(d["hairs_id"] or []) <= set(HAIR_COLOURS)
        assert set(d["languages_spoken_ids"] or []) <= set(language_codes())
        assert d["sex_id"] in ("M", "F", "U", None)


# --- paging -------------------------------------------------------------------------------------


def page_of(href: str) -> int:
    return int(href.rsplit("=", 1)[1])  # how some clients read it: the number at the very end


def test_paging_cap_links_and_clamping(ctx: AppContext, client: TestClient) -> None:
    store(ctx, population(200, photos=0))
    doc = get_json(client, "/notices/v1/red")
    assert doc["total"] == 200 and len(doc["_embedded"]["notices"]) == 20
    links = doc["_links"]
    assert page_of(links["last"]["href"]) == 8  # min(200, 160) / 20
    assert page_of(links["next"]["href"]) == 2 and page_of(links["first"]["href"]) == 1
    assert links["self"]["href"] == "http://testserver/notices/v1/red?&resultPerPage=20&page=1"
    seen: list[str] = []
    href: str | None = links["first"]["href"]
    while href:
        page = get_json(client, href)
        seen += [n["entity_id"] for n in page["_embedded"]["notices"]]
        href = page["_links"].get("next", {}).get("href")
    assert len(seen) == 160 == len(set(seen))
    last = get_json(client, links["last"]["href"])
    assert "next" not in last["_links"] and last["query"]["page"] == 8
    # Past the cap: clamped to the last page, `query.page` rewritten.
    past = get_json(client, "/notices/v1/red?page=9")
    assert past["query"]["page"] == 8 and past["_embedded"] == last["_embedded"]
    assert page_of(past["_links"]["self"]["href"]) == 8
    big = get_json(client, "/notices/v1/red?resultPerPage=160&page=2")
    assert big["query"] == {"page": 1, "resultPerPage": 160} and big["total"] == 200
    assert len(big["_embedded"]["notices"]) == 160 and "next" not in big["_links"]
    over = get_json(client, "/notices/v1/red?resultPerPage=500")
    assert over["query"]["resultPerPage"] == 160
    odd = get_json(client, "/notices/v1/red?resultPerPage=7&page=23")
    assert page_of(odd["_links"]["last"]["href"]) == 23  # ceil(160 / 7)
    assert len(odd["_embedded"]["notices"]) == 160 - 22 * 7
    # Nothing found: still links, no next.
    none = get_json(client, "/notices/v1/red?name=Zzyzx")
    assert none["total"] == 0 and none["_embedded"]["notices"] == []
    assert page_of(none["_links"]["last"]["href"]) == 1 and "next" not in none["_links"]


def test_query_echo_and_link_parameters(ctx: AppContext, client: TestClient) -> None:
    store(ctx, population(60, nationalities=["RU"], sex="M"))
    doc = get_json(
        client, "/notices/v1/red?&forename=&name=a&nationality=ru&sexId=m&ageMin=18&ageMax=99"
        "&resultPerPage=5&page=2",
    )  # fmt: skip
    assert doc["query"] == {"page": 2, "resultPerPage": 5, "name": "a", "nationality": "RU",
                            "sexId": "M", "ageMin": 18, "ageMax": 99}  # fmt: skip
    nxt = doc["_links"]["next"]["href"]
    assert nxt.startswith("http://testserver/notices/v1/red?&")
    assert nxt.endswith("&resultPerPage=5&page=3")
    params = dict(parse_qsl(urlsplit(nxt).query))
    assert params == {"name": "a", "nationality": "RU", "ageMax": "99", "ageMin": "18",
                      "sexId": "M", "resultPerPage": "5", "page": "3"}  # fmt: skip
    # Following the link gives the same query, one page on.
    follow = get_json(client, nxt)
    assert follow["query"] == {**doc["query"], "page": 3} and follow["total"] == doc["total"]


@pytest.mark.parametrize(
    "query",
    ["ageMin=abc", "ageMax=-1", "ageMin=500", "sexId=X", "nationality=F1", "resultPerPage=0",
     "page=two", "arrestWarrantCountryId=12"],
)  # fmt: skip
def test_bad_parameters_answer_422_problems(client: TestClient, query: str) -> None:
    r = client.get(f"/notices/v1/red?{query}")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"]


# --- filters ------------------------------------------------------------------------------------


def total(client: TestClient, query: str, kind: str = "red") -> int:
    value = get_json(client, f"/notices/v1/{kind}?{query}")["total"]
    assert isinstance(value, int)
    return value


def test_name_filters_plain_and_patterns(ctx: AppContext, client: TestClient) -> None:
    store(
        ctx,
        [
            Spec(family="Müller-Łęcka", given="Zoë Anne"),
            Spec(family="Pintos Montero", given="Edgar Gonzalo"),
            Spec(family="O'Connell", given="Siobhan"),
            Spec(family="Smith", given="John"),
            Spec(family="Smithson", given="Joan"),
        ],
    )
    # Plain text: case, accents, partial words, word order and punctuation forgiven.
    assert total(client, "name=muller") == 1
    assert total(client, "name=MÜLLER ŁĘCKA") == 1
    assert total(client, "name=lecka muller") == 1
    assert total(client, "name=montero pintos") == 1
    assert total(client, "name=MONT") == 1
    assert total(client, "name=oconnell") == 1
    assert total(client, "name=o'connell") == 1
    assert total(client, "forename=zoe") == 1
    assert total(client, "forename=anne zoe") == 1
    assert total(client, "name=smith") == 2
    assert total(client, "name=smith&forename=joan") == 1
    # Regular expressions as clients send them.
    assert total(client, "name=^SMITH$") == 1
    assert total(client, "name=^smith") == 2
    assert total(client, "name=^SM.TH$") == 1
    assert total(client, "name=^S.*N$") == 1
    assert total(client, "name=^[MP]") == 2
    assert total(client, "name=^M[UÜ]LLER") == 1
    assert total(client, "name=^MULLER") == 1  # the accent-free form matches too
    assert total(client, "forename=^JO(HN|AN)$") == 2
    assert total(client, "name=" + "%5E(PINTOS|SMITH)") == 3


@pytest.mark.parametrize(
    "pattern,reason",
    [
        (r"(a)\1", "back-references"),
        ("(?=SMITH)", "look-arounds"),
        ("(?!x)", "look-arounds"),
        ("a{1001}", "repetition"),
        ("((a{100}){100}){100}", "repetition"),
        ("[", "not a valid"),
        ("^" + "a" * 120 + "$", "at most 100"),
    ],
)
def test_hostile_or_broken_patterns_are_refused_with_400(
    client: TestClient, pattern: str, reason: str
) -> None:
    r = client.get("/notices/v1/red", params={"name": pattern})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 400 and reason in body["detail"]
    assert pattern not in body["detail"]  # what was searched is not echoed


def test_catastrophic_backtracking_patterns_run_in_linear_time(
    ctx: AppContext, client: TestClient
) -> None:
    store(ctx, [Spec(family="A" * 150, given="A" * 150)])
    # These stall a backtracking engine on a long name; RE2 answers them at once.
    for pattern in ("^(A+)+$", "^(A|AA)+B$", "(.*A){20}X", "^(A*)*B$"):
        r = client.get("/notices/v1/red", params={"name": pattern})
        assert r.status_code == 200, pattern


def test_other_filters(ctx: AppContext, client: TestClient) -> None:
    today = dt.date.today()
    born_30 = dt.date(today.year - 30, 1, 1).isoformat()  # 30 today
    born_45_year = str(today.year - 45)  # partial date: counted from 1 January -> 45
    store(
        ctx,
        [
            Spec(dob=born_30, sex="F", nationalities=["BR", "PT"], requester="AR"),
            Spec(dob=born_45_year, sex="M", nationalities=["BR"], requester="FR",
                 content={"subject": {"distinguishing_marks": "Tattoo of an anchor"}}),
            Spec(dob=None, sex="U", nationalities=["NG"], requester="FR"),
            Spec(dob=born_30, sex=None, nationalities=["NG"], requester="DE"),
        ],
    )  # fmt: skip
    assert total(client, "nationality=BR") == 2
    assert total(client, "nationality=pt") == 1
    assert total(client, "nationality=US") == 0
    assert total(client, "arrestWarrantCountryId=FR") == 2
    assert total(client, "arrestWarrantCountryId=AR&nationality=BR") == 1
    assert total(client, "sexId=F") == 1
    assert total(client, "sexId=U") == 2  # stated unknown, and not stated
    assert total(client, "ageMin=30&ageMax=30") == 2
    assert total(client, "ageMin=31") == 1
    assert total(client, "ageMax=29") == 0
    assert total(client, "ageMin=45&ageMax=45") == 1
    assert total(client, "ageMin=50&ageMax=40") == 0
    assert total(client, "ageMin=0") == 3  # an unknown date of birth has no age
    assert total(client, "freeText=anchor tattoo") == 1
    assert total(client, "freeText=armed robbery") == 4  # the charges
    assert total(client, "freeText=(?=anchor)") == 1  # free text is never a pattern


# --- only public extracts -------------------------------------------------------------------------


def test_nothing_but_public_extracts_leaves(ctx: AppContext, client: TestClient) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    hidden_specs = {
        "private": Spec(public=False),
        "suspended": Spec(status="suspended"),
        "withdrawn": Spec(status="withdrawn"),
        "submitted": Spec(status="submitted"),
        "blocked": Spec(blocked=True),
        "restricted": Spec(restricted_from=["US"]),
        "expired": Spec(valid_until=yesterday),
        "diffusion": Spec(kind="diffusion", status="circulating"),
        "blue": Spec(type="blue"),
        "silver": Spec(type="silver"),
    }
    for label, spec in hidden_specs.items():
        spec.family = f"Hidden{label.capitalize()}"
        spec.nationalities = ["KP"]
    hidden = dict(zip(hidden_specs, store(ctx, list(hidden_specs.values())), strict=True))
    shown = store(ctx, [Spec(family="Visible", nationalities=["KP"])])[0]
    for kind in ("red", "yellow", "un/persons", "un/entities"):
        doc = get_json(client, f"/notices/v1/{kind}?resultPerPage=160")
        ids = {n["entity_id"] for n in doc["_embedded"]["notices"]}
        assert ids == ({shown} if kind == "red" else set()) and doc["total"] == len(ids)
        assert total(client, "name=hidden", kind) == 0
        assert total(client, "nationality=KP", kind) == (1 if kind == "red" else 0)
        assert total(client, "freeText=hidden", kind) == 0
    for label, nid in hidden.items():
        for kind in ("red", "yellow", "un/persons", "un/entities"):
            base = f"/notices/v1/{kind}/{url(nid)}"
            for href in (base, f"{base}/images", f"{base}/images/1"):
                r = client.get(href)
                assert r.status_code == 404, (label, href)
                assert r.json()["detail"] == "there is no public notice with this id here"
        assert client.get(f"/notices/red-{url(nid)}").status_code == 404
    # Fields a public extract does not carry never leave either.
    everything = client.get("/notices/v1/red?resultPerPage=160").text
    everything += client.get(f"/notices/v1/red/{url(shown)}").text
    everything += client.get(f"/notices/v1/red/{url(shown)}/images").text
    everything += client.get(f"/notices/red-{url(shown)}").text
    for secret in ("secret", "SECRET", "Secretalias", "SECRETALIAS", "SECRETDOC", "requester"):
        assert secret not in everything


def test_unknown_ids_answer_404(ctx: AppContext, client: TestClient) -> None:
    nid = store(ctx, [Spec()])[0]
    for href in (
        "/notices/v1/red/2020-999999",
        "/notices/v1/red/not-an-id",
        "/notices/v1/red/2020",
        f"/notices/v1/red/{url(nid)}/images/999999",
        f"/notices/v1/red/{url(nid)}/images/abc",
        "/notices/v1/blue",
    ):
        r = client.get(href)
        assert r.status_code == 404, href
        assert r.headers["content-type"].startswith("application/problem+json")
    # The slash form is accepted too (as an encoded path segment).
    assert client.get(f"/notices/v1/red/{nid.replace('/', '%2F')}").status_code in (200, 404)


def test_changes_are_followed(ctx: AppContext, client: TestClient, people: dict[str, Who]) -> None:
    """Through the real flow: issued with a public extract, a photo added, then withdrawn."""
    h = people["ncb_fr"].headers
    body = red_notice(visibility={"public_extract": True, "restricted_from": []})
    nid = client.post("/api/v1/notices", json=body, headers=h).json()["id"]
    assert total(client, "name=marchetti") == 0  # a draft is not public
    client.post(f"/api/v1/notices/{url(nid)}/submit", headers=h)
    r = client.post(
        f"/api/v1/reviews/{url(nid)}/decision",
        json={"decision": "issue", "reasons": "Serious ordinary crime, data complete."},
        headers=people["gs_br"].headers,
    )
    assert r.status_code == 200, r.text
    assert total(client, "name=marchetti") == 1
    image = silhouette_png(random.Random(1))
    r = client.post(
        f"/api/v1/notices/{url(nid)}/photos",
        content=image,
        headers={**h, "content-type": "image/png"},
    )
    assert r.status_code in (200, 201), r.text
    detail = get_json(client, f"/notices/v1/red/{url(nid)}")
    thumb = client.get(detail["_links"]["thumbnail"]["href"])
    assert thumb.status_code == 200 and thumb.content == image
    assert thumb.headers["content-type"] == "image/png"
    r = client.post(f"/api/v1/notices/{url(nid)}/actions/suspend", headers=h)
    assert r.json()["status"] == "suspended"
    assert total(client, "name=marchetti") == 0
    assert client.get(f"/notices/v1/red/{url(nid)}").status_code == 404
    assert client.get(detail["_links"]["thumbnail"]["href"]).status_code == 404


# --- caching headers, proxies ---------------------------------------------------------------------


def test_etag_and_cache_control(ctx: AppContext, client: TestClient) -> None:
    nid = store(ctx, [Spec(photos=1)])[0]
    for href in (f"/notices/v1/red/{url(nid)}", f"/notices/v1/red/{url(nid)}/images"):
        r = client.get(href)
        etag = r.headers["etag"]
        assert r.headers["cache-control"].startswith("public, max-age=")
        again = client.get(href, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
        assert client.get(href, headers={"If-None-Match": '"other"'}).status_code == 200
    images = get_json(client, f"/notices/v1/red/{url(nid)}/images")
    href = images["_embedded"]["images"][0]["_links"]["self"]["href"]
    pic = client.get(href)
    assert pic.status_code == 200 and pic.content.startswith(b"\x89PNG")
    assert pic.headers["content-type"] == "image/png" and "max-age" in pic.headers["cache-control"]
    assert client.get(href, headers={"If-None-Match": pic.headers["etag"]}).status_code == 304


def test_links_follow_the_host_and_scheme_behind_a_proxy(ctx: AppContext) -> None:
    nid = store(ctx, [Spec()])[0]
    app = create_app(ctx)
    # As `opennotice serve` runs it, with the proxy trusted (FORWARDED_ALLOW_IPS).
    behind = ProxyHeadersMiddleware(app, trusted_hosts="*")
    with TestClient(behind, base_url="http://internal:8000") as c:  # type: ignore[arg-type]
        doc = c.get(
            "/notices/v1/red", headers={"Host": "notices.example.org", "X-Forwarded-Proto": "https"}
        ).json()
        item = doc["_embedded"]["notices"][0]
        assert (
            item["_links"]["self"]["href"]
            == f"https://notices.example.org/notices/v1/red/{url(nid)}"
        )
        assert doc["_links"]["self"]["href"].startswith(
            "https://notices.example.org/notices/v1/red?&"
        )
    untrusted = ProxyHeadersMiddleware(app, trusted_hosts="10.9.9.9")
    with TestClient(untrusted) as c:  # type: ignore[arg-type]
        doc = c.get("/notices/v1/red", headers={"X-Forwarded-Proto": "https"}).json()
        assert doc["_links"]["self"]["href"].startswith("http://testserver/")
    with TestClient(app) as c:
        bad = c.get("/notices/v1/red", headers={"Host": "evil.example/<x>"}).json()
        assert "<x>" not in bad["_links"]["self"]["href"]


def test_text_filters_within_a_narrowing_list_what_both_select(ctx: AppContext) -> None:
    """A text filter together with a nationality, sex or warrant country: the same notices,
    in the same order, as the text filter alone narrowed afterwards, whether the text matches
    few notices of a long list (walked from the matches) or many (walked from the list)."""
    from opennotice.services.public import PublicKind, parse_query, search

    store(ctx, population(150, seed=5))
    narrowings = [
        ("sexId", "M", "sex"), ("sexId", "F", "sex"), ("nationality", "FR", "nat"),
        ("nationality", "RU", "nat"), ("arrestWarrantCountryId", "DE", "warrant"),
    ]  # fmt: skip
    walked_from_matches = walked_from_list = 0
    for text in ({"forename": "lorenzo"}, {"forename": "zofia"}, {"name": "a"}, {"name": "e"},
                 {"name": "^[MN]"}, {"forename": "o"}):  # fmt: skip
        alone = search(ctx, PublicKind.RED, parse_query(text | {"resultPerPage": "160"}))
        assert alone.total <= 160  # one page holds them all
        for param, value, what in narrowings:
            query = parse_query(text | {param: value, "resultPerPage": "160"})
            got = search(ctx, PublicKind.RED, query)
            keep = {
                "sex": lambda e, v=value: e.sex == v,
                "nat": lambda e, v=value: v in e.nationalities,
                "warrant": lambda e, v=value: v in e.warrant_countries,
            }[what]
            expected = [e.entity_id for e in alone.items if keep(e)]
            assert [e.entity_id for e in got.items] == expected, (text, param, value)
            assert got.total == len(expected)
            listed = search(ctx, PublicKind.RED, parse_query({param: value})).total
            if alone.total * 4 < listed:
                walked_from_matches += 1
            else:
                walked_from_list += 1
    assert walked_from_matches and walked_from_list  # both ways were taken
