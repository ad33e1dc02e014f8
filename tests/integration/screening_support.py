"""Helpers shared by the screening tests: issue notices through the services, build MRZs."""

from __future__ import annotations

from typing import Any

from opennotice.domain.content import RequestContent
from opennotice.matching.mrz import mrz_check_digit
from opennotice.services import requests, reviews
from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.factories import red_notice

# The traveller a border system would screen: the subject of the factories' fictional notice.
TRAVELLER: dict[str, Any] = {
    "family_name": "MARCHETTI",
    "given_names": "LORENZO",
    "date_of_birth": "1979-04-12",
    "sex": "M",
    "nationalities": ["ITA"],
}


def subject(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = red_notice()["subject"]
    return base | fields


def issue(
    ctx: AppContext, people: dict[str, Who], body: dict[str, Any] | None = None, who: str = "ncb_fr"
) -> str:
    """Draft, submit and issue a notice (two reviewers if the checks route it as high risk)."""
    content = RequestContent.model_validate(body or red_notice())
    notice = requests.create_request(ctx, people[who].actor, content)
    requests.submit_request(ctx, people[who].actor, notice.id)
    reason = "Serious ordinary-law crime, judicial data complete, no Art. 3 concern."
    result = reviews.decide(ctx, people["gs_br"].actor, notice.id, reviews.Decision.ISSUE, reason)
    if result.outcome == "approval_recorded":
        result = reviews.decide(
            ctx, people["gs_ke"].actor, notice.id, reviews.Decision.ISSUE, reason
        )
    assert result.outcome == "issued", result.outcome
    return notice.id


def diffuse(
    ctx: AppContext, people: dict[str, Who], recipients: list[str], who: str = "ncb_cn",
    body: dict[str, Any] | None = None,
) -> str:  # fmt: skip
    content = RequestContent.model_validate(body or red_notice())
    return requests.send_diffusion(ctx, people[who].actor, content, recipients).id


def _field(value: str, size: int) -> str:
    return (value + "<" * size)[:size]


def td3(
    family: str, given: str, *, dob: str = "790412", sex: str = "M", nationality: str = "ITA",
    number: str = "YA1234567", country: str = "ITA", expiry: str = "330101",
) -> tuple[str, str]:  # fmt: skip
    """A valid passport MRZ (ICAO 9303 TD3) for a fictional person."""
    names = _field(f"{family.replace(' ', '<')}<<{given.replace(' ', '<')}", 39)
    line1 = f"P<{_field(country, 3)}{names}"
    doc = _field(number, 9)
    opt = "<" * 14
    parts = [doc + mrz_check_digit(doc), _field(nationality, 3), dob + mrz_check_digit(dob), sex,
             expiry + mrz_check_digit(expiry), opt + mrz_check_digit(opt)]  # fmt: skip
    composite = parts[0] + parts[2] + parts[4] + parts[5]
    line2 = "".join(parts) + mrz_check_digit(composite)
    assert len(line1) == 44 and len(line2) == 44
    return line1, line2
