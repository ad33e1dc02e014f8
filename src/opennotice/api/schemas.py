"""Request and response bodies of the authenticated API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from opennotice.domain.content import RequestContent, Strict
from opennotice.domain.types import RefusalGround
from opennotice.services.reviews import Decision

T = TypeVar("T")

Reasons = Annotated[str, Field(min_length=1, max_length=4000)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class NoticeOut(Out):
    id: str
    kind: str
    type: str
    requester: str
    status: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    content: dict[str, Any] | None = None
    public_extract: bool
    photos: list[int] = []
    # Only for the requester, the secretariat and the commission:
    blocked: bool | None = None
    restricted_from: list[str] | None = None
    recipients: list[str] | None = None
    risk: str | None = None
    findings: list[dict[str, Any]] | None = None
    refusal_ground: str | None = None
    decided_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    version: int | None = None


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


class DiffusionIn(RequestContent):
    recipients: Annotated[list[str], Field(min_length=1, max_length=250)]


class ActionIn(Strict):
    reasons: Reasons | None = None


class DecisionIn(Strict):
    decision: Decision
    reasons: Reasons
    ground: RefusalGround | None = None
    cited_rules: Annotated[list[str], Field(max_length=50)] = []


class DecisionOut(BaseModel):
    outcome: str
    notice: NoticeOut


class HistoryOut(Out):
    action: str
    from_status: str | None
    to_status: str
    actor_role: str | None
    actor_member: str | None
    reasons: str | None
    at: dt.datetime


class MemberOut(Out):
    code: str
    name: str
    prior_review: bool
    prior_review_since: dt.datetime | None = None
    contact: str | None = None


class MemberUpdate(Strict):
    prior_review: bool | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    contact: Annotated[str, Field(max_length=300)] | None = None


class UserIn(Strict):
    username: Annotated[str, Field(min_length=2, max_length=80)]
    role: str
    member: Annotated[str, Field(max_length=3)] | None = None
    nationality: Annotated[str, Field(max_length=3)] | None = None
    password: Annotated[str, Field(min_length=12, max_length=200)] | None = None
    display_name: Annotated[str, Field(max_length=120)] | None = None


class UserOut(Out):
    id: int
    username: str
    role: str
    member: str | None
    nationality: str | None
    active: bool
    created_at: dt.datetime


class NewUserOut(BaseModel):
    user: UserOut
    token: str = Field(description="shown once: store it now")


class UserPatch(Strict):
    active: bool


class MeOut(BaseModel):
    username: str
    role: str
    member: str | None
    nationality: str | None


class AuditEventOut(Out):
    seq: int
    at: str
    actor: str
    role: str | None
    member: str | None
    action: str
    object_type: str | None
    object_id: str | None
    request_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str | None
    head_hash: str


class NotificationOut(Out):
    id: int
    kind: str
    notice_id: str | None
    message: str
    details: dict[str, Any]
    created_at: dt.datetime
    read_at: dt.datetime | None
