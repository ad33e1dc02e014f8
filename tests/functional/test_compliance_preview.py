"""The requester can see what the checks would find before submitting; nothing is kept."""

from __future__ import annotations

import pytest

from opennotice.domain.content import RequestContent
from opennotice.errors import NotFound
from opennotice.services import compliance, requests
from opennotice.services.audit import list_events
from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.factories import red_notice


def test_preview_flags_a_political_charge_and_keeps_the_draft(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    body = red_notice(
        charges=[
            {
                "legal_provision": "National Security Law art. 20",
                "description": "Secession: incitement by speeches abroad",
                "max_penalty_years": 99,
            }
        ]
    )
    fr = people["ncb_fr"].actor
    draft = requests.create_request(ctx, fr, RequestContent.model_validate(body))
    outcome = compliance.preview_checks(ctx, fr, draft.id)
    assert outcome.risk in ("high", "must_refuse")
    assert any("Art. 3" in str(f.get("citation")) for f in outcome.findings)
    after = requests.get_request(ctx, fr, draft.id)
    assert after.status == "draft" and after.findings == [] and after.risk is None
    events = list_events(ctx, people["auditor"].actor, action="review:checks:previewed")
    assert [e.object_id for e in events] == [draft.id]


def test_preview_is_for_the_requester_only(ctx: AppContext, people: dict[str, Who]) -> None:
    fr = people["ncb_fr"].actor
    draft = requests.create_request(ctx, fr, RequestContent.model_validate(red_notice()))
    with pytest.raises(NotFound):
        compliance.preview_checks(ctx, people["ncb_de"].actor, draft.id)
