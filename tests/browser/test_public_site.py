"""The public website in a real browser: search, open a notice, page through results."""

from __future__ import annotations

import re
from typing import Any

import pytest

from opennotice.services.context import AppContext
from tests.functional.test_public_support import Spec, population, store

pytestmark = pytest.mark.browser


@pytest.fixture
def site(ctx: AppContext, live_server: str) -> str:
    store(ctx, population(55, seed=5, nationalities=["IT"], photos=1))
    store(
        ctx,
        [
            Spec(family="Wojciechowska", given="Agnieszka", sex="F", nationalities=["PL"],
                 content={"subject": {"distinguishing_marks": "Scar above the right eyebrow"}}),
            Spec(family="Hiddenperson", public=False, nationalities=["PL"]),
        ],
    )  # fmt: skip
    return live_server


def test_search_and_open_a_notice(site: str, page: Any) -> None:
    page.goto(site + "/")
    assert page.title().startswith("Public notices")
    page.get_by_label("Family name").fill("wojciechowska")  # no accent, lower case
    page.get_by_label("Nationality").select_option("PL")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/notices\?"))
    assert "1 notice matches" in page.get_by_role("status").inner_text()
    assert "HIDDENPERSON" not in page.content()
    page.get_by_role("link", name=re.compile("WOJCIECHOWSKA")).click()
    page.wait_for_url(re.compile(r"/notices/red-\d{4}-\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "AGNIESZKA WOJCIECHOWSKA"
    # The photo loads (served by the public service).
    photo = page.get_by_role("img", name=re.compile("Photo 1 of"))
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Murder during an armed robbery" in page.locator(".public-charges").inner_text()
    contact = page.get_by_role("region", name="If you have information").inner_text()
    assert "local police" in contact
    assert page.get_by_role("link", name="write to the commission").get_attribute("href") == (
        "/commission"
    )
    assert "Scar above the right eyebrow" in page.content()


def test_page_through_results(site: str, page: Any) -> None:
    page.goto(site + "/notices?type=red&nationality=IT")
    status = page.get_by_role("status").inner_text()
    assert "55 notices match" in status and "showing 1–20" in status
    first = {a.get_attribute("href") for a in page.locator(".public-grid a").all()}
    assert len(first) == 20
    images = page.locator(".public-grid img")
    assert images.count() == 20
    assert all(
        images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(3)
    )
    pager = page.get_by_role("navigation", name="Result pages")
    pager.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("[aria-current=page]").inner_text() == "Page 2"
    second = {a.get_attribute("href") for a in page.locator(".public-grid a").all()}
    assert len(second) == 20 and not first & second
    page.get_by_role("navigation", name="Result pages").get_by_role("link", name="Page 3").click()
    page.wait_for_url(re.compile(r"page=3"))
    assert len(page.locator(".public-grid .public-name").all_inner_texts()) == 15
    pager = page.get_by_role("navigation", name="Result pages")
    assert pager.get_by_role("link", name="Next page").count() == 0
    pager.get_by_role("link", name="Previous page").click()
    page.wait_for_url(re.compile(r"page=2"))
    # The filters survive paging.
    assert page.get_by_label("Nationality").input_value() == "IT"


def test_keyboard_and_phone(site: str, page: Any) -> None:
    page.goto(site + "/notices")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Family name").focus()
    page.keyboard.type("^WOJ")
    page.keyboard.press("Enter")  # submits the form, no script needed
    page.wait_for_url(re.compile(r"name=%5EWOJ"))
    assert "1 notice matches" in page.get_by_role("status").inner_text()
    page.goto(site + "/notices?name=(?=x)")
    assert "could not run" in page.get_by_role("alert").inner_text()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site + "/notices?type=red&nationality=IT")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(".public-grid a").first.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
