"""Capture screenshots of the staff web application's main pages into docs/screenshots/.

Starts a demo-like server (a fresh SQLite database in a temporary folder, the demo's fictional
data, the real compliance checks) on a free loopback port, signs in as each role in Debian's
Chromium and saves one PNG per page. Run from the repository root:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--count 80]
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _context(folder: Path, count: int) -> Any:
    from opennotice.bootstrap import build_context
    from opennotice.config import Settings
    from opennotice.services.compliance import ComplianceChecker
    from opennotice.services.demo import run_demo
    from opennotice.services.ports import NoChecks
    from opennotice.store.migrate import upgrade

    url = f"sqlite:///{folder / 'screens.sqlite3'}"
    upgrade(url)
    ctx = build_context(Settings(database_url=url, secret_key="screenshots-" + "k" * 32))
    try:
        run_demo(ctx, seed=2021, count=count)
    except Exception as exc:  # the demo may lag behind the checks: load it without them
        print(
            f"demo with checks failed ({type(exc).__name__}); loading it without", file=sys.stderr
        )
        folder.joinpath("screens.sqlite3").unlink()
        upgrade(url)
        ctx = build_context(Settings(database_url=url, secret_key="screenshots-" + "k" * 32))
        ctx.checker = NoChecks()
        run_demo(ctx, seed=2021, count=count)
    for name in ("register", "public", "ccf", "assembly", "screening"):
        try:
            module = importlib.import_module(f"opennotice.services.{name}")
        except ModuleNotFoundError:
            continue
        seeder = getattr(module, "seed_demo", None)
        if seeder is not None:
            seeder(ctx, random.Random(2021))  # noqa: S311  (fictional demo data)
    if not isinstance(ctx.checker, ComplianceChecker):
        ctx.checker = ComplianceChecker()
    _flagged_requests(ctx)
    return ctx


def _flagged_requests(ctx: Any) -> None:
    """Two fresh requests that the checks flag, so that the findings pages have content."""
    from sqlalchemy import select

    from opennotice.domain.content import RequestContent
    from opennotice.services import requests
    from opennotice.services.auth import actor_for
    from opennotice.store.tables import User

    with ctx.read_session_factory() as session:
        user = session.scalars(select(User).where(User.username == "ncb.fr")).one()
    actor = actor_for(user, via="cli")
    bodies = [
        {
            "type": "red",
            "subject": {
                "family_name": "Vasquez-Ortega", "given_names": "Inés Amparo",
                "date_of_birth": "1981-09-02", "sex": "F", "nationalities": ["ES", "FR"],
                "occupation": "journalist", "profile_notes": "Writes for an opposition weekly.",
            },
            "charges": [{
                "legal_provision": "Code pénal art. 412-1",
                "description": "Subversion and insulting the head of state in published articles",
                "iccs_code": "0904", "max_penalty_years": 10,
                "facts": "Articles published in 2023 criticising the government.",
            }],
            "warrant": {"authority": "Tribunal de Paris", "date": "2024-01-10",
                        "reference": "TP-2024-7"},
            "summary": "Wanted for subversion after a series of articles.",
        },
        {
            "type": "red",
            "subject": {"family_name": "Brennan", "given_names": "Conor", "date_of_birth": "1975",
                        "nationalities": ["IE"]},
            "charges": [{"legal_provision": "Code civil art. 1343",
                         "description": "Unpaid commercial debt and bounced cheques",
                         "max_penalty_years": 1}],
        },
    ]  # fmt: skip
    for body in bodies:
        notice = requests.create_request(ctx, actor, RequestContent.model_validate(body))
        requests.submit_request(ctx, actor, notice.id)


def _sample(ctx: Any) -> dict[str, str]:
    """A person of an issued notice that a German screening officer may hit (for the shot)."""
    from sqlalchemy import select

    from opennotice.store.tables import Notice

    with ctx.read_session_factory() as session:
        for notice in session.scalars(
            select(Notice).where(Notice.status == "issued", Notice.kind == "notice")
        ):
            subject = (notice.content or {}).get("subject") or {}
            if "DE" not in (notice.restricted_from or []) and subject.get("family_name"):
                return {
                    "family_name": str(subject["family_name"]).upper(),
                    "given_names": str(subject.get("given_names") or ""),
                    "date_of_birth": str(subject.get("date_of_birth") or ""),
                }
    return {"family_name": "Ivanov", "given_names": "Sergei", "date_of_birth": ""}


def _serve(ctx: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    from opennotice.api.app import create_app

    port = _port()
    config = uvicorn.Config(
        create_app(ctx), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


class Shooter:
    def __init__(self, browser: Any, base: str, out: Path) -> None:
        self.browser, self.base, self.out = browser, base, out
        self.saved: list[str] = []

    def desk(self, username: str, password: str) -> Any:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(self.base + "/staff/login")
        page.fill("#f-username", username)
        page.fill("#f-password", password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    def shot(self, page: Any, name: str) -> None:
        path = self.out / f"staff-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path.name)

    def row_link(self, page: Any, text: str) -> str | None:
        rows = page.locator("tr", has_text=text)
        if rows.count() == 0:
            return None
        href: str | None = rows.first.locator("a").first.get_attribute("href")
        return href

    def first_link(self, page: Any, pattern: str) -> str | None:
        hrefs: list[str] = page.eval_on_selector_all(
            "table a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        return next((h for h in hrefs if re.match(pattern, h)), None)


def capture(base: str, out: Path, password: str, person: dict[str, str]) -> list[str]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        s = Shooter(browser, base, out)
        login = browser.new_context(viewport={"width": 1280, "height": 700}).new_page()
        login.goto(base + "/staff/login")
        s.shot(login, "sign-in")

        ncb = s.desk("ncb.fr", password)
        s.shot(ncb, "ncb-my-requests")
        ncb.goto(base + "/staff/requests/new")
        ncb.fill("#f-subject-family-name", "Fontaine")
        ncb.fill("#f-subject-date-of-birth", "1983-02-30")
        ncb.get_by_role("button", name="Save and continue").click()
        ncb.wait_for_load_state()
        s.shot(ncb, "ncb-request-form-errors")
        ncb.goto(base + "/staff/requests")
        href = s.row_link(ncb, "Vasquez") or s.first_link(ncb, r"^/staff/requests/\d+-\d+$")
        if href:
            ncb.goto(base + href)
            s.shot(ncb, "ncb-request-findings")
        ncb.goto(base + "/staff/inbox")
        s.shot(ncb, "ncb-inbox")
        ncb.goto(base + "/staff/diffusions/new")
        s.shot(ncb, "ncb-diffusion-form")

        gs = s.desk("gs.amara", password)
        s.shot(gs, "review-queue")
        href = s.row_link(gs, "Vasquez") or s.first_link(gs, r"^/staff/review/\d+-\d+$")
        if href:
            gs.goto(base + href)
            s.shot(gs, "review-request")
        gs.goto(base + "/staff/review?kind=diffusion")
        s.shot(gs, "review-diffusions")
        gs.goto(base + "/staff/register")
        s.shot(gs, "register")

        sc = s.desk("screen.de", password)
        sc.fill("#f-family-name", person["family_name"])
        sc.fill("#f-given-names", person["given_names"])
        sc.fill("#f-date-of-birth", person["date_of_birth"])
        sc.fill("#f-where", "Frankfurt airport, gate B20")
        sc.get_by_role("button", name="Screen").click()
        sc.wait_for_load_state()
        for summary in sc.locator(".staff-hit summary").all()[:1]:
            summary.click()
        s.shot(sc, "screening-results")
        sc.goto(base + "/staff/screen/batch")
        s.shot(sc, "screening-batch")

        cc = s.desk("ccf.1", password)
        s.shot(cc, "ccf-cases")
        href = s.first_link(cc, r"^/staff/ccf/[A-Z0-9-]+$")
        if href:
            cc.goto(base + href)
            s.shot(cc, "ccf-case")

        admin = s.desk("admin.1", password)
        admin.goto(base + "/staff/admin/members?prior=1")
        s.shot(admin, "admin-members")
        browser.close()
        return s.saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--count", default=80, type=int, help="fictional requests to load")
    options = parser.parse_args()
    from opennotice.services.demo import DEMO_PASSWORD

    with tempfile.TemporaryDirectory(prefix="opennotice-shots-") as tmp:
        ctx = _context(Path(tmp), options.count)
        base, server, thread = _serve(ctx)
        try:
            saved = capture(base, options.out, DEMO_PASSWORD, _sample(ctx))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            ctx.engine.dispose()
    for name in saved:
        print(options.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
