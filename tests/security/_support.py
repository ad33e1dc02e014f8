"""Shared helpers of the security tests: scratch databases and a small fictional world."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.domain.content import RequestContent
from opennotice.services import requests as req_svc
from opennotice.services import reviews as review_svc
from opennotice.services.auth import actor_for
from opennotice.services.context import AppContext
from opennotice.services.users import bootstrap_user
from opennotice.store.migrate import upgrade
from tests.conftest import BACKEND, OPERATOR, PG_URL, require_postgres
from tests.factories import red_notice

SECRET = "security-test-key-" + "s" * 32
#: The backend of this run: `make test` runs the suite once per database, so a test
#: parametrized with this covers both across the two runs without repeating either.
BACKENDS = ["postgresql"] if BACKEND == "postgres" else ["sqlite"]


def scratch_postgres(suffix: str) -> str:
    """A fresh, empty database named after the test database plus `suffix`; skips (or fails
    under OPENNOTICE_REQUIRE_POSTGRES=1) when PostgreSQL is not reachable."""
    require_postgres()
    base = make_url(PG_URL)
    name = f"{base.database}_{suffix}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def fresh_database(backend: str, tmp_path: Path, suffix: str, *, migrate: bool = True) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / (suffix + '.sqlite3')}"
    else:
        url = scratch_postgres(suffix)
    if migrate:
        upgrade(url)
    return url


def context_for(url: str) -> AppContext:
    return build_context(Settings(database_url=url, secret_key=SECRET))


@dataclass
class World:
    tokens: dict[str, str]
    issued: str  # a Red Notice of FR, restricted from US
    draft: str


def populate(ctx: AppContext) -> World:
    specs = {
        "ncb_fr": dict(role="ncb", member="FR"),
        "ncb_us": dict(role="ncb", member="US"),
        "gs_br": dict(role="secretariat", nationality="BR"),
        "auditor": dict(role="auditor"),
    }
    users = {n: bootstrap_user(ctx, OPERATOR, username=n.replace("_", "."), **s)
             for n, s in specs.items()}  # fmt: skip
    fr = actor_for(users["ncb_fr"].user, via="test")
    gs = actor_for(users["gs_br"].user, via="test")
    body = red_notice(visibility={"public_extract": False, "restricted_from": ["US"]})
    issued = req_svc.create_request(ctx, fr, RequestContent.model_validate(body)).id
    req_svc.submit_request(ctx, fr, issued)
    review_svc.decide(
        ctx, gs, issued, review_svc.Decision.ISSUE, "Serious ordinary crime, data complete."
    )
    draft = req_svc.create_request(ctx, fr, RequestContent.model_validate(red_notice())).id
    return World({n: u.token for n, u in users.items()}, issued, draft)


def env_for(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["OPENNOTICE_DATABASE_URL"] = url
    env["OPENNOTICE_SECRET_KEY"] = SECRET
    return env
