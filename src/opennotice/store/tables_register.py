"""Compliance tables: the protected-persons register, the matching keys that outlive a
deletion, the restricted evidence of findings, and overrides of findings.

All of it is personal data or leads to it: read only through services/register.py and
services/compliance.py, by the secretariat and the commission, each read audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .tables import UTC, Base, BigId, utcnow


class ProtectedPerson(Base):
    """A person protected against requests from one member (or from all, when `against` is
    empty): refugee status granted by a member, a refusal on Art. 2/3 grounds, or a decision of
    the commission."""

    __tablename__ = "protected_persons"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # refugee | refusal | commission
    # names, original-script names, aliases, date of birth, sex, nationalities
    person: Mapped[dict[str, Any]] = mapped_column()
    recorded_by: Mapped[str | None] = mapped_column(String(3))  # the granting member (refugee)
    against: Mapped[str | None] = mapped_column(String(3), index=True)
    granted_on: Mapped[dt.date | None] = mapped_column(Date)
    ground: Mapped[str | None] = mapped_column(String(20))
    profile: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(80))
    notice_id: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)

    __table_args__ = (Index("ix_protected_persons_kind_active", "kind", "active"),)


class SubjectKey(Base):
    """The few identifiers the re-submission guard matches on, one row per checked request.

    Kept when a deletion purges the request itself: it is what lets a refused or deleted
    request protect its subject from a re-submission under another spelling or notice type.
    """

    __tablename__ = "subject_keys"
    notice_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    requester: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(12))
    type: Mapped[str] = mapped_column(String(12))
    person: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class FindingEvidence(Base):
    """What a finding rests on that the requesting NCB may not see (register entries, other
    members' requests): for the secretariat and the commission only."""

    __tablename__ = "finding_evidence"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(20), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class FindingOverride(Base):
    """A reviewer sets a finding aside (override) or waives the penalty threshold (waiver),
    with reasons; it holds across later runs of the checks on the same request."""

    __tablename__ = "finding_overrides"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(20), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))  # override | waiver
    reasons: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_nationality: Mapped[str | None] = mapped_column(String(3))
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
