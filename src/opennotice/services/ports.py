"""The seams the services need, as Protocols: the compliance checker and the screening index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from opennotice.store.tables import Notice


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What the automatic checks found: findings (JSON-ready) and the route they give."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    risk: str = "routine"  # routine | high | must_refuse


class ComplianceChecker(Protocol):
    def check(self, session: Session, notice: Notice) -> CheckOutcome: ...


class NoChecks:
    """Used until a rules catalogue is wired in (and by tests of the lifecycle alone)."""

    def check(self, session: Session, notice: Notice) -> CheckOutcome:
        return CheckOutcome()


class NoticeListener(Protocol):
    """Told after commit that a notice changed (the screening index listens)."""

    def notice_changed(self, notice_id: str) -> None: ...
