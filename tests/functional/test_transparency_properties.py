"""Properties of the aggregation, on generated event histories (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opennotice.services.transparency import _aggregate, _Tomb

MOMENT = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
START = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)

# Lifecycles a notice request can follow, as (action, to_status) steps.
PATHS = [
    [("create", "draft")],
    [("create", "draft"), ("submit", "submitted"), ("issue", "issued")],
    [("create", "draft"), ("submit", "submitted"), ("refuse", "refused")],
    [
        ("create", "draft"),
        ("submit", "submitted"),
        ("ask_info", "info_requested"),
        ("resubmit", "submitted"),
        ("issue", "issued"),
        ("withdraw", "withdrawn"),
    ],
    [
        ("create", "draft"),
        ("submit", "submitted"),
        ("issue", "issued"),
        ("ccf_case_opened", "issued"),
        ("withdraw", "withdrawn"),
        ("ccf_withdrawal", "withdrawn"),
    ],
    [("create", "draft"), ("submit", "submitted"), ("issue", "issued"), ("cancel", "cancelled")],
]


@st.composite
def histories(draw: st.DrawFn) -> tuple[dict[str, _Tomb], list[Any], dict[str, Any]]:
    tombs: dict[str, _Tomb] = {}
    events: list[Any] = []
    snaps: dict[str, list[tuple[dt.datetime, bool]]] = {}
    for i in range(draw(st.integers(1, 12))):
        nid = f"2024/{i + 1}"
        path = draw(st.sampled_from(PATHS))
        member = draw(st.sampled_from(["FR", "DE", "CN"]))
        public = draw(st.booleans())
        at = START + dt.timedelta(days=draw(st.integers(0, 1500)))
        status = path[-1][1]
        for action, to_status in path:
            details = {"ground": draw(st.sampled_from(["art2", "art3", "other"]))}
            events.append((nid, action, to_status, at, details if action == "refuse" else {}))
            at += dt.timedelta(days=draw(st.integers(0, 200)), hours=draw(st.integers(0, 23)))
        snaps[nid] = [(START, public)]
        tombs[nid] = _Tomb("notice", "red", member, status, public, None, False)
    return tombs, events, snaps


def _deleted(tombs: dict[str, _Tomb], events: list[Any]) -> tuple[dict[str, _Tomb], list[Any]]:
    """Every notice deleted after MOMENT: data purged (the public flag with them)."""
    gone = {
        k: _Tomb(t.kind, t.type, t.requester, "deleted", False, t.refusal_ground, t.prior_review)
        for k, t in tombs.items()
    }
    later = MOMENT + dt.timedelta(days=1)
    return gone, [*events, *[(k, "delete", "deleted", later, {}) for k in tombs]]


@settings(max_examples=60, deadline=None)
@given(histories())
def test_deletion_never_changes_figures(data: tuple[dict[str, _Tomb], list[Any], Any]) -> None:
    tombs, events, snaps = data
    before = _aggregate(tombs, events, [], MOMENT, snaps).as_json()
    gone, with_deletes = _deleted(tombs, events)
    after = _aggregate(gone, with_deletes, [], MOMENT, snaps).as_json()
    assert before == after


@settings(max_examples=60, deadline=None)
@given(histories())
def test_world_is_the_sum_of_members_and_rates_are_fractions(
    data: tuple[dict[str, _Tomb], list[Any], Any],
) -> None:
    tombs, events, snaps = data
    report = _aggregate(tombs, events, [], MOMENT, snaps)
    submitted = {e[0] for e in events if e[1] == "submit" and e[3] <= MOMENT}
    assert sum(r.requests for r in report.rows) == len(submitted)
    for world in report.world:
        rows = report.for_year(world.year)
        assert world.as_row() | {"member": "x"} == _summed(rows, world.year) | {"member": "x"}
        if world.refusal_rate is not None:
            assert 0 <= world.refusal_rate <= 1
    assert report.years == list(range(report.years[0], MOMENT.year + 1)) if report.years else True


def _summed(rows: list[Any], year: int) -> dict[str, Any]:
    from opennotice.services.transparency import Figures

    total = Figures("ALL", year)
    for row in rows:
        total.add(row)
    return total.as_row()
