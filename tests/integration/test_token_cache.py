"""API tokens remembered for a moment: revocation is immediate in the process that made it and
bounded by the cache's lifetime in the others."""

from __future__ import annotations

import pytest

from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.domain.types import Role
from opennotice.errors import Unauthenticated
from opennotice.services.auth import authenticate_token, remembered_actor
from opennotice.services.context import AppContext
from opennotice.services.token_cache import TokenCache, TokenHolder
from opennotice.services.users import rotate_token, set_active
from tests.conftest import Who


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_checked_token_is_remembered_with_its_user(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    ctx.tokens = TokenCache(ttl=5.0)
    token = people["screen_de"].user.token
    assert remembered_actor(ctx, token) is None  # never checked: the database must be asked
    actor = authenticate_token(ctx, token, "req-1")
    again = remembered_actor(ctx, token, "req-2")
    assert again is not None
    assert (again.user_id, again.username, again.role, again.member) == (
        actor.user_id, actor.username, actor.role, actor.member,
    )  # fmt: skip
    assert again.request_id == "req-2" and again.via == "api"


def test_wrong_tokens_are_never_remembered(ctx: AppContext, people: dict[str, Who]) -> None:
    ctx.tokens = TokenCache(ttl=5.0)
    for guess in ("on_" + "A" * 43, "on_" + "B" * 43):
        with pytest.raises(Unauthenticated):
            authenticate_token(ctx, guess)
    with pytest.raises(Unauthenticated):
        remembered_actor(ctx, "not-even-the-shape")
    assert len(ctx.tokens) == 0


def test_rotation_and_disabling_stop_the_old_token_at_once_in_this_process(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    ctx.tokens = TokenCache(ttl=3600.0)  # long enough that only the clearing can explain it
    admin = people["admin"].actor
    who = people["screen_de"]
    authenticate_token(ctx, who.user.token)
    new = rotate_token(ctx, admin, who.user.user.id)
    with pytest.raises(Unauthenticated):
        authenticate_token(ctx, who.user.token)
    assert authenticate_token(ctx, new.token).username == who.actor.username

    set_active(ctx, admin, who.user.user.id, False)
    with pytest.raises(Unauthenticated):
        authenticate_token(ctx, new.token)
    assert remembered_actor(ctx, new.token) is None


def test_another_process_stops_accepting_a_disabled_token_when_its_memory_expires(
    ctx: AppContext, people: dict[str, Who], settings: Settings
) -> None:
    clock = FakeClock()
    other = build_context(settings)  # a second server process on the same database
    other.tokens = TokenCache(ttl=1.0, clock=clock)
    try:
        who = people["ncb_de"]
        authenticate_token(other, who.user.token)
        set_active(ctx, people["admin"].actor, who.user.user.id, False)
        clock.now += 0.5
        # Within the lifetime the other process still answers from memory ...
        assert authenticate_token(other, who.user.token).username == who.actor.username
        clock.now += 0.6
        # ... and asks the database again once it is over.
        with pytest.raises(Unauthenticated):
            authenticate_token(other, who.user.token)
    finally:
        other.engine.dispose()


def test_a_zero_lifetime_remembers_nothing(ctx: AppContext, people: dict[str, Who]) -> None:
    ctx.tokens = TokenCache(ttl=0.0)
    authenticate_token(ctx, people["screen_de"].user.token)
    assert len(ctx.tokens) == 0
    assert remembered_actor(ctx, people["screen_de"].user.token) is None


def test_the_setting_sets_the_lifetime(settings: Settings) -> None:
    ctx = build_context(settings.model_copy(update={"token_cache_seconds": 2.5}))
    try:
        assert ctx.tokens.ttl == 2.5
    finally:
        ctx.engine.dispose()


def test_a_lookup_that_raced_a_revocation_is_not_remembered() -> None:
    """A holder read from the database before a clearing (a rotation or a disabling that
    committed meanwhile) may be stale: it is not kept; one read after the clearing is."""
    cache = TokenCache(ttl=3600.0)
    holder = TokenHolder(7, "screen.de", Role.SCREENING, "DE", None)
    seen = cache.generation
    cache.clear()
    cache.put("digest", holder, seen)
    assert cache.get("digest") is None and len(cache) == 0
    cache.put("digest", holder, cache.generation)
    assert cache.get("digest") == holder
