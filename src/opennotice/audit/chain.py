"""The hash chain, pure: each event's hash covers its canonical form and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor", "role", "member", "action",
    "object_type", "object_id", "request_id", "details",
)  # fmt: skip


def canonical(event: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes on every database and Python."""
    body = {name: event.get(name) for name in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(event)).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS


def verify_chain(events: Iterable[Mapping[str, Any]], head: tuple[int, str] | None) -> VerifyResult:
    """Walk the events in order; name the first one that was changed, inserted or removed."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for event in events:
        seq = int(event["seq"])
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "out of order"
            return VerifyResult(False, checked, expected_seq, f"event {expected_seq} is {what}")
        if event["prev_hash"] != prev_hash:
            return VerifyResult(
                False, checked, seq, f"event {seq} does not follow the previous event"
            )
        if event_hash(prev_hash, event) != event["hash"]:
            return VerifyResult(
                False, checked, seq, f"event {seq} was changed after it was written"
            )
        prev_hash, expected_seq, checked = event["hash"], seq + 1, checked + 1
    head_seq, head_hash = head if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        if head_seq > checked:
            return VerifyResult(
                False, checked, checked + 1, f"events {checked + 1} to {head_seq} were removed"
            )
        return VerifyResult(
            False, checked, head_seq + 1, "the log does not end where its head says"
        )
    return VerifyResult(True, checked, head_hash=prev_hash)
