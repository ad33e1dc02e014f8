"""What the checks read and what they return (pure data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opennotice.domain.content import RequestContent

SEVERITY_RANK = {"info": 0, "data": 1, "high": 2, "must_refuse": 3}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that applies: why (evidence), and how serious (severity).

    `evidence` is shown to the requesting NCB with the finding; `restricted` holds what only the
    secretariat and the commission may see (register entries, other members' requests).
    """

    rule: str
    title: str
    citation: str
    severity: str
    evidence: dict[str, Any]
    restricted: dict[str, Any] = field(default_factory=dict)
    approx: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "citation": self.citation,
            "citation_approx": self.approx,
            "severity": self.severity,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class RegisterHit:
    """A protected-persons register entry whose person matches the subject."""

    entry_id: int
    kind: str  # refugee | refusal | commission
    recorded_by: str | None  # the member that granted refugee status, or None
    against: str | None  # the member the person is protected against
    ground: str | None
    profile: str | None
    score: float
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PriorHit:
    """An earlier request on a matching person that ended in refusal, recall or deletion."""

    notice_id: str
    requester: str
    kind: str
    type: str
    outcome: str  # refused | recalled | deleted | deleted_by_commission | withdrawn_during_review
    ground: str | None
    score: float
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ValidHit:
    """A valid notice or circulating diffusion on a matching person."""

    notice_id: str
    requester: str
    kind: str
    type: str
    score: float


@dataclass(frozen=True, slots=True)
class RequesterRecord:
    decided: int = 0
    refused_art3: int = 0

    @property
    def share(self) -> float:
        return self.refused_art3 / self.decided if self.decided else 0.0


@dataclass(frozen=True, slots=True)
class CheckInput:
    kind: str  # notice | diffusion
    requester: str
    content: RequestContent
    register: tuple[RegisterHit, ...] = ()
    prior: tuple[PriorHit, ...] = ()
    valid: tuple[ValidHit, ...] = ()
    record: RequesterRecord = RequesterRecord()

    @property
    def wanted(self) -> bool:
        """A red notice, or a diffusion that asks for an arrest (it carries judicial data)."""
        if self.kind == "notice":
            return self.content.type.value == "red"
        c = self.content
        return c.type.value == "red" or c.warrant is not None or bool(c.charges)

    @property
    def scopes(self) -> frozenset[str]:
        if self.kind == "notice":
            return frozenset({self.content.type.value})
        return frozenset({"diffusion", "wanted_diffusion"} if self.wanted else {"diffusion"})
