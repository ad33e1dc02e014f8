"""`opennotice backup` / `opennotice restore`: a round trip loses nothing, on SQLite and
PostgreSQL, and the audit chain verifies after the restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import create_engine, select, text
from typer.testing import CliRunner

from opennotice.cli import backup as backup_cli
from opennotice.domain.content import RequestContent
from opennotice.services import requests as req_svc
from opennotice.services.auth import authenticate_token
from opennotice.services.backup import find_pg_tool
from opennotice.store.tables import AuditEvent, Notice, NoticeHistory, User
from tests.factories import red_notice

from ._support import BACKENDS, SECRET, context_for, fresh_database, populate

runner = CliRunner()


def _cli() -> typer.Typer:
    """The two commands exactly as `opennotice` registers them (see test_registered)."""
    app = typer.Typer()
    app.command("backup")(backup_cli.backup)
    app.command("restore")(backup_cli.restore)
    return app


def _invoke(url: str, *args: str) -> Any:
    env = {"OPENNOTICE_DATABASE_URL": url, "OPENNOTICE_SECRET_KEY": SECRET}
    return runner.invoke(_cli(), list(args), env=env)


def _snapshot(url: str) -> dict[str, Any]:
    ctx = context_for(url)
    try:
        with ctx.read_session_factory() as s:
            return {
                "audit": [(e.seq, e.action, e.hash) for e in s.scalars(
                    select(AuditEvent).order_by(AuditEvent.seq))],
                "notices": [(n.id, n.status, n.content) for n in s.scalars(
                    select(Notice).order_by(Notice.id))],
                "history": s.query(NoticeHistory).count(),
                "users": sorted(u.username for u in s.scalars(select(User))),
            }  # fmt: skip
    finally:
        ctx.engine.dispose()


def test_registered() -> None:
    from opennotice.cli.main import app

    names = {c.name for c in app.registered_commands}
    assert {"backup", "restore"} <= names


@pytest.mark.parametrize("backend", BACKENDS)
def test_round_trip(backend: str, tmp_path: Path) -> None:
    src = fresh_database(backend, tmp_path, "bk_src")
    ctx = context_for(src)
    world = populate(ctx)
    before = _snapshot(src)
    assert len(before["audit"]) > 5 and len(before["notices"]) == 2

    # Online: a write still open while the backup runs is not in it, and does not block it.
    fr = authenticate_token(ctx, world.tokens["ncb_fr"])
    with ctx.uow() as uow:
        uow.audit(fr, "test:open:write", None, None, {})
        uow.session.flush()
        dump = tmp_path / "one.backup"
        result = _invoke(src, "backup", str(dump))
        assert result.exit_code == 0, result.output
        uow.commit()
    assert dump.stat().st_mode & 0o077 == 0  # personal data: readable by the owner only
    ctx.engine.dispose()

    # Restore into a new, empty database (the disaster-recovery case).
    dst = fresh_database(backend, tmp_path, "bk_dst", migrate=False)
    result = _invoke(dst, "restore", str(dump))
    assert result.exit_code == 0, result.output
    assert "audit log intact" in result.output
    after = _snapshot(dst)
    assert after == before
    restored = context_for(dst)
    try:
        # The same tokens work, and the restored database takes new writes on the chain.
        actor = authenticate_token(restored, world.tokens["ncb_fr"])
        req_svc.create_request(restored, actor, RequestContent.model_validate(red_notice()))
        from opennotice.services.audit import verify_log

        assert verify_log(restored).ok
    finally:
        restored.engine.dispose()

    # A database that holds data is not overwritten without --force.
    grown = _snapshot(dst)
    result = _invoke(dst, "restore", str(dump))
    assert result.exit_code == 2
    assert "already holds data" in result.output
    assert _snapshot(dst) == grown
    result = _invoke(dst, "restore", str(dump), "--force")
    assert result.exit_code == 0, result.output
    assert _snapshot(dst) == before

    # An existing backup file is not replaced without --force.
    result = _invoke(src, "backup", str(dump))
    assert result.exit_code == 2 and "exists" in result.output
    assert _invoke(src, "backup", str(dump), "--force").exit_code == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_restore_refuses_a_file_of_another_kind(backend: str, tmp_path: Path) -> None:
    dst = fresh_database(backend, tmp_path, "bk_kind")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a backup\n" * 10)
    result = _invoke(dst, "restore", str(junk))
    assert result.exit_code == 2
    assert "not a" in result.output and "Traceback" not in result.output
    result = _invoke(dst, "restore", str(tmp_path / "missing.backup"))
    assert result.exit_code == 2 and "no backup file" in result.output


def test_restore_reports_a_damaged_audit_log(tmp_path: Path) -> None:
    """The verification after a restore is real: a backup of a tampered log is reported."""
    src = fresh_database("sqlite", tmp_path, "bk_tamper")
    ctx = context_for(src)
    populate(ctx)
    ctx.engine.dispose()
    engine = create_engine(src)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'someone.else' WHERE seq = 3"))
    engine.dispose()
    dump = tmp_path / "tampered.backup"
    assert _invoke(src, "backup", str(dump)).exit_code == 0
    dst = fresh_database("sqlite", tmp_path, "bk_tamper_dst", migrate=False)
    result = _invoke(dst, "restore", str(dump))
    assert result.exit_code == 1
    assert "damaged" in result.output and "3" in result.output


def test_missing_postgres_tools_give_a_clear_message(tmp_path: Path, monkeypatch: Any) -> None:
    from opennotice.services import backup as svc

    monkeypatch.setattr(svc.shutil, "which", lambda _name: None)
    with pytest.raises(svc.ToolMissing, match="pg_dump"):
        find_pg_tool("pg_dump", search=[str(tmp_path)])
    fake = tmp_path / "16" / "bin"
    fake.mkdir(parents=True)
    (fake / "pg_dump").write_text("#!/bin/sh\n")
    (fake / "pg_dump").chmod(0o755)
    assert find_pg_tool("pg_dump", search=[str(tmp_path)]) == str(fake / "pg_dump")
