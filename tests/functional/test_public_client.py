"""A client written against the documented format collects every public Red Notice.

The original service never yields more than 160 results per query, so clients split their
queries by nationality, then sex, then age, follow `_links.next`, read each detail and download
each image. Such a client must find every public notice, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from opennotice.config import Settings
from opennotice.domain.countries import country_names
from opennotice.services.context import AppContext
from opennotice.store.tables import Notice
from tests.functional.test_public_support import Spec, population, store

CAP = 160


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-key-" + "x" * 32,
        index_poll_seconds=0,
        public_rate_per_minute=1_000_000,  # the crawler makes thousands of requests
    )


@dataclass
class Crawler:
    """What a monitoring project's scraper does, knowing only the public format."""

    get: Callable[[str], Any]
    base: str
    requests: int = 0
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fetch(self, href: str) -> Any:
        while True:
            self.requests += 1
            r = self.get(href)
            if r.status_code == 429:  # be polite: wait as told, then retry
                time.sleep(int(r.headers["Retry-After"]))
                continue
            assert r.status_code == 200, (href, r.status_code, r.text[:200])
            return r

    def listing(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a query under the cap, page by page along `_links.next`."""
        query = urlencode({**filters, "resultPerPage": 40})
        doc = self.fetch(f"{self.base}/notices/v1/red?&{query}").json()
        assert doc["total"] <= CAP
        items = list(doc["_embedded"]["notices"])
        while "next" in doc["_links"]:
            doc = self.fetch(doc["_links"]["next"]["href"]).json()
            items += doc["_embedded"]["notices"]
        assert len(items) == doc["total"], filters
        return items

    def collect(self, filters: dict[str, Any]) -> None:
        query = urlencode({**filters, "resultPerPage": CAP})
        total = self.fetch(f"{self.base}/notices/v1/red?{query}").json()["total"]
        if total == 0:
            return
        if total <= CAP:
            for item in self.listing(filters):
                self.seen[item["entity_id"]] = item
        elif "sexId" not in filters:
            for sex in ("M", "F", "U"):
                self.collect({**filters, "sexId": sex})
        elif "ageMin" not in filters:  # ten-year bands first
            for low in range(0, 131, 10):
                self.collect({**filters, "ageMin": low, "ageMax": low + 9})
        elif filters["ageMin"] != filters["ageMax"]:  # then single years
            for age in range(filters["ageMin"], filters["ageMax"] + 1):
                self.collect({**filters, "ageMin": age, "ageMax": age})
        else:
            raise AssertionError(f"cannot split {filters} further")

    def all_red(self) -> int:
        # By nationality, and by the country that wants the person (which also reaches those
        # whose nationality is not published), as scrapers of the original service do.
        for dimension in ("nationality", "arrestWarrantCountryId"):
            for code in country_names():
                self.collect({dimension: code})
        total: int = self.fetch(f"{self.base}/notices/v1/red").json()["total"]
        return total

    def read_everything(self) -> tuple[int, int]:
        details = images = 0
        for item in self.seen.values():
            detail = self.fetch(item["_links"]["self"]["href"]).json()
            assert detail["entity_id"] == item["entity_id"] and detail["name"] == item["name"]
            assert isinstance(detail["arrest_warrants"], list)
            details += 1
            pictures = self.fetch(detail["_links"]["images"]["href"]).json()
            listed = pictures["_embedded"]["images"]
            assert bool(listed) == ("thumbnail" in item["_links"])
            for picture in listed:
                r = self.fetch(picture["_links"]["self"]["href"])
                assert r.headers["content-type"] in ("image/png", "image/jpeg", "image/webp")
                assert r.content[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0"[:4], b"RIFF") or (
                    r.content[:3] == b"\xff\xd8\xff"
                )
                images += 1
        return details, images


def public_red_ids(ctx: AppContext) -> set[str]:
    """What should be public, computed straight from the stored rows (independently)."""
    today = dt.date.today()
    with ctx.read_session_factory() as session:
        rows = session.scalars(
            select(Notice).where(
                Notice.kind == "notice", Notice.type == "red", Notice.status == "issued"
            )
        )
        return {
            n.id
            for n in rows
            if n.public_extract
            and not n.blocked
            and not n.restricted_from
            and n.content is not None
            and n.valid_until is not None
            and n.valid_until >= today
        }


def test_a_client_splitting_queries_finds_every_public_red_notice(
    ctx: AppContext, client: TestClient
) -> None:
    # Most of them share one nationality, so that queries must be split by sex and then age.
    crowd = population(330, seed=3, nationalities=["RU"])
    others = population(120, seed=4)
    stateless = population(12, seed=6, nationalities=[])
    hidden = [
        Spec(family="Hiddenrestricted", restricted_from=["UA"], nationalities=["RU"]),
        Spec(family="Hiddenprivate", public=False, nationalities=["RU"]),
        Spec(family="Hiddensuspended", status="suspended", nationalities=["RU"]),
        Spec(family="Hiddenblocked", blocked=True, nationalities=["RU"]),
    ]
    public_ids = set(store(ctx, crowd + others + stateless))
    hidden_ids = set(store(ctx, hidden))
    assert public_red_ids(ctx) == public_ids

    crawler = Crawler(client.get, "")
    total = crawler.all_red()
    assert total == len(public_ids)
    assert set(crawler.seen) == public_ids  # nothing missing, nothing more
    assert not set(crawler.seen) & hidden_ids
    details, images = crawler.read_everything()
    assert details == len(public_ids) and images > 0


@pytest.mark.slow
def test_the_client_on_the_demo_data(ctx: AppContext, client: TestClient) -> None:
    from opennotice.services.demo import run_demo
    from opennotice.services.public import refresh, seed_demo

    run_demo(ctx, seed=2021, count=100)
    seed_demo(ctx, random.Random(2021))
    refresh(ctx)
    expected = public_red_ids(ctx)
    assert expected, "the demo publishes some Red Notices"
    crawler = Crawler(client.get, "")
    assert crawler.all_red() == len(expected)
    assert set(crawler.seen) == expected
    details, images = crawler.read_everything()
    assert details == len(expected) and images > 0
    with ctx.read_session_factory() as session:
        restricted = {
            n.id
            for n in session.scalars(select(Notice))
            if n.restricted_from or not n.public_extract or n.status != "issued"
        }
    assert not set(crawler.seen) & restricted
