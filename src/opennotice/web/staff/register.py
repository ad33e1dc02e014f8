"""The protected-persons register: an NCB records refugee status its country granted; the
secretariat and the commission read the register (each read audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from opennotice.services import register as svc

from . import forms
from .common import Ctx, Form, Staff, StaffRoute, actor_of, call, need, page, page_slice, redirect
from .ncb import _int

router = APIRouter(route_class=StaffRoute, include_in_schema=False)
PER_PAGE = 30
ENTRY_FIELDS = {"granted_on", "feared_country", "reference", "notes"}
PERSON_LISTS = {"person.nationalities"}


def _body(values: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"person": {}}
    for name, raw in values.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if value in ("", None):
            continue
        if name in PERSON_LISTS:
            body["person"]["nationalities"] = [v.strip() for v in value.split(",") if v.strip()]
        elif name == "person.aliases":
            body["person"]["aliases"] = [v.strip() for v in value.splitlines() if v.strip()]
        elif name.startswith("person."):
            body["person"][name.split(".", 1)[1]] = value
        elif name in ENTRY_FIELDS:
            body[name] = value
    return body


@router.get("/staff/register/new")
def new_entry(request: Request, staff: Staff) -> Response:
    need(actor_of(request, staff), "register:entry:create", "Recording protected persons")
    return page(request, staff, "staff/register/form.html", values={}, errors={})


@router.post("/staff/register/new")
async def create_entry(request: Request, ctx: Ctx, staff: Staff, form: Form) -> Response:
    actor = actor_of(request, staff)
    need(actor, "register:entry:create", "Recording protected persons")
    values = forms.raw_values(form)
    try:
        data = svc.EntryIn.model_validate(_body(values))
    except ValidationError as exc:
        return page(
            request, staff, "staff/register/form.html", 422, values=values,
            errors=forms.error_map(exc),
        )  # fmt: skip
    await call(svc.create_entry, ctx, actor, data)
    return redirect("/staff/register/new?done=recorded")


@router.get("/staff/register")
def entries(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    need(actor, "register:entry:read", "Reading the register")
    q = request.query_params
    against = (q.get("against") or "").strip().upper()[:3] or None
    kind = q.get("kind") or None
    rows = svc.list_entries(ctx, actor, against=against, kind=kind, limit=2000)
    items, paging = page_slice(rows, _int(q.get("page")), PER_PAGE)
    return page(
        request, staff, "staff/register/list.html", rows=[svc.entry_view(r) for r in items],
        paging=paging, filters={"against": against or "", "kind": kind or ""}, kinds=svc.KINDS,
    )  # fmt: skip
