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
from opennotice.services.screening_input import BatchItem, RawRow, RowError
from opennotice.services.screening_workers import (
    CHUNK_ROWS,
    Unmatched,
    can_fork,
    check_workers,
    search_rows,
)

pytestmark = pytest.mark.skipif(not can_fork(), reason="this system has no fork()")


class _EchoIndex:
    """Stands in for the screening index: answers with the name it was asked, the pid, and
    whether the cyclic collector was on; nothing for the names that end in 3, 6 or 9."""

    def ensure_loaded(self) -> None:
        pass

    def search(self, query: PersonQuery, member: str | None, **kw: Any) -> list[Any]:
        if query.family_name is not None and query.family_name[-1] in "369":
            return []
        found = (query.family_name, member, kw["threshold"], kw["limit"], os.getpid())
        return [(*found, gc.isenabled())]


HEADER = ("surname", "given_names", "passenger_id")


def _rows(n: int) -> list[RawRow | BatchItem | RowError]:
    """Rows as the command sends them (unread CSV and JSON lines), read ones, errors found
    while splitting and rows that read as errors, at the ends of the chunks too."""
    rows: list[RawRow | BatchItem | RowError] = []
    for i in range(1, n + 1):
        if i in (1, CHUNK_ROWS, CHUNK_ROWS + 1, n):
            rows.append(RowError(i, "bad"))
        elif i % 4 == 0:
            rows.append((i, [f"name{i}", "x", f"p{i}"], HEADER))
        elif i % 4 == 1:
            rows.append((i, f'{{"surname": "name{i}", "given_names": "x", "ref": "j{i}"}}', ()))
        elif i % 7 == 0:
            rows.append((i, ["", "", f"p{i}"], HEADER))  # no name: an error once read
        else:
            rows.append(BatchItem(i, PersonQuery(f"name{i}", "x"), f"b{i}"))
    return rows


def test_rows_come_back_in_order_with_their_own_hits_searched_elsewhere() -> None:
    rows = _rows(2 * CHUNK_ROWS + 7)
    options: dict[str, Any] = {
        "member": "FR", "threshold": 0.8, "limit": 3, "today": dt.date(2026, 1, 1)
    }  # fmt: skip
    out = list(search_rows(cast(Any, _EchoIndex()), iter(rows), workers=2, **options))
    # the same as in this process, each row read and searched once, in order
    here = list(search_rows(cast(Any, _EchoIndex()), rows, workers=1, **options))
    assert len(out) == len(here) == len(rows)
    pids = set()
    for row, got, expected in zip(rows, out, here, strict=True):
        if isinstance(expected, RowError):
            assert got == expected
            assert isinstance(row, RowError) or (not isinstance(row, BatchItem) and row[0] % 7 == 0)
            continue
        assert not isinstance(got, RowError)
        line, ref, found = got
        assert (line, ref) == expected[:2]
        assert line == _line(row)
        assert ref == {0: f"p{line}", 1: f"j{line}"}.get(line % 4, f"b{line}")
        if str(line)[-1] in "369":
            assert found == expected[2] == []
            continue
        assert expected[2][0][4] == os.getpid()  # one worker: searched here
        [(name, member, threshold, limit, pid, collecting)] = found
        assert (name, member, threshold, limit) == (f"name{line}", "FR", 0.8, 3)
        assert not collecting  # a search makes no cycles: workers search with it paused
        pids.add(pid)
    assert os.getpid() not in pids and pids
    assert screening_workers._SEARCH is None  # nothing of the run is left behind


def _line(item: Any) -> int:
    """The line of a row, read, unread or refused."""
    return int(item.line if isinstance(item, BatchItem | RowError) else item[0])


def _plain(items: list[Any]) -> list[Any]:
    """The rows' lines, references and what was found, without where and how it was searched."""
    return [
        r if isinstance(r, RowError | Unmatched) else (r[0], r[1], [h[:4] for h in r[2]])
        for r in items
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_rows_without_hits_can_come_counted(workers: int) -> None:
    rows = _rows(3 * CHUNK_ROWS + 11)
    options: dict[str, Any] = {
        "member": None, "threshold": 0.8, "limit": 1, "today": dt.date(2026, 1, 1)
    }  # fmt: skip
    listed = _plain(list(search_rows(cast(Any, _EchoIndex()), rows, workers=1, **options)))
    search = search_rows(
        cast(Any, _EchoIndex()), iter(rows), workers=workers, list_unmatched=False, **options
    )
    counted = _plain(list(search))
    unmatched = [r[0] for r in listed if not isinstance(r, RowError) and not r[2]]
    assert max(unmatched) > 3 * CHUNK_ROWS  # rows without hits up to the last chunk
    # The errors and the rows with hits as a listed run gives them, in order...
    assert [r for r in counted if not isinstance(r, Unmatched)] == [
        r for r in listed if isinstance(r, RowError) or r[2]
    ]
    # ... and counts that together count every other row, each after the rows it counts.
    assert sum(r.rows for r in counted if isinstance(r, Unmatched)) == len(unmatched)
    so_far = 0
    for n, item in enumerate(counted):
        if isinstance(item, Unmatched):
            so_far += item.rows
            given = [_line(r) for r in counted[n + 1 :] if not isinstance(r, Unmatched)]
            after = given[0] if given else len(rows) + 1  # the next row given back
            assert so_far <= sum(1 for line in unmatched if line < after)
    if workers > 1:  # one count per chunk with such rows: their answers stay small
        assert sum(isinstance(r, Unmatched) for r in counted) == 4


def test_an_error_in_the_rows_reaches_the_caller() -> None:
    def rows() -> Any:
        yield BatchItem(1, PersonQuery("a", "b"))
        raise OSError("the file went away")

    with pytest.raises(OSError, match="went away"):
        list(
            search_rows(
                cast(Any, _EchoIndex()), rows(), member=None, threshold=0.8, limit=1,
                today=dt.date(2026, 1, 1), workers=2,
            )
        )  # fmt: skip


@pytest.mark.parametrize("workers", [0, -1, screening_workers.MAX_WORKERS + 1])
def test_the_number_of_workers_is_checked(workers: int) -> None:
    with pytest.raises(ValidationFailed, match="worker processes"):
        list(
            search_rows(
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
