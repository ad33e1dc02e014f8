"""Request ids, body size limits, NUL refusal and security headers, as plain ASGI middleware."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import secrets
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("opennotice.api")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Text bodies in which a NUL character is refused: PostgreSQL cannot store one, and no name,
# charge or form field has a use for it. Binary and multipart uploads (photos, files) are not
# scanned.
_TEXT_TYPES = (b"application/json", b"application/x-www-form-urlencoded", b"text/")
_NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")
_TAIL = 6  # bytes kept between chunks so a marker split across two is still seen


# Request ids: a random prefix per process and a counter, unique across processes and restarts
# and cheaper than a random UUID per request (no system call on the hot path).
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count(1)


def _new_prefix() -> None:
    global _ID_PREFIX
    _ID_PREFIX = secrets.token_hex(8)


os.register_at_fork(after_in_child=_new_prefix)  # a forked worker must not repeat the parent's


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


def security_headers(request_id: str | None) -> list[tuple[bytes, bytes]]:
    extra = [(b"x-request-id", request_id.encode())] if request_id else []
    return [*SECURITY_HEADERS, *extra]


class EdgeMiddleware:
    """Gives every request an id, refuses bodies over the limit and NUL characters in text,
    bounds the time a client may take to send its body and the time an answer may take, and
    adds security headers to every answer."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        max_upload_bytes: int,
        body_seconds: float = 30.0,
        request_seconds: float = 120.0,
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes
        self.body_seconds = body_seconds
        self.request_seconds = request_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope.get("path", "")
        limit = self.max_upload if path.endswith(("/photos", "/batch")) else self.max_body
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, "Request too large", _size_detail(limit), request_id)
            return
        if _has_nul(unquote_to_bytes(scope.get("query_string", b""))) or "\x00" in path:
            await _refuse(send, 422, "The request is not valid", _NUL_DETAIL, request_id)
            return
        content_type = headers.get(b"content-type", b"").lower()
        scan = content_type.startswith(_TEXT_TYPES)

        state: dict[str, Any] = {
            "received": 0, "tail": b"", "refusal": None, "sent": False, "started": False,
            "body_done": False,
        }  # fmt: skip
        loop = asyncio.get_running_loop()
        body_deadline = loop.time() + self.body_seconds

        async def guarded_receive() -> Message:
            if state["body_done"]:
                return await receive()  # e.g. the app listening for a disconnect
            try:
                # A client that trickles its body holds a connection and a worker: bounded.
                async with asyncio.timeout_at(body_deadline):
                    message = await receive()
            except TimeoutError:
                state["refusal"] = state["refusal"] or (
                    408, "Request body too slow", _slow_body_detail(self.body_seconds),
                )  # fmt: skip
                message = {"type": "http.request", "body": b"", "more_body": False}
            if message["type"] != "http.request":
                return message
            if not message.get("more_body", False):
                state["body_done"] = True
            if state["refusal"] is None:
                chunk: bytes = message.get("body", b"")
                state["received"] += len(chunk)
                if state["received"] > limit:
                    state["refusal"] = (413, "Request too large", _size_detail(limit))
                elif scan and _has_nul(state["tail"] + chunk):
                    state["refusal"] = (422, "The request is not valid", _NUL_DETAIL)
                state["tail"] = (state["tail"] + chunk)[-_TAIL:]
            if state["refusal"] is not None:
                # Hand the app an empty, final body: whatever it answers is replaced below.
                state["body_done"] = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refusal"] is not None:
                # The body was refused while the app read it: our answer replaces the app's.
                if not state["sent"]:
                    state["sent"] = True
                    status, title, detail = state["refusal"]
                    await _refuse(send, status, title, detail, request_id)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
                hdrs: list[Any] = list(message.get("headers", []))
                present = {k.lower() for k, _ in hdrs}
                hdrs.extend((k, v) for k, v in security_headers(request_id) if k not in present)
                message["headers"] = hdrs
            await send(message)

        try:
            async with asyncio.timeout(self.request_seconds):
                await self.app(scope, guarded_receive, guarded_send)
        except TimeoutError:
            # Work handed to a thread may still finish (and a write still commit): the client
            # is told the outcome is unknown, never that it failed.
            log.warning("request %s took more than %.0f s", request_id, self.request_seconds)
            if not state["started"] and not state["sent"]:
                state["sent"] = True
                await _refuse(send, 503, "The answer took too long", _TOO_LONG, request_id)


_TOO_LONG = (
    "the server did not answer in time; if the request was a change, look whether it was made "
    "before sending it again"
)


def _slow_body_detail(seconds: float) -> str:
    return f"the request body must arrive within {seconds:g} seconds"


_NUL_DETAIL = "the request contains a NUL character (U+0000), which no field may hold"


def _size_detail(limit: int) -> str:
    return f"the request body may be at most {limit} bytes"


def _has_nul(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in _NUL_MARKERS)


async def _refuse(send: Send, status: int, title: str, detail: str, request_id: str) -> None:
    slug = {413: "too-large", 408: "too-slow", 503: "too-long"}.get(status, "validation")
    body = json.dumps(
        {
            "type": f"https://opennotice.org/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *security_headers(request_id),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
