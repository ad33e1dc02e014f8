"""The commission's files (CCF). Kept apart from police files: nothing here is read by the
screening index or shown to an NCB except the questions and decisions sent to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .tables import UTC, Base, BigId, utcnow


class CcfCase(Base):
    """One request by an individual (or their lawyer) for access, correction or deletion."""

    __tablename__ = "ccf_cases"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    # HMAC-SHA256 of the follow-up secret under the server key; the secret itself is not kept.
    secret_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(20), index=True)
    # Who asks, on whose behalf, and why: personal data, confidential to the commission.
    applicant: Mapped[dict[str, Any]] = mapped_column()
    grounds: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    admissibility_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    admitted: Mapped[bool] = mapped_column(Boolean, default=False)
    admissibility_reasons: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    outcome: Mapped[str | None] = mapped_column(String(20))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    executed_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    revisions: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class CcfDocument(Base):
    __tablename__ = "ccf_documents"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ccf_cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(60))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class CcfLink(Base):
    """A notice or diffusion the case concerns: proposed by the matcher, confirmed by a member
    of the commission. `requester` is copied so that the figures survive a deletion."""

    __tablename__ = "ccf_links"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ccf_cases.id"), index=True)
    notice_id: Mapped[str] = mapped_column(String(20), index=True)
    requester: Mapped[str] = mapped_column(String(3))
    score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12))  # proposed | confirmed | rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_during_review: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)

    __table_args__ = (Index("ix_ccf_links_case_notice", "case_id", "notice_id", unique=True),)


class CcfConsultation(Base):
    """The requesting NCB asked for its view, with a deadline."""

    __tablename__ = "ccf_consultations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ccf_cases.id"), index=True)
    notice_id: Mapped[str] = mapped_column(String(20))
    member: Mapped[str] = mapped_column(String(3), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)
    view: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CcfEvent(Base):
    """Every step of a case, with reasons: what the applicant's follow-up page and the
    commission's file show."""

    __tablename__ = "ccf_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ccf_cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_member: Mapped[str | None] = mapped_column(String(3))
    reasons: Mapped[str | None] = mapped_column(Text)
    # Shown to the applicant on the follow-up page (decisions, admissibility), or not.
    to_applicant: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class VisibilitySnapshot(Base):
    """For the transparency figures: whether a notice had a public extract, recorded whenever
    that changes (a deletion purges the flag; this keeps the past of "public vs restricted").
    No personal data."""

    __tablename__ = "visibility_snapshots"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(20), index=True)
    public_extract: Mapped[bool] = mapped_column(Boolean)
    restricted_members: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
