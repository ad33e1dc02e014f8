"""Every labelled fictional request, submitted through the API: the cited findings and the
route its label expects (tests/data/compliance_labelled.toml)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opennotice.services.context import AppContext
from tests.functional.compliance_support import Runner, load_cases

DEFAULTS, CASES = load_cases()
TUNED = [c for c in CASES if not c.get("heldout")]
ORDINARY = [c for c in CASES if c["label"] == "ordinary"]


def test_the_labelled_set_is_large_and_covers_every_rule() -> None:
    from opennotice.rules.catalogue import RULE_IDS

    assert len(CASES) >= 40
    labels = Counter(c["label"] for c in CASES)
    assert labels["ordinary"] >= 15 and labels["abuse"] >= 20
    covered = {r for c in CASES for r in c.get("expect_rules", [])}
    assert set(RULE_IDS) <= covered, sorted(set(RULE_IDS) - covered)


@pytest.mark.parametrize("case", TUNED, ids=[c["id"] for c in TUNED])
def test_labelled_request(case: dict[str, Any], client: TestClient, ctx: AppContext) -> None:
    outcome = Runner(client, ctx, DEFAULTS).run(case)
    for f in outcome.findings:
        # Each finding cites its rule and says what triggered it.
        assert f["citation"] and f["title"] and f["severity"] and f["evidence"]
    assert outcome.rules_ok, (outcome.rules, case.get("expect_rules"), case.get("absent_rules"))
    assert outcome.route_ok, (outcome.route, outcome.findings)


def test_at_most_one_ordinary_request_in_ten_is_routed_high_risk(
    client: TestClient, ctx: AppContext
) -> None:
    """Including the held-out ones, run one after another in one database."""
    runner = Runner(client, ctx, DEFAULTS)
    outcomes = [runner.run(case) for case in ORDINARY]
    high = [o.case_id for o in outcomes if o.route != "routine"]
    assert len(high) * 10 <= len(outcomes), high
