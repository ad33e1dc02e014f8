"""The database schema. Personal data lives in `notices.content` and `photos` only, so that a
deletion can purge it in one place and keep a tombstone."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments INTEGER PRIMARY KEY, PostgreSQL wants BIGINT for big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonType, list[Any]: JsonType}


UTC = DateTime(timezone=True)


class Member(Base):
    __tablename__ = "members"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    prior_review: Mapped[bool] = mapped_column(Boolean, default=False)
    prior_review_since: Mapped[dt.datetime | None] = mapped_column(UTC)
    prior_review_reason: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    member: Mapped[str | None] = mapped_column(ForeignKey("members.code"))
    nationality: Mapped[str | None] = mapped_column(String(3))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # HMAC-SHA256 of the API token under the server key: one indexed lookup per request.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTC)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class NoticeSerial(Base):
    """The last serial used per year: ids are YYYY/N with no gaps and no padding."""

    __tablename__ = "notice_serials"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Notice(Base):
    """A notice request or a diffusion, from draft to tombstone."""

    __tablename__ = "notices"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    type: Mapped[str] = mapped_column(String(12))
    requester: Mapped[str] = mapped_column(ForeignKey("members.code"))
    status: Mapped[str] = mapped_column(String(20))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    public_extract: Mapped[bool] = mapped_column(Boolean, default=False)
    restricted_from: Mapped[list[Any]] = mapped_column(default=list)
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    # The request itself (subject, charges, warrant...): personal data, purged on deletion.
    content: Mapped[dict[str, Any] | None] = mapped_column()
    risk: Mapped[str | None] = mapped_column(String(20))
    findings: Mapped[list[Any]] = mapped_column(default=list)
    sent_under_prior_review: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    refusal_ground: Mapped[str | None] = mapped_column(String(20))
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    deletion_ground: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_notices_status_kind", "status", "kind"),
        Index("ix_notices_requester", "requester"),
    )


class NoticeHistory(Base):
    """Every lifecycle step, with reasons: what the figures and the review desk read."""

    __tablename__ = "notice_history"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_member: Mapped[str | None] = mapped_column(String(3))
    reasons: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class Photo(Base):
    __tablename__ = "photos"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class Notification(Base):
    """What an NCB is told: a hit on its notice, a purge order, a question from review."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member: Mapped[str] = mapped_column(ForeignKey("members.code"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    notice_id: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTC)


class IndexChange(Base):
    """A change feed that every server process polls to keep its screening index current."""

    __tablename__ = "index_changes"
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class AuditEvent(Base):
    """Append-only and hash-chained. On PostgreSQL a trigger refuses UPDATE and DELETE."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed as written
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(20))
    member: Mapped[str | None] = mapped_column(String(3))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(60), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last event's number and hash: removing events from the end shows up against it."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class WebSession(Base):
    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTC)
