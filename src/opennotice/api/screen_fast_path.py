"""POST /api/v1/screen answered without the framework's routing, for the common case.

Screening is the one endpoint that must answer a thousand queries a second, and a fifth of a
query's processor time went to the framework's layers around it: routing, dependency solving,
exception and exit-stack layers. This layer sits inside EdgeMiddleware (request id, size,
NUL and time limits, security headers) and answers a screening query itself when everything
about it is ordinary: a JSON body that validates, a token this process checked moments ago
whose role may screen, an index already loaded. It calls the same functions as the route
(`routers.screen`), so the answer is the same.

Anything else (no or unknown token, a refused role, invalid input, any error before the
search) is handed, with the body it read, to the application: the route answers it exactly
as it always has, errors and all. Once the search has run and its audit event is on its way,
nothing is handed over (that would search and audit twice): a failure of the write goes to
the application's error layers like any exception of a route.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opennotice.errors import OpenNoticeError
from opennotice.services import screening as svc
from opennotice.services.auth import remembered_actor
from opennotice.services.context import AppContext
from opennotice.services.guard import require

from .deps import parse_bearer
from .problems import domain_problem
from .routers.screen import ScreenIn, person_to_screen, screening_answer, start_screening

PATH = "/api/v1/screen"


def _json_media(content_type: bytes) -> bool:
    return content_type.split(b";", 1)[0].strip().lower() == b"application/json"


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            return parse_bearer(value.decode("latin-1"))  # as Starlette decodes headers
    return None


class ScreenFastPath:
    def __init__(self, app: ASGIApp, ctx: AppContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body: nobody to answer
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        data = bytes(body)
        pending = self._start(scope, data)
        if pending is None:
            await self.app(scope, _replay(data, receive), send)
            return
        try:
            response = await screening_answer(pending)
        except OpenNoticeError as exc:
            response = domain_problem(exc)
        await response(scope, receive, send)

    def _start(self, scope: Scope, data: bytes) -> svc.PendingScreen | None:
        """The search started, or None when the route must answer (see the module's text)."""
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        content_type = next((v for k, v in headers if k == b"content-type"), b"")
        token = _bearer(headers)
        if token is None or not data or not _json_media(content_type):
            return None
        ctx = self.ctx
        if not svc.index_ready(ctx):
            return None
        request_id: str = scope.get("state", {}).get("request_id", "")
        try:
            actor = remembered_actor(ctx, token, request_id)
            if actor is None:
                return None
            require(actor, "screen:query:make")
            decoded: Any = json.loads(data)
            if not isinstance(decoded, dict):
                return None
            body = ScreenIn.model_validate(decoded)
            return start_screening(ctx, actor, body, person_to_screen(body))
        except (OpenNoticeError, ValidationError, ValueError, RecursionError):
            # Nothing was written: the search starts its write only once it has succeeded.
            return None


def _replay(data: bytes, receive: Receive) -> Receive:
    """`receive` for the application: the body already read, then the client's own."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": data, "more_body": False}
        return await receive()

    return replay
