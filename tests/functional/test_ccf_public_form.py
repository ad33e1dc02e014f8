"""The public request form at /commission: no account, no JavaScript, a signed form token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from opennotice.services.context import AppContext
from opennotice.store.tables_ccf import CcfCase, CcfDocument
from opennotice.web.ccf_public import form_token, token_valid

FIELDS = {
    "kind": "deletion",
    "family_name": "Okonwe-Varga",
    "given_names": "Ilona",
    "other_names": "Ilona Varga\nI. Okonwe",
    "date_of_birth": "1988-06-02",
    "sex": "F",
    "nationalities": "HU, NG",
    "contact": "ilona.ov@example.org",
    "grounds": "The notice was requested to pressure me after I reported corruption.",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def token_of(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "the form carries a token"
    return match.group(1)


def test_form_files_a_request_and_the_follow_page_shows_it(
    client: TestClient, ctx: AppContext
) -> None:
    page = client.get("/commission")
    assert page.status_code == 200 and "<script" not in page.text.lower()
    assert (
        'enctype="multipart/form-data"' in page.text and "no-store" in page.headers["cache-control"]
    )
    r = client.post(
        "/commission",
        data=FIELDS | {"form_token": token_of(page.text)},
        files=[("documents", ("refugee-card.png", PNG, "image/png"))],
    )
    assert r.status_code == 201, r.text
    ref = re.search(r'id="reference">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="secret">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    assert r.headers["cache-control"].startswith("no-store")
    with ctx.read_session_factory() as s:
        case = s.scalars(select(CcfCase).where(CcfCase.reference == ref)).one()
        assert case.applicant["other_names"] == ["Ilona Varga", "I. Okonwe"]
        assert case.applicant["nationalities"] == ["HU", "NG"]
        assert s.scalars(select(CcfDocument)).one().content_type == "image/png"
    follow = client.get("/commission/follow")
    r = client.post(
        "/commission/follow",
        data={"reference": ref, "secret": secret, "form_token": token_of(follow.text)},
    )
    assert r.status_code == 200 and 'id="case-state">received<' in r.text
    assert "admissibility" in r.text
    r = client.post(
        "/commission/follow",
        data={"reference": ref, "secret": "nope", "form_token": token_of(follow.text)},
    )
    assert r.status_code == 404 and 'id="case"' not in r.text


def test_form_refuses_missing_forged_or_cross_site_tokens(
    client: TestClient, ctx: AppContext
) -> None:
    good = token_of(client.get("/commission").text)
    forged = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    for token, headers in (
        ("", {}),
        (forged, {}),
        ("1.2.3", {}),
        (good, {"Origin": "https://evil.example"}),
        (good, {"Sec-Fetch-Site": "cross-site"}),
    ):
        r = client.post("/commission", data=FIELDS | {"form_token": token}, headers=headers)
        assert r.status_code == 400 and "expired" in r.text
    # The honeypot catches simple bots.
    r = client.post("/commission", data=FIELDS | {"form_token": good, "website": "x"})
    assert r.status_code == 400
    with ctx.read_session_factory() as s:
        assert s.scalars(select(CcfCase)).first() is None
    # Old tokens expire.
    key = ctx.secret_key
    assert token_valid(key, form_token(key, now=1_000_000), now=1_000_000 + 60)
    assert not token_valid(key, form_token(key, now=1_000_000), now=1_000_000 + 3 * 3600)
    assert not token_valid(b"another key", form_token(key))


def test_form_errors_are_shown_and_values_kept(client: TestClient) -> None:
    token = token_of(client.get("/commission").text)
    r = client.post(
        "/commission",
        data=FIELDS | {"form_token": token, "date_of_birth": "1988-02-31", "grounds": "too short"},
    )
    assert r.status_code == 422 and 'id="form-errors"' in r.text
    assert "not a real date" in r.text and 'value="Okonwe-Varga"' in r.text
    r = client.post(
        "/commission",
        data=FIELDS | {"form_token": token},
        files=[("documents", ("x.pdf", b"MZ not a pdf", "application/pdf"))],
    )
    assert r.status_code == 422 and "not the application/pdf file" in r.text
