"""Public figures per requesting member and year, from events and tombstones.

Every figure is counted from `notice_history` (which a deletion never touches), from the tombstone
columns a deletion keeps (`kind`, `type`, `requester`, `refusal_ground`,
`sent_under_prior_review`) and from the notifications of kind `hit`: deleting a notice therefore
leaves every count unchanged. Counts only: no name, no notice id. Schema: docs/transparency.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennotice.domain.countries import country_name
from opennotice.domain.types import Kind, NoticeType, RefusalGround, Status
from opennotice.store.tables import Notice, NoticeHistory, Notification, utcnow
from opennotice.store.tables_ccf import VisibilitySnapshot

from .context import AppContext

SCHEMA = "opennotice.transparency/1"
GROUNDS = [g.value for g in RefusalGround]
TYPES = [t.value for t in NoticeType]
SORT_KEYS = ("member", "requests", "refusal_rate", "restricted_share")


@dataclass
class Figures:
    """One requesting member (or "ALL", the world) in one calendar year (UTC)."""

    member: str
    year: int
    requests_by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    issued: int = 0
    refused_by_ground: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUNDS, 0))
    information_requested: int = 0
    diffusions_sent: int = 0
    diffusions_recalled: int = 0
    diffusions_sent_under_prior_review: int = 0
    valid_public: int = 0
    valid_restricted: int = 0
    withdrawals_during_commission_review: int = 0
    commission_requests: int = 0
    commission_decisions: int = 0
    commission_deletions_ordered: int = 0
    hits: int = 0
    decision_days: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.requests_by_type.values())

    @property
    def refused(self) -> int:
        return sum(self.refused_by_ground.values())

    @property
    def valid(self) -> int:
        return self.valid_public + self.valid_restricted

    @property
    def refusal_rate(self) -> float | None:
        decided = self.issued + self.refused
        return round(self.refused / decided, 4) if decided else None

    @property
    def restricted_share(self) -> float | None:
        return round(self.valid_restricted / self.valid, 4) if self.valid else None

    @property
    def median_days_to_decision(self) -> float | None:
        if not self.decision_days:
            return None
        return round(statistics.median(self.decision_days), 1)

    def add(self, other: Figures) -> None:
        for key in TYPES:
            self.requests_by_type[key] += other.requests_by_type[key]
        for key in GROUNDS:
            self.refused_by_ground[key] += other.refused_by_ground[key]
        for name in _COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.decision_days.extend(other.decision_days)

    def as_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "member_name": "World" if self.member == "ALL" else country_name(self.member),
            "year": self.year,
            "requests": {"total": self.requests, "by_type": dict(self.requests_by_type)},
            "issued": self.issued,
            "refused": {"total": self.refused, "by_ground": dict(self.refused_by_ground)},
            "information_requested": self.information_requested,
            "diffusions": {
                "sent": self.diffusions_sent,
                "recalled": self.diffusions_recalled,
                "sent_under_prior_review": self.diffusions_sent_under_prior_review,
            },
            "valid_at_year_end": {
                "total": self.valid,
                "public": self.valid_public,
                "restricted": self.valid_restricted,
            },
            "withdrawals_during_commission_review": self.withdrawals_during_commission_review,
            "commission": {
                "requests": self.commission_requests,
                "decisions": self.commission_decisions,
                "deletions_ordered": self.commission_deletions_ordered,
            },
            "median_days_to_decision": self.median_days_to_decision,
            "hits": self.hits,
            "refusal_rate": self.refusal_rate,
            "restricted_share": self.restricted_share,
        }

    def as_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"member": self.member, "year": self.year}
        row["requests_total"] = self.requests
        for key in TYPES:
            row[f"requests_{key}"] = self.requests_by_type[key]
        row["issued"] = self.issued
        row["refused_total"] = self.refused
        for key in GROUNDS:
            row[f"refused_{key}"] = self.refused_by_ground[key]
        for name in _COUNTERS:
            if name not in ("issued",):
                row[name] = getattr(self, name)
        row["valid_total"] = self.valid
        row["median_days_to_decision"] = self.median_days_to_decision
        row["refusal_rate"] = self.refusal_rate
        row["restricted_share"] = self.restricted_share
        return row


_COUNTERS = (
    "issued",
    "information_requested",
    "diffusions_sent",
    "diffusions_recalled",
    "diffusions_sent_under_prior_review",
    "valid_public",
    "valid_restricted",
    "withdrawals_during_commission_review",
    "commission_requests",
    "commission_decisions",
    "commission_deletions_ordered",
    "hits",
)
CSV_COLUMNS = list(Figures("XX", 0).as_row().keys())


@dataclass
class Report:
    generated_at: dt.datetime
    years: list[int]
    rows: list[Figures]  # one per member and year with any activity, sorted by member, year
    world: list[Figures]  # member "ALL", one per year

    def for_year(self, year: int) -> list[Figures]:
        return [r for r in self.rows if r.year == year]

    def totals_by_member(self) -> list[Figures]:
        """All years together, per member (year 0): what the world ranking ranks."""
        out: dict[str, Figures] = {}
        for row in self.rows:
            total = out.setdefault(row.member, Figures(row.member, 0))
            total.add(row)
        # Valid notices are a stock, not a flow: take the latest year's, not the sum.
        latest = max(self.years) if self.years else 0
        for member, total in out.items():
            last = next((r for r in self.rows if r.member == member and r.year == latest), None)
            total.valid_public = last.valid_public if last else 0
            total.valid_restricted = last.valid_restricted if last else 0
        return sorted(out.values(), key=lambda f: f.member)

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "years": self.years,
            "members": [r.as_json() for r in self.rows],
            "world": [w.as_json() for w in self.world],
        }


def sort_rows(rows: list[Figures], key: str) -> list[Figures]:
    """Highest rate first (rows without a rate last); by member code otherwise."""
    if key == "refusal_rate":
        return sorted(
            rows, key=lambda r: (r.refusal_rate is None, -(r.refusal_rate or 0), r.member)
        )
    if key == "restricted_share":
        return sorted(
            rows, key=lambda r: (r.restricted_share is None, -(r.restricted_share or 0), r.member)
        )
    if key == "requests":
        return sorted(rows, key=lambda r: (-r.requests, r.member))
    return sorted(rows, key=lambda r: r.member)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class _Tomb:
    kind: str
    type: str
    requester: str
    status: str
    public_extract: bool
    refusal_ground: str | None
    prior_review: bool


def compute(ctx: AppContext, now: dt.datetime | None = None) -> Report:
    """The figures, as of `now`. A public read: no personal data is read, nothing is written."""
    moment = _aware(now or utcnow())
    with ctx.read_session_factory() as session:
        tombs = {
            row.id: _Tomb(
                row.kind,
                row.type,
                row.requester,
                row.status,
                row.public_extract,
                row.refusal_ground,
                row.sent_under_prior_review,
            )
            for row in session.execute(
                select(
                    Notice.id,
                    Notice.kind,
                    Notice.type,
                    Notice.requester,
                    Notice.status,
                    Notice.public_extract,
                    Notice.refusal_ground,
                    Notice.sent_under_prior_review,
                )
            )
        }
        events = session.execute(
            select(
                NoticeHistory.notice_id,
                NoticeHistory.action,
                NoticeHistory.to_status,
                NoticeHistory.at,
                NoticeHistory.details,
            ).order_by(NoticeHistory.id)
        ).all()
        hits = session.execute(
            select(Notification.member, Notification.created_at).where(Notification.kind == "hit")
        ).all()
        snapshots = session.execute(
            select(
                VisibilitySnapshot.notice_id,
                VisibilitySnapshot.public_extract,
                VisibilitySnapshot.at,
            ).order_by(VisibilitySnapshot.id)
        ).all()
    visibility: dict[str, list[tuple[dt.datetime, bool]]] = defaultdict(list)
    for notice_id, public, at in snapshots:
        visibility[notice_id].append((_aware(at), bool(public)))
    return _aggregate(tombs, events, hits, moment, visibility)


def _aggregate(
    tombs: dict[str, _Tomb],
    events: Sequence[Any],
    hits: Sequence[Any],
    moment: dt.datetime,
    visibility: dict[str, list[tuple[dt.datetime, bool]]] | None = None,
) -> Report:
    cells: dict[tuple[str, int], Figures] = {}

    def cell(member: str, year: int) -> Figures:
        found = cells.get((member, year))
        if found is None:
            found = cells[(member, year)] = Figures(member, year)
        return found

    by_notice: dict[str, list[tuple[str, str, dt.datetime, dict[str, Any]]]] = defaultdict(list)
    for notice_id, action, to_status, at, details in events:
        if notice_id in tombs and _aware(at) <= moment:
            by_notice[notice_id].append((action, to_status, _aware(at), dict(details or {})))

    first_year = moment.year
    for notice_id, steps in by_notice.items():
        tomb = tombs[notice_id]
        member = tomb.requester
        is_notice = tomb.kind == Kind.NOTICE.value
        submitted_at: dt.datetime | None = None
        decided = False
        public_at_deletion: bool | None = None
        for action, _to, at, details in steps:
            first_year = min(first_year, at.year)
            fig = cell(member, at.year)
            if is_notice and action == "submit" and submitted_at is None:
                submitted_at = at
                if tomb.type in fig.requests_by_type:
                    fig.requests_by_type[tomb.type] += 1
            elif is_notice and action == "issue":
                fig.issued += 1
            elif is_notice and action == "refuse":
                ground = str(details.get("ground") or tomb.refusal_ground or "other")
                fig.refused_by_ground[ground if ground in GROUNDS else "other"] += 1
            elif is_notice and action == "ask_info":
                fig.information_requested += 1
            elif not is_notice and action == "send":
                fig.diffusions_sent += 1
                if tomb.prior_review:
                    fig.diffusions_sent_under_prior_review += 1
            elif not is_notice and action == "recall":
                fig.diffusions_recalled += 1
            elif action == "ccf_withdrawal":
                fig.withdrawals_during_commission_review += 1
            elif action == "ccf_case_opened":
                fig.commission_requests += 1
            elif action == "ccf_decision":
                fig.commission_decisions += 1
                if details.get("deletion_ordered"):
                    fig.commission_deletions_ordered += 1
            elif action == "delete" and "public_extract" in details:
                public_at_deletion = bool(details["public_extract"])
            if is_notice and action in ("issue", "refuse") and not decided:
                decided = True
                if submitted_at is not None:
                    days = (at - submitted_at).total_seconds() / 86400
                    fig.decision_days.append(max(days, 0.0))
        if is_notice:
            public = tomb.public_extract
            snaps = (visibility or {}).get(notice_id, [])
            if tomb.status == Status.DELETED.value:
                # The purge cleared the flag: take it from the deletion or the last snapshot.
                if public_at_deletion is not None:
                    public = public_at_deletion
                elif snaps:
                    public = snaps[-1][1]
            _valid_at_year_ends(steps, member, public, moment, cell, snaps)

    for member, created_at in hits:
        at = _aware(created_at)
        if at <= moment:
            first_year = min(first_year, at.year)
            cell(member, at.year).hits += 1

    years = sorted({y for _, y in cells} | ({moment.year} if cells else set()))
    years = list(range(min(years), max(years) + 1)) if years else []
    rows = sorted(cells.values(), key=lambda f: (f.member, f.year))
    world = []
    for year in years:
        total = Figures("ALL", year)
        for row in rows:
            if row.year == year:
                total.add(row)
        world.append(total)
    return Report(moment, years, rows, world)


def _valid_at_year_ends(
    steps: list[tuple[str, str, dt.datetime, dict[str, Any]]],
    member: str,
    public: bool,
    moment: dt.datetime,
    cell: Any,
    snaps: list[tuple[dt.datetime, bool]] | None = None,
) -> None:
    """Count the notice in each year at whose end (or at `moment`, for the current year) it
    was issued and in force, as public or restricted as it was then (from the snapshots; the
    last known state when none is that old; `public` for the current year)."""
    if not steps:
        return
    start = steps[0][2].year
    for year in range(start, moment.year + 1):
        end = min(dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC), moment)
        state = None
        for _action, to_status, at, _d in steps:
            if at < end:
                state = to_status
            else:
                break
        if state == Status.ISSUED.value:
            fig = cell(member, year)
            was_public = public
            if snaps and year < moment.year:
                earlier = [flag for at, flag in snaps if at < end]
                was_public = earlier[-1] if earlier else snaps[0][1]
            if was_public:
                fig.valid_public += 1
            else:
                fig.valid_restricted += 1


def record_visibility(ctx: AppContext, notice_id: str) -> bool:
    """Snapshot a notice's public flag when it changed since the last snapshot (not once it is
    deleted: the purge clears the flag). Returns whether a row was written."""
    with ctx.read_session_factory() as session:  # a cheap read first: most changes keep the flag
        if not _visibility_changed(session, notice_id):
            return False
    with ctx.uow() as uow:
        notice = uow.session.get(Notice, notice_id)
        if notice is None or notice.status == Status.DELETED.value:
            return False
        if notice.kind != Kind.NOTICE.value:
            return False
        last = uow.session.scalars(
            select(VisibilitySnapshot)
            .where(VisibilitySnapshot.notice_id == notice_id)
            .order_by(VisibilitySnapshot.id.desc())
            .limit(1)
        ).first()
        restricted = len(notice.restricted_from or [])
        if last is not None and (last.public_extract, last.restricted_members) == (
            notice.public_extract,
            restricted,
        ):
            return False
        uow.session.add(
            VisibilitySnapshot(
                notice_id=notice_id,
                public_extract=notice.public_extract,
                restricted_members=restricted,
                at=utcnow(),
            )
        )
        uow.commit()
        return True


def _visibility_changed(session: Session, notice_id: str) -> bool:
    row = session.execute(
        select(Notice.kind, Notice.status, Notice.public_extract, Notice.restricted_from).where(
            Notice.id == notice_id
        )
    ).first()
    if row is None or row.status == Status.DELETED.value or row.kind != Kind.NOTICE.value:
        return False
    last = session.execute(
        select(VisibilitySnapshot.public_extract, VisibilitySnapshot.restricted_members)
        .where(VisibilitySnapshot.notice_id == notice_id)
        .order_by(VisibilitySnapshot.id.desc())
        .limit(1)
    ).first()
    return last is None or (last[0], last[1]) != (
        row.public_extract,
        len(row.restricted_from or []),
    )


class VisibilityWatch:
    """A NoticeListener keeping the snapshots current (wired in bootstrap)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def notice_changed(self, notice_id: str) -> None:
        try:
            record_visibility(self.ctx, notice_id)
        except Exception:  # figures must never break the use case that changed the notice
            logging.getLogger("opennotice.transparency").warning("visibility snapshot failed")
