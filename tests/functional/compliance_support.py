"""Run the labelled compliance requests (tests/data/compliance_labelled.toml) through the API.

Shared by tests/functional/test_compliance_labelled.py and bench/compliance_report.py.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.services.context import AppContext
from opennotice.services.users import bootstrap_user
from opennotice.store.tables import Notice

DATA = Path(__file__).resolve().parents[1] / "data" / "compliance_labelled.toml"
OPERATOR = Actor(user_id=None, username="operator:labelled", role=Role.ADMIN, via="cli")
REVIEWERS = ("BR", "KE", "NZ")


def load_cases(path: Path = DATA) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return data["defaults"], data["case"]


def body_for(defaults: dict[str, Any], request: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults with the case's fields over them (subject field by field)."""
    body = copy.deepcopy(defaults)
    for key, value in (request or {}).items():
        if value is False:
            body.pop(key, None)
        elif key == "subject":
            body["subject"] = {**body["subject"], **value}
        else:
            body[key] = copy.deepcopy(value)
    return body


def u(nid: str) -> str:
    return nid.replace("/", "-")


@dataclass
class Outcome:
    case_id: str
    label: str
    expect_route: str
    expect_rules: list[str]
    absent_rules: list[str]
    route: str
    rules: list[str]
    findings: list[dict[str, Any]] = field(default_factory=list)
    heldout: bool = False

    @property
    def route_ok(self) -> bool:
        return self.route == self.expect_route

    @property
    def rules_ok(self) -> bool:
        found = set(self.rules)
        return set(self.expect_rules) <= found and not (set(self.absent_rules) & found)

    @property
    def ok(self) -> bool:
        return self.route_ok and self.rules_ok


class Runner:
    """Creates the accounts a case needs, runs its setup steps, then submits it."""

    def __init__(self, client: TestClient, ctx: AppContext, defaults: dict[str, Any]) -> None:
        self.client = client
        self.ctx = ctx
        self.defaults = defaults
        self._tokens: dict[str, str] = {}

    def _headers(self, username: str, **spec: str) -> dict[str, str]:
        if username not in self._tokens:
            new = bootstrap_user(self.ctx, OPERATOR, username=username, **spec)
            self._tokens[username] = new.token
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def ncb(self, member: str) -> dict[str, str]:
        return self._headers(f"ncb.{member.lower()}", role="ncb", member=member)

    def reviewers(self, requester: str) -> list[dict[str, str]]:
        return [
            self._headers(f"gs.{n.lower()}", role="secretariat", nationality=n)
            for n in REVIEWERS
            if n != requester
        ]

    def ccf(self) -> dict[str, str]:
        return self._headers("ccf.labelled", role="ccf")

    def _ok(self, response: Any, *codes: int) -> dict[str, Any]:
        assert response.status_code in (codes or (200,)), response.text
        out: dict[str, Any] = response.json()
        return out

    # --- the lifecycle steps ---------------------------------------------------------------

    def submit(
        self,
        requester: str,
        request: dict[str, Any] | None,
        kind: str = "notice",
        recipients: list[str] | None = None,
    ) -> dict[str, Any]:
        body = body_for(self.defaults, request)
        h = self.ncb(requester)
        if kind == "diffusion":
            body["recipients"] = recipients or ["FR"]
            return self._ok(self.client.post("/api/v1/diffusions", json=body, headers=h), 201)
        nid = self._ok(self.client.post("/api/v1/notices", json=body, headers=h), 201)["id"]
        return self._ok(self.client.post(f"/api/v1/notices/{u(nid)}/submit", headers=h))

    def decide(
        self, notice: dict[str, Any], decision: str, ground: str | None = None
    ) -> dict[str, Any]:
        serious = sorted(
            {
                f["rule"]
                for f in notice.get("findings") or []
                if f["severity"] in ("high", "must_refuse")
            }
        )
        payload: dict[str, Any] = {
            "decision": decision,
            "reasons": f"Decision '{decision}' after legal review of the findings.",
            "cited_rules": serious,
        }
        if ground:
            payload["ground"] = ground
        result: dict[str, Any] = {}
        for h in self.reviewers(notice["requester"])[:2]:
            r = self.client.post(
                f"/api/v1/reviews/{u(notice['id'])}/decision", json=payload, headers=h
            )
            result = self._ok(r)
            if result["outcome"] != "approval_recorded":
                break
        return result

    def setup(self, step: dict[str, Any]) -> None:
        do = step["do"]
        if do == "refugee":
            body = {
                "person": step["person"],
                "granted_on": step["granted_on"],
                "feared_country": step["feared"],
            }
            self._ok(
                self.client.post(
                    "/api/v1/protected-persons", json=body, headers=self.ncb(step["by"])
                ),
                201,
            )
        elif do == "commission":
            body = {
                "person": step["person"],
                "against": step["against"],
                "reference": "CCF/2024/17",
            }
            self._ok(
                self.client.post("/api/v1/protected-persons", json=body, headers=self.ccf()), 201
            )
        elif do == "refused":
            n = self.submit(step["requester"], step.get("request"), step.get("kind", "notice"))
            self.decide(n, "refuse", step["ground"])
        elif do == "issued":
            self.decide(self.submit(step["requester"], step.get("request")), "issue")
        elif do == "deleted":
            n = self.submit(step["requester"], step.get("request"))
            h = self.ccf() if step.get("by") == "ccf" else self.reviewers(step["requester"])[0]
            self._ok(
                self.client.post(
                    f"/api/v1/notices/{u(n['id'])}/actions/delete",
                    json={"reasons": "Deleted after review: not compliant."},
                    headers=h,
                )
            )
        elif do == "recalled":
            n = self.submit(step["requester"], step.get("request"), "diffusion", ["FR"])
            self.decide(n, "recall", step.get("ground"))
        elif do == "withdrawn_in_review":
            n = self.submit(step["requester"], step.get("request"))
            self.decide(n, "issue")
            # A commission review blocks the notice (the CCF area does this); then the
            # requester withdraws it.
            with self.ctx.uow() as uow:
                uow.session.execute(update(Notice).where(Notice.id == n["id"]).values(blocked=True))
                uow.commit()
            self._ok(
                self.client.post(
                    f"/api/v1/notices/{u(n['id'])}/actions/withdraw",
                    json={"reasons": "No longer needed."},
                    headers=self.ncb(step["requester"]),
                )
            )
        elif do == "record":
            self._record(step["requester"], int(step["refused_art3"]), int(step["issued"]))
        else:  # pragma: no cover - a typo in the data file
            raise ValueError(f"unknown setup step {do!r}")

    def _record(self, requester: str, refused: int, issued: int) -> None:
        for i in range(refused):
            request = {
                "subject": {
                    "family_name": f"Opposant{i}",
                    "given_names": "Record",
                    "date_of_birth": f"19{70 + i}",
                },
                "charges": [
                    {
                        "legal_provision": "Criminal Code art. 342",
                        "description": "Organising an unauthorised assembly",
                        "iccs_code": "0801",
                        "facts": "Led a peaceful protest in the capital in 2020.",
                        "place": "Capital",
                        "date_of_facts": "2020-08-10",
                        "max_penalty_years": 3,
                    }
                ],
            }
            self.decide(self.submit(requester, request), "refuse", "art3")
        for i in range(issued):
            request = {
                "subject": {
                    "family_name": f"Ordinary{i}",
                    "given_names": "Record",
                    "date_of_birth": f"19{60 + i}",
                }
            }
            self.decide(self.submit(requester, request), "issue")

    def run(self, case: dict[str, Any]) -> Outcome:
        for step in case.get("setup", []):
            self.setup(step)
        notice = self.submit(
            case["requester"],
            case.get("request"),
            case.get("kind", "notice"),
            case.get("recipients"),
        )
        findings = notice.get("findings") or []
        return Outcome(
            case_id=case["id"],
            label=case["label"],
            expect_route=case["expect_route"],
            expect_rules=list(case.get("expect_rules", [])),
            absent_rules=list(case.get("absent_rules", [])),
            route=str(notice.get("risk")),
            rules=sorted({f["rule"] for f in findings}),
            findings=findings,
            heldout=bool(case.get("heldout", False)),
        )
