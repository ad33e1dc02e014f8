"""The lifecycle of notice requests and diffusions as a pure state machine.

Each action names the states it may start from, the state it leads to and the roles that may take
it. Nothing reaches `issued` except a secretariat decision on a request in review, and nothing
circulates without review except a diffusion, which is reviewed right after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from opennotice.errors import Forbidden, IllegalTransition

from .types import Kind, Role, Status

S = Status


class Action(StrEnum):
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    ASK_INFO = "ask_info"
    RESUBMIT = "resubmit"
    ISSUE = "issue"
    REFUSE = "refuse"
    SUSPEND = "suspend"
    RESUME = "resume"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"
    EXPIRE = "expire"
    RENEW = "renew"
    DELETE = "delete"
    # Diffusions.
    RELEASE = "release"  # prior review passed: the held diffusion goes out
    CONFIRM = "confirm"  # post-review found it compliant
    RECALL = "recall"  # post-review found it non-compliant: recipients purge


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    own_member_only: bool  # the actor must be the requesting member's NCB


def _t(
    action: Action, sources: set[Status], target: Status, roles: set[Role], own: bool = False
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), own)


NCB, GS, CCF = Role.NCB, Role.SECRETARIAT, Role.CCF
_LIVE_NOTICE = {S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.ISSUED, S.SUSPENDED}
_ENDED_NOTICE = {S.REFUSED, S.WITHDRAWN, S.CANCELLED, S.EXPIRED}

NOTICE_TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        _t(Action.SUBMIT, {S.DRAFT}, S.SUBMITTED, {NCB}, own=True),
        _t(Action.START_REVIEW, {S.SUBMITTED}, S.IN_REVIEW, {GS}),
        _t(Action.ASK_INFO, {S.IN_REVIEW, S.SUBMITTED}, S.INFO_REQUESTED, {GS}),
        _t(Action.RESUBMIT, {S.INFO_REQUESTED}, S.SUBMITTED, {NCB}, own=True),
        _t(Action.ISSUE, {S.IN_REVIEW}, S.ISSUED, {GS}),
        _t(Action.REFUSE, {S.IN_REVIEW, S.SUBMITTED}, S.REFUSED, {GS}),
        _t(Action.SUSPEND, {S.ISSUED}, S.SUSPENDED, {NCB}, own=True),
        _t(Action.RESUME, {S.SUSPENDED}, S.ISSUED, {NCB}, own=True),
        _t(Action.WITHDRAW, _LIVE_NOTICE, S.WITHDRAWN, {NCB}, own=True),
        _t(Action.CANCEL, {S.ISSUED, S.SUSPENDED}, S.CANCELLED, {GS}),
        _t(Action.EXPIRE, {S.ISSUED, S.SUSPENDED}, S.EXPIRED, {GS}),
        _t(Action.RENEW, {S.ISSUED}, S.ISSUED, {NCB}, own=True),
        _t(Action.DELETE, _LIVE_NOTICE | _ENDED_NOTICE, S.DELETED, {GS, CCF}),
    ]
}

_OUT = {S.CIRCULATING, S.CONFIRMED}
DIFFUSION_TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        _t(Action.RELEASE, {S.SUBMITTED}, S.CIRCULATING, {GS}),
        _t(Action.REFUSE, {S.SUBMITTED}, S.REFUSED, {GS}),
        _t(Action.CONFIRM, {S.CIRCULATING}, S.CONFIRMED, {GS}),
        _t(Action.RECALL, _OUT, S.RECALLED, {GS}),
        _t(Action.WITHDRAW, _OUT | {S.SUBMITTED}, S.WITHDRAWN, {NCB}, own=True),
        _t(
            Action.DELETE,
            _OUT | {S.SUBMITTED, S.REFUSED, S.RECALLED, S.WITHDRAWN},
            S.DELETED,
            {GS, CCF},
        ),
    ]
}

# States in which a notice or diffusion is in force and may be acted on by police abroad.
IN_FORCE = frozenset({S.ISSUED, S.CIRCULATING, S.CONFIRMED})
# States that have already passed the secretariat's review (or are past review).
REVIEWED_STATES = frozenset({S.ISSUED, S.SUSPENDED, S.CANCELLED, S.EXPIRED, S.CONFIRMED})


def transitions_for(kind: Kind) -> dict[Action, Transition]:
    return NOTICE_TRANSITIONS if kind == Kind.NOTICE else DIFFUSION_TRANSITIONS


def available_actions(kind: Kind, current: Status, role: Role, own: bool) -> list[Action]:
    """The actions this role may take now (the pages offer these and no others)."""
    return [
        t.action
        for t in transitions_for(kind).values()
        if current in t.sources and role in t.roles and (own or not t.own_member_only)
    ]


def initial_diffusion_status(sender_under_prior_review: bool) -> Status:
    """A diffusion goes out at once unless its sender is under prior review."""
    return S.SUBMITTED if sender_under_prior_review else S.CIRCULATING


def next_status(
    kind: Kind,
    current: Status,
    action: Action,
    role: Role,
    actor_member: str | None,
    requester: str,
) -> Status:
    """The state after `action`, or an error saying why it is not possible."""
    transition = transitions_for(kind).get(action)
    if transition is None:
        raise IllegalTransition(f"a {kind} cannot be asked to '{action}'")
    if role not in transition.roles:
        raise Forbidden(f"the role '{role}' may not '{action}' a {kind}")
    if transition.own_member_only and actor_member != requester:
        raise Forbidden(f"only the requesting member's NCB may '{action}' this {kind}")
    if current not in transition.sources:
        allowed = ", ".join(sorted(transition.sources))
        raise IllegalTransition(
            f"cannot '{action}' a {kind} that is {current}; possible only when it is {allowed}"
        )
    return transition.target


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validity_after_issue(issued_on: dt.date, years: int = 5) -> dt.date:
    return add_years(issued_on, years)


def needs_reassessment(valid_until: dt.date, today: dt.date) -> bool:
    """Six months before expiry the requester is asked to reassess."""
    return today >= add_years(valid_until, 0) - dt.timedelta(days=183)
