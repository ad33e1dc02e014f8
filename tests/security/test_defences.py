"""Defences at the edge: security headers, size limits, errors as problem+json without stack
traces, and no secrets or personal data in the logs of a full run."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opennotice.api.app import create_app
from opennotice.services.context import AppContext
from opennotice.store.tables import Notice
from tests.conftest import Who
from tests.factories import red_notice

PROBLEM = "application/problem+json"
JSON = "application/json"
# Things that must never reach a client or a log: parts of a Python traceback.
TRACE_MARKERS = ("Traceback", 'File "/', "sqlalchemy.", "psycopg.", "sqlite3.", '.py", line')


def u(nid: str) -> str:
    return nid.replace("/", "-")


def _csp(value: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def assert_security_headers(r: object) -> None:
    headers = r.headers  # type: ignore[attr-defined]
    where = f"{r.request.method} {r.request.url.path} ({r.status_code})"  # type: ignore[attr-defined]
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") in (
        "no-referrer",
        "strict-origin-when-cross-origin",
        "same-origin",
    ), where
    csp = _csp(headers.get("content-security-policy", ""))
    assert csp.get("frame-ancestors") == ["'none'"], where
    script = csp.get("script-src", csp.get("default-src"))
    assert script is not None, f"{where}: no script-src nor default-src"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    assert not any(s in ("*", "http:", "https:", "data:") for s in script), where
    assert csp.get("object-src") == ["'none'"], where
    assert headers.get("x-request-id"), where


@pytest.fixture
def loose_client(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        yield c


def test_security_headers_on_every_kind_of_answer(
    loose_client: TestClient, people: dict[str, Who]
) -> None:
    c = loose_client
    h = people["ncb_fr"].headers
    answers = [
        c.get("/healthz"),
        c.get("/openapi.json"),
        c.get("/static/site.css"),
        c.get("/api/v1/me", headers=h),
        c.get("/api/v1/me"),  # 401
        c.get("/api/v1/users", headers=h),  # 403
        c.get("/api/v1/notices/2020-1", headers=h),  # 404
        c.delete("/api/v1/me", headers=h),  # 405
        c.post("/api/v1/notices", json={"type": "red"}, headers=h),  # 422
        c.post("/api/v1/notices", content=b"x" * (3 * 1024 * 1024), headers=h),  # 413
        c.get("/nothing/here"),
    ]
    assert {a.status_code for a in answers} >= {200, 401, 403, 404, 405, 413, 422}
    for r in answers:
        assert_security_headers(r)


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        self.handlers += [k for k in names if k.startswith("on")]
        self.handlers += [
            f"{k}=javascript:"
            for k, v in attrs
            if v and v.strip().lower().startswith("javascript:")
        ]
        if tag == "script" and "src" not in names:
            self._in_script = True
            self.inline.append("")
        if tag == "style" or "style" in names:
            pass  # styles are checked by style-src 'self' in the header

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline[-1] += data


def html_pages(client: TestClient) -> list[str]:
    """The GET pages of our websites that need no path parameter."""
    from tests.security.test_authorization_matrix import app_routes

    pages = []
    for method, path in app_routes(client.app):
        if method != "GET" or "{" in path or path == "/api/docs":
            continue
        if path.startswith(("/api/", "/notices/v1", "/openapi", "/docs", "/healthz")):
            continue
        pages.append(path)
    return pages


def test_pages_carry_no_inline_script(loose_client: TestClient) -> None:
    """Our pages work under the CSP: no inline <script>, no on* handlers, no javascript: URLs.
    (FastAPI's /api/docs page is not ours: it needs inline script and is blocked by the CSP.)"""
    checked = 0
    for path in html_pages(loose_client):
        r = loose_client.get(path, follow_redirects=True)
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        assert_security_headers(r)
        parser = _Scripts()
        parser.feed(r.text)
        assert not [s for s in parser.inline if s.strip()], f"{path}: inline script"
        assert not parser.handlers, f"{path}: inline handlers {parser.handlers}"
        checked += 1
    assert checked >= 5  # the public home, search, transparency, commission, staff sign-in...


def _count(ctx: AppContext) -> int:
    with ctx.read_session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(Notice)) or 0)


def test_request_size_limits(
    loose_client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    h = people["ncb_fr"].headers
    limit = ctx.settings.max_body_bytes
    body = red_notice()
    body["summary"] = "x" * (limit + 10)
    before = _count(ctx)
    r = loose_client.post("/api/v1/notices", json=body, headers=h)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith(PROBLEM)
    assert str(limit) in r.json()["detail"]

    # Streamed without a Content-Length: counted as it arrives, refused all the same.
    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    r = loose_client.post(
        "/api/v1/notices", content=chunks(), headers=h | {"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM)
    # A lying Content-Length header does not get a large body through either.
    r = loose_client.post(
        "/api/v1/notices", content=b"{" + b" " * (limit + 1) + b"}",
        headers=h | {"content-type": "application/json"},
    )  # fmt: skip
    assert r.status_code == 413
    # Photos have their own, larger limit, and it holds too.
    nid = loose_client.post("/api/v1/notices", json=red_notice(), headers=h).json()["id"]
    huge = b"\xff\xd8\xff" + b"\x00" * (ctx.settings.max_photo_bytes + 1)
    r = loose_client.post(
        f"/api/v1/notices/{u(nid)}/photos", content=huge, headers=h | {"content-type": "image/jpeg"}
    )
    assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM)
    assert _count(ctx) == before + 1  # only the one valid draft


def _assert_clean_problem(r: object, *forbidden: str) -> None:
    assert r.headers["content-type"].startswith(PROBLEM), r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == r.status_code  # type: ignore[attr-defined]
    assert isinstance(body["detail"], str) and body["detail"]
    text = r.text  # type: ignore[attr-defined]
    for marker in (*TRACE_MARKERS, *forbidden):
        assert marker not in text, f"{marker!r} in {text[:300]}"


def test_errors_are_problems_without_traces_or_echoed_data(
    loose_client: TestClient, people: dict[str, Who], ctx: AppContext
) -> None:
    c = loose_client
    h = people["ncb_fr"].headers
    bad = red_notice()
    bad["subject"]["date_of_birth"] = "Quibblewick-Zarnoff"  # invalid, and a "name"
    bad["subject"]["sex"] = "Zorblaxine"
    cases = [
        (c.get("/api/v1/me"), 401),
        (c.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}), 401),
        (c.get("/api/v1/users", headers=h), 403),
        (c.get("/api/v1/notices/2020-424242", headers=h), 404),
        (c.get("/api/v1/notices/not-an-id", headers=h), None),
        (c.get("/no/such/page"), 404),
        (c.put("/api/v1/me", headers=h), 405),
        (c.post("/api/v1/notices", json=bad, headers=h), 422),
        (c.post("/api/v1/notices", content=b"{broken", headers=h | {"content-type": JSON}), 422),
        (c.get("/api/v1/audit?limit=100000", headers=people["auditor"].headers), 422),
        (c.post("/api/v1/notices", content=b"[" * 50000 + b"]" * 50000,
                headers=h | {"content-type": "application/json"}), None),  # deep nesting
    ]  # fmt: skip
    for r, status in cases:
        if status is not None:
            assert r.status_code == status, (r.request.url, r.status_code, r.text)
        assert 400 <= r.status_code < 500
        _assert_clean_problem(r, "Quibblewick", "Zorblaxine", "not-a-token")


def test_unexpected_errors_hide_their_message(
    ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(ctx)

    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("Marchetti Lorenzo 1979-04-12 at /srv/secret.py")

    caplog.set_level(logging.DEBUG)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom-for-test")
    assert r.status_code == 500
    _assert_clean_problem(r, "Marchetti", "RuntimeError", "secret.py")
    assert r.json()["request_id"]
    assert_security_headers(r)  # the 500 answer too carries the headers and the request id
    assert r.json()["request_id"] == r.headers["x-request-id"]
    assert "Marchetti" not in caplog.text and "secret.py" not in caplog.text


SUBJECT_WORDS = ("Marchetti", "Lorenzo", "Aldo", "Bari", "MA-2023-0042", "jewellery", "1979-04-12")


def test_logs_of_a_full_run_hold_no_names_nor_secrets(
    ctx: AppContext, people: dict[str, Who], caplog: pytest.LogCaptureFixture
) -> None:
    """Every logger at DEBUG through a whole flow: request, review, issue, reads, search,
    actions, errors, deletion. Neither the subject's data nor a token appears in any record."""
    caplog.set_level(logging.DEBUG)
    for name in ("opennotice", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    app = create_app(ctx)
    fr, de, gs = people["ncb_fr"].headers, people["ncb_de"].headers, people["gs_br"].headers
    with TestClient(app, raise_server_exceptions=False) as c:
        body = red_notice(visibility={"public_extract": True, "restricted_from": ["US"]})
        nid = c.post("/api/v1/notices", json=body, headers=fr).json()["id"]
        c.post(f"/api/v1/notices/{u(nid)}/submit", headers=fr)
        c.post(
            f"/api/v1/reviews/{u(nid)}/decision",
            json={"decision": "issue", "reasons": "Serious ordinary crime, data complete."},
            headers=gs,
        )
        c.get(f"/api/v1/notices/{u(nid)}", headers=de)
        c.get("/api/v1/notices?status=issued", headers=de)
        c.get("/api/v1/notices/2020-1", headers=de)
        bad = red_notice()
        bad["subject"]["date_of_birth"] = "Marchetti"
        c.post("/api/v1/notices", json=bad, headers=fr)
        c.post("/api/v1/diffusions", json=red_notice() | {"recipients": ["DE"]}, headers=fr)
        # The public service and screening, where they exist.
        c.get("/notices/v1/red?name=Marchetti&forename=Lorenzo")
        c.get("/notices/v1/red/" + u(nid))
        c.post("/api/v1/screen", json={"family_name": "Marchetti", "given_names": "Lorenzo",
                                       "date_of_birth": "1979-04-12"},
               headers=people["screen_de"].headers)  # fmt: skip
        c.get(
            "/api/v1/me", headers={"Authorization": "Bearer wrong-" + people["ncb_fr"].user.token}
        )
        c.post(f"/api/v1/notices/{u(nid)}/actions/delete", json={"reasons": "Security test."},
               headers=people["ccf"].headers)  # fmt: skip
        c.get("/api/v1/audit?limit=1000", headers=people["auditor"].headers)
    text = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.args!r} {getattr(r, 'exc_text', '')}"
        for r in caplog.records
        if not r.name.startswith("httpx")  # the test's own HTTP client, not the server
    )
    for word in SUBJECT_WORDS:
        assert word not in text, f"personal data {word!r} in the logs"
    for who in people.values():
        assert who.user.token not in text, "an API token in the logs"
    assert ctx.settings.secret_key and ctx.settings.secret_key not in text
    assert not re.search(r"Bearer\s+\S{16,}", text), "an Authorization header in the logs"


HOSTILE_BATCHES = [
    ("text/csv", b"surname,given_names\rQuennell,Ada\rZorvath,Ilo\r"),  # old Mac line ends
    ("text/csv", b'surname,given_names\n"Quennell,Ada\n'),  # an unterminated quote
    ("text/csv", b"surname\x00,given\x00\nQu\x00ennell,Ada\n"),  # NUL bytes
    ("text/csv", b"\xff\xfe\x00s\x00u\x00r"),  # UTF-16, not UTF-8
    ("text/csv", b"surname," + b"x" * 300_000 + b"\nQuennell\n"),  # one enormous field
    ("application/x-ndjson", b"[" * 5000 + b"]" * 5000 + b"\n"),  # deep nesting
    ("application/x-ndjson", b'{"family_name": "Quennell", "date_of_birth": 1e999}\n'),
    ("application/x-ndjson", b"\xef\xbb\xbf" + b'{"family_name": 12}\n{}\n"x"\n'),
    ("application/json", b'{"rows": "not a list"}'),
    ("text/plain", b""),
]


@pytest.mark.parametrize(("ctype", "body"), HOSTILE_BATCHES)
def test_hostile_batches_get_a_clear_answer(
    loose_client: TestClient, people: dict[str, Who], ctype: str, body: bytes
) -> None:
    """A passenger list in a bad shape is refused or screened row by row, never a 5xx."""
    r = loose_client.post(
        "/api/v1/screen/batch", content=body,
        headers=people["screen_de"].headers | {"content-type": ctype},
    )  # fmt: skip
    assert r.status_code < 500, r.text[:300]
    if r.status_code >= 400:
        _assert_clean_problem(r, "Quennell", "Zorvath")


def test_public_service_rate_limit(ctx: AppContext) -> None:
    """Past its rate, an address gets 429 with Retry-After, as problem+json."""
    ctx.settings.public_rate_per_minute = 5
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        answers = [c.get("/notices/v1/red") for _ in range(12)]
    codes = [a.status_code for a in answers]
    assert codes[0] == 200 and 429 in codes, codes
    limited = answers[codes.index(429)]
    assert limited.headers["content-type"].startswith(PROBLEM)
    assert int(limited.headers["retry-after"]) >= 1
    assert_security_headers(limited)


def test_sign_in_locks_after_repeated_failures(ctx: AppContext) -> None:
    """The staff sign-in: after the allowed failures even the right password is refused."""
    from opennotice.services import web_sessions
    from opennotice.services.users import bootstrap_user
    from tests.conftest import OPERATOR

    password = "a long enough password 7"
    bootstrap_user(ctx, OPERATOR, username="lock.me", role="auditor", password=password)
    for _ in range(ctx.settings.login_max_failures):
        with pytest.raises(Exception, match="Sign-in failed"):
            web_sessions.sign_in(ctx, "lock.me", "wrong password here")
    with pytest.raises(Exception, match="Sign-in failed"):
        web_sessions.sign_in(ctx, "lock.me", password)
    # The same answer for an unknown account: no way to tell which names exist.
    with pytest.raises(Exception, match="Sign-in failed"):
        web_sessions.sign_in(ctx, "no.such.user", password)


def test_commission_secret_cannot_be_guessed_at_speed(loose_client: TestClient) -> None:
    """Following a commission case needs its reference and secret: guessing is rate limited."""
    codes = []
    for n in range(80):
        r = loose_client.post(
            "/api/v1/ccf/requests/status",
            json={"reference": "CCF-2026-AAAAAAAA", "secret": f"guess-{n}"},
        )
        codes.append(r.status_code)
        if r.status_code == 429:
            break
    assert codes[0] == 404 and codes[-1] == 429, codes
    assert r.headers["content-type"].startswith(PROBLEM) and int(r.headers["retry-after"]) >= 1


def test_nul_characters_are_refused_not_crashed_on(
    loose_client: TestClient, people: dict[str, Who]
) -> None:
    """PostgreSQL cannot store U+0000 in text: every write must refuse it with a 4xx (SQLite
    would store it, so this matters on PostgreSQL; it runs on both)."""
    c = loose_client
    notice = red_notice()
    notice["summary"] = "Seen in Lyon\x00 in March."
    ccf = {
        "kind": "access",
        "applicant": {"family_name": "Quen\x00nell", "contact": "post box 12, Lyon"},
        "grounds": "I want to know whether any data is held on me.",
    }
    entry = {"person": {"family_name": "Quen\x00nell", "nationalities": ["TR"]}}
    ccf_grounds = ccf | {
        "applicant": {"family_name": "Quennell", "contact": "post box 12, Lyon"},
        "grounds": "I want to know whether any data\x00 is held on me.",
    }
    answers = [
        c.post("/api/v1/notices", json=notice, headers=people["ncb_fr"].headers),
        c.post("/api/v1/ccf/requests", json=ccf),
        c.post("/api/v1/ccf/requests", json=ccf_grounds),
        c.post("/api/v1/screen", json={"family_name": "Quen\x00nell"},
               headers=people["screen_de"].headers),
        c.post("/api/v1/protected-persons", json=entry, headers=people["gs_br"].headers),
    ]  # fmt: skip
    for r in answers:
        assert r.status_code < 500, (r.request.url.path, r.text[:200])
