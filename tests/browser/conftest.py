"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium (or Playwright) these tests skip with the reason printed, unless
OPENNOTICE_REQUIRE_BROWSER=1, where they fail. Fixtures for every area's browser tests:

- `serve_app(ctx) -> base_url`: a real uvicorn server for that context on a free loopback port,
  in a thread, stopped at the end of the test;
- `live_server`: `serve_app` applied to the test's `ctx`;
- `browser`: one Chromium per test session; `page`: a fresh context and page per test.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from opennotice.services.context import AppContext

CHROMIUM = os.environ.get("OPENNOTICE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_missing() -> str | None:
    """None when the browser tests can run, else why not."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    return None


def require_browser() -> None:
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("OPENNOTICE_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (OPENNOTICE_REQUIRE_BROWSER=1)")
    print(f"\nskipping browser test: {reason}", file=sys.stderr)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def serve_app() -> Iterator[Callable[[AppContext], str]]:
    """Start uvicorn on create_app(ctx) in a thread; returns the base URL."""
    import uvicorn

    from opennotice.api.app import create_app

    servers: list[tuple[Any, threading.Thread]] = []

    def start(ctx: AppContext) -> str:
        port = free_port()
        config = uvicorn.Config(
            create_app(ctx),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            ws="none",
            lifespan="on",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(ctx: AppContext, serve_app: Callable[[AppContext], str]) -> str:
    require_browser()
    return serve_app(ctx)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
