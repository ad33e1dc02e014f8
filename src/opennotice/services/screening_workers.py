"""Searching a file's rows on several processors: forked processes share the loaded index.

One process searches about 8,000 people a second; a passenger list of a million rows wants
every core. The index is built once, in the parent; the workers are forked from it and read
it copy-on-write. The caller should ``gc.freeze()`` first (``opennotice screen`` does), so
that no collection, in the parent or a worker, writes to every page of it and so copies them.
The parent splits the file into rows (:func:`~.screening_input.split_rows`) and sends them
to the workers in chunks, unread; the workers read and check each row (most of the work
before the search) and send back, per row, its line, reference and hits, or its error; or,
when the caller wants only the hits, a count of the rows without any (most rows of a
passenger list). Everything else (recording the hits, the audit event, the output) stays in
the parent, as with one process: on 2 cores the parent then takes little of either.

Fork only (Linux, the BSDs, macOS): the workers must start with the index already in memory.
Fork while no other thread holds the index's locks: the command-line screening does, as it
starts the workers before anything else runs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing as mp
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opennotice.collector import collector_paused, settle_collector
from opennotice.errors import ValidationFailed
from opennotice.matching import Match

from .screening_input import BatchItem, RawRow, RowError, read_row

if TYPE_CHECKING:
    from .screening import IndexedNotice, ScreeningIndex

__all__ = [
    "CHUNK_ROWS",
    "MAX_WORKERS",
    "Searched",
    "Unmatched",
    "can_fork",
    "check_workers",
    "search_rows",
]

MAX_WORKERS = 64
#: People per message to a worker: large enough that the pipe costs little per person,
#: small enough that the progress bar moves and memory stays flat.
CHUNK_ROWS = 500

Found = list[tuple[Match, "IndexedNotice"]]
#: A row searched: (line, the caller's reference, hits). A plain tuple, as it crosses a pipe.
Searched = tuple[int, str | None, Found]


@dataclass(frozen=True, slots=True)
class Unmatched:
    """So many rows searched without a hit, counted rather than given back one by one (for a
    caller that wants only the hits: most rows of a passenger list have none)."""

    rows: int


@dataclass(frozen=True, slots=True)
class _Search:
    """What every worker searches with: set in the parent before the fork, inherited."""

    index: ScreeningIndex
    member: str | None
    threshold: float
    limit: int
    today: dt.date
    #: Rows without a hit given back one by one (else counted: :class:`Unmatched`).
    list_unmatched: bool


_SEARCH: _Search | None = None


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def check_workers(workers: int) -> None:
    """The rule for the number of searching processes: 1 (the caller's own) up to
    ``MAX_WORKERS``; more than one needs fork()."""
    if not 1 <= workers <= MAX_WORKERS:
        raise ValidationFailed(f"the number of worker processes is between 1 and {MAX_WORKERS}")
    if workers > 1 and not can_fork():
        raise ValidationFailed("worker processes need fork(), which this system does not offer")


def search_rows(
    index: ScreeningIndex,
    rows: Iterable[RawRow | BatchItem | RowError],
    *,
    member: str | None,
    threshold: float,
    limit: int,
    today: dt.date,
    workers: int = 1,
    list_unmatched: bool = True,
) -> Iterator[Searched | RowError | Unmatched]:
    """Each row read (when still raw) and searched, or its error, in the order of ``rows``:
    in this process, or by ``workers`` forked processes (the same results). Without
    ``list_unmatched``, rows searched without a hit are only counted: an :class:`Unmatched`
    follows them (spares a million-row file as many answers to send, receive and look at)."""
    check_workers(workers)
    search = _Search(index, member, threshold, limit, today, list_unmatched)
    if workers == 1:
        return _searched(search, rows)
    return _searched_in_processes(search, rows, workers)


def _searched(
    search: _Search, rows: Iterable[RawRow | BatchItem | RowError]
) -> Iterator[Searched | RowError | Unmatched]:
    unmatched = 0
    for row in rows:
        item = read_row(row) if isinstance(row, tuple) else row
        if isinstance(item, RowError):
            yield item
            continue
        found = search.index.search(
            item.query, search.member, threshold=search.threshold, limit=search.limit,
            today=search.today,
        )  # fmt: skip
        if found or search.list_unmatched:
            yield (item.line, item.ref, found)
        else:
            unmatched += 1
    if unmatched:
        yield Unmatched(unmatched)


def _search_chunk(
    rows: list[RawRow | BatchItem | RowError],
) -> list[Searched | RowError | Unmatched]:
    """In a worker: each row of a chunk read and searched."""
    search = _SEARCH
    if search is None:  # pragma: no cover - only if a worker was not forked from the parent
        raise RuntimeError("the screening worker was started without an index")
    # A search makes no reference cycles: no collection is needed while a chunk is searched
    # (a twentieth of a batch's time went to collections that found nothing).
    with collector_paused():
        searched = list(_searched(search, rows))
        # The engine's caches grew: keep the collector off them. Before it is back on, or its
        # first allocation collects the chunk's new objects (4.6 µs a query, about 3.5 %).
        settle_collector()
    return searched


def _searched_in_processes(
    search: _Search, rows: Iterable[RawRow | BatchItem | RowError], workers: int
) -> Iterator[Searched | RowError | Unmatched]:
    global _SEARCH
    search.index.ensure_loaded()
    _SEARCH = search  # inherited by the workers, forked below

    def chunks() -> Iterator[list[RawRow | BatchItem | RowError]]:
        source = iter(rows)
        while chunk := list(itertools.islice(source, CHUNK_ROWS)):
            yield chunk

    try:
        with mp.get_context("fork").Pool(workers) as pool:
            for searched in pool.imap(_search_chunk, chunks()):
                yield from searched
    finally:
        _SEARCH = None
