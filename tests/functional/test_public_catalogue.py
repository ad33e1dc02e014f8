"""The in-memory catalogue of public extracts follows changes from this and other processes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient

from opennotice.bootstrap import build_context
from opennotice.config import Settings
from opennotice.services import public as svc
from opennotice.services.context import AppContext
from opennotice.store.tables import IndexChange, Notice, Photo
from tests.functional.test_public_support import Spec, store


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_changes_from_another_process_show_after_one_poll(
    settings: Settings, tmp_path: Path
) -> None:
    polled = Settings(
        database_url=settings.database_url, secret_key=settings.secret_key, index_poll_seconds=5
    )
    reader, writer = build_context(polled), build_context(polled)
    try:
        clock = FakeClock()
        catalogue = svc.PublicCatalogue(reader, clock=clock)
        reader.listeners.append(catalogue)
        assert catalogue.view().by_id == {}
        nid = store(writer, [Spec(photos=0)])[0]  # another process: no listener call here
        assert nid not in catalogue.view().by_id  # within the poll interval: not yet
        clock.now += 5
        entry = catalogue.view().by_id[nid]
        assert entry.photos == ()
        # A photo added elsewhere writes no change-feed row: the photos table is followed too.
        with writer.uow() as uow:
            uow.session.add(Photo(notice_id=nid, content_type="image/png", data=b"\x89PNG..."))
            uow.commit()
        clock.now += 5
        assert len(catalogue.view().by_id[nid].photos) == 1
        # Suspended elsewhere: gone after the next poll.
        with writer.uow() as uow:
            row = uow.session.get(Notice, nid)
            assert row is not None
            row.status = "suspended"
            uow.session.add(IndexChange(notice_id=nid))
            uow.commit()
        clock.now += 5
        assert nid not in catalogue.view().by_id
    finally:
        reader.engine.dispose()
        writer.engine.dispose()


def test_expiry_by_date_needs_no_change(ctx: AppContext) -> None:
    today = dt.date.today()
    soon = store(ctx, [Spec(valid_until=today + dt.timedelta(days=1))])[0]
    catalogue = svc.catalogue(ctx)
    assert soon in catalogue.view(today).by_id
    assert soon in catalogue.view(today + dt.timedelta(days=1)).by_id  # valid until that day
    assert soon not in catalogue.view(today + dt.timedelta(days=2)).by_id


def test_changes_to_private_requests_cost_no_rebuild(ctx: AppContext) -> None:
    store(ctx, [Spec()])
    catalogue = svc.catalogue(ctx)
    version = catalogue.view().version
    store(ctx, [Spec(public=False), Spec(status="draft")])
    assert catalogue.view().version == version
    store(ctx, [Spec()])
    assert catalogue.view().version > version


def test_served_through_the_listener_at_once(ctx: AppContext, client: TestClient) -> None:
    """In this process, a change shows on the very next request (ctx.listeners)."""
    nid = store(ctx, [Spec()])[0]
    assert client.get("/notices/v1/red").json()["total"] == 1
    with ctx.uow() as uow:
        row = uow.session.get(Notice, nid)
        assert row is not None
        row.public_extract = False
        uow.session.add(IndexChange(notice_id=nid))
        ctx.notify_changed(uow, nid)
        uow.commit()
    assert client.get("/notices/v1/red").json()["total"] == 0
