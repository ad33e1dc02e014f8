"""Engines for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

# Pool-record keys of a SQLite connection's write-lock file descriptor, and of the thread that
# holds the lock through it.
_LOCK_FD = "opennotice.write_lock_fd"
_LOCKED = "opennotice.write_locked"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def write_lock_path(url: str) -> str | None:
    """The file whose lock SQLite writers of this database queue on (None: in memory)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + "-writelock"


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """On SQLite every write transaction takes the write lock up front (BEGIN IMMEDIATE), so
    two transactions never both read the audit chain's head and then race to extend it.

    Before that, writers queue on an exclusive `flock` of a file beside the database
    (`write_lock_path`): the kernel wakes the next one the moment the lock is free, where
    SQLite's own busy handler makes a waiting writer sleep 1, 2, 5 ... 100 ms between tries,
    and with several server processes writing all the time some writers waited seconds."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL mode
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    lock_path = write_lock_path(url) if immediate else None
    if lock_path is None:

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    _queue_writers(engine, lock_path)
    return engine


# A thread that already holds a database's lock, through any engine of this process, does not
# queue again (it would wait for itself): its second connection meets SQLite's busy handler,
# as before. (lock file, thread ident) -> locks held.
_HELD: dict[tuple[str, int], int] = {}
_HELD_GUARD = threading.Lock()


def _queue_writers(engine: Engine, lock_path: str) -> None:
    def release(info: dict[str, Any]) -> None:
        owner = info.pop(_LOCKED, None)
        if owner is not None:
            with _HELD_GUARD:
                _HELD[owner] -= 1
            fcntl.flock(info[_LOCK_FD], fcntl.LOCK_UN)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        info = conn.connection.info
        me = (lock_path, threading.get_ident())
        if not _HELD.get(me):
            fd = info.get(_LOCK_FD)
            if fd is None:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                info[_LOCK_FD] = fd
            fcntl.flock(fd, fcntl.LOCK_EX)
            with _HELD_GUARD:
                _HELD[me] = _HELD.get(me, 0) + 1
            info[_LOCKED] = me
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release(info)
            raise

    # Released as the transaction ends (these events come just before SQLite's own COMMIT or
    # ROLLBACK, which then takes microseconds: a writer let in that early retries after 1 ms).
    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        release(conn.connection.info)

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        release(conn.connection.info)

    # Whatever way a connection leaves its user, it never keeps the lock.
    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        release(record.info)

    @event.listens_for(engine, "close")
    def _close(_dbapi_conn: Any, record: Any) -> None:
        release(record.info)
        fd = record.info.pop(_LOCK_FD, None)
        if fd is not None:
            os.close(fd)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)
