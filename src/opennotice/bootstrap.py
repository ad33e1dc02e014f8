"""The one place that wires settings, database and services together."""

from __future__ import annotations

from opennotice.config import Settings
from opennotice.services.ccf import WithdrawalWatch
from opennotice.services.compliance import ComplianceChecker
from opennotice.services.context import AppContext
from opennotice.services.screening import attach_index
from opennotice.services.token_cache import TokenCache
from opennotice.services.transparency import VisibilityWatch
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
        tokens=TokenCache(ttl=settings.token_cache_seconds),
    )
    ctx.checker = ComplianceChecker()  # compliance: the rules catalogue, checked at start-up
    ctx.listeners.append(WithdrawalWatch(ctx))  # CCF: withdrawals during a commission review
    ctx.listeners.append(VisibilityWatch(ctx))  # transparency: public vs restricted over time
    attach_index(ctx)  # screening: the name index, loaded on first use or at app start-up
    return ctx
