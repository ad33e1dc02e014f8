"""SQLite writers queue on a file lock beside the database (store/db.py), which every way out
of a transaction gives back."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from opennotice.store.db import make_engine, write_lock_path
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the write queue is SQLite's")


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    engine.dispose()
    return url


@pytest.fixture
def engines(url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one file, as two server processes have."""
    a, b = make_engine(url), make_engine(url)
    yield a, b
    a.dispose()
    b.dispose()


def _lock_is_free(url: str) -> bool:
    path = write_lock_path(url)
    assert path is not None
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock this probe took
    return True


def test_a_write_transaction_holds_the_lock_until_it_ends(
    url: str, engines: tuple[Engine, Engine]
) -> None:
    a, _ = engines
    assert _lock_is_free(url)
    with a.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert not _lock_is_free(url)
    assert _lock_is_free(url)
    with pytest.raises(RuntimeError), a.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
        raise RuntimeError("a failure inside the transaction")
    assert _lock_is_free(url)  # rolled back, and given back
    conn = a.connect()
    conn.execute(text("INSERT INTO t VALUES (3)"))  # autobegin
    assert not _lock_is_free(url)
    conn.close()  # closed without commit: rolled back by the pool
    assert _lock_is_free(url)
    with a.connect() as check:
        assert check.execute(text("SELECT n FROM t")).scalars().all() == [1]


def test_reads_take_no_lock(url: str) -> None:
    reader = make_engine(url, immediate=False)
    with reader.begin() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar()
        assert _lock_is_free(url)
    reader.dispose()


def test_a_second_writer_waits_for_the_first_and_then_writes(
    url: str, engines: tuple[Engine, Engine]
) -> None:
    a, b = engines
    began = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with b.begin() as conn:
                began.set()
                conn.execute(text("INSERT INTO t VALUES (2)"))
        except BaseException as exc:  # pragma: no cover - failure path
            errors.append(exc)

    with a.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        worker = threading.Thread(target=second)
        worker.start()
        # Queued on the lock, not failed and not inside its transaction while this one is.
        assert not began.wait(0.3)
    worker.join(timeout=60)
    assert not worker.is_alive() and not errors
    with a.connect() as check:
        assert check.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]
    assert _lock_is_free(url)


def test_a_thread_writing_through_two_connections_does_not_wait_for_itself(
    url: str, engines: tuple[Engine, Engine]
) -> None:
    """The second connection of a thread that holds the lock skips the queue; SQLite then
    refuses it as before (busy), rather than the thread hanging on its own lock."""
    a, _ = engines
    other = make_engine(url)
    with other.connect() as raw:
        raw.exec_driver_sql("PRAGMA busy_timeout=50")  # fail fast instead of after 30 s
        raw.commit()
    outcome: list[str] = []

    def both_in_one_thread() -> None:
        with a.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            try:
                with other.begin() as nested:
                    nested.execute(text("INSERT INTO t VALUES (2)"))
                outcome.append("written")
            except Exception as exc:
                outcome.append(str(exc))

    # In a thread of its own, so that a regression fails here instead of hanging the suite.
    worker = threading.Thread(target=both_in_one_thread, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the thread waited for its own lock"
    assert len(outcome) == 1 and "locked" in outcome[0]
    assert _lock_is_free(url)
    other.dispose()
