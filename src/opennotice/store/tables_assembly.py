"""General Assembly elections: sessions, delegations, posts, candidacies, ballots.

The secret ballot is kept in two tables with no link between them:
- `assembly_voter_roll` records THAT a member voted in a ballot (ballot id, member; nothing else);
- `assembly_ballot_papers` records WHAT was voted (ballot id, receipt, choice).
Neither has a time, a sequence number or an auto-incremented id. A paper's primary key is its
receipt, a random code, and on SQLite the table is WITHOUT ROWID, so its storage order is the
order of random codes. When a ballot closes, both tables' rows of that ballot are rewritten in
one transaction (papers in shuffled order, the roll sorted by member) so that on PostgreSQL
neither the physical order (ctid) nor the inserting transaction (xmin) tells who voted what.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables import UTC, Base, BigId, utcnow


class AssemblySession(Base):
    __tablename__ = "assembly_sessions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    agenda: Mapped[str] = mapped_column(Text, default="")
    nominations_close: Mapped[dt.datetime] = mapped_column(UTC)
    candidates_published_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class AssemblyDelegation(Base):
    """A member's delegation to a session; `present` counts towards the quorum."""

    __tablename__ = "assembly_delegations"
    session_id: Mapped[int] = mapped_column(
        ForeignKey("assembly_sessions.id"), primary_key=True, autoincrement=False
    )
    member: Mapped[str] = mapped_column(ForeignKey("members.code"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)


class AssemblyDelegate(Base):
    """A delegate accredited to vote for their member: an NCB user of that member."""

    __tablename__ = "assembly_delegates"
    session_id: Mapped[int] = mapped_column(
        ForeignKey("assembly_sessions.id"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id"), primary_key=True, autoincrement=False
    )
    member: Mapped[str] = mapped_column(ForeignKey("members.code"))
    credentials: Mapped[str] = mapped_column(String(300))
    accredited_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class AssemblyPost(Base):
    """One post to fill at the session: a kind from the rules, seats, and (if the rules reserve
    its seats per continent) the continent."""

    __tablename__ = "assembly_posts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assembly_sessions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    continent: Mapped[str | None] = mapped_column(String(20))
    seats: Mapped[int] = mapped_column(Integer, default=1)
    term_years: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class AssemblyContinuing(Base):
    """A Committee member whose term continues through the session (not up for election)."""

    __tablename__ = "assembly_continuing"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assembly_sessions.id"), index=True)
    post_kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(3))


class AssemblyCandidacy(Base):
    __tablename__ = "assembly_candidacies"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assembly_sessions.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("assembly_posts.id"), index=True)
    nominated_by: Mapped[str] = mapped_column(ForeignKey("members.code"))
    name: Mapped[str] = mapped_column(String(200))
    nationality: Mapped[str] = mapped_column(String(3))
    current_position: Mapped[str] = mapped_column(String(300))
    statement: Mapped[str] = mapped_column(Text)
    # nominated | withdrawn | elected
    status: Mapped[str] = mapped_column(String(20), default="nominated")
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)

    __table_args__ = (UniqueConstraint("post_id", "name", "nationality"),)


class AssemblyDocument(Base):
    """An objection, open letter or other public document about a candidacy, by observers."""

    __tablename__ = "assembly_documents"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("assembly_candidacies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # objection | open_letter | support | other
    title: Mapped[str] = mapped_column(String(300))
    authors: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class AssemblyBallot(Base):
    """One round of voting for one seat of a post."""

    __tablename__ = "assembly_ballots"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assembly_sessions.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("assembly_posts.id"), index=True)
    seat: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    majority: Mapped[str] = mapped_column(String(20))
    candidates: Mapped[list[Any]] = mapped_column(default=list)  # candidacy ids standing
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    members_present: Mapped[int] = mapped_column(Integer, default=0)
    members_total: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    result: Mapped[dict[str, Any] | None] = mapped_column()
    elected_candidacy: Mapped[int | None] = mapped_column(ForeignKey("assembly_candidacies.id"))

    __table_args__ = (UniqueConstraint("post_id", "seat", "round"),)


class AssemblyVoterRoll(Base):
    """THAT a member voted in a ballot. No time, no delegate, no order."""

    __tablename__ = "assembly_voter_roll"
    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("assembly_ballots.id"), primary_key=True, autoincrement=False
    )
    member: Mapped[str] = mapped_column(ForeignKey("members.code"), primary_key=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class AssemblyBallotPaper(Base):
    """WHAT was voted, under a random receipt. No time, no member, no order."""

    __tablename__ = "assembly_ballot_papers"
    receipt: Mapped[str] = mapped_column(String(32), primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("assembly_ballots.id"))
    kind: Mapped[str] = mapped_column(String(10))  # candidate | abstain | spoilt
    candidacy_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_assembly_ballot_papers_ballot", "ballot_id"),
        {"sqlite_with_rowid": False},
    )
