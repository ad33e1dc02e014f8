"""What every staff page shares: the route class that turns errors into pages, the signed-in
user, CSRF-checked forms, the role's menu, templates and paging."""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from opennotice.domain.actors import Actor
from opennotice.domain.permissions import allowed
from opennotice.domain.types import Role
from opennotice.errors import Forbidden, OpenNoticeError
from opennotice.services import web_sessions
from opennotice.services.context import AppContext
from opennotice.services.web_sessions import StaffSession
from opennotice.web.templating import HERE as WEB_DIR
from opennotice.web.templating import templates as site_templates

COOKIE = "on_staff"
LOGIN_COOKIE = "on_login"
COOKIE_PATH = "/staff"

templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.filters.update(site_templates.env.filters)
templates.env.autoescape = True


def has_service(name: str) -> bool:
    """Whether another area's service module has landed (its pages appear when it has)."""
    return importlib.util.find_spec(f"opennotice.services.{name}") is not None


# --- errors as pages ----------------------------------------------------------------------


class SignInRequired(Exception):
    """No valid session: the browser is sent to the sign-in page."""


class CsrfRejected(Exception):
    """A form came without this session's CSRF token."""


class StaffRoute(APIRoute):
    """Routes whose errors are pages for people, not problem documents for programs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except SignInRequired:
                response = RedirectResponse("/staff/login", status_code=303)
                response.delete_cookie(COOKIE, path=COOKIE_PATH)
                return response
            except CsrfRejected:
                return error_page(
                    request,
                    403,
                    "Form expired",
                    "This form was not sent from a page of your current session (its security "
                    "token is missing or wrong). Go back, reload the page and try again.",
                )
            except OpenNoticeError as exc:
                return error_page(request, exc.status, exc.title, exc.detail)
            except RequestValidationError:
                return error_page(
                    request, 422, "The address is not valid", "A parameter of this page is wrong."
                )

        return handler


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    staff: StaffSession | None = getattr(request.state, "staff", None)
    return templates.TemplateResponse(
        request,
        "staff/error.html",
        _base_context(request, staff) | {"title": title, "detail": detail, "status": status},
        status_code=status,
    )


# --- the signed-in user and their forms ---------------------------------------------------


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or "")


def current_staff(request: Request, ctx: Annotated[AppContext, Depends(get_ctx)]) -> StaffSession:
    staff = web_sessions.resolve(ctx, request.cookies.get(COOKIE))
    if staff is None:
        raise SignInRequired
    request.state.staff = staff
    return staff


Ctx = Annotated[AppContext, Depends(get_ctx)]
Staff = Annotated[StaffSession, Depends(current_staff)]


def actor_of(request: Request, staff: StaffSession) -> Actor:
    return staff.actor(request_id(request))


async def posted_form(request: Request, staff: Staff) -> FormData:
    """The posted form, once its CSRF token has been checked against the session."""
    form = await request.form()
    token = form.get("csrf")
    if not isinstance(token, str) or not web_sessions.csrf_ok(staff, token):
        raise CsrfRejected
    return form


Form = Annotated[FormData, Depends(posted_form)]


def text(form: FormData, name: str, limit: int = 10000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def need(actor: Actor, permission: str, what: str) -> None:
    """The page-level check (the service checks again): a clear 403 page for the wrong role."""
    if not allowed(actor.role, permission):
        raise Forbidden(f"{what} is not part of the work of the role '{actor.role}'")


async def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(func, *args, **kwargs)


# --- menus, rendering ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MenuItem:
    href: str
    label: str


def menu_for(role: Role) -> list[MenuItem]:
    """The role decides the menu (the server still checks every page and action)."""
    items: list[MenuItem] = []
    if role == Role.NCB:
        items += [
            MenuItem("/staff/requests", "My requests"),
            MenuItem("/staff/requests/new", "New request"),
            MenuItem("/staff/diffusions/new", "Send a diffusion"),
            MenuItem("/staff/notices", "Notices in force"),
            MenuItem("/staff/inbox", "Inbox"),
        ]
        if has_service("screening"):
            items.append(MenuItem("/staff/screen", "Screen a name"))
        if has_service("register"):
            items.append(MenuItem("/staff/register/new", "Refugee status"))
    elif role == Role.SECRETARIAT:
        items += [
            MenuItem("/staff/review", "Review queue"),
            MenuItem("/staff/review?kind=diffusion", "Diffusions"),
            MenuItem("/staff/notices", "All requests"),
        ]
        if has_service("register"):
            items.append(MenuItem("/staff/register", "Protected persons"))
    elif role == Role.CCF:
        if has_service("ccf"):
            items.append(MenuItem("/staff/ccf", "Cases"))
        items.append(MenuItem("/staff/notices", "Notices"))
    elif role == Role.SCREENING:
        if has_service("screening"):
            items += [
                MenuItem("/staff/screen", "Screen a name"),
                MenuItem("/staff/screen/batch", "Batch screening"),
            ]
    elif role == Role.ADMIN:
        items += [
            MenuItem("/staff/admin/members", "Members"),
            MenuItem("/staff/admin/users", "Users"),
        ]
    if role in (Role.NCB, Role.ADMIN) and has_service("assembly"):
        items.append(MenuItem("/staff/assembly", "General Assembly"))
    items.append(MenuItem("/staff/home", "Account"))
    return items


ROLE_HOME = {
    Role.NCB: "/staff/requests",
    Role.SECRETARIAT: "/staff/review",
    Role.CCF: "/staff/ccf",
    Role.SCREENING: "/staff/screen",
    Role.AUDITOR: "/staff/home",
    Role.ADMIN: "/staff/admin/members",
}


def home_of(role: Role) -> str:
    target = ROLE_HOME[role]
    if target == "/staff/ccf" and not has_service("ccf"):
        return "/staff/notices"
    if target == "/staff/screen" and not has_service("screening"):
        return "/staff/home"
    return target


# Messages shown after a redirect, chosen by a code in the address (never free text).
FLASH = {
    "saved": "Saved.",
    "submitted": "Submitted to the secretariat. The automatic checks ran: see the findings below.",
    "resubmitted": "Your answer was sent back to the secretariat.",
    "photo": "Photo added.",
    "acted": "Done.",
    "decided": "Decision recorded.",
    "approval_recorded": "Your approval is recorded. A high-risk request needs a second "
    "reviewer of another nationality before it is issued.",
    "sent": "Diffusion sent.",
    "read": "Marked as read.",
    "member": "Member updated.",
    "recorded": "Recorded. The register protects this person from requests by the country "
    "they fear.",
    "overridden": "The finding is set aside; the request's route was computed again.",
    "signed_out": "You are signed out.",
}


def _base_context(request: Request, staff: StaffSession | None) -> dict[str, Any]:
    code = request.query_params.get("done", "")
    return {
        "staff": staff,
        "csrf": staff.csrf_token if staff else "",
        "menu": menu_for(staff.role) if staff else [],
        "path": request.url.path,
        "flash": FLASH.get(code, ""),
    }


def page(
    request: Request,
    staff: StaffSession | None,
    name: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    response = templates.TemplateResponse(
        request, name, _base_context(request, staff) | context, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- paging -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_slice(items: Sequence[Any], page: int, per_page: int) -> tuple[list[Any], Paging]:
    paging = Paging(max(1, page), per_page, len(items))
    page = min(paging.page, paging.pages)
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), Paging(page, per_page, len(items))


# --- highlighting evidence ----------------------------------------------------------------


def highlight(value: Any, terms: Sequence[str]) -> Markup:
    """Escape `value` and wrap each occurrence of the evidence terms in <mark>."""
    raw = "" if value is None else str(value)
    wanted = sorted({t.strip() for t in terms if t and len(t.strip()) >= 2}, key=len, reverse=True)
    if not wanted or not raw:
        return escape(raw)
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    out: list[Markup] = []
    last = 0
    for match in pattern.finditer(raw):
        out.append(escape(raw[last : match.start()]))
        out.append(Markup("<mark>{}</mark>").format(match.group(0)))
        last = match.end()
    out.append(escape(raw[last:]))
    return Markup("").join(out)


templates.env.filters["highlight"] = highlight
