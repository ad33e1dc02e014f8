"""Two server processes on one database: a change made through one reaches the other's index.

Runs on SQLite (two processes on one file) and, with OPENNOTICE_TEST_DATABASE=postgres, on
PostgreSQL. The requirement is that every process follows every change within 2 seconds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from opennotice.config import Settings
from tests.conftest import Who
from tests.factories import red_notice

DEADLINE_SECONDS = 2.0
TRAVELLER = {"family_name": "Marchetti", "given_names": "Lorenzo", "date_of_birth": "1979-04-12"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(settings: Settings, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = os.environ | {
        "OPENNOTICE_DATABASE_URL": settings.database_url,
        "OPENNOTICE_SECRET_KEY": settings.secret_key or "",
        "OPENNOTICE_INDEX_POLL_SECONDS": "0.5",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "opennotice.api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    return proc, f"http://127.0.0.1:{port}"


def _wait_ready(proc: subprocess.Popen[bytes], base: str) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"server exited at start-up: {err[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail("server did not start within 30 s")


@pytest.fixture
def servers(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, str]]:
    started = [_start(settings, tmp_path) for _ in range(2)]
    try:
        for proc, base in started:
            _wait_ready(proc, base)
        yield started[0][1], started[1][1]
    finally:
        for proc, _ in started:
            proc.terminate()
        for proc, _ in started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _hits(base: str, who: Who) -> list[str]:
    r = httpx.post(f"{base}/api/v1/screen", json=TRAVELLER, headers=who.headers, timeout=10)
    assert r.status_code == 200, r.text
    return [h["notice"] for h in r.json()["hits"]]


def _within_deadline(check: object) -> bool:
    """Poll `check` until it holds or the deadline passes; True if it held in time."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        if check():  # type: ignore[operator]
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.mark.slow
def test_withdrawal_through_one_process_stops_hits_in_the_other(
    servers: tuple[str, str], people: dict[str, Who]
) -> None:
    a, b = servers
    fr, gs, screener = people["ncb_fr"], people["gs_br"], people["screen_de"]
    assert _hits(a, screener) == [] and _hits(b, screener) == []

    r = httpx.post(f"{a}/api/v1/notices", json=red_notice(), headers=fr.headers)
    nid = r.json()["id"]
    url_id = nid.replace("/", "-")
    httpx.post(f"{a}/api/v1/notices/{url_id}/submit", headers=fr.headers).raise_for_status()
    decision = {"decision": "issue", "reasons": "Serious ordinary crime, data complete."}
    r = httpx.post(f"{a}/api/v1/reviews/{url_id}/decision", json=decision, headers=gs.headers)
    assert r.json()["outcome"] == "issued", r.text

    assert _hits(a, screener) == [nid]  # the process that made the change: at once
    assert _within_deadline(lambda: _hits(b, screener) == [nid])

    r = httpx.post(f"{a}/api/v1/notices/{url_id}/actions/withdraw", headers=fr.headers)
    assert r.json()["status"] == "withdrawn", r.text
    assert _hits(a, screener) == []
    assert _within_deadline(lambda: _hits(b, screener) == [])
