"""Sign-in, sign-out and the account page."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request, Response

from opennotice.errors import Unauthenticated
from opennotice.services import web_sessions
from opennotice.services.web_sessions import SIGN_IN_FAILED

from .common import (
    COOKIE,
    COOKIE_PATH,
    LOGIN_COOKIE,
    Ctx,
    Form,
    Staff,
    StaffRoute,
    call,
    home_of,
    page,
    redirect,
    request_id,
)

router = APIRouter(route_class=StaffRoute, include_in_schema=False)
LOGIN_PATH = "/staff/login"


def _login_page(
    request: Request, ctx: Ctx, error: str = "", username: str = "", status: int = 200
) -> Response:
    # Before there is a session, the form is protected by a double-submit token: a random value
    # both in a SameSite=Strict cookie and in the form, compared on post.
    token = secrets.token_urlsafe(32)
    response = page(
        request, None, "staff/login.html", status, login_csrf=token, error=error,
        username=username,
    )  # fmt: skip
    response.set_cookie(
        LOGIN_COOKIE, token, path=LOGIN_PATH, httponly=True, samesite="strict",
        secure=ctx.settings.cookie_secure, max_age=3600,
    )  # fmt: skip
    return response


@router.get("/staff", name="staff_root")
def root(request: Request, ctx: Ctx) -> Response:
    staff = web_sessions.resolve(ctx, request.cookies.get(COOKIE))
    return redirect(home_of(staff.role) if staff else LOGIN_PATH)


@router.get(LOGIN_PATH)
def login_form(request: Request, ctx: Ctx) -> Response:
    staff = web_sessions.resolve(ctx, request.cookies.get(COOKIE))
    if staff is not None:
        return redirect(home_of(staff.role))
    return _login_page(request, ctx)


@router.post(LOGIN_PATH)
async def login(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    username = form.get("username")
    password = form.get("password")
    submitted = form.get("csrf")
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    name = username.strip()[:80] if isinstance(username, str) else ""
    if not (
        isinstance(submitted, str)
        and cookie
        and hmac.compare_digest(submitted.encode(), cookie.encode())
    ):
        return _login_page(
            request, ctx, "The sign-in form had expired. Please try again.", name, 403
        )
    if not isinstance(password, str):
        password = ""
    try:
        opened = await call(web_sessions.sign_in, ctx, name, password, request_id(request))
    except Unauthenticated:
        return _login_page(request, ctx, SIGN_IN_FAILED, name, 401)
    staff = web_sessions.resolve(ctx, opened.token)
    assert staff is not None
    response = redirect(home_of(staff.role))
    response.set_cookie(
        COOKIE, opened.token, path=COOKIE_PATH, httponly=True, samesite="strict",
        secure=ctx.settings.cookie_secure, expires=opened.expires_at,
    )  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/staff/logout")
def logout(request: Request, ctx: Ctx, staff: Staff, form: Form) -> Response:
    web_sessions.sign_out(ctx, request.cookies.get(COOKIE), request_id(request))
    response = redirect(LOGIN_PATH + "?done=signed_out")
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.get("/staff/home")
def home(request: Request, staff: Staff) -> Response:
    return page(request, staff, "staff/home.html")
