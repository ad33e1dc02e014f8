"""Protection of the public service: a per-address rate limit with a clear 429 and Retry-After."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from opennotice.api.app import create_app
from opennotice.api.ratelimit import RateLimiter
from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.errors import RateLimited


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_service_answers_429_with_retry_after(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, secret_key="k" * 40, public_rate_per_minute=5)
    ctx = build_context(settings)
    try:
        app = create_app(ctx)
        with TestClient(app) as client:
            answers = [client.get("/notices/v1/red") for _ in range(5)]
            assert all(r.status_code == 200 for r in answers)
            r = client.get("/notices/v1/red/2020-1")
            assert r.status_code == 429
            assert r.headers["content-type"].startswith("application/problem+json")
            assert int(r.headers["retry-after"]) >= 1
            body = r.json()
            assert body["status"] == 429 and "a minute" in body["detail"]
            # The public website shares the limit; the authenticated API does not.
            assert client.get("/notices").status_code == 429
            assert client.get("/api/v1/notices").status_code == 401
            # Another address has its own allowance.
            with TestClient(app, client=("203.0.113.9", 5000)) as other:
                assert other.get("/notices/v1/red").status_code == 200
    finally:
        ctx.engine.dispose()


def test_bucket_refills_over_time() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, burst=3, clock=clock)  # one a second, three at once
    assert [limiter.wait_time("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.wait_time("a")
    assert 0.99 <= wait <= 1.0
    with pytest.raises(RateLimited) as caught:
        limiter.check("a")
    assert caught.value.retry_after == 1
    assert limiter.wait_time("b") == 0.0  # another key is not affected
    clock.now += 1.0
    assert limiter.wait_time("a") == 0.0
    clock.now += 100.0  # idle time refills up to the burst, not beyond
    assert [limiter.wait_time("a") for _ in range(4)][-1] > 0


def test_memory_is_bounded() -> None:
    limiter = RateLimiter(10, max_keys=100, clock=FakeClock())
    for i in range(1000):
        limiter.wait_time(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter) == 100


@hsettings(max_examples=60, deadline=None)
@given(
    per_minute=st.integers(min_value=1, max_value=10_000),
    steps=st.lists(st.floats(min_value=0, max_value=120, allow_nan=False), max_size=60),
)
def test_never_more_than_burst_plus_refill(per_minute: int, steps: list[float]) -> None:
    """Over any run, allowed requests <= burst + rate * elapsed time."""
    clock = FakeClock()
    limiter = RateLimiter(per_minute, clock=clock)
    allowed = 0
    start = clock.now
    for step in steps:
        clock.now += step
        if limiter.wait_time("k") == 0.0:
            allowed += 1
    elapsed = clock.now - start
    assert allowed <= limiter.capacity + per_minute / 60.0 * elapsed + 1e-6


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
