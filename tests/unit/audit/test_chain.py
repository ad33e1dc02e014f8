"""The hash chain detects any change, insertion or removal."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from opennotice.audit.chain import GENESIS, event_hash, verify_chain


def build(n: int) -> tuple[list[dict[str, Any]], tuple[int, str]]:
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        e: dict[str, Any] = {
            "seq": seq, "at": f"2026-01-01T00:00:{seq:02d}", "actor_id": 1, "actor": "a",
            "role": "ncb", "member": "FR", "action": "notice:record:read",
            "object_type": "notice", "object_id": f"2026/{seq}", "request_id": None,
            "details": {"n": seq},
        }  # fmt: skip
        e["prev_hash"], e["hash"] = prev, event_hash(prev, e)
        prev = e["hash"]
        events.append(e)
    return events, (n, prev)


def test_intact_chain_verifies() -> None:
    events, head = build(5)
    assert verify_chain(events, head).ok


@given(st.integers(min_value=1, max_value=8), st.data())
def test_any_edit_is_named(n: int, data: st.DataObject) -> None:
    events, head = build(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    field = data.draw(st.sampled_from(["actor", "action", "object_id", "details", "at"]))
    events[i][field] = {"tampered": True} if field == "details" else "tampered"
    result = verify_chain(events, head)
    assert not result.ok and result.first_bad_seq == i + 1


@given(st.integers(min_value=2, max_value=8), st.data())
def test_removal_is_detected(n: int, data: st.DataObject) -> None:
    events, head = build(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    del events[i]
    assert not verify_chain(events, head).ok


def test_removing_the_tail_is_detected_by_the_head() -> None:
    events, head = build(4)
    result = verify_chain(events[:3], head)
    assert not result.ok and result.first_bad_seq == 4
