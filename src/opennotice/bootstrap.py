"""The one place that wires settings, database and services together."""

from __future__ import annotations

from opennotice.config import Settings
from opennotice.services.context import AppContext
from opennotice.store.db import make_engine, make_session_factory


def build_context(settings: Settings | None = None) -> AppContext:
    settings = settings or Settings()
    settings.ensure_sqlite_dir()
    engine = make_engine(settings.database_url)
    read_engine = make_engine(settings.database_url, immediate=False)
    ctx = AppContext(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        read_session_factory=make_session_factory(read_engine),
        secret_key=settings.resolve_secret_key(),
    )
    return ctx
