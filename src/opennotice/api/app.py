"""create_app(): the FastAPI application, wired to one AppContext."""

from __future__ import annotations

from pathlib import Path

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

STATIC_DIR = Path(__file__).parent.parent / "web" / "static"

# Every router of the application; the authorization matrix test walks them all.
API_ROUTERS = [
    notices.router,
    diffusions.router,
    reviews.router,
    admin.router,
    audit.router,
    screen_router.router,
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


def create_app(ctx: AppContext | None = None) -> FastAPI:
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

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=ctx.settings.max_body_bytes,
        max_upload_bytes=max(ctx.settings.max_photo_bytes, 20 * 1024 * 1024),
    )
    return app
