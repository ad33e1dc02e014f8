"""Helpers for the staff website tests: sign in through the form, read CSRF tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

from opennotice.services.context import AppContext
from opennotice.services.users import set_password
from tests.conftest import OPERATOR

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def give_password(ctx: AppContext, username: str, password: str = PASSWORD) -> None:
    set_password(ctx, OPERATOR, username, password)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    form = client.get("/staff/login")
    assert form.status_code == 200
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )


def signed_in(client: TestClient, ctx: AppContext, username: str) -> str:
    """Sign in (setting a password first) and return the session's CSRF token."""
    give_password(ctx, username)
    r = sign_in(client, username)
    assert r.status_code == 303, r.text
    home = client.get(r.headers["location"])
    assert home.status_code == 200, home.text
    return csrf_of(home.text)
