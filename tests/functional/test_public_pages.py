"""The public website without a browser: what each page says, and what it never shows."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from opennotice.services.context import AppContext
from tests.functional.test_public_support import Spec, population, store, url


def test_home_links_search_and_redress(ctx: AppContext, client: TestClient) -> None:
    store(ctx, [*population(7), Spec(type="yellow"), Spec(public=False)])
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'href="/commission"' in html and 'href="/transparency"' in html
    assert "(8 published)" not in html and "(7 published)" in html and "(1 published)" in html
    for field in ("name", "forename", "nationality", "sexId", "ageMin", "ageMax", "freeText"):
        assert f'name="{field}"' in html
    # Every input has a label.
    ids = set(re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html))
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and ids <= labelled
    assert "<script" not in html


def test_search_results_paging_and_refusals(ctx: AppContext, client: TestClient) -> None:
    store(ctx, population(45, nationalities=["GR"]))
    html = client.get("/notices?type=red&nationality=GR").text
    assert "45 notices match" in html and "showing 1–20" in html
    assert html.count('class="card"') == 20
    assert 'href="/notices?type=red&amp;nationality=GR&amp;page=2" rel="next"' in html
    last = client.get("/notices?type=red&nationality=GR&page=3").text
    assert last.count('class="card"') == 5 and 'rel="next"' not in last
    assert 'aria-current="page" class="current">Page 3' in last
    bad = client.get("/notices?name=%28%3F%3Dx%29")
    assert bad.status_code == 400 and "could not run" in bad.text
    assert client.get("/notices?ageMin=abc").status_code == 422
    none = client.get("/notices?type=yellow").text
    assert "No published notice matches" in none


def test_over_the_cap_the_page_says_so(ctx: AppContext, client: TestClient) -> None:
    store(ctx, population(170, photos=0))
    html = client.get("/notices").text
    assert "170 notices match" in html and "first 160 results" in html


def test_notice_pages(ctx: AppContext, client: TestClient) -> None:
    red, yellow = store(
        ctx,
        [
            Spec(content={"subject": {"weight_kg": 80}}),
            Spec(type="yellow", family="Lindqvist", given="Maja", sex="F"),
        ],
    )
    html = client.get(f"/notices/red-{url(red)}").text
    assert "<h1>LORENZO ALDO MARCHETTI</h1>" in html
    assert "wanted by the judicial authorities of France" in html
    assert "12 April 1979" in html and "80 kg" in html and "Italian, French" in html
    assert "Murder during an armed robbery" in html and "presumed innocent" in html
    assert "local police" in html and 'href="/commission"' in html
    assert f'src="/notices/v1/red/{url(red)}/images/' in html
    y = client.get(f"/notices/yellow-{url(yellow)}").text
    assert "a missing person" in y and "On 3 March 2023 in Lyon, France." in y
    assert "Charges" not in y
    for missing in (f"/notices/yellow-{url(red)}", "/notices/red-1999-1", "/notices/blue-2020-1"):
        r = client.get(missing)
        assert r.status_code == 404 and "No published notice here" in r.text
