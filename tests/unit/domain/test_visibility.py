"""Who sees what, as a matrix: role x state x member."""

from __future__ import annotations

import itertools

import pytest

from opennotice.domain.actors import Actor
from opennotice.domain.types import Kind, Role, Status
from opennotice.domain.visibility import Exposure, can_screen_hit, can_view

REQUESTER, OTHER, RESTRICTED = "FR", "DE", "US"


def actor(role: Role | None, member: str | None = None) -> Actor:
    return Actor(user_id=1, username="x", role=role, member=member)


def notice(status: Status, blocked: bool = False) -> Exposure:
    return Exposure(Kind.NOTICE, status, REQUESTER, frozenset({RESTRICTED}), frozenset(), blocked)


@pytest.mark.parametrize("status", list(Status))
def test_matrix_for_notices(status: Status) -> None:
    n = notice(status)
    assert can_view(actor(Role.NCB, REQUESTER), n)
    assert can_view(actor(Role.SECRETARIAT), n) and can_view(actor(Role.CCF), n)
    assert can_view(actor(Role.NCB, OTHER), n) == (status == Status.ISSUED)
    assert not can_view(actor(Role.NCB, RESTRICTED), n)
    for role in (Role.SCREENING, Role.AUDITOR, Role.ADMIN, None):
        assert not can_view(actor(role, OTHER), n)


def test_blocked_notice_is_hidden_from_others_and_never_hits() -> None:
    n = notice(Status.ISSUED, blocked=True)
    assert not can_view(actor(Role.NCB, OTHER), n)
    assert can_view(actor(Role.NCB, REQUESTER), n)
    assert not can_screen_hit(OTHER, n)


@pytest.mark.parametrize(
    ("status", "member"),
    list(itertools.product(list(Status), [REQUESTER, OTHER, RESTRICTED, "BR"])),
)
def test_matrix_for_diffusions(status: Status, member: str) -> None:
    d = Exposure(Kind.DIFFUSION, status, REQUESTER, frozenset(), frozenset({OTHER}), False)
    out = status in (Status.CIRCULATING, Status.CONFIRMED)
    expected = member == REQUESTER or (member == OTHER and out)
    assert can_view(actor(Role.NCB, member), d) == expected
    assert can_screen_hit(member, d) == (out and member in (REQUESTER, OTHER))


@pytest.mark.parametrize("status", list(Status))
def test_only_issued_notices_hit(status: Status) -> None:
    assert can_screen_hit(OTHER, notice(status)) == (status == Status.ISSUED)
    assert not can_screen_hit(RESTRICTED, notice(status))
