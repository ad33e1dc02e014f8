"""`opennotice audit verify` on a real database after direct edits, inserts and deletes."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from opennotice.cli.main import app
from opennotice.domain.content import RequestContent
from opennotice.services import requests
from opennotice.services.audit import verify_log
from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.factories import red_notice


def _make_events(ctx: AppContext, people: dict[str, Who]) -> None:
    for _ in range(3):
        n = requests.create_request(
            ctx, people["ncb_fr"].actor, RequestContent.model_validate(red_notice())
        )
        requests.get_request(ctx, people["gs_br"].actor, n.id)


def _raw(ctx: AppContext, sql: str) -> None:
    with ctx.engine.begin() as conn:
        if ctx.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        conn.execute(text(sql))
        if ctx.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))


def _cli_verify(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    from opennotice.cli import common

    common.context.cache_clear()
    monkeypatch.setenv("OPENNOTICE_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("OPENNOTICE_SECRET_KEY", ctx.settings.secret_key or "")
    result = CliRunner().invoke(app, ["audit", "verify"])
    common.context.cache_clear()
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("sql", "bad_seq"),
    [
        ("UPDATE audit_events SET actor = 'someone else' WHERE seq = 5", 5),
        ("DELETE FROM audit_events WHERE seq = 4", 4),
        (
            "INSERT INTO audit_events (seq, at, actor, action, details, prev_hash, hash) "
            "SELECT max(seq) + 1, 'x', 'x', 'x', '{}', 'x', 'forged' FROM audit_events",
            None,
        ),
        ("DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)", None),
    ],
)
def test_verify_names_the_first_bad_event(
    ctx: AppContext,
    people: dict[str, Who],
    monkeypatch: pytest.MonkeyPatch,
    sql: str,
    bad_seq: int | None,
) -> None:
    _make_events(ctx, people)
    code, out = _cli_verify(ctx, monkeypatch)
    assert code == 0 and "intact" in out
    _raw(ctx, sql)
    result = verify_log(ctx)
    assert not result.ok
    if bad_seq is not None:
        assert result.first_bad_seq == bad_seq
    code, out = _cli_verify(ctx, monkeypatch)
    assert code == 1 and f"event {result.first_bad_seq}" in out


def test_postgres_refuses_update_and_delete(ctx: AppContext, people: dict[str, Who]) -> None:
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    _make_events(ctx, people)
    for sql in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"), ctx.engine.begin() as conn:
            conn.execute(text(sql))
    assert verify_log(ctx).ok


def test_concurrent_writers_keep_one_chain(ctx: AppContext, people: dict[str, Who]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = RequestContent.model_validate(red_notice())
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(
            pool.map(lambda _: requests.create_request(ctx, people["ncb_fr"].actor, body).id,
                     range(24))
        )  # fmt: skip
    assert len(set(ids)) == 24
    result = verify_log(ctx)
    assert result.ok, result.problem
