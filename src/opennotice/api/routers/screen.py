"""/api/v1/screen: one person, or a batch as JSON lines or CSV, for screening systems and NCBs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from opennotice.domain.actors import Actor
from opennotice.domain.content import Strict
from opennotice.errors import TooLarge, ValidationFailed
from opennotice.matching import PersonQuery
from opennotice.services import screening as svc
from opennotice.services.auth import authenticate_token, remembered_actor
from opennotice.services.context import AppContext
from opennotice.services.guard import require
from opennotice.services.screening_input import (
    BatchItem,
    RowError,
    RowFormat,
    parse_text,
    query_from_fields,
)

from ..deps import bearer_token, get_ctx

router = APIRouter(prefix="/api/v1/screen", tags=["screening"])


async def screener(request: Request) -> Actor:
    """The acting user, with the role checked (the services check again).

    Screening is the hot path: a token checked moments ago is answered on the event loop;
    otherwise the lookup takes one trip to the thread pool.
    """
    ctx = get_ctx(request)
    token = bearer_token(request)
    rid = request.state.request_id
    actor = remembered_actor(ctx, token, rid)
    if actor is None:
        actor = await run_in_threadpool(authenticate_token, ctx, token, rid)
    require(actor, "screen:query:make")
    return actor


Screener = Annotated[Actor, Depends(screener)]

MAX_BATCH_ROWS = 50_000
Name = Annotated[str, Field(max_length=200)]
Threshold = Annotated[float, Field(ge=0.7, le=1.0)]
Limit = Annotated[int, Field(ge=1, le=svc.MAX_LIMIT)]
MrzLines = Annotated[list[Annotated[str, Field(max_length=60)]], Field(min_length=2, max_length=2)]


class ScreenIn(Strict):
    """A person to screen: names and the other fields, or the two MRZ lines of a passport."""

    family_name: Name | None = None
    given_names: Name | None = None
    date_of_birth: Annotated[str, Field(max_length=20)] | None = None
    sex: Annotated[str, Field(max_length=6)] | None = None
    nationalities: Annotated[list[Annotated[str, Field(max_length=3)]], Field(max_length=5)] = []
    document_number: Annotated[str, Field(max_length=40)] | None = None
    mrz: MrzLines | None = None
    where: Annotated[str, Field(max_length=200)] | None = None
    threshold: Threshold | None = None
    limit: Limit = 10


class HitOut(BaseModel):
    notice: str
    kind: str
    type: str
    requester: str
    action: str
    contact: str
    name: str
    original_name: str | None
    date_of_birth: str | None
    score: float
    explanation: dict[str, Any]


class ScreenOut(BaseModel):
    hits: list[HitOut]
    at: str


class RowOut(BaseModel):
    line: int
    ref: str | None
    hits: list[HitOut]


class RowErrorOut(BaseModel):
    line: int
    message: str


class BatchOut(BaseModel):
    rows: int
    screened: int
    rejected: int
    hits: int
    results: list[RowOut]
    errors: list[RowErrorOut]
    at: str


_JSONL = {"application/x-ndjson", "application/jsonl", "application/x-jsonlines",
          "application/json-lines", "application/jsonlines", "application/ndjson"}  # fmt: skip
_CSV = {"text/csv", "application/csv", "text/plain"}


def _hits(hits: list[svc.Hit]) -> list[HitOut]:
    return [HitOut.model_validate(h.as_dict()) for h in hits]


def person_to_screen(body: ScreenIn) -> PersonQuery:
    """The query of a validated body; ValidationFailed when its fields do not make one."""
    fields = body.model_dump(exclude={"where", "threshold", "limit"}, exclude_none=True)
    if body.mrz is None:
        fields.pop("mrz", None)
    try:
        query, _ = query_from_fields(fields)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    return query


def start_screening(
    ctx: AppContext, actor: Actor, body: ScreenIn, query: PersonQuery
) -> svc.PendingScreen:
    """Search now, on the event loop: the search is processor work (no I/O), and doing it here
    saves two thread hops per query. The audit event and hits are committed by the writer
    thread; nothing may be answered before `written` completes (`screening_answer`)."""
    return svc.start_screen_one(
        ctx, actor, query, body.where, threshold=body.threshold, limit=body.limit
    )


async def screening_answer(pending: svc.PendingScreen) -> JSONResponse:
    await asyncio.wrap_future(pending.written)
    result = pending.result()
    # The hits are built by the service in exactly ScreenOut's shape (a test holds them to
    # it); writing them out directly spares validating every explanation a second time.
    return JSONResponse({"hits": [h.as_dict() for h in result.hits], "at": result.at.isoformat()})


@router.post("", response_model=ScreenOut, summary="Screen one person")
async def screen_one(body: ScreenIn, request: Request, actor: Screener) -> Response:
    # Busy servers answer most of these in `screen_fast_path`, which calls the same three
    # functions and hands anything unusual to this route.
    query = person_to_screen(body)
    ctx = get_ctx(request)
    if not svc.index_ready(ctx):
        await run_in_threadpool(svc.screening_index, ctx)  # first use: load from the database
    return await screening_answer(start_screening(ctx, actor, body, query))


def _rows(body: bytes, content_type: str) -> list[BatchItem | RowError]:
    media = content_type.split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("the body must be UTF-8 text") from None
    if media == "application/json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise ValidationFailed("the body is not valid JSON") from None
        if not isinstance(data, list):
            raise ValidationFailed("a JSON body is a list of people (or send JSON lines)")
        lines = [json.dumps(item) for item in data]
        rows = list(parse_text("\n".join(lines), RowFormat.JSONL))
    elif media in _JSONL:
        rows = list(parse_text(text, RowFormat.JSONL))
    elif media in _CSV:
        rows = list(parse_text(text, RowFormat.CSV))
    else:
        raise ValidationFailed(
            "send the batch as JSON lines (Content-Type: application/x-ndjson) or CSV "
            "(Content-Type: text/csv) with a header line"
        )
    if len(rows) > MAX_BATCH_ROWS:
        raise TooLarge(f"a batch holds at most {MAX_BATCH_ROWS} people; split the file")
    if not rows:
        raise ValidationFailed("the batch is empty")
    return rows


@router.post(
    "/batch",
    response_model=BatchOut,
    summary="Screen many people (JSON lines or CSV)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def screen_batch(
    request: Request,
    actor: Screener,
    where: Annotated[str | None, Query(max_length=200)] = None,
    threshold: Annotated[float | None, Query(ge=0.7, le=1.0)] = None,
) -> BatchOut:
    body = await request.body()
    rows = await run_in_threadpool(_rows, body, request.headers.get("content-type", ""))
    ctx = get_ctx(request)
    result = await run_in_threadpool(svc.screen_batch, ctx, actor, rows, where, threshold=threshold)
    return BatchOut(
        rows=result.screened + len(result.errors),
        screened=result.screened,
        rejected=len(result.errors),
        hits=result.hits,
        results=[RowOut(line=r.line, ref=r.ref, hits=_hits(r.hits)) for r in result.rows],
        errors=[RowErrorOut(line=e.line, message=e.message) for e in result.errors],
        at=result.at.isoformat(),
    )


def install(app: FastAPI, ctx: AppContext) -> None:
    """Load the screening index when the server starts and follow the change feed while it
    runs (wraps the application's lifespan, so other start-up hooks keep working)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        index = next((i for i in ctx.listeners if isinstance(i, svc.ScreeningIndex)), None)
        if index is not None:
            await run_in_threadpool(index.start)
        try:
            async with inner(application) as state:
                yield state
        finally:
            if index is not None:
                await run_in_threadpool(index.stop)

    app.router.lifespan_context = lifespan
