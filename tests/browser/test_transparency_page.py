"""The public transparency page and the commission's form in Chromium, with JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.functional.test_transparency import build_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def site(ctx: AppContext, people: dict[str, Who], live_server: str) -> str:
    build_demo(ctx, people, count=16)
    return live_server


@pytest.fixture
def no_js(browser: Any) -> Iterator[Any]:
    """A page with JavaScript disabled, collecting console messages (CSP violations show
    there)."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.messages = []
    page.on("console", lambda m: page.messages.append(f"{m.type}: {m.text}"))
    try:
        yield page
    finally:
        context.close()


def test_transparency_page_charts_and_sorting(site: str, no_js: Any) -> None:
    page = no_js
    response = page.goto(site + "/transparency")
    assert response.status == 200
    assert page.title().startswith("Transparency report")
    # Three charts drawn on the server, visible, with an accessible name.
    charts = page.locator("figure svg")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 40
        assert charts.nth(i).get_attribute("role") == "img"
    assert page.locator("#chart-trend polyline").count() >= 1
    assert page.locator("#chart-refusals rect").count() >= 1
    # Sort by refusal rate through a plain link: the table is ordered by the rate.
    page.locator('a[data-sort="refusal_rate"]').click()
    page.wait_for_url(re.compile(r"sort=refusal_rate"))
    cells = page.locator("#members tbody td.refusal-rate").all_inner_texts()
    rates = [float(c.rstrip("%")) for c in cells if c != "—"]
    assert rates == sorted(rates, reverse=True) and rates
    page.locator('a[data-sort="restricted_share"]').click()
    page.wait_for_url(re.compile(r"sort=restricted_share"))
    shares = [c for c in page.locator("#members tbody td.restricted-share").all_inner_texts()]
    numbers = [float(c.rstrip("%")) for c in shares if c != "—"]
    assert numbers == sorted(numbers, reverse=True)
    # Another year, from the year links; the ranking and the trends are there too.
    years = page.locator("#years a")
    assert years.count() >= 1
    years.first.click()
    page.wait_for_url(re.compile(r"year=\d{4}"))
    assert page.locator("#ranking tbody tr").count() >= 1
    assert page.locator("#trends tbody tr").count() >= 3
    # The JSON and CSV are linked from the page.
    assert page.get_by_role("link", name="JSON").get_attribute("href") == "/transparency.json"
    assert not [m for m in page.messages if "Content Security Policy" in m], page.messages


def test_commission_form_works_without_javascript(site: str, no_js: Any) -> None:
    page = no_js
    page.goto(site + "/commission")
    page.get_by_label("Deletion of the data").check()
    page.get_by_label("Family name").fill("Ravensholt")
    page.get_by_label("Given names").fill("Maren")
    page.get_by_label("Date of birth (YYYY-MM-DD, or the year alone)").fill("1983-09-14")
    page.get_by_label("E-mail or postal address").fill("maren.r@example.org")
    page.get_by_label("Your reasons").fill(
        "I was granted asylum; the notice repeats the charges of the regime I fled."
    )
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_load_state()
    assert page.locator("#reference").count() == 1, page.locator("main").inner_text()[:1500]
    page.wait_for_selector("#reference")
    reference = page.locator("#reference").inner_text()
    secret = page.locator("#secret").inner_text()
    assert reference.startswith("CCF-") and len(secret) >= 20
    page.get_by_role("link", name="Follow your request").click()
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Secret").fill(secret)
    page.get_by_role("button", name="Show my request").click()
    page.wait_for_selector("#case")
    assert page.locator("#case-state").inner_text() == "received"
    assert "admissibility" in page.locator("#deadlines").inner_text()
