"""Who sees which request: the one function every read goes through."""

from __future__ import annotations

from dataclasses import dataclass

from .actors import Actor
from .types import Kind, Role, Status

S = Status


@dataclass(frozen=True, slots=True)
class Exposure:
    """The facts about a request that decide who may see it."""

    kind: Kind
    status: Status
    requester: str
    restricted_from: frozenset[str]
    recipients: frozenset[str]  # diffusions only
    blocked: bool  # provisionally blocked by the commission


def can_view(actor: Actor, item: Exposure) -> bool:
    """Deny by default. An unseen request answers 404, so its existence does not leak."""
    if actor.role in (Role.SECRETARIAT, Role.CCF):
        return True
    if actor.role != Role.NCB or actor.member is None:
        return False  # screening sees hits only; auditor and admin see figures, not files
    if actor.member == item.requester:
        return True
    if item.blocked or actor.member in item.restricted_from:
        return False
    if item.kind == Kind.NOTICE:
        return item.status == S.ISSUED
    return item.status in (S.CIRCULATING, S.CONFIRMED) and actor.member in item.recipients


def in_screening_index(item: Exposure) -> bool:
    """Only notices and diffusions in force, and not blocked, can hit."""
    if item.blocked:
        return False
    if item.kind == Kind.NOTICE:
        return item.status == S.ISSUED
    return item.status in (S.CIRCULATING, S.CONFIRMED)


def can_screen_hit(member: str | None, item: Exposure) -> bool:
    """Whether a screening query from `member` may be told of this hit."""
    if not in_screening_index(item) or member is None:
        return False
    if member in item.restricted_from:
        return False
    if item.kind == Kind.DIFFUSION:
        return member in item.recipients or member == item.requester
    return True
