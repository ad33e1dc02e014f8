"""Fixtures: a migrated database per test, on SQLite and (when available) on PostgreSQL.

Set OPENNOTICE_TEST_DATABASE=postgres to run the suite against PostgreSQL
(OPENNOTICE_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test).
With OPENNOTICE_REQUIRE_POSTGRES=1 an unreachable PostgreSQL fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from opennotice.api.app import create_app
from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.services.context import AppContext
from opennotice.services.users import NewUser, bootstrap_user
from opennotice.store.migrate import upgrade

BASE_PG_URL = os.environ.get(
    "OPENNOTICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Parallel workers (pytest-xdist) each get a database of their own: test_gw0, test_gw1...
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
PG_URL = f"{BASE_PG_URL}_{WORKER}" if WORKER else BASE_PG_URL
BACKEND = os.environ.get("OPENNOTICE_TEST_DATABASE", "sqlite")


def pytest_report_header() -> str:
    """Which matching engine this run tests (compiled by `make compile`, or the sources)."""
    import opennotice.matching as matching

    why = f" ({matching.IMPLEMENTATION_REASON})" if matching.IMPLEMENTATION_REASON else ""
    return f"matching engine: {matching.IMPLEMENTATION}{why}"


OPERATOR = Actor(user_id=None, username="operator:test", role=Role.ADMIN, via="cli")


def postgres_available() -> str | None:
    """None when reachable (creating this worker's database if needed), else the reason."""
    try:
        engine = create_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
            if WORKER:
                name = PG_URL.rsplit("/", 1)[1]
                exists = conn.execute(
                    text("select 1 from pg_database where datname = :n"), {"n": name}
                ).first()
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return None
    except Exception as exc:  # any driver error means "not here"
        return f"PostgreSQL not reachable at {BASE_PG_URL}: {type(exc).__name__}"


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("OPENNOTICE_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason + " (OPENNOTICE_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_migrated() -> Iterator[str]:
    require_postgres()
    _reset_postgres(PG_URL)
    upgrade(PG_URL)
    yield PG_URL


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "select tablename from pg_tables where schemaname='public' "
                    "and tablename <> 'alembic_version'"
                )
            )
        ]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if BACKEND == "postgres":
        url: str = request.getfixturevalue("pg_migrated")
        _truncate_postgres(url)
        return url
    target = tmp_path / "db.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, secret_key="test-key-" + "x" * 32)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = build_context(settings)
    yield context
    context.engine.dispose()


@dataclass
class Who:
    user: NewUser
    actor: Actor

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.user.token}"}


@pytest.fixture
def people(ctx: AppContext) -> dict[str, Who]:
    """One user per role, for members FR (requester), DE, CN, and a restricted one, US."""
    from opennotice.services.auth import actor_for

    specs = {
        "ncb_fr": dict(role="ncb", member="FR"),
        "ncb_de": dict(role="ncb", member="DE"),
        "ncb_us": dict(role="ncb", member="US"),
        "ncb_cn": dict(role="ncb", member="CN"),
        "gs_br": dict(role="secretariat", nationality="BR"),
        "gs_ke": dict(role="secretariat", nationality="KE"),
        "gs_fr": dict(role="secretariat", nationality="FR"),
        "ccf": dict(role="ccf"),
        "screen_de": dict(role="screening", member="DE"),
        "auditor": dict(role="auditor"),
        "admin": dict(role="admin"),
    }
    out: dict[str, Who] = {}
    for name, spec in specs.items():
        new = bootstrap_user(ctx, OPERATOR, username=name.replace("_", "."), **spec)
        out[name] = Who(new, actor_for(new.user, via="test"))
    return out


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx)) as c:
        yield c
