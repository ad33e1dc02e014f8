"""POST /api/v1/screen answered by the fast path (api/screen_fast_path.py) is answered exactly
as the route answers it: same status, headers and body, same audit record; anything unusual
is handed to the route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from opennotice.api.app import create_app
from opennotice.api.screen_fast_path import ScreenFastPath
from opennotice.services.context import AppContext
from opennotice.store.tables import AuditEvent
from tests.conftest import Who
from tests.factories import red_notice
from tests.integration.screening_support import TRAVELLER, issue, subject, td3


@pytest.fixture
def two_apps(ctx: AppContext, people: dict[str, Who]) -> Iterator[tuple[TestClient, TestClient]]:
    """The application with the fast path and without it, on one database and index."""
    issue(ctx, people, red_notice(subject=subject(original_family_name="Маркетти")))
    issue(
        ctx, people,
        red_notice(visibility={"public_extract": False, "restricted_from": ["DE"]}),
    )  # fmt: skip
    ctx.tokens.ttl = 60.0  # tokens stay remembered however slow the machine
    with TestClient(create_app(ctx)) as fast:  # its start-up loads the shared index
        # No start-up for the other: it would start the same index a second time.
        slow = TestClient(create_app(ctx, screen_fast_path=False))
        for who in people.values():  # every token checked once, as a busy server has
            fast.post("/api/v1/screen", json={"family_name": "X"}, headers=who.headers)
        yield fast, slow


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For every request the fast path saw: True if it answered, False if it handed over."""
    seen: list[bool] = []
    start = ScreenFastPath._start

    def spy(self: ScreenFastPath, scope: Any, data: bytes) -> Any:
        pending = start(self, scope, data)
        seen.append(pending is not None)
        return pending

    monkeypatch.setattr(ScreenFastPath, "_start", spy)
    return seen


def _answer(r: Any) -> tuple[Any, ...]:
    headers = {k: v for k, v in r.headers.items() if k not in ("x-request-id", "content-length")}
    try:
        body = r.json()
    except ValueError:
        body = r.text
    if isinstance(body, dict):
        body.pop("at", None)
    return r.status_code, headers, body


def _audited(ctx: AppContext, after: int) -> list[tuple[Any, ...]]:
    """What the audit log holds after ``after``, but for the times and request ids."""
    with ctx.read_session_factory() as s:
        rows = s.execute(
            select(
                AuditEvent.action, AuditEvent.actor, AuditEvent.role, AuditEvent.member,
                AuditEvent.object_type, AuditEvent.object_id, AuditEvent.details,
            )
            .where(AuditEvent.seq > after)
            .order_by(AuditEvent.seq)
        ).all()  # fmt: skip
    return [tuple(row) for row in rows]


def _last_seq(ctx: AppContext) -> int:
    with ctx.read_session_factory() as s:
        return s.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())).scalar() or 0


def _send(c: TestClient, auth: dict[str, str], content: bytes, ctype: str | None) -> Any:
    headers = dict(auth)
    if ctype is not None:
        headers["content-type"] = ctype
    return c.post("/api/v1/screen", content=content, headers=headers)


Case = tuple[str, dict[str, str], bytes, str | None, bool]


def _cases(people: dict[str, Who]) -> list[Case]:
    """(label, authorization, body, content type, whether the fast path answers it)."""
    mrz = list(td3("MARCHETTI", "LORENZO ALDO"))
    screen, ncb_us = people["screen_de"].headers, people["ncb_us"].headers
    j = "application/json"

    def body(**fields: Any) -> bytes:
        return json.dumps(fields).encode()

    return [
        ("a hit", screen, body(**TRAVELLER, where="Frankfurt FRA T1"), j, True),
        ("a hit, an NCB", people["ncb_de"].headers, body(**TRAVELLER), j, True),
        ("a member the second notice is not hidden from", ncb_us, body(**TRAVELLER), j, True),
        ("no date, threshold, limit", ncb_us,
         body(family_name="Marchetti", given_names="Lorenzo", threshold=0.75, limit=1), j, True),
        ("original script", screen, body(family_name="Маркетти", given_names="Лоренцо"), j, True),
        ("an MRZ", screen, body(mrz=mrz), "application/json; charset=utf-8", True),
        ("no hit", screen, body(family_name="Quennell", date_of_birth="1990"), j, True),
        ("no token", {}, body(**TRAVELLER), j, False),
        ("a wrong token", {"Authorization": "Bearer on_" + "0" * 40}, body(**TRAVELLER), j,
         False),
        ("not a bearer token", {"Authorization": "Basic eDp5"}, body(**TRAVELLER), j, False),
        ("a role that may not screen", people["auditor"].headers, body(**TRAVELLER), j, False),
        ("an administrator", people["admin"].headers, body(**TRAVELLER), j, False),
        ("no name", screen, body(date_of_birth="1979-04-12"), j, False),
        ("an impossible date", screen, body(**TRAVELLER | {"date_of_birth": "1979-02-31"}), j,
         False),
        ("an unknown field", screen, body(**TRAVELLER, surnmae="Typo"), j, False),
        ("a threshold too low", screen, body(**TRAVELLER, threshold=0.2), j, False),
        ("a broken MRZ", screen, body(mrz=[mrz[0], mrz[1][:9] + "0" + mrz[1][10:]]), j, False),
        ("not JSON", screen, b"{", j, False),
        ("a JSON list", screen, b"[1, 2]", j, False),
        ("an empty body", screen, b"", j, False),
        ("no content type", screen, body(**TRAVELLER), None, False),
        ("form data", screen, b"family_name=Marchetti", "application/x-www-form-urlencoded",
         False),
        ("a NUL character", screen, body(family_name="Mar\x00chetti"), j, False),
    ]  # fmt: skip


def test_fast_path_answers_and_audits_as_the_route(
    ctx: AppContext, people: dict[str, Who], two_apps: tuple[TestClient, TestClient],
    served: list[bool],
) -> None:  # fmt: skip
    fast, slow = two_apps
    cases = _cases(people)
    answers: dict[str, list[tuple[Any, ...]]] = {}
    audited: dict[str, list[tuple[Any, ...]]] = {}
    for name, client in (("fast", fast), ("slow", slow)):
        served.clear()
        before = _last_seq(ctx)
        answers[name] = [_answer(_send(client, who, data, ct)) for _, who, data, ct, _ in cases]
        audited[name] = _audited(ctx, before)
        if name == "fast":
            # It answered the ordinary ones and handed the others to the route (the NUL one
            # with the empty body the edge gives once it has refused a body).
            assert served == [ok for *_, ok in cases]
        else:
            assert served == []  # the application without it
    for (label, *_), a, b in zip(cases, answers["fast"], answers["slow"], strict=True):
        assert a == b, label
    statuses = [a[0] for a in answers["fast"]]
    assert statuses[:7] == [200] * 7 and all(s >= 400 for s in statuses[7:])
    # Two notices match; one is restricted from DE, so DE's screening sees the other only.
    assert len(answers["fast"][0][2]["hits"]) == 1 and len(answers["fast"][2][2]["hits"]) == 2
    assert len(answers["fast"][3][2]["hits"]) == 1  # limit 1
    assert answers["fast"][0][1]["x-content-type-options"] == "nosniff"
    assert audited["fast"] == audited["slow"] and len(audited["fast"]) >= 7


def test_a_forgotten_token_goes_to_the_route(
    ctx: AppContext, people: dict[str, Who], two_apps: tuple[TestClient, TestClient],
    served: list[bool],
) -> None:  # fmt: skip
    fast, _ = two_apps
    ctx.tokens.clear()  # as after a rotation: the next request must reach the database
    r = fast.post("/api/v1/screen", json=TRAVELLER, headers=people["screen_de"].headers)
    assert r.status_code == 200 and r.json()["hits"]
    r = fast.post("/api/v1/screen", json=TRAVELLER, headers=people["screen_de"].headers)
    assert r.status_code == 200
    assert served == [False, True]  # the route checked it; then it was remembered


_json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 300) | st.floats(0, 2) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=3),
    max_leaves=6,
)  # fmt: skip
_fields = st.sampled_from(
    ["family_name", "given_names", "date_of_birth", "sex", "nationalities", "document_number",
     "mrz", "where", "threshold", "limit", "surname"]
)  # fmt: skip
_plausible = st.fixed_dictionaries(
    {},
    optional={
        "family_name": st.sampled_from(["Marchetti", "MARCHETTI", "Маркетти", "", " "]),
        "given_names": st.sampled_from(["Lorenzo", "Lorenzo Aldo", "L"]),
        "date_of_birth": st.sampled_from(["1979-04-12", "1979", "1979-12-04", "12/04/1979", "x"]),
        "sex": st.sampled_from(["M", "F", "male", "Q"]),
        "nationalities": st.lists(st.sampled_from(["ITA", "IT", "FR", "XQ"]), max_size=3),
        "threshold": st.sampled_from([0.7, 0.8, 0.95, 1.0, 0.5, "0.8"]),
        "limit": st.sampled_from([1, 10, 0, 1000, 2.5]),
        "where": st.sampled_from(["FRA T1", ""]),
    },
)


@settings(
    max_examples=60, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(body=_plausible | st.dictionaries(_fields, _json_value, max_size=4))
def test_any_body_gets_the_same_answer_on_both_paths(
    people: dict[str, Who], two_apps: tuple[TestClient, TestClient], body: dict[str, Any]
) -> None:
    fast, slow = two_apps
    data = json.dumps(body).encode()
    auth = people["screen_de"].headers
    assert _answer(_send(fast, auth, data, "application/json")) == _answer(
        _send(slow, auth, data, "application/json")
    )
