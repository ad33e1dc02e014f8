"""Keeping the cyclic garbage collector off the engine's caches during batch screening."""

from __future__ import annotations

import gc

__all__ = ["settle_collector"]


def settle_collector() -> None:
    """Move every object alive now out of the cyclic collector's walks (``gc.freeze``).

    Screening many people grows the engine's caches (forms, blocking keys, part similarities)
    by a few objects per query. Each full collection walks all of them again, which was a fifth
    of a batch's time. A search leaves no cyclic garbage (the tests check it), and the cached
    objects are freed by reference counting when evicted, so freezing them loses nothing.

    Call it between chunks of rows in a process that screens a file (``opennotice screen``,
    the benchmarks), and ``gc.unfreeze()`` when the run ends. Not in a server: cycles that other
    code creates, and that are frozen before they become garbage, would never be collected.
    """
    gc.freeze()
