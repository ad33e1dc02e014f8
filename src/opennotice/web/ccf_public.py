"""The public request form to the commission at `/commission`, and the follow-up page.

No account and no JavaScript. An anonymous form has no session to tie a CSRF token to, so the
form carries a signed token (HMAC under the server key of its issue time and a nonce) that must
come back within two hours; a cross-site POST (an `Origin` of another site) is refused too. A
hidden honeypot field catches simple bots. The reference and secret are shown once, on a page
that is never cached.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from opennotice.api.deps import public_actor
from opennotice.api.routers.ccf import limit_filing, limit_follow
from opennotice.domain.ccf import RequestKind
from opennotice.errors import OpenNoticeError, RateLimited
from opennotice.services import ccf as svc
from opennotice.services.context import AppContext

from .templating import templates

router = APIRouter(include_in_schema=False)
TOKEN_MAX_AGE = 2 * 3600
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def form_token(key: bytes, now: float | None = None) -> str:
    issued = str(int(now if now is not None else time.time()))
    nonce = secrets.token_urlsafe(9)
    mac = hmac.new(key, f"ccf-form:{issued}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{issued}.{nonce}.{mac}"


def token_valid(key: bytes, token: str, now: float | None = None) -> bool:
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return False
    issued, nonce, mac = parts
    expected = hmac.new(key, f"ccf-form:{issued}:{nonce}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected[:32], mac):
        return False
    age = (now if now is not None else time.time()) - int(issued)
    return 0 <= age <= TOKEN_MAX_AGE


def _same_origin(request: Request) -> bool:
    """Refuse what the browser says came from another site. With our no-referrer policy a
    browser may send `Origin: null` for its own forms, so that value alone proves nothing: the
    signed token is the real check."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return True
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


def _render(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    page = templates.env.get_template(name).render(request=request, **context)
    return HTMLResponse(page, status_code=status, headers=NO_STORE)


def _form_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return _render(
        request,
        "ccf_form.html",
        {
            "token": form_token(_ctx(request).secret_key),
            "values": values or {},
            "errors": errors or [],
            "kinds": [k.value for k in RequestKind],
        },
        status,
    )


@router.get("/commission", response_class=HTMLResponse)
def form(request: Request) -> HTMLResponse:
    return _form_page(request)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _pydantic_errors(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors()[:8]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("applicant",))
        message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
        out.append(f"{where.replace('_', ' ')}: {message}")
    return out


@router.post("/commission", response_class=HTMLResponse)
async def submit(request: Request) -> HTMLResponse:
    ctx = _ctx(request)
    form_data = await request.form()
    values = {k: v for k, v in form_data.items() if isinstance(v, str)}
    if not _same_origin(request) or not token_valid(ctx.secret_key, values.get("form_token", "")):
        return _form_page(
            request,
            values,
            ["The form expired or was not sent from this site. Please send it again."],
            400,
        )
    if values.get("website"):  # the honeypot: people do not see it
        return _form_page(request, values, ["The request could not be accepted."], 400)
    try:
        limit_filing(request)
    except RateLimited as exc:
        return _form_page(request, values, [exc.detail], 429)
    try:
        filing = svc.Filing.model_validate(
            {
                "kind": values.get("kind", ""),
                "grounds": values.get("grounds", ""),
                "applicant": {
                    "family_name": values.get("family_name", ""),
                    "given_names": values.get("given_names") or None,
                    "other_names": _lines(values.get("other_names", "")),
                    "date_of_birth": values.get("date_of_birth") or None,
                    "sex": values.get("sex") or None,
                    "nationalities": _lines(values.get("nationalities", "")),
                    "contact": values.get("contact", ""),
                    "represented_by": values.get("represented_by") or None,
                },
            }
        )
    except ValidationError as exc:
        return _form_page(request, values, _pydantic_errors(exc), 422)
    documents = []
    for item in form_data.getlist("documents"):
        if isinstance(item, UploadFile) and item.filename:
            data = await item.read()
            if data:
                documents.append(svc.Document(item.filename, item.content_type or "", data))
    try:
        filed = await run_in_threadpool(
            svc.file_request, ctx, public_actor(request), filing, documents
        )
    except OpenNoticeError as exc:
        return _form_page(request, values, [exc.detail], exc.status)
    return _render(
        request, "ccf_filed.html", {"reference": filed.reference, "secret": filed.secret}, 201
    )


@router.get("/commission/follow", response_class=HTMLResponse)
def follow_form(request: Request) -> HTMLResponse:
    return _render(
        request,
        "ccf_follow.html",
        {
            "token": form_token(_ctx(request).secret_key),
            "case": None,
            "errors": [],
            "reference": "",
        },
    )


@router.post("/commission/follow", response_class=HTMLResponse)
async def follow(request: Request) -> HTMLResponse:
    ctx = _ctx(request)
    form_data = await request.form()
    values = {k: v for k, v in form_data.items() if isinstance(v, str)}
    reference = values.get("reference", "")[:40]
    context: dict[str, Any] = {
        "token": form_token(ctx.secret_key),
        "case": None,
        "errors": [],
        "reference": reference,
    }
    if not _same_origin(request) or not token_valid(ctx.secret_key, values.get("form_token", "")):
        context["errors"] = ["The form expired or was not sent from this site. Please try again."]
        return _render(request, "ccf_follow.html", context, 400)
    try:
        limit_follow(request)
        context["case"] = await run_in_threadpool(
            svc.follow, ctx, public_actor(request), reference, values.get("secret", "")
        )
    except OpenNoticeError as exc:
        context["errors"] = [exc.detail]
        return _render(request, "ccf_follow.html", context, exc.status)
    return _render(request, "ccf_follow.html", context)
