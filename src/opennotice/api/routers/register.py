"""/api/v1/protected-persons: the register of persons protected against requests.

An NCB records refugee status its country granted (and is told only the entry's number); the
secretariat and the commission record and read entries, each read audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from opennotice.domain.content import Strict
from opennotice.domain.types import Role
from opennotice.services import register as svc

from ..deps import Ctx, CurrentActor

router = APIRouter(prefix="/api/v1/protected-persons", tags=["protected-persons"])


class EntryOut(BaseModel):
    id: int
    kind: str
    person: dict[str, Any]
    recorded_by: str | None = None
    against: str | None = None
    granted_on: dt.date | None = None
    ground: str | None = None
    profile: str | None = None
    reference: str | None = None
    notice_id: str | None = None
    notes: str | None = None
    active: bool
    ended_at: dt.datetime | None = None
    end_reason: str | None = None
    created_role: str
    created_at: dt.datetime


class CreatedOut(BaseModel):
    """What an NCB is told: the entry exists. It cannot read it back."""

    id: int
    kind: str
    created_at: dt.datetime


class MatchOut(BaseModel):
    entry: EntryOut
    score: float
    explanation: dict[str, Any]


class EndIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class SearchIn(Strict):
    person: svc.PersonIdentity
    threshold: Annotated[float, Field(ge=0.5, le=1.0)] = 0.75


@router.post(
    "",
    status_code=201,
    response_model=EntryOut | CreatedOut,
    summary="Record a protected person (NCB: refugee status its country granted)",
)
def create(body: svc.EntryIn, ctx: Ctx, actor: CurrentActor) -> EntryOut | CreatedOut:
    entry = svc.create_entry(ctx, actor, body)
    if actor.role == Role.NCB:
        return CreatedOut(id=entry.id, kind=entry.kind, created_at=entry.created_at)
    return EntryOut.model_validate(svc.entry_view(entry))


@router.get("", response_model=list[EntryOut], summary="Register entries (audited)")
def list_entries(
    ctx: Ctx,
    actor: CurrentActor,
    against: Annotated[str | None, Query(max_length=3)] = None,
    kind: Annotated[str | None, Query(max_length=12)] = None,
    include_ended: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[EntryOut]:
    rows = svc.list_entries(
        ctx, actor, against=against, kind=kind, include_ended=include_ended, limit=limit
    )
    return [EntryOut.model_validate(svc.entry_view(r)) for r in rows]


@router.post("/search", response_model=list[MatchOut], summary="Find a person in the register")
def search(body: SearchIn, ctx: Ctx, actor: CurrentActor) -> list[MatchOut]:
    found = svc.search_entries(ctx, actor, body.person, body.threshold)
    return [
        MatchOut(entry=EntryOut.model_validate(svc.entry_view(e)), score=s, explanation=why)
        for e, s, why in found
    ]


@router.get("/{entry_id}", response_model=EntryOut, summary="One register entry (audited)")
def get(entry_id: int, ctx: Ctx, actor: CurrentActor) -> EntryOut:
    return EntryOut.model_validate(svc.entry_view(svc.get_entry(ctx, actor, entry_id)))


@router.post("/{entry_id}/end", response_model=CreatedOut, summary="End a protection, with reasons")
def end(entry_id: int, body: EndIn, ctx: Ctx, actor: CurrentActor) -> CreatedOut:
    entry = svc.end_entry(ctx, actor, entry_id, body.reason)
    return CreatedOut(id=entry.id, kind=entry.kind, created_at=entry.created_at)
