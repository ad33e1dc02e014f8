"""The commission's deadlines and case states, as pure rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennotice.domain.ccf import (
    CaseAction,
    CaseDates,
    CaseState,
    DeadlineState,
    Outcome,
    RequestKind,
    add_months,
    check_revision,
    deadline_state,
    deadlines,
    deletion_ordered,
    next_state,
    revision_allowed,
    worst,
)
from opennotice.errors import IllegalTransition, ValidationFailed

D = dt.date


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 8, 31), 4) == D(2025, 12, 31)
    assert add_months(D(2025, 5, 10), 9) == D(2026, 2, 10)
    assert add_months(D(2025, 11, 30), 1) == D(2025, 12, 30)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 1, 1)), st.integers(0, 120))
def test_add_months_properties(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day <= day.day
    assert later >= day
    if later.day < day.day:  # clamped: it is the last day of its month
        assert (later + dt.timedelta(days=1)).day == 1


def test_deadlines_per_kind_counted_from_admissibility() -> None:
    received, admissible = D(2025, 1, 10), D(2025, 2, 3)
    only = deadlines(CaseDates(RequestKind.ACCESS, received))
    assert [(d.name, d.due) for d in only] == [("admissibility", D(2025, 2, 10))]
    access = deadlines(CaseDates(RequestKind.ACCESS, received, admissible, admitted=True))
    assert access[1].name == "decision" and access[1].due == D(2025, 6, 3)
    for kind in (RequestKind.CORRECTION, RequestKind.DELETION):
        got = deadlines(CaseDates(kind, received, admissible, admitted=True))
        assert got[1].due == D(2025, 11, 3)
    # Found inadmissible: no decision deadline follows.
    assert len(deadlines(CaseDates(RequestKind.DELETION, received, admissible))) == 1


def test_execution_deadline_only_when_a_deletion_is_ordered() -> None:
    base = dict(
        received=D(2025, 1, 1), admissible=D(2025, 1, 20), admitted=True, decided=D(2025, 6, 30)
    )
    ordered = deadlines(CaseDates(RequestKind.DELETION, deletion_ordered=True, **base))  # type: ignore[arg-type]
    assert ordered[-1].name == "execution" and ordered[-1].due == D(2025, 7, 30)
    rejected = deadlines(CaseDates(RequestKind.DELETION, **base))  # type: ignore[arg-type]
    assert [d.name for d in rejected] == ["admissibility", "decision"]


def test_deadline_states() -> None:
    due = D(2025, 3, 1)
    assert deadline_state(due, None, D(2025, 1, 1)) == DeadlineState.OPEN
    assert deadline_state(due, None, D(2025, 2, 20)) == DeadlineState.DUE_SOON
    assert deadline_state(due, None, due) == DeadlineState.DUE_SOON
    assert deadline_state(due, None, D(2025, 3, 2)) == DeadlineState.OVERDUE
    assert deadline_state(due, due, D(2025, 9, 1)) == DeadlineState.MET
    assert deadline_state(due, D(2025, 3, 2), D(2025, 9, 1)) == DeadlineState.LATE
    assert worst([DeadlineState.MET, DeadlineState.OVERDUE, DeadlineState.OPEN]) == (
        DeadlineState.OVERDUE
    )
    assert worst([]) == DeadlineState.MET


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2080, 1, 1)),
    st.integers(-400, 400),
    st.one_of(st.none(), st.integers(-400, 400)),
)
def test_deadline_state_is_consistent(due: dt.date, offset: int, done_offset: int | None) -> None:
    today = due + dt.timedelta(days=offset)
    done = None if done_offset is None else due + dt.timedelta(days=done_offset)
    state = deadline_state(due, done, today)
    if done is not None:
        assert state == (DeadlineState.MET if done <= due else DeadlineState.LATE)
    else:
        assert (state == DeadlineState.OVERDUE) == (today > due)


def test_case_state_machine() -> None:
    s = next_state(CaseState.RECEIVED, CaseAction.ADMIT)
    assert s == CaseState.UNDER_REVIEW
    assert next_state(s, CaseAction.DECIDE) == CaseState.DECIDED
    assert next_state(CaseState.DECIDED, CaseAction.EXECUTE) == CaseState.CLOSED
    assert next_state(CaseState.CLOSED, CaseAction.REVISE) == CaseState.UNDER_REVIEW
    with pytest.raises(IllegalTransition):
        next_state(CaseState.RECEIVED, CaseAction.DECIDE)
    with pytest.raises(IllegalTransition):
        next_state(CaseState.INADMISSIBLE, CaseAction.ADMIT)
    with pytest.raises(IllegalTransition):
        next_state(CaseState.UNDER_REVIEW, CaseAction.REVISE)


def test_revision_only_on_a_new_fact_within_six_months() -> None:
    found = D(2025, 1, 31)
    assert revision_allowed(found, D(2025, 7, 31))
    assert not revision_allowed(found, D(2025, 8, 1))
    assert not revision_allowed(found, D(2025, 1, 30))
    with pytest.raises(ValidationFailed, match="within 6 months"):
        check_revision(found, D(2025, 9, 1), "The court in the requesting country acquitted me.")
    with pytest.raises(ValidationFailed, match="new fact"):
        check_revision(found, D(2025, 2, 1), "")
    check_revision(found, D(2025, 2, 1), "The asylum authority recognised me as a refugee.")


def test_deletion_ordered() -> None:
    assert deletion_ordered(RequestKind.DELETION, Outcome.GRANTED)
    assert deletion_ordered(RequestKind.DELETION, Outcome.PARTLY_GRANTED)
    assert not deletion_ordered(RequestKind.DELETION, Outcome.REJECTED)
    assert not deletion_ordered(RequestKind.CORRECTION, Outcome.GRANTED)
