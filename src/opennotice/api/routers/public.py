"""/notices/v1/: the public extracts, in the format of INTERPOL's public notices web service.

No login and no audit (public data only). Rate limited per client address (429 + Retry-After).
Details and images carry `ETag` and `Cache-Control` and answer `If-None-Match` with 304.

Links are absolute, built from the request's own scheme and `Host` header (and the ASGI
`root_path`). Behind a reverse proxy, run uvicorn with `proxy_headers` (as `opennotice serve`
does) and list the proxy in `FORWARDED_ALLOW_IPS` (uvicorn's `--forwarded-allow-ips`): uvicorn
then takes the scheme from `X-Forwarded-Proto` and the client address (the rate-limit key) from
`X-Forwarded-For`, only when the direct peer is that trusted proxy. The proxy must pass the
public `Host` header through (nginx: `proxy_set_header Host $host;`); `X-Forwarded-Host` is not
read, so an untrusted client cannot choose the host written in the links.
"""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from opennotice.services import public as svc
from opennotice.services.context import AppContext

from ..deps import Ctx, get_ctx
from ..ratelimit import RateLimiter

_HOST = re.compile(r"^(?:[A-Za-z0-9.\-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$")
DETAIL_CACHE = "public, max-age=300"
IMAGE_CACHE = "public, max-age=3600"
LIST_CACHE = "public, max-age=60"
_LIMITER_LOCK = threading.Lock()


def limiter(request: Request, ctx: AppContext) -> RateLimiter:
    """One limiter per application, sized from the settings."""
    found: RateLimiter | None = getattr(request.app.state, "public_rate_limiter", None)
    if found is None:
        with _LIMITER_LOCK:
            found = getattr(request.app.state, "public_rate_limiter", None)
            if found is None:
                found = RateLimiter(ctx.settings.public_rate_per_minute)
                request.app.state.public_rate_limiter = found
    return found


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, ctx: Annotated[AppContext, Depends(get_ctx)]) -> None:
    limiter(request, ctx).check(client_key(request))


def base_url(request: Request) -> str:
    """scheme://host[:port][root_path] of this request, as the client reached it."""
    host = request.headers.get("host", "")
    if not _HOST.match(host):
        server = request.scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else "localhost"
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return f"{request.url.scheme}://{host}{root}"


def _matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _json(body: dict[str, Any], cache: str, etag: str | None = None) -> JSONResponse:
    headers = {"Cache-Control": cache, "Vary": "X-Forwarded-Proto"}
    if etag:
        headers["ETag"] = etag
    return JSONResponse(body, headers=headers)


def _not_modified(etag: str, cache: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})


@asynccontextmanager
async def _warm_up(app: Any) -> AsyncIterator[None]:
    """Load the public catalogue when the server starts, not on the first visitor's request."""
    ctx: AppContext | None = getattr(app.state, "ctx", None)
    if ctx is not None:
        await run_in_threadpool(svc.catalogue(ctx).view)
    yield


router = APIRouter(
    prefix="/notices/v1",
    tags=["public notices"],
    dependencies=[Depends(rate_limit)],
    lifespan=_warm_up,
)

Text = Annotated[str | None, Query(description="plain text or a regular expression (RE2)")]
Code = Annotated[str | None, Query(description="ISO 3166-1 alpha-2 code")]
Num = Annotated[str | None, Query(description="a whole number")]


def _list_handler(kind: svc.PublicKind) -> Callable[..., JSONResponse]:
    def handler(
        request: Request,
        ctx: Ctx,
        forename: Text = None,
        name: Text = None,
        nationality: Code = None,
        arrestWarrantCountryId: Code = None,
        ageMin: Num = None,
        ageMax: Num = None,
        sexId: Annotated[str | None, Query(description="M, F or U")] = None,
        freeText: Annotated[str | None, Query(description="words, anywhere")] = None,
        unReference: str | None = None,
        unResolution: str | None = None,
        page: Annotated[str | None, Query(description="1-based; default 1")] = None,
        resultPerPage: Annotated[str | None, Query(description="default 20, max 160")] = None,
    ) -> JSONResponse:
        query = svc.parse_query(request.query_params)
        result = svc.search(ctx, kind, query)
        return _json(svc.list_document(base_url(request), result), LIST_CACHE)

    handler.__name__ = f"list_{kind.name.lower()}"
    handler.__doc__ = (
        f"Public {kind.value} notices. At most 160 results per query (`total` is the true "
        "count): narrow the query (nationality, sex, age) to reach the others."
    )
    return handler


def _conditional(request: Request, body: dict[str, Any]) -> Response:
    """A document with its ETag, or 304 when the client already holds this version."""
    etag = svc.etag_of(body)
    if _matches(request, etag):
        return _not_modified(etag, DETAIL_CACHE)
    return _json(body, DETAIL_CACHE, etag)


def _detail_handler(kind: svc.PublicKind) -> Callable[..., Response]:
    def handler(notice_id: str, request: Request, ctx: Ctx) -> Response:
        entry = svc.find(ctx, kind, notice_id)
        return _conditional(request, svc.detail_document(base_url(request), entry))

    handler.__name__ = f"detail_{kind.name.lower()}"
    handler.__doc__ = f"One public {kind.value} notice (404 if there is none with this id)."
    return handler


def _images_handler(kind: svc.PublicKind) -> Callable[..., Response]:
    def handler(notice_id: str, request: Request, ctx: Ctx) -> Response:
        entry = svc.find(ctx, kind, notice_id)
        return _conditional(request, svc.images_document(base_url(request), entry))

    handler.__name__ = f"images_{kind.name.lower()}"
    handler.__doc__ = f"The pictures of one public {kind.value} notice."
    return handler


def _image_handler(kind: svc.PublicKind) -> Callable[..., Response]:
    def handler(notice_id: str, picture_id: str, request: Request, ctx: Ctx) -> Response:
        entry = svc.find(ctx, kind, notice_id)
        etag = svc.photo_etag(entry, picture_id)
        if any(str(p.id) == picture_id for p in entry.photos) and _matches(request, etag):
            return _not_modified(etag, IMAGE_CACHE)
        pic = svc.picture(ctx, entry, picture_id)
        return Response(
            pic.data,
            media_type=pic.content_type,
            headers={"ETag": pic.etag, "Cache-Control": IMAGE_CACHE},
        )

    handler.__name__ = f"image_{kind.name.lower()}"
    handler.__doc__ = "The picture itself, with its content type."
    return handler


_BINARY: dict[str, Any] = {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}

for _kind in svc.PublicKind:
    _path = f"/{_kind.value}"
    router.add_api_route(_path, _list_handler(_kind), methods=["GET"])
    router.add_api_route(f"{_path}/{{notice_id}}", _detail_handler(_kind), methods=["GET"])
    router.add_api_route(f"{_path}/{{notice_id}}/images", _images_handler(_kind), methods=["GET"])
    router.add_api_route(
        f"{_path}/{{notice_id}}/images/{{picture_id}}",
        _image_handler(_kind),
        methods=["GET"],
        responses={200: _BINARY},
        response_class=Response,
    )
