"""The role decides the menu; the server decides what is allowed, page by page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.functional.staff_helpers import signed_in

MENUS = {
    "ncb.fr": [
        "My requests",
        "New request",
        "Send a diffusion",
        "Inbox",
        "Screen a name",
        "Refugee status",
    ],
    "gs.br": ["Review queue", "Diffusions", "Protected persons"],
    "ccf": ["Cases"],
    "screen.de": ["Screen a name", "Batch screening"],
    "admin": ["Members", "Users"],
    "auditor": ["Account"],
}
ALL_ITEMS = {item for items in MENUS.values() for item in items} - {"Account"}

# Pages each role must not reach (403 page), and pages it must reach (200).
FORBIDDEN = {
    "ncb.fr": [
        "/staff/review",
        "/staff/ccf",
        "/staff/admin/members",
        "/staff/register",
        "/staff/admin/users",
    ],
    "gs.br": [
        "/staff/requests",
        "/staff/requests/new",
        "/staff/inbox",
        "/staff/ccf",
        "/staff/screen",
        "/staff/admin/members",
        "/staff/diffusions/new",
    ],
    "ccf": ["/staff/review", "/staff/requests/new", "/staff/screen", "/staff/admin/users"],
    "screen.de": [
        "/staff/requests",
        "/staff/review",
        "/staff/notices",
        "/staff/ccf",
        "/staff/register",
        "/staff/inbox",
        "/staff/admin/members",
    ],
    "admin": ["/staff/requests", "/staff/review", "/staff/notices", "/staff/screen", "/staff/ccf"],
    "auditor": [
        "/staff/requests",
        "/staff/review",
        "/staff/notices",
        "/staff/screen",
        "/staff/ccf",
        "/staff/admin/members",
        "/staff/register",
    ],
}
ALLOWED = {
    "ncb.fr": [
        "/staff/requests",
        "/staff/requests/new",
        "/staff/diffusions/new",
        "/staff/notices",
        "/staff/inbox",
        "/staff/screen",
        "/staff/register/new",
    ],
    "gs.br": ["/staff/review", "/staff/review?kind=diffusion", "/staff/notices", "/staff/register"],
    "ccf": ["/staff/ccf", "/staff/notices"],
    "screen.de": ["/staff/screen", "/staff/screen/batch"],
    "admin": ["/staff/admin/members", "/staff/admin/users"],
    "auditor": ["/staff/home"],
}


def _menu(html: str) -> set[str]:
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return {m.strip() for m in re.findall(r">([^<>]+)</a>", nav)}


@pytest.mark.parametrize("username", sorted(MENUS))
def test_the_role_decides_the_menu(
    username: str, client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    signed_in(client, ctx, username)
    menu = _menu(client.get("/staff/home").text)
    assert set(MENUS[username]) <= menu
    assert not (ALL_ITEMS - set(MENUS[username])) & menu


@pytest.mark.parametrize("username", sorted(FORBIDDEN))
def test_the_server_refuses_other_roles_pages(
    username: str, client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    signed_in(client, ctx, username)
    for path in FORBIDDEN[username]:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 403, (username, path, r.status_code)
        assert "text/html" in r.headers["content-type"]
    for path in ALLOWED[username]:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 200, (username, path, r.status_code, r.text[:300])


def test_forbidden_posts_change_nothing(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    """A screening officer forging a request form: refused by the server, not only the menu."""
    csrf = signed_in(client, ctx, "screen.de")
    r = client.post(
        "/staff/requests/new",
        data={"csrf": csrf, "type": "red", "subject.family_name": "Lindqvist"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    r = client.post(
        "/staff/admin/members/RU/prior-review",
        data={"csrf": csrf, "prior_review": "on", "reason": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_each_role_lands_on_its_own_start_page(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    homes = {
        "ncb.fr": "/staff/requests",
        "gs.br": "/staff/review",
        "ccf": "/staff/ccf",
        "screen.de": "/staff/screen",
        "admin": "/staff/admin/members",
        "auditor": "/staff/home",
    }
    for username, home in homes.items():
        client.cookies.clear()
        signed_in(client, ctx, username)
        r = client.get("/staff", follow_redirects=False)
        assert r.headers["location"] == home
