"""create_app(): the FastAPI application, wired to one AppContext."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from opennotice import __version__
from opennotice.bootstrap import build_context
from opennotice.services.context import AppContext
from opennotice.web import assembly as assembly_web
from opennotice.web import ccf_public
from opennotice.web import public as public_web
from opennotice.web import staff as staff_web

from . import problems
from .middleware import EdgeMiddleware
from .routers import admin, audit, diffusions, notices, reviews
from .routers import assembly as assembly_router
from .routers import ccf as ccf_router
from .routers import compliance as compliance_router
from .routers import public as public_router
from .routers import register as register_router
from .routers import screen as screen_router
from .routers import transparency as transparency_router
from .screen_fast_path import ScreenFastPath

STATIC_DIR = Path(__file__).parent.parent / "web" / "static"

# Every router of the application; the authorization matrix test walks them all. Requests
# are matched in this order: screening, the busiest by far, first.
API_ROUTERS = [
    screen_router.router,
    notices.router,
    diffusions.router,
    reviews.router,
    admin.router,
    audit.router,
    register_router.router,
    compliance_router.router,
    ccf_router.router,
    assembly_router.router,
    public_router.router,
    transparency_router.router,
    ccf_public.router,
    staff_web.router,
    public_web.router,
    assembly_web.router,
]


def _freeze_after_start(app: FastAPI) -> None:
    """Once start-up has built the in-memory indexes, move them out of the garbage collector's
    sight: they live as long as the server, and walking their millions of objects on every
    full collection cost screening a third of its time. Index entries replaced later are
    freed by reference counting as before."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            gc.collect()
            gc.freeze()
            try:
                yield state
            finally:
                gc.unfreeze()  # at shutdown, give everything back to the collector

    app.router.lifespan_context = lifespan


def create_app(ctx: AppContext | None = None, *, screen_fast_path: bool = True) -> FastAPI:
    """The application. `screen_fast_path=False` leaves every screening query to the route
    (the tests compare the two)."""
    ctx = ctx or build_context()
    app = FastAPI(
        title="OpenNotice",
        version=__version__,
        description=(
            "International notices, reviewed against cited rules before they circulate. "
            "Authenticated API under /api/v1/ (Authorization: Bearer TOKEN); "
            "errors are application/problem+json."
        ),
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    problems.install(app)
    for router in API_ROUTERS:
        app.include_router(router)
    screen_router.install(app, ctx)  # screening index: loaded at start-up, follows changes
    _freeze_after_start(app)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    if screen_fast_path:
        # Added first, so it runs inside EdgeMiddleware: its limits and headers apply.
        app.add_middleware(ScreenFastPath, ctx=ctx)
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=ctx.settings.max_body_bytes,
        max_upload_bytes=max(ctx.settings.max_photo_bytes, 20 * 1024 * 1024),
        body_seconds=ctx.settings.body_seconds,
        request_seconds=ctx.settings.request_seconds,
    )
    return app
