"""The commission's procedure (CCF) as pure rules: request kinds, case states and deadlines.

Deadlines (domain.md, "The CCF"): admissibility within 1 month of receipt; a decision on access
within 4 months, on correction or deletion within 9 months, both counted from admissibility; a
deletion ordered is carried out within 1 month of the decision; a revision is possible only on a
new fact, asked within 6 months of its discovery.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from opennotice.errors import IllegalTransition, ValidationFailed


class RequestKind(StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"


class CaseState(StrEnum):
    RECEIVED = "received"  # filed, admissibility not yet decided
    INADMISSIBLE = "inadmissible"  # closed without examination, with reasons
    UNDER_REVIEW = "under_review"  # admissible: matching, the NCB's view, examination
    DECIDED = "decided"  # decision taken; a deletion ordered is still to be carried out
    CLOSED = "closed"  # decision carried out (or nothing to carry out)


class Outcome(StrEnum):
    GRANTED = "granted"  # access given / correction ordered / deletion ordered
    PARTLY_GRANTED = "partly_granted"
    REJECTED = "rejected"


class CaseAction(StrEnum):
    ADMIT = "admit"
    REJECT_ADMISSIBILITY = "reject_admissibility"
    DECIDE = "decide"
    EXECUTE = "execute"
    CLOSE = "close"
    REVISE = "revise"


_MOVES: dict[CaseAction, tuple[frozenset[CaseState], CaseState]] = {
    CaseAction.ADMIT: (frozenset({CaseState.RECEIVED}), CaseState.UNDER_REVIEW),
    CaseAction.REJECT_ADMISSIBILITY: (frozenset({CaseState.RECEIVED}), CaseState.INADMISSIBLE),
    CaseAction.DECIDE: (frozenset({CaseState.UNDER_REVIEW}), CaseState.DECIDED),
    CaseAction.EXECUTE: (frozenset({CaseState.DECIDED}), CaseState.CLOSED),
    CaseAction.CLOSE: (frozenset({CaseState.DECIDED}), CaseState.CLOSED),
    CaseAction.REVISE: (
        frozenset({CaseState.DECIDED, CaseState.CLOSED, CaseState.INADMISSIBLE}),
        CaseState.UNDER_REVIEW,
    ),
}

OPEN_STATES = frozenset({CaseState.RECEIVED, CaseState.UNDER_REVIEW, CaseState.DECIDED})
# While a case is in one of these states it "concerns" its notices: a withdrawal by the
# requesting member then is recorded against that member.
REVIEW_STATES = frozenset({CaseState.RECEIVED, CaseState.UNDER_REVIEW})

ADMISSIBILITY_MONTHS = 1
DECISION_MONTHS = {RequestKind.ACCESS: 4, RequestKind.CORRECTION: 9, RequestKind.DELETION: 9}
EXECUTION_MONTHS = 1
REVISION_MONTHS = 6
DUE_SOON_DAYS = 14


def next_state(state: CaseState, action: CaseAction) -> CaseState:
    sources, target = _MOVES[action]
    if state not in sources:
        allowed = ", ".join(sorted(sources))
        raise IllegalTransition(
            f"a commission case that is {state} cannot '{action}'; possible when it is {allowed}"
        )
    return target


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


class DeadlineState(StrEnum):
    OPEN = "open"  # not yet due, not due soon
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"  # done on or before the day
    LATE = "late"  # done, but after the day


@dataclass(frozen=True, slots=True)
class Deadline:
    name: str  # admissibility | decision | execution
    due: dt.date
    done: dt.date | None

    def state(self, today: dt.date) -> DeadlineState:
        return deadline_state(self.due, self.done, today)


def deadline_state(due: dt.date, done: dt.date | None, today: dt.date) -> DeadlineState:
    if done is not None:
        return DeadlineState.MET if done <= due else DeadlineState.LATE
    if today > due:
        return DeadlineState.OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.OPEN


@dataclass(frozen=True, slots=True)
class CaseDates:
    """What the deadlines depend on (dates in UTC)."""

    kind: RequestKind
    received: dt.date
    admissible: dt.date | None = None  # the day admissibility was decided (either way)
    admitted: bool = False
    decided: dt.date | None = None
    deletion_ordered: bool = False
    executed: dt.date | None = None


def deadlines(dates: CaseDates) -> list[Deadline]:
    """The deadlines that apply to a case so far, in procedural order."""
    out = [
        Deadline(
            "admissibility", add_months(dates.received, ADMISSIBILITY_MONTHS), dates.admissible
        )
    ]
    if dates.admissible is None or not dates.admitted:
        return out
    months = DECISION_MONTHS[dates.kind]
    out.append(Deadline("decision", add_months(dates.admissible, months), dates.decided))
    if dates.decided is not None and dates.deletion_ordered:
        out.append(
            Deadline("execution", add_months(dates.decided, EXECUTION_MONTHS), dates.executed)
        )
    return out


def worst(states: list[DeadlineState]) -> DeadlineState:
    """The state a case list shows: overdue beats due soon beats open beats late beats met."""
    order = [
        DeadlineState.OVERDUE,
        DeadlineState.DUE_SOON,
        DeadlineState.OPEN,
        DeadlineState.LATE,
        DeadlineState.MET,
    ]
    for candidate in order:
        if candidate in states:
            return candidate
    return DeadlineState.MET


def revision_allowed(fact_discovered: dt.date, asked: dt.date) -> bool:
    """A revision is heard only on a new fact, asked for within 6 months of its discovery."""
    return fact_discovered <= asked <= add_months(fact_discovered, REVISION_MONTHS)


def check_revision(fact_discovered: dt.date, asked: dt.date, new_fact: str) -> None:
    if len(new_fact.strip()) < 10:
        raise ValidationFailed("a revision is heard only on a new fact: describe it")
    if fact_discovered > asked:
        raise ValidationFailed("the new fact cannot have been discovered in the future")
    if not revision_allowed(fact_discovered, asked):
        raise ValidationFailed(
            "a revision must be asked within 6 months of discovering the new fact "
            f"(limit was {add_months(fact_discovered, REVISION_MONTHS).isoformat()})"
        )


def deletion_ordered(kind: RequestKind, outcome: Outcome) -> bool:
    return kind == RequestKind.DELETION and outcome != Outcome.REJECTED
