"""An NCB officer's pages: requests in steps, my requests, answering questions, acting on a
notice, diffusions, the inbox, and notices in force."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from opennotice.domain.content import Visibility
from opennotice.domain.lifecycle import Action, available_actions
from opennotice.domain.types import Kind, NoticeType, Role, Status
from opennotice.errors import Conflict, NotFound, ValidationFailed
from opennotice.services import compliance
from opennotice.services import notifications as inbox_svc
from opennotice.services import requests as svc
from opennotice.store.tables import Notice, NoticeHistory

from . import forms
from .common import (
    Ctx,
    Form,
    Paging,
    Staff,
    StaffRoute,
    actor_of,
    call,
    need,
    page,
    page_slice,
    redirect,
    text,
)
from .findings import all_terms, by_field, read_findings

router = APIRouter(route_class=StaffRoute, include_in_schema=False)

EDITABLE = {Status.DRAFT.value, Status.INFO_REQUESTED.value}
VISIBILITY_LATER = {Status.ISSUED.value, Status.SUSPENDED.value}
ACTION_LABELS = {
    Action.SUSPEND: "Suspend (up to 6 months)",
    Action.RESUME: "Resume",
    Action.RENEW: "Renew for another period",
    Action.WITHDRAW: "Withdraw",
}
PER_PAGE = 25


def url(notice_id: str) -> str:
    return svc.url_id(notice_id)


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, min(int(value or default), 100000))
    except ValueError:
        return default


def _enum(kind: type[Any], value: str | None) -> Any:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise ValidationFailed(f"'{value}' is not a valid filter value") from None


def stored(notice: Notice) -> dict[str, Any]:
    return forms.stored_body(notice.content, notice.public_extract, notice.restricted_from or [])


DECISION_STEPS = ("ask_info", "refuse", "issue", "cancel", "recall", "delete", "confirm")


def questions(rows: list[NoticeHistory]) -> list[NoticeHistory]:
    """The secretariat's requests for information, and other reasons given on decisions."""
    return [r for r in rows if r.reasons and r.action in DECISION_STEPS]


# --- lists ------------------------------------------------------------------------------


@router.get("/staff/requests")
def my_requests(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    need(actor, "notice:request:create", "Requests of a member")
    q = request.query_params
    kind = _enum(Kind, q.get("kind")) or Kind.NOTICE
    status = _enum(Status, q.get("status"))
    ntype = _enum(NoticeType, q.get("type"))
    pg = _int(q.get("page"))
    result = svc.list_requests(
        ctx, actor, kind=kind, status=status, notice_type=ntype, mine=True, page=pg,
        per_page=PER_PAGE,
    )  # fmt: skip
    return page(
        request, staff, "staff/ncb/requests.html",
        rows=[_row(n) for n in result.items],
        paging=Paging(result.page, result.per_page, result.total),
        filters={"kind": kind.value, "status": q.get("status", ""), "type": q.get("type", "")},
        statuses=[s.value for s in Status], types=forms.CHOICES["types"],
        title="My requests" if kind == Kind.NOTICE else "My diffusions",
    )  # fmt: skip


def _row(n: Notice) -> dict[str, Any]:
    name = ""
    if n.content:
        subject = n.content.get("subject") or {}
        name = ", ".join(
            p for p in (subject.get("family_name") or subject.get("original_family_name"),
                        subject.get("given_names")) if p
        )  # fmt: skip
    return {
        "id": n.id, "url": url(n.id), "kind": n.kind, "type": n.type, "status": n.status,
        "risk": n.risk, "findings": len(n.findings or []), "name": name or "—",
        "requester": n.requester, "submitted_at": n.submitted_at, "created_at": n.created_at,
        "valid_until": n.valid_until, "deleted": n.content is None,
    }  # fmt: skip


@router.get("/staff/notices")
def notices(request: Request, ctx: Ctx, staff: Staff) -> Response:
    """Notices this user may read: in force for an NCB, everything for reviewers."""
    actor = actor_of(request, staff)
    need(actor, "notice:request:read", "Reading notices")
    q = request.query_params
    kind = _enum(Kind, q.get("kind")) or Kind.NOTICE
    default_status = Status.ISSUED.value if actor.role == Role.NCB else None
    status = _enum(Status, q.get("status", default_status))
    ntype = _enum(NoticeType, q.get("type"))
    requester = (q.get("requester") or "").strip().upper()[:3] or None
    pg = _int(q.get("page"))
    result = svc.list_requests(
        ctx, actor, kind=kind, status=status, notice_type=ntype, requester=requester, page=pg,
        per_page=PER_PAGE,
    )  # fmt: skip
    return page(
        request, staff, "staff/notices.html",
        rows=[_row(n) for n in result.items],
        paging=Paging(result.page, result.per_page, result.total),
        filters={"kind": kind.value, "status": q.get("status", default_status or ""),
                 "type": q.get("type", ""), "requester": requester or ""},
        statuses=[s.value for s in Status], types=forms.CHOICES["types"],
    )  # fmt: skip


@router.get("/staff/go")
def go_to(request: Request, staff: Staff) -> Response:
    """Open a request by its id (ids are not personal data; names are never searched by GET)."""
    actor = actor_of(request, staff)
    need(actor, "notice:request:read", "Reading requests")
    rid = url(svc.parse_id((request.query_params.get("id") or "").strip()[:24]))
    if actor.role == Role.SECRETARIAT:
        return redirect(f"/staff/review/{rid}")
    if actor.role == Role.NCB:
        return redirect(f"/staff/requests/{rid}")
    return redirect(f"/staff/notices/{rid}")


# --- the request form, in steps ---------------------------------------------------------


def _form_page(
    request: Request,
    staff: Any,
    step: str,
    values: dict[str, Any],
    errors: dict[str, str],
    notice: Notice | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return page(
        request, staff, "staff/ncb/request_form.html", status_code,
        step=step, steps=forms.STEPS, values=values, errors=errors, notice=notice,
        nurl=url(notice.id) if notice else None, choices=forms.CHOICES,
        charge_rows=forms.charge_rows(values), **extra,
    )  # fmt: skip


@router.get("/staff/requests/new")
def new_request(request: Request, staff: Staff) -> Response:
    need(actor_of(request, staff), "notice:request:create", "Requesting a notice")
    ntype = request.query_params.get("type", "red")
    values = {"type": ntype if ntype in forms.CHOICES["types"] else "red"}
    return _form_page(request, staff, "subject", values, {})


@router.post("/staff/requests/new")
async def create_request(request: Request, ctx: Ctx, staff: Staff, form: Form) -> Response:
    actor = actor_of(request, staff)
    need(actor, "notice:request:create", "Requesting a notice")
    values = forms.raw_values(form)
    parsed = forms.parse(values, {}, forms.STEP_KEYS["subject"])
    if not parsed.ok:
        return _form_page(request, staff, "subject", values, parsed.errors, status_code=422)
    assert parsed.content is not None
    try:
        notice = await call(svc.create_request, ctx, actor, parsed.content)
    except ValidationFailed as exc:
        errs = {"type": exc.detail}
        return _form_page(request, staff, "subject", values, errs, status_code=422)
    return redirect(f"/staff/requests/{url(notice.id)}/edit/charges?done=saved")


def _load_own(ctx: Ctx, request: Request, staff: Any, rid: str) -> Notice:
    actor = actor_of(request, staff)
    need(actor, "notice:request:update", "Changing a request")
    notice: Notice = svc.get_request(ctx, actor, rid)
    if notice.requester != actor.member:
        raise NotFound(f"no request {notice.id} of your member")
    return notice


def _editable(notice: Notice, step: str) -> None:
    if notice.status in EDITABLE:
        return
    if step == "visibility" and notice.status in VISIBILITY_LATER:
        return
    raise Conflict(
        f"{notice.id} is {notice.status.replace('_', ' ')}: only a draft or a request returned "
        "for more information can be changed"
    )


@router.get("/staff/requests/{rid}/edit/{step}")
def edit_step(request: Request, ctx: Ctx, staff: Staff, rid: str, step: str) -> Response:
    if step not in forms.STEP_NAMES:
        raise NotFound(f"no step '{step}' in the request form")
    notice = _load_own(ctx, request, staff, rid)
    if step != "check":
        _editable(notice, step)
    extra: dict[str, Any] = {}
    if step == "photos":
        with ctx.read_session_factory() as session:
            extra["photos"] = svc.photo_ids(session, notice.id)
    if step == "check":
        extra.update(_check_view(ctx, request, staff, notice))
    return _form_page(request, staff, step, forms.flatten(stored(notice)), {}, notice, **extra)


def _check_view(ctx: Ctx, request: Request, staff: Any, notice: Notice) -> dict[str, Any]:
    """The whole request for a last look, and what the checks would say if they can say it now."""
    preview = compliance.preview_checks(ctx, actor_of(request, staff), notice.id)
    views = read_findings(preview.findings)
    return {
        "content": notice.content or {},
        "preview": views,
        "preview_risk": preview.risk,
        "terms": all_terms(views or []),
        "field_findings": by_field(views or []),
    }


@router.post("/staff/requests/{rid}/edit/{step}")
async def save_step(
    request: Request, ctx: Ctx, staff: Staff, form: Form, rid: str, step: str
) -> Response:
    if step not in forms.STEP_KEYS:
        raise NotFound(f"no step '{step}' to save in the request form")
    actor = actor_of(request, staff)
    notice = await call(_load_own, ctx, request, staff, rid)
    _editable(notice, step)
    values = forms.raw_values(form)
    if step == "subject":
        values["type"] = notice.type  # the type of a request does not change
    parsed = forms.parse(values, stored(notice), forms.STEP_KEYS[step])
    if not parsed.ok:
        return _form_page(request, staff, step, values, parsed.errors, notice, status_code=422)
    assert parsed.content is not None
    try:
        if notice.status in VISIBILITY_LATER:
            vis = parsed.content.visibility
            await call(svc.set_visibility, ctx, actor, notice.id, Visibility.model_validate(vis))
            return redirect(f"/staff/requests/{url(notice.id)}?done=saved")
        await call(svc.update_request, ctx, actor, notice.id, parsed.content)
    except ValidationFailed as exc:
        key = "visibility.public_extract" if step == "visibility" else "form"
        return _form_page(request, staff, step, values, {key: exc.detail}, notice, status_code=422)
    if form.get("more"):
        return redirect(f"/staff/requests/{url(notice.id)}/edit/{step}?done=saved")
    following = forms.STEP_NAMES[forms.STEP_NAMES.index(step) + 1]
    return redirect(f"/staff/requests/{url(notice.id)}/edit/{following}?done=saved")


@router.post("/staff/requests/{rid}/photos")
async def upload_photo(request: Request, ctx: Ctx, staff: Staff, form: Form, rid: str) -> Response:
    actor = actor_of(request, staff)
    upload = form.get("photo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("choose an image file (JPEG, PNG or WebP) to add")
    data = await upload.read(ctx.settings.max_photo_bytes + 1)
    content_type = upload.content_type or ""
    await call(svc.add_photo, ctx, actor, rid, content_type, data)
    return redirect(f"/staff/requests/{url(svc.parse_id(rid))}/edit/photos?done=photo")


@router.get("/staff/notices/{rid}/photos/{photo_id}")
def photo(request: Request, ctx: Ctx, staff: Staff, rid: str, photo_id: int) -> Response:
    p = svc.get_photo(ctx, actor_of(request, staff), rid, photo_id)
    return Response(
        p.data, media_type=p.content_type, headers={"Cache-Control": "private, no-store"}
    )


@router.post("/staff/requests/{rid}/submit")
def submit(request: Request, ctx: Ctx, staff: Staff, form: Form, rid: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "notice:request:create", "Submitting a request")
    before = svc.get_request(ctx, actor, rid).status
    notice = svc.submit_request(ctx, actor, rid)
    done = "resubmitted" if before == Status.INFO_REQUESTED.value else "submitted"
    return redirect(f"/staff/requests/{url(notice.id)}?done={done}")


# --- one request, as its requester sees it ---------------------------------------------


@router.get("/staff/requests/{rid}")
def request_page(request: Request, ctx: Ctx, staff: Staff, rid: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "notice:request:read", "Reading requests")
    notice = svc.get_request(ctx, actor, rid)
    if actor.role != Role.NCB or notice.requester != actor.member:
        return redirect(f"/staff/notices/{url(notice.id)}")
    steps = svc.history(ctx, actor, notice.id)
    views = read_findings(notice.findings)
    with ctx.read_session_factory() as session:
        photos = svc.photo_ids(session, notice.id)
    return page(
        request, staff, "staff/ncb/request.html",
        notice=notice, nurl=url(notice.id), content=notice.content or {}, findings=views,
        terms=all_terms(views), field_findings=by_field(views), history=steps,
        questions=questions(steps), photos=photos,
        actions=[
            (a.value, ACTION_LABELS[a])
            for a in available_actions(Kind(notice.kind), Status(notice.status), Role.NCB, True)
            if a in ACTION_LABELS
        ],
        editable=notice.status in EDITABLE, info_requested=notice.status == "info_requested",
    )  # fmt: skip


@router.get("/staff/notices/{rid}")
def notice_page(request: Request, ctx: Ctx, staff: Staff, rid: str) -> Response:
    """The file of a notice, read-only: other members' notices, or the commission's reading."""
    actor = actor_of(request, staff)
    need(actor, "notice:request:read", "Reading notices")
    notice = svc.get_request(ctx, actor, rid)
    reviewer = actor.role in (Role.SECRETARIAT, Role.CCF)
    own = actor.role == Role.NCB and actor.member == notice.requester
    steps = svc.history(ctx, actor, notice.id) if (reviewer or own) else []
    views = read_findings(notice.findings) if (reviewer or own) else []
    with ctx.read_session_factory() as session:
        photos = svc.photo_ids(session, notice.id)
    return page(
        request, staff, "staff/notice.html",
        notice=notice, nurl=url(notice.id), content=notice.content or {}, findings=views,
        terms=all_terms(views), field_findings=by_field(views), history=steps, photos=photos,
        reviewer=reviewer, own=own,
    )  # fmt: skip


@router.post("/staff/requests/{rid}/act")
def act(request: Request, ctx: Ctx, staff: Staff, form: Form, rid: str) -> Response:
    actor = actor_of(request, staff)
    need(actor, "notice:request:create", "Acting on a request")
    try:
        action = Action(text(form, "action", 20))
    except ValueError:
        raise ValidationFailed("choose one of the actions offered") from None
    if action not in ACTION_LABELS:
        raise ValidationFailed("choose one of the actions offered")
    reasons = text(form, "reasons", 4000) or None
    notice = svc.act_on_request(ctx, actor, rid, action, reasons)
    return redirect(f"/staff/requests/{url(notice.id)}?done=acted")


# --- diffusions -------------------------------------------------------------------------

DIFFUSION_KEYS = ("type", "purpose", "subject", "charges", "warrant", "summary", "contact")


@router.get("/staff/diffusions/new")
def new_diffusion(request: Request, staff: Staff) -> Response:
    need(actor_of(request, staff), "diffusion:message:send", "Sending a diffusion")
    return page(
        request, staff, "staff/ncb/diffusion_form.html", values={"type": "red"}, errors={},
        choices=forms.CHOICES, charge_rows=[0],
    )  # fmt: skip


@router.post("/staff/diffusions/new")
async def send_diffusion(request: Request, ctx: Ctx, staff: Staff, form: Form) -> Response:
    actor = actor_of(request, staff)
    need(actor, "diffusion:message:send", "Sending a diffusion")
    values = forms.raw_values(form)
    parsed = forms.parse(values, {}, DIFFUSION_KEYS)
    recipients = forms.tree_from(values, ["recipients"]).get("recipients") or []
    errors = dict(parsed.errors)
    if not recipients:
        errors["recipients"] = "Name at least one member country to send it to."
    if errors or parsed.content is None:
        return page(
            request, staff, "staff/ncb/diffusion_form.html", 422, values=values, errors=errors,
            choices=forms.CHOICES, charge_rows=forms.charge_rows(values, extra=0) or [0],
        )  # fmt: skip
    try:
        notice = await call(svc.send_diffusion, ctx, actor, parsed.content, recipients)
    except ValidationFailed as exc:
        return page(
            request, staff, "staff/ncb/diffusion_form.html", 422, values=values,
            errors={"recipients": exc.detail}, choices=forms.CHOICES,
            charge_rows=forms.charge_rows(values, extra=0) or [0],
        )  # fmt: skip
    return redirect(f"/staff/requests/{url(notice.id)}?done=sent")


# --- inbox ------------------------------------------------------------------------------


@router.get("/staff/inbox")
def inbox(request: Request, ctx: Ctx, staff: Staff) -> Response:
    actor = actor_of(request, staff)
    need(actor, "notification:inbox:read", "The inbox")
    q = request.query_params
    kind = (q.get("kind") or "").strip()[:30] or None
    unread = q.get("unread") == "1"
    rows = inbox_svc.inbox(ctx, actor, unread_only=unread, kind=kind, limit=1000)
    items, paging = page_slice(rows, _int(q.get("page")), PER_PAGE)
    return page(
        request, staff, "staff/ncb/inbox.html", rows=items, paging=paging,
        filters={"kind": kind or "", "unread": "1" if unread else ""},
        kinds=sorted({r.kind for r in rows} | {"hit", "purge", "decision:ask_info"}),
        url=url,
    )  # fmt: skip


@router.post("/staff/inbox/{nid}/read")
def mark_read(request: Request, ctx: Ctx, staff: Staff, form: Form, nid: int) -> Response:
    inbox_svc.mark_read(ctx, actor_of(request, staff), nid)
    return redirect("/staff/inbox?done=read")
