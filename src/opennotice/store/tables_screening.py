"""Screening: the hits recorded for the requesting NCBs, and the records brought in by import.

Neither table holds personal data: a hit names the notice, who screened, where and when, never
the traveller; an import row maps a notice to the identifier it had in the source file.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .tables import UTC, Base, BigId, utcnow


class ScreeningHit(Base):
    """One screening query matched one notice or diffusion in force."""

    __tablename__ = "screening_hits"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"))
    notice_kind: Mapped[str] = mapped_column(String(12))
    requester: Mapped[str] = mapped_column(String(3))
    # The member whose system screened (None: the operator's command line without a member).
    member: Mapped[str | None] = mapped_column(String(3))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    place: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    batch: Mapped[bool] = mapped_column(default=False)
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)

    __table_args__ = (
        Index("ix_screening_hits_notice", "notice_id"),
        Index("ix_screening_hits_requester_at", "requester", "at"),
    )


class ImportedNotice(Base):
    """A notice created by `opennotice import`, keyed by its identifier in the source file."""

    __tablename__ = "imported_notices"
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(60), unique=True)
    imported_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
