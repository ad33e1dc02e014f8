"""Screening pages: one person (names or the two MRZ lines of a passport) with explained hits,
and a batch file whose results come back as a page or as a CSV / JSON-lines download.

Searches are posted, never put in the address: names are personal data. Nothing typed here is
stored by these pages; the service records the hits and tells the requesting NCBs.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from opennotice.errors import TooLarge, ValidationFailed
from opennotice.services import screening as svc
from opennotice.services.screening_input import (
    BatchItem,
    RowError,
    parse_text,
    query_from_fields,
)

from .common import Ctx, Form, Staff, StaffRoute, actor_of, call, need, page, text

router = APIRouter(route_class=StaffRoute, include_in_schema=False)
MAX_BATCH_ROWS = 50_000
FIELDS = ("family_name", "given_names", "date_of_birth", "sex", "nationalities", "document_number")


def explain(expl: dict[str, Any]) -> list[str]:
    """A hit's explanation in sentences: which name parts matched how, and the other facts."""
    lines: list[str] = []
    if expl.get("record_form"):
        origin = expl.get("record_form_origin") or ""
        script = expl.get("record_script") or ""
        lines.append(
            f"Name compared with the notice's form '{expl['record_form']}'"
            + (f" ({origin}{', ' + script if script else ''})" if origin or script else "")
            + f", name score {float(expl.get('name_score') or 0):.2f}"
        )
    for part in expl.get("parts") or []:
        if isinstance(part, dict):
            how = part.get("how") or ""
            lines.append(
                f"'{part.get('query')}' ↔ '{part.get('record')}' ({part.get('record_role')} "
                f"name; {how}; similarity {float(part.get('similarity') or 0):.2f})"
            )
    for key, label in (("unmatched_query_parts", "typed"), ("unmatched_record_parts", "notice")):
        parts = expl.get(key) or []
        if parts:
            lines.append(f"Not matched in the {label} name: {', '.join(str(p) for p in parts)}")
    dob = expl.get("date_of_birth")
    if isinstance(dob, dict):
        lines.append(
            f"Date of birth: {str(dob.get('kind', '')).replace('_', ' ')}"
            f" (adjustment {dob.get('adjustment', 0):+})"
        )
    for key in ("sex", "nationality"):
        item = expl.get(key)
        if isinstance(item, dict):
            extra = ""
            if item.get("common"):
                extra = f", in common: {', '.join(str(c) for c in item['common'])}"
            lines.append(
                f"{key.capitalize()}: {str(item.get('kind', '')).replace('_', ' ')}{extra}"
                f" (adjustment {item.get('adjustment', 0):+})"
            )
    return lines


def _hit_view(hit: svc.Hit) -> dict[str, Any]:
    return hit.as_dict() | {"lines": explain(hit.explanation), "url": hit.notice_id}


@router.get("/staff/screen")
def screen_form(request: Request, staff: Staff) -> Response:
    need(actor_of(request, staff), "screen:query:make", "Screening")
    return page(request, staff, "staff/screen/form.html", values={}, errors={}, result=None)


@router.post("/staff/screen")
async def screen(request: Request, ctx: Ctx, staff: Staff, form: Form) -> Response:
    actor = actor_of(request, staff)
    need(actor, "screen:query:make", "Screening")
    values = {name: text(form, name, 200) for name in (*FIELDS, "where")}
    values["mrz"] = text(form, "mrz", 200)
    fields: dict[str, object] = {k: v for k, v in values.items() if k in FIELDS and v}
    if values["mrz"]:
        fields = {"mrz": values["mrz"]}
    if isinstance(fields.get("nationalities"), str):
        fields["nationalities"] = [
            c.strip() for c in str(fields["nationalities"]).replace(";", ",").split(",") if c
        ]
    try:
        query, _ = query_from_fields(fields)
    except ValueError as exc:
        field, _, message = str(exc).partition(":")
        key = field.strip() if message and field.strip() in (*FIELDS, "mrz") else "family_name"
        return page(
            request, staff, "staff/screen/form.html", 422, values=values,
            errors={key: (message or str(exc)).strip()}, result=None,
        )  # fmt: skip
    result = await call(svc.screen_one, ctx, actor, query, values["where"] or None)
    return page(
        request, staff, "staff/screen/form.html", values=values, errors={},
        result={"hits": [_hit_view(h) for h in result.hits], "at": result.at},
    )  # fmt: skip


@router.get("/staff/screen/batch")
def batch_form(request: Request, staff: Staff) -> Response:
    need(actor_of(request, staff), "screen:query:make", "Screening")
    return page(request, staff, "staff/screen/batch.html", result=None)


def _csv(result: svc.BatchResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["line", "ref", "notice", "type", "requester", "action", "contact", "score", "name",
         "error"]
    )  # fmt: skip
    for row in result.rows:
        if not row.hits:
            writer.writerow([row.line, row.ref or "", "", "", "", "", "", "", "", ""])
        for h in row.hits:
            writer.writerow(
                [row.line, row.ref or "", h.notice_id, h.type, h.requester, h.action, h.contact,
                 f"{h.score:.3f}", h.name, ""]
            )  # fmt: skip
    for err in result.errors:
        writer.writerow([err.line, "", "", "", "", "", "", "", "", err.message])
    return out.getvalue()


def _jsonl(result: svc.BatchResult) -> str:
    lines = [
        json.dumps({"line": r.line, "ref": r.ref, "hits": [h.as_dict() for h in r.hits]},
                   ensure_ascii=False)
        for r in result.rows
    ]  # fmt: skip
    lines += [json.dumps({"line": e.line, "error": e.message}) for e in result.errors]
    return "\n".join(lines) + "\n"


@router.post("/staff/screen/batch")
async def batch(request: Request, ctx: Ctx, staff: Staff, form: Form) -> Response:
    actor = actor_of(request, staff)
    need(actor, "screen:query:make", "Screening")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("choose a CSV or JSON-lines file of people to screen")
    raw = await upload.read(20 * 1024 * 1024 + 1)
    if len(raw) > 20 * 1024 * 1024:
        raise TooLarge("a batch file may be at most 20 MB; split it")
    try:
        body = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("the file must be UTF-8 text (CSV or JSON lines)") from None
    try:
        rows: list[BatchItem | RowError] = list(parse_text(body))
    except (csv.Error, ValueError, RecursionError):
        raise ValidationFailed(
            "the file could not be read: send CSV with a header line, or JSON lines"
        ) from None
    if not rows:
        raise ValidationFailed("the file holds nobody to screen")
    if len(rows) > MAX_BATCH_ROWS:
        raise TooLarge(f"a batch holds at most {MAX_BATCH_ROWS} people; split the file")
    where = text(form, "where", 200) or None
    result = await call(svc.screen_batch, ctx, actor, rows, where)
    output = text(form, "output", 10)
    stamp = result.at.strftime("%Y%m%dT%H%M%SZ")
    if output == "csv":
        return Response(
            _csv(result), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="screening-{stamp}.csv"',
                     "Cache-Control": "no-store"},
        )  # fmt: skip
    if output == "jsonl":
        return Response(
            _jsonl(result), media_type="application/x-ndjson",
            headers={"Content-Disposition": f'attachment; filename="screening-{stamp}.jsonl"',
                     "Cache-Control": "no-store"},
        )  # fmt: skip
    with_hits = [r for r in result.rows if r.hits]
    return page(
        request, staff, "staff/screen/batch.html",
        result={
            "screened": result.screened, "rejected": len(result.errors), "hits": result.hits,
            "rows": [{"line": r.line, "ref": r.ref, "hits": [_hit_view(h) for h in r.hits]}
                     for r in with_hits[:500]],
            "errors": result.errors[:500], "at": result.at,
        },
    )  # fmt: skip
