"""Kill the server with SIGKILL in the middle of a stream of writes, restart it, and prove
that every write it acknowledged is there, none is half-done, and the audit chain verifies --
on SQLite (WAL) and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from opennotice.services.audit import verify_log
from opennotice.services.users import bootstrap_user
from opennotice.store.tables import AuditEvent, Notice, NoticeHistory
from tests.conftest import OPERATOR
from tests.factories import red_notice

from ._support import BACKENDS, SECRET, context_for, env_for, fresh_database

WRITERS = 4
KILL_AFTER = 40  # acknowledged writes before the kill; the writers keep sending through it
SUBJECT_WORDS = ("Marchetti", "Lorenzo", "MA-2023-0042")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", "opennotice.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "debug", "--no-access-log",
    ]  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env_for(url), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to about a minute to start (imports, index load)
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _body(n: int) -> dict[str, object]:
    body = red_notice()
    body["summary"] = f"crash-test write {n}"
    return body


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_stream_loses_no_acknowledged_write(backend: str, tmp_path: Path) -> None:
    url = fresh_database(backend, tmp_path, "crash")
    ctx = context_for(url)
    token = bootstrap_user(ctx, OPERATOR, username="ncb.fr", role="ncb", member="FR").token
    ctx.engine.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    log = tmp_path / "server.log"

    acknowledged: dict[str, int] = {}  # notice id -> write number
    lock = threading.Lock()
    enough = threading.Event()
    stop = threading.Event()
    counter = iter(range(1_000_000))

    with server(url, log) as (proc, base):

        def writer() -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                while not stop.is_set():
                    with lock:
                        n = next(counter)
                    try:
                        r = client.post("/api/v1/notices", json=_body(n))
                    except httpx.HTTPError:
                        return  # the server is gone: this write's fate is unknown
                    if r.status_code == 201:
                        with lock:
                            acknowledged[r.json()["id"]] = n
                            if len(acknowledged) >= KILL_AFTER:
                                enough.set()

        threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
        for t in threads:
            t.start()
        assert enough.wait(timeout=300), f"writes did not go through:\n{log.read_text()[-2000:]}"
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream: other writes are in flight
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
    assert proc.returncode == -signal.SIGKILL

    with (
        server(url, log) as (_proc, base),
        httpx.Client(base_url=base, headers=headers, timeout=30) as client,
    ):
        for nid, n in acknowledged.items():
            r = client.get(f"/api/v1/notices/{nid.replace('/', '-')}")
            assert r.status_code == 200, (nid, r.status_code, r.text[:200])
            assert r.json()["status"] == "draft"
            assert r.json()["content"]["summary"] == f"crash-test write {n}"
        # The restarted server takes writes on the same chain.
        assert client.post("/api/v1/notices", json=_body(-1)).status_code == 201

    ctx = context_for(url)
    try:
        with ctx.read_session_factory() as s:
            notices = {n.id: n for n in s.scalars(select(Notice))}
            history = {h.notice_id for h in s.scalars(select(NoticeHistory))}
            created = [
                e.object_id
                for e in s.scalars(
                    select(AuditEvent).where(AuditEvent.action == "notice:request:created")
                )
            ]
        assert set(acknowledged) <= set(notices)
        # None half-done: each draft has its history row and its one audit event, and no
        # history or audit event points at a draft that is not there.
        assert history == set(notices)
        assert sorted(created) == sorted(notices)
        result = verify_log(ctx)
        assert result.ok, result
        assert result.checked >= len(notices)
    finally:
        ctx.engine.dispose()

    # The operator's command agrees.
    cli = subprocess.run(
        [sys.executable, "-m", "opennotice.cli.main", "audit", "verify"],
        env=env_for(url), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "intact" in cli.stdout

    # The server's own output at DEBUG holds neither the token nor the subject's data.
    text = log.read_text(errors="replace")
    assert token not in text and SECRET not in text
    for word in SUBJECT_WORDS:
        assert word not in text, f"{word!r} in the server log"
