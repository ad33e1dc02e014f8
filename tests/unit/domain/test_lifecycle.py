"""The lifecycle as a state machine: no sequence reaches an illegal state or skips review."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from opennotice.domain.lifecycle import (
    DIFFUSION_TRANSITIONS,
    NOTICE_TRANSITIONS,
    Action,
    add_years,
    initial_diffusion_status,
    next_status,
)
from opennotice.domain.types import Kind, Role, Status
from opennotice.errors import Forbidden, IllegalTransition

NOTICE_STATES = {
    Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.INFO_REQUESTED, Status.ISSUED,
    Status.REFUSED, Status.SUSPENDED, Status.WITHDRAWN, Status.CANCELLED, Status.EXPIRED,
    Status.DELETED,
}  # fmt: skip
ACTORS = [
    (Role.NCB, "FR"), (Role.NCB, "DE"), (Role.SECRETARIAT, None), (Role.CCF, None),
    (Role.SCREENING, "FR"), (Role.AUDITOR, None), (Role.ADMIN, None),
]  # fmt: skip


class NoticeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.status = Status.DRAFT
        self.path: list[tuple[Action, Role]] = []

    @rule(action=st.sampled_from(list(Action)), who=st.sampled_from(ACTORS))
    def act(self, action: Action, who: tuple[Role, str | None]) -> None:
        role, member = who
        try:
            after = next_status(Kind.NOTICE, self.status, action, role, member, "FR")
        except (IllegalTransition, Forbidden):
            return
        self.path.append((action, role))
        self.status = after

    @invariant()
    def legal_state(self) -> None:
        assert self.status in NOTICE_STATES

    @invariant()
    def issued_only_after_a_secretariat_issue(self) -> None:
        if self.status in (Status.ISSUED, Status.SUSPENDED, Status.CANCELLED, Status.EXPIRED):
            issues = [role for action, role in self.path if action == Action.ISSUE]
            assert issues and all(role == Role.SECRETARIAT for role in issues)
            # and that issue came after a review was started
            first_issue = next(i for i, (a, _) in enumerate(self.path) if a == Action.ISSUE)
            assert any(a == Action.START_REVIEW for a, _ in self.path[:first_issue])

    @invariant()
    def deleted_is_final(self) -> None:
        if Status.DELETED in [self.status]:
            assert self.path[-1][0] == Action.DELETE


TestNoticeMachine = NoticeMachine.TestCase


def test_other_member_cannot_act_on_own_only_actions() -> None:
    with pytest.raises(Forbidden):
        next_status(Kind.NOTICE, Status.DRAFT, Action.SUBMIT, Role.NCB, "DE", "FR")


def test_issue_from_submitted_skips_review_and_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        next_status(Kind.NOTICE, Status.SUBMITTED, Action.ISSUE, Role.SECRETARIAT, None, "FR")


def test_ncb_cannot_issue_its_own_request() -> None:
    with pytest.raises(Forbidden):
        next_status(Kind.NOTICE, Status.IN_REVIEW, Action.ISSUE, Role.NCB, "FR", "FR")


def test_deleted_has_no_way_out() -> None:
    for table, kind in ((NOTICE_TRANSITIONS, Kind.NOTICE), (DIFFUSION_TRANSITIONS, Kind.DIFFUSION)):
        for t in table.values():
            assert Status.DELETED not in t.sources, (kind, t.action)


def test_diffusion_waits_only_under_prior_review() -> None:
    assert initial_diffusion_status(True) == Status.SUBMITTED
    assert initial_diffusion_status(False) == Status.CIRCULATING


def test_recall_only_from_circulation() -> None:
    assert (
        next_status(Kind.DIFFUSION, Status.CIRCULATING, Action.RECALL, Role.SECRETARIAT, None, "RU")
        == Status.RECALLED
    )
    with pytest.raises(IllegalTransition):
        next_status(Kind.DIFFUSION, Status.SUBMITTED, Action.RECALL, Role.SECRETARIAT, None, "RU")


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_add_years_keeps_month_and_is_five_years_later(day: dt.date) -> None:
    later = add_years(day, 5)
    assert later.year == day.year + 5 and later.month == day.month
    assert later.day == day.day or (day.month, day.day, later.day) == (2, 29, 28)


def test_available_actions_follow_the_table() -> None:
    from opennotice.domain.lifecycle import available_actions

    ncb_issued = available_actions(Kind.NOTICE, Status.ISSUED, Role.NCB, own=True)
    assert set(ncb_issued) == {Action.SUSPEND, Action.RENEW, Action.WITHDRAW}
    assert available_actions(Kind.NOTICE, Status.ISSUED, Role.NCB, own=False) == []
    assert set(available_actions(Kind.NOTICE, Status.SUSPENDED, Role.NCB, own=True)) == {
        Action.RESUME,
        Action.WITHDRAW,
    }
    assert available_actions(Kind.NOTICE, Status.DELETED, Role.SECRETARIAT, own=False) == []
    # Whatever it offers, next_status accepts.
    for status in Status:
        for action in available_actions(Kind.NOTICE, status, Role.NCB, own=True):
            next_status(Kind.NOTICE, status, action, Role.NCB, "FR", "FR")
