"""Searching rows in forked worker processes: same answers, same order, other processes."""

from __future__ import annotations

import datetime as dt
import gc
import os
from typing import Any, cast

import pytest

from opennotice.errors import ValidationFailed
from opennotice.matching import PersonQuery
from opennotice.services import screening_workers
from opennotice.services.screening_input import BatchItem, RowError
from opennotice.services.screening_workers import (
    CHUNK_ROWS,
    can_fork,
    check_workers,
    search_in_processes,
)

pytestmark = pytest.mark.skipif(not can_fork(), reason="this system has no fork()")


class _EchoIndex:
    """Stands in for the screening index: answers with the name it was asked, the pid, and
    whether the cyclic collector was on."""

    def ensure_loaded(self) -> None:
        pass

    def search(self, query: PersonQuery, member: str | None, **kw: Any) -> list[Any]:
        found = (query.family_name, member, kw["threshold"], kw["limit"], os.getpid())
        return [(*found, gc.isenabled())]


def _rows(n: int) -> list[BatchItem | RowError]:
    # errors here and there, including at the ends of the chunks
    bad = {1, CHUNK_ROWS, CHUNK_ROWS + 1, n}
    return [
        RowError(i, "bad") if i in bad else BatchItem(i, PersonQuery(f"name{i}", "x"))
        for i in range(1, n + 1)
    ]


def test_rows_come_back_in_order_with_their_own_hits_searched_elsewhere() -> None:
    rows = _rows(2 * CHUNK_ROWS + 7)
    out = list(
        search_in_processes(
            cast(Any, _EchoIndex()), iter(rows), member="FR", threshold=0.8, limit=3,
            today=dt.date(2026, 1, 1), workers=2,
        )
    )  # fmt: skip
    assert [row for row, _ in out] == rows
    pids = set()
    for row, found in out:
        if isinstance(row, RowError):
            assert found == []
            continue
        [(name, member, threshold, limit, pid, collecting)] = found
        assert (name, member, threshold, limit) == (row.query.family_name, "FR", 0.8, 3)
        assert not collecting  # a search makes no cycles: workers search with it paused
        pids.add(pid)
    assert os.getpid() not in pids and pids
    assert screening_workers._SEARCH is None  # nothing of the run is left behind


def test_an_error_in_the_rows_reaches_the_caller() -> None:
    def rows() -> Any:
        yield BatchItem(1, PersonQuery("a", "b"))
        raise OSError("the file went away")

    with pytest.raises(OSError, match="went away"):
        list(
            search_in_processes(
                cast(Any, _EchoIndex()), rows(), member=None, threshold=0.8, limit=1,
                today=dt.date(2026, 1, 1), workers=2,
            )
        )  # fmt: skip


@pytest.mark.parametrize("workers", [0, 1, screening_workers.MAX_WORKERS + 1])
def test_the_number_of_workers_is_checked(workers: int) -> None:
    with pytest.raises(ValidationFailed, match="worker processes"):
        list(
            search_in_processes(
                cast(Any, _EchoIndex()), [], member=None, threshold=0.8, limit=1,
                today=dt.date(2026, 1, 1), workers=workers,
            )
        )  # fmt: skip


def test_the_rule_for_workers_that_the_command_checks_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_workers(1)
    check_workers(screening_workers.MAX_WORKERS)
    with pytest.raises(ValidationFailed, match="between 1 and"):
        check_workers(0)
    monkeypatch.setattr(screening_workers, "can_fork", lambda: False)
    check_workers(1)  # one process needs no fork
    with pytest.raises(ValidationFailed, match="need fork"):
        check_workers(2)
