"""Valid API tokens remembered for a moment, so that a busy client costs no lookup each time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from opennotice.domain.actors import Actor
from opennotice.domain.types import Role


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """What a valid token says about its user (no secret, no token)."""

    user_id: int
    username: str
    role: Role
    member: str | None
    nationality: str | None

    def actor(self, request_id: str) -> Actor:
        return Actor(
            user_id=self.user_id,
            username=self.username,
            role=self.role,
            member=self.member,
            nationality=self.nationality,
            request_id=request_id,
            via="api",
        )


class TokenCache:
    """Valid tokens seen in the last ``ttl`` seconds, by their keyed hash.

    Screening systems send hundreds of requests a second with one token; remembering the
    answer for a second saves a database round trip on each. Only valid tokens are kept
    (a wrong guess always costs a lookup). ``clear`` runs after every rotation or
    disabling in this process; other processes see the change within ``ttl``.
    """

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, TokenHolder]] = {}
        self._generation = 0  # counts the clearings

    @property
    def generation(self) -> int:
        return self._generation

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, digest: str) -> TokenHolder | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, digest: str, holder: TokenHolder, generation: int) -> None:
        """Remember a holder read from the database when the cache was at ``generation``:
        if a clearing came in between, the read may predate a revocation and is dropped."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (self._clock() + self.ttl, holder)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
