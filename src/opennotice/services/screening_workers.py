"""Searching a file's rows on several processors: forked processes share the loaded index.

One process searches about 8,000 people a second; a passenger list of a million rows wants
every core. The index is built once, in the parent; the workers are forked from it and read
it copy-on-write. The caller should ``gc.freeze()`` first (``opennotice screen`` does), so
that no collection, in the parent or a worker, writes to every page of it and so copies them.
The parent reads and checks the rows and sends the people to the workers in chunks; they
send back, per person, the hits only. Everything else (recording the hits, the audit event,
the output) stays in the parent, as with one process.

Fork only (Linux, the BSDs, macOS): the workers must start with the index already in memory.
Fork while no other thread holds the index's locks: the command-line screening does, as it
starts the workers before anything else runs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opennotice.collector import collector_paused, settle_collector
from opennotice.errors import ValidationFailed
from opennotice.matching import Match, PersonQuery

from .screening_input import BatchItem, RowError

if TYPE_CHECKING:
    from .screening import IndexedNotice, ScreeningIndex

__all__ = ["CHUNK_ROWS", "MAX_WORKERS", "can_fork", "check_workers", "search_in_processes"]

MAX_WORKERS = 64
#: People per message to a worker: large enough that the pipe costs little per person,
#: small enough that the progress bar moves and memory stays flat.
CHUNK_ROWS = 500

Found = list[tuple[Match, "IndexedNotice"]]


@dataclass(frozen=True, slots=True)
class _Search:
    """What every worker searches with: set in the parent before the fork, inherited."""

    index: ScreeningIndex
    member: str | None
    threshold: float
    limit: int
    today: dt.date


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


def _search_chunk(queries: list[PersonQuery]) -> list[Found]:
    """In a worker: the hits of each person of a chunk."""
    search = _SEARCH
    if search is None:  # pragma: no cover - only if a worker was not forked from the parent
        raise RuntimeError("the screening worker was started without an index")
    # A search makes no reference cycles: no collection is needed while a chunk is searched
    # (a twentieth of a batch's time went to collections that found nothing).
    with collector_paused():
        found = [
            search.index.search(
                q, search.member, threshold=search.threshold, limit=search.limit, today=search.today
            )
            for q in queries
        ]
    settle_collector()  # the engine's caches grew: keep the collector off them
    return found


def search_in_processes(
    index: ScreeningIndex,
    rows: Iterable[BatchItem | RowError],
    *,
    member: str | None,
    threshold: float,
    limit: int,
    today: dt.date,
    workers: int,
) -> Iterator[tuple[BatchItem | RowError, Found]]:
    """Each row with its hits (none for a row in error), in the order of ``rows``, searched
    by ``workers`` forked processes."""
    global _SEARCH
    if workers < 2:
        raise ValidationFailed("searching in worker processes takes at least 2 of them")
    check_workers(workers)
    index.ensure_loaded()
    _SEARCH = _Search(index, member, threshold, limit, today)
    # The rows of each chunk, in the parent, until the chunk's hits come back (in order).
    sent: deque[list[BatchItem | RowError]] = deque()

    def chunks() -> Iterator[list[PersonQuery]]:
        source = iter(rows)
        while chunk := list(itertools.islice(source, CHUNK_ROWS)):
            sent.append(chunk)
            yield [r.query for r in chunk if isinstance(r, BatchItem)]

    try:
        with mp.get_context("fork").Pool(workers) as pool:
            for found in pool.imap(_search_chunk, chunks()):
                hits = iter(found)
                for row in sent.popleft():
                    yield row, ([] if isinstance(row, RowError) else next(hits))
    finally:
        _SEARCH = None
