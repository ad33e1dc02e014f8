"""Each role's main journey in Chromium, end to end on a fresh database.

An NCB officer files a request that the checks flag; a reviewer asks for more information; the
officer answers; two reviewers issue it; a screening officer gets a hit; the NCB sees the hit in
its inbox; a commission member orders deletion, and the notice is gone everywhere (staff pages,
screening, the public service). Uses the live server and Chromium of tests/browser/conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from opennotice.domain.actors import Actor
from opennotice.services import ccf as ccf_svc
from opennotice.services.compliance import ComplianceChecker
from opennotice.services.context import AppContext
from opennotice.services.users import set_password
from tests.conftest import OPERATOR, Who

pytestmark = pytest.mark.browser
PASSWORD = "a long fictional passphrase"
USERS = ("ncb.fr", "gs.br", "gs.ke", "screen.de", "ccf", "ncb.de")


@pytest.fixture
def staff_server(ctx: AppContext, people: dict[str, Who], live_server: str) -> str:
    if not isinstance(ctx.checker, ComplianceChecker):
        ctx.checker = ComplianceChecker()
    for username in USERS:
        set_password(ctx, OPERATOR, username, PASSWORD)
    return live_server


class Desk:
    """One person at their browser: a context of their own (own cookies)."""

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(base + "/staff/login")
        self.page.fill("#f-username", username)
        self.page.fill("#f-password", PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        assert "/staff/login" not in self.page.url, f"{username} could not sign in"

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def close(self) -> None:
        # The policy forbids inline script and style: a violation shows as a console error.
        assert not [e for e in self.errors if "Content Security Policy" in e], self.errors
        self.context.close()


@pytest.fixture
def desks(browser: Any, staff_server: str) -> Iterator[dict[str, Desk]]:
    opened: dict[str, Desk] = {}

    class Opener(dict[str, Desk]):
        def __missing__(self, username: str) -> Desk:
            desk = Desk(browser, staff_server, username)
            opened[username] = desk
            self[username] = desk
            return desk

    yield Opener()
    for desk in opened.values():
        desk.close()


def _fill(page: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        fid = "#f-" + name.replace(".", "-").replace("_", "-")
        if page.locator(fid).evaluate("e => e.tagName") == "SELECT":
            page.select_option(fid, value)
        else:
            page.fill(fid, value)


def _save(page: Any, label: str = "Save and continue") -> None:
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_request_review_screening_and_deletion(
    desks: dict[str, Desk], staff_server: str, ctx: AppContext
) -> None:
    base = staff_server
    # --- the NCB officer files a request, in steps -------------------------------------------
    ncb = desks["ncb.fr"].page
    ncb.get_by_role("link", name="New request").first.click()
    _fill(
        ncb,
        {
            "type": "red",
            "purpose": "prosecution",
            "subject.family_name": "Marchetti",
            "subject.given_names": "Lorenzo Aldo",
            "subject.original_family_name": "Маркетти",
            "subject.original_script": "Cyrillic",
            "subject.date_of_birth": "1979-02-31",
            "subject.sex": "M",
            "subject.nationalities": "IT",
            "subject.occupation": "journalist",
        },
    )
    _save(ncb)
    # The error sits beside the field at fault, and nothing typed is lost.
    error = ncb.locator("#e-subject-date-of-birth")
    assert "not a real date" in error.inner_text()
    assert ncb.locator("#f-subject-date-of-birth").get_attribute("aria-invalid") == "true"
    assert ncb.locator("#f-subject-family-name").input_value() == "Marchetti"
    assert ncb.locator("#f-subject-original-family-name").input_value() == "Маркетти"
    ncb.fill("#f-subject-date-of-birth", "1979-04-12")
    _save(ncb)
    assert "/edit/charges" in ncb.url
    rid = re.search(r"/staff/requests/(\d+-\d+)/", ncb.url).group(1)  # type: ignore[union-attr]
    nid = rid.replace("-", "/")
    _fill(
        ncb,
        {
            "charges.0.legal_provision": "Code pénal art. 221-1",
            "charges.0.description": "Murder of a shopkeeper during an armed robbery",
            "charges.0.iccs_code": "0101",
            "charges.0.facts": "On 3 March 2023 in Lyon the subject shot a jeweller.",
            "charges.0.date_of_facts": "2023-03-03",
            "charges.0.place": "Lyon",
            "charges.0.country": "FR",
            "charges.0.max_penalty_years": "30",
            "warrant.authority": "Tribunal judiciaire de Lyon",
            "warrant.date": "2023-04-01",
            "warrant.reference": "MA-2023-0042",
        },
    )
    _save(ncb)
    assert "/edit/photos" in ncb.url
    ncb.set_input_files(
        "#f-photo",
        files=[
            {
                "name": "face.png",
                "mimeType": "image/png",
                "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
            }
        ],
    )
    ncb.get_by_role("button", name="Upload").click()
    ncb.wait_for_load_state()
    assert ncb.locator("img[alt^='Photo 1']").count() == 1
    ncb.get_by_role("link", name="Continue").click()
    ncb.check("#f-visibility-public-extract")
    _save(ncb)
    assert "/edit/check" in ncb.url
    _save(ncb, "Submit to the secretariat")
    # The checks flagged it: findings shown after submitting, the evidence marked.
    assert "Submitted to the secretariat" in ncb.content()
    assert ncb.locator(".staff-finding", has_text="art3_profile").count() == 1
    assert ncb.locator("mark", has_text="journalist").count() >= 1

    # --- a reviewer asks for more information --------------------------------------------------
    gs = desks["gs.br"].page
    row = gs.locator("tr", has_text=nid)
    assert row.locator(".badge.high").count() == 1
    row.get_by_role("link", name=nid).click()
    assert gs.locator(".staff-review-file mark", has_text="journalist").count() >= 1
    gs.locator("a[href^='#finding-']").first.click()  # the finding beside its evidence
    gs.check("input[name=decision][value=ask_info]")
    gs.fill("#f-reasons", "Explain what the subject's journalism has to do with the robbery.")
    _save(gs, "Record the decision")
    assert "Decision recorded" in gs.content()

    # --- the officer answers ---------------------------------------------------------------
    desks["ncb.fr"].go("/staff/requests")
    ncb.locator("tr", has_text=nid).get_by_role("link", name=nid).click()
    assert "journalism has to do with the robbery" in ncb.content()
    ncb.get_by_role("link", name="Answer: edit the request").click()
    ncb.fill("#f-subject-profile-notes", "Wrote for a local paper until 2015; unrelated.")
    _save(ncb)
    ncb.get_by_role("link", name="Check and submit").click()
    _save(ncb, "Send the answer to the secretariat")
    assert "Your answer was sent back" in ncb.content()

    # --- two reviewers of different nationalities issue it -----------------------------------
    desks["gs.br"].go(f"/staff/review/{rid}")
    gs.check("input[name=decision][value=issue]")
    gs.check("input[name=cite][value=art3_profile]")
    gs.fill("#f-reasons", "Ordinary crime predominates; the profile plays no part.")
    _save(gs, "Record the decision")
    assert "needs a second reviewer" in gs.content()

    gs2 = desks["gs.ke"].go(f"/staff/review/{rid}")
    assert "First approval recorded" in gs2.content()
    gs2.check("input[name=decision][value=issue]")
    gs2.check("input[name=cite][value=art3_profile]")
    gs2.fill("#f-reasons", "Agreed: a murder in a robbery, nothing political.")
    _save(gs2, "Record the decision")
    assert gs2.locator(".staff-summary .badge", has_text="issued").count() == 1
    assert ncb.request.get(f"{base}/notices/v1/red/{rid}").status == 200

    # --- a screening officer gets a hit; the NCB sees it ---------------------------------------
    sc = desks["screen.de"].page
    _fill(
        sc,
        {
            "family_name": "MARKETTI",
            "given_names": "Lorenco",
            "date_of_birth": "1979-04-12",
            "where": "Frankfurt airport, gate B20",
        },
    )
    _save(sc, "Screen")
    hit = sc.locator(".staff-hit", has_text=nid)
    assert hit.count() == 1
    hit.locator("summary").click()
    assert hit.locator("li").count() >= 2  # explained
    assert "Lorenco" not in sc.url  # posted, not in the address

    desks["ncb.fr"].go("/staff/inbox")
    assert ncb.locator("tr", has_text=nid).filter(has_text="hit").count() >= 1

    # --- the commission orders deletion; the notice is gone everywhere --------------------------
    filed = ccf_svc.file_request(
        ctx,
        Actor(user_id=None, username="public", role=None),
        ccf_svc.Filing(
            kind=ccf_svc.RequestKind.DELETION,
            applicant=ccf_svc.Applicant(
                family_name="Marchetti",
                given_names="Lorenzo Aldo",
                date_of_birth="1979-04-12",
                contact="lm@example.org",
            ),
            grounds="The charge was brought by a business rival; the court file shows it.",
        ),
    )
    cc = desks["ccf"].page
    cc.get_by_role("link", name=filed.reference).click()
    cc.check("input[name=admissible][value=yes]")
    cc.fill("#f-adm-reasons", "Filed by the person concerned, in time.")
    _save(cc, "Record")
    _save(cc, "Find matching notices")
    cc.locator("tr", has_text=nid).get_by_role("button", name="Concerns the applicant").click()
    cc.wait_for_load_state()
    cc.check("input[name=outcome][value=granted]")
    cc.fill("#f-reasons", "The data do not meet the rules on the processing of data: delete.")
    _save(cc, "Decide")
    assert "Decision recorded" in cc.content() or "granted" in cc.content()

    desks["screen.de"].go("/staff/screen")
    _fill(sc, {"family_name": "MARKETTI", "given_names": "Lorenco", "date_of_birth": "1979-04-12"})
    _save(sc, "Screen")
    assert sc.locator(".staff-hit", has_text=nid).count() == 0 and "No hit" in sc.content()
    de = desks["ncb.de"].go(f"/staff/notices/{rid}")
    assert "Not found" in de.content() or "deleted" in de.content()
    assert "Marchetti" not in de.content()
    assert de.request.get(f"{base}/notices/v1/red/{rid}").status == 404
    own = desks["ncb.fr"].go(f"/staff/requests/{rid}")
    assert "personal data were purged" in own.content() and "Marchetti" not in own.content()


def test_keyboard_only_sign_in_and_labels(browser: Any, staff_server: str) -> None:
    """Every field has a label; sign-in works from the keyboard alone."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(staff_server + "/staff/login")
        page.locator("#f-username").focus()
        page.keyboard.type("gs.br")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/staff/review$"))
        page.goto(staff_server + "/staff/review/2000-1")
        assert page.locator("h1").inner_text() == "Not found"
        page.goto(staff_server + "/staff/notices")
        unlabeled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                 .map(e => e.name)"""
        )
        assert unlabeled == []
    finally:
        context.close()
