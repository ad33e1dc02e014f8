"""The staff website's sign-in: sessions, cookies, CSRF, lock-out, expiry, sign-out."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from opennotice.config import Settings
from opennotice.services.context import AppContext
from opennotice.services.web_sessions import resolve
from opennotice.store.tables import AuditEvent, User, WebSession
from tests.conftest import Who
from tests.functional.staff_helpers import PASSWORD, csrf_of, give_password, sign_in, signed_in


def test_sign_in_sets_a_strict_http_only_cookie_and_stores_only_a_hash(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    give_password(ctx, "ncb.fr")
    r = sign_in(client, "ncb.fr")
    assert r.status_code == 303 and r.headers["location"] == "/staff/requests"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("on_staff="))
    attrs = cookie.lower()
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/staff" in attrs
    token = cookie.split(";")[0].split("=", 1)[1]
    with ctx.read_session_factory() as s:
        rows = list(s.scalars(select(WebSession)))
        events = [e.action for e in s.scalars(select(AuditEvent))]
    assert len(rows) == 1 and token not in (rows[0].id_hash, rows[0].csrf_token)
    assert len(rows[0].id_hash) == 64
    assert "account:session:opened" in events
    page = client.get("/staff/requests")
    assert page.status_code == 200 and "My requests" in page.text


def test_secure_cookie_when_configured(settings: Settings, people: dict[str, Who]) -> None:
    from opennotice.api.app import create_app
    from opennotice.bootstrap import build_context

    ctx = build_context(settings.model_copy(update={"cookie_secure": True}))
    try:
        give_password(ctx, "ncb.fr")
        with TestClient(create_app(ctx), base_url="https://testserver") as c:
            r = sign_in(c, "ncb.fr")
            cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("on_staff"))
            assert "secure" in cookie.lower()
    finally:
        ctx.engine.dispose()


def test_wrong_password_is_refused_with_one_message_for_every_cause(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    give_password(ctx, "ncb.fr")
    wrong = sign_in(client, "ncb.fr", "not the password at all")
    unknown = sign_in(client, "nobody.here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "on_staff=" not in wrong.headers.get("set-cookie", "")
    message = "the username or password is wrong"
    assert message in wrong.text and message in unknown.text
    # The form keeps the username, never the password.
    assert 'value="ncb.fr"' in wrong.text and "not the password" not in wrong.text


def test_lock_out_after_repeated_failures_then_unlock_after_the_delay(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    give_password(ctx, "gs.br")
    for _ in range(ctx.settings.login_max_failures):
        assert sign_in(client, "gs.br", "wrong password!").status_code == 401
    # Locked: even the right password is refused now.
    assert sign_in(client, "gs.br", PASSWORD).status_code == 401
    with ctx.read_session_factory() as s:
        user = s.scalars(select(User).where(User.username == "gs.br")).one()
        assert user.locked_until is not None
        actions = [e.action for e in s.scalars(select(AuditEvent))]
    assert "account:login:locked" in actions and "account:login:refused" in actions
    # Once the lock-out has passed, the right password works again.
    with ctx.session_factory() as s:
        s.execute(
            update(User)
            .where(User.username == "gs.br")
            .values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
        s.commit()
    assert sign_in(client, "gs.br", PASSWORD).status_code == 303


def test_a_success_resets_the_failure_count(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    give_password(ctx, "gs.ke")
    for _ in range(ctx.settings.login_max_failures - 1):
        sign_in(client, "gs.ke", "wrong password!")
    assert sign_in(client, "gs.ke").status_code == 303
    client.cookies.clear()
    for _ in range(ctx.settings.login_max_failures - 1):
        sign_in(client, "gs.ke", "wrong password!")
    assert sign_in(client, "gs.ke").status_code == 303


def test_login_form_needs_its_csrf_token(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    give_password(ctx, "ncb.fr")
    client.get("/staff/login")
    r = client.post(
        "/staff/login",
        data={"username": "ncb.fr", "password": PASSWORD, "csrf": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "on_staff=" not in r.headers.get("set-cookie", "")


def test_posts_without_the_session_csrf_token_are_rejected(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    csrf = signed_in(client, ctx, "ncb.fr")
    body = {"type": "red", "subject.family_name": "Okonkwo", "subject.given_names": "Ada"}
    for token in (None, "", "x" * 43, csrf[:-1] + ("A" if csrf[-1] != "A" else "B")):
        data = dict(body) | ({"csrf": token} if token is not None else {})
        r = client.post("/staff/requests/new", data=data, follow_redirects=False)
        assert r.status_code == 403 and "Form expired" in r.text
    # Nothing was written.
    assert "Okonkwo" not in client.get("/staff/requests").text
    ok = client.post("/staff/requests/new", data=body | {"csrf": csrf}, follow_redirects=False)
    assert ok.status_code == 303


def test_another_sessions_token_does_not_pass(
    ctx: AppContext, people: dict[str, Who], client: TestClient
) -> None:
    from opennotice.api.app import create_app

    other_csrf = signed_in(client, ctx, "ncb.de")
    with TestClient(create_app(ctx)) as mine:
        signed_in(mine, ctx, "ncb.fr")
        r = mine.post(
            "/staff/requests/new",
            data={"csrf": other_csrf, "type": "red", "subject.family_name": "Okafor"},
            follow_redirects=False,
        )
        assert r.status_code == 403


def test_session_expires(client: TestClient, ctx: AppContext, people: dict[str, Who]) -> None:
    signed_in(client, ctx, "ncb.fr")
    with ctx.session_factory() as s:
        s.execute(
            update(WebSession).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        s.commit()
    r = client.get("/staff/requests", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"


def test_session_lifetime_follows_the_setting(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    signed_in(client, ctx, "ncb.fr")
    with ctx.read_session_factory() as s:
        row = s.scalars(select(WebSession)).one()
        created, expires = row.created_at, row.expires_at
    assert abs((expires - created).total_seconds() - ctx.settings.session_hours * 3600) < 1


def test_sign_out_ends_the_session_on_the_server(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    csrf = signed_in(client, ctx, "ncb.fr")
    token = client.cookies.get("on_staff")
    assert resolve(ctx, token) is not None
    r = client.post("/staff/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert resolve(ctx, token) is None
    # Replaying the old cookie opens nothing.
    client.cookies.set("on_staff", token or "", path="/staff")
    assert client.get("/staff/requests", follow_redirects=False).status_code == 303


def test_disabled_user_loses_the_session(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    signed_in(client, ctx, "ncb.fr")
    with ctx.session_factory() as s:
        s.execute(update(User).where(User.username == "ncb.fr").values(active=False))
        s.commit()
    assert client.get("/staff/requests", follow_redirects=False).status_code == 303


def test_unknown_cookie_and_pages_without_session_redirect_to_sign_in(
    client: TestClient, people: dict[str, Who]
) -> None:
    client.cookies.set("on_staff", "made-up", path="/staff")
    for path in ("/staff/requests", "/staff/review", "/staff/ccf", "/staff/screen"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/staff/login"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle=|<style", re.IGNORECASE)


def test_pages_carry_the_security_policy_and_no_inline_code(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    r = client.get("/staff/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert len(csrf_of(r.text)) >= 32
    signed_in(client, ctx, "ncb.fr")
    for path in ("/staff/login", "/staff/requests", "/staff/requests/new", "/staff/inbox",
                 "/staff/diffusions/new", "/staff/screen", "/staff/register/new"):  # fmt: skip
        html = client.get(path).text
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_STYLE.search(html), path


def test_a_new_password_or_disabling_ends_open_sessions(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    from opennotice.services.users import set_active, set_password
    from tests.conftest import OPERATOR

    signed_in(client, ctx, "ncb.fr")
    token = client.cookies.get("on_staff")
    assert resolve(ctx, token) is not None
    set_password(ctx, OPERATOR, "ncb.fr", "another long passphrase")
    assert resolve(ctx, token) is None
    assert client.get("/staff/requests", follow_redirects=False).status_code == 303

    client.cookies.clear()
    signed_in(client, ctx, "ncb.de")
    token = client.cookies.get("on_staff")
    set_active(ctx, people["admin"].actor, people["ncb_de"].user.user.id, False)
    assert resolve(ctx, token) is None
