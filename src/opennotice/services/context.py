"""What every service call needs: settings, the database, the key, the pluggable parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from opennotice.config import Settings
from opennotice.store.uow import UnitOfWork

from .ports import ComplianceChecker, NoChecks, NoticeListener
from .token_cache import TokenCache


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    # Deferred transactions for reads that write nothing (public service, figures).
    read_session_factory: sessionmaker[Session]
    secret_key: bytes
    checker: ComplianceChecker = field(default_factory=NoChecks)
    listeners: list[NoticeListener] = field(default_factory=list)
    tokens: TokenCache = field(default_factory=lambda: TokenCache(ttl=0.0))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def notify_changed(self, uow: UnitOfWork, notice_id: str) -> None:
        for listener in self.listeners:
            uow.after_commit(partial(listener.notice_changed, notice_id))
