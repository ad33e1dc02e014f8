"""The operator's pages: members (prior review of diffusions) and user accounts."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from opennotice.errors import ValidationFailed
from opennotice.services import members as members_svc
from opennotice.services import users as users_svc

from .common import Ctx, Form, Staff, StaffRoute, actor_of, need, page, page_slice, redirect, text
from .ncb import _int

router = APIRouter(route_class=StaffRoute, include_in_schema=False)
PER_PAGE = 30


@router.get("/staff/admin/members")
def members(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    need(actor, "member:record:manage", "Managing members")
    q = (request.query_params.get("q") or "").strip()[:60]
    only = request.query_params.get("prior") == "1"
    rows = members_svc.list_members(ctx, actor)
    if q:
        needle = q.casefold()
        rows = [m for m in rows if needle in m.code.casefold() or needle in m.name.casefold()]
    if only:
        rows = [m for m in rows if m.prior_review]
    items, paging = page_slice(rows, _int(request.query_params.get("page")), PER_PAGE)
    return page(
        request, staff, "staff/admin/members.html", rows=items, paging=paging, q=q,
        prior="1" if only else "",
    )  # fmt: skip


@router.post("/staff/admin/members/{code}/prior-review")
def prior_review(request: Request, ctx: Ctx, staff: Staff, form: Form, code: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "member:record:manage", "Managing members")
    choice = text(form, "prior_review", 5)
    if choice not in ("on", "off"):
        raise ValidationFailed("choose to put the member under prior review or to lift it")
    members_svc.update_member(
        ctx, actor, code[:3], prior_review=choice == "on", reason=text(form, "reason", 2000) or None
    )
    return redirect(f"/staff/admin/members?q={code[:3]}&done=member")


@router.get("/staff/admin/users")
def users(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    need(actor, "user:account:manage", "Managing users")
    rows = users_svc.list_users(ctx, actor)
    items, paging = page_slice(rows, _int(request.query_params.get("page")), PER_PAGE)
    return page(request, staff, "staff/admin/users.html", rows=items, paging=paging)
