"""The public transparency report: `/transparency` (HTML with server-drawn SVG charts),
`/transparency.json` and `/transparency.csv` (schema in docs/transparency.md). No login."""

from __future__ import annotations

import csv
import io
import json
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from opennotice.services import transparency as svc
from opennotice.services.context import AppContext
from opennotice.store.tables import Notice, NoticeHistory, Notification, utcnow
from opennotice.web.transparency_page import page_href, render_page

from ..deps import Ctx

router = APIRouter(tags=["transparency"])
_lock = threading.Lock()
_cache: dict[int, tuple[tuple[Any, ...], svc.Report]] = {}


def _fingerprint(ctx: AppContext) -> tuple[Any, ...]:
    """Changes whenever a figure could: a new event, a new hit, a changed notice, a new day."""
    with ctx.read_session_factory() as session:
        return (
            session.scalar(select(func.max(NoticeHistory.id))),
            session.scalar(select(func.max(Notification.id))),
            session.scalar(select(func.max(Notice.updated_at))),
            utcnow().date(),
        )


def current_report(ctx: AppContext) -> svc.Report:
    key = _fingerprint(ctx)
    with _lock:
        hit = _cache.get(id(ctx))
        if hit is not None and hit[0] == key:
            return hit[1]
    report = svc.compute(ctx)
    with _lock:
        _cache[id(ctx)] = (key, report)
    return report


def csv_text(report: svc.Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=svc.CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in [*report.rows, *report.world]:
        writer.writerow({k: ("" if v is None else v) for k, v in row.as_row().items()})
    return out.getvalue()


@router.get("/transparency", response_class=HTMLResponse, summary="The public report (HTML)")
def page(
    ctx: Ctx,
    year: Annotated[int | None, Query(ge=1900, le=9999)] = None,
    sort: Annotated[str, Query(pattern="^(member|requests|refusal_rate|restricted_share)$")] = (
        "member"
    ),
) -> HTMLResponse:
    html = render_page(current_report(ctx), year=year, sort=sort, href=page_href("/transparency"))
    return HTMLResponse(html, headers={"Cache-Control": "public, max-age=60"})


@router.get(
    "/transparency.json", summary="The public report (JSON, schema opennotice.transparency/1)"
)
def as_json(ctx: Ctx) -> Response:
    body = json.dumps(current_report(ctx).as_json(), ensure_ascii=False, indent=1)
    return Response(
        body, media_type="application/json", headers={"Cache-Control": "public, max-age=60"}
    )


@router.get("/transparency.csv", summary="The public report (CSV, one row per member and year)")
def as_csv(ctx: Ctx) -> Response:
    return Response(
        csv_text(current_report(ctx)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="transparency.csv"',
            "Cache-Control": "public, max-age=60",
        },
    )
