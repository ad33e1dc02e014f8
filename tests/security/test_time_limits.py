"""Time limits at the edge: a body that trickles in, and an answer that takes too long."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from opennotice.api.app import create_app
from opennotice.api.middleware import EdgeMiddleware
from opennotice.config import Settings
from opennotice.services.context import AppContext

Message = dict[str, Any]


async def _echo_body(scope: Any, receive: Any, send: Any) -> None:
    """An app that reads the whole body, then answers 200 with its length."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    payload = json.dumps({"length": len(body)}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})  # fmt: skip
    await send({"type": "http.response.body", "body": payload})


async def _slow_answer(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.sleep(5)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"late"})


def _scope(content_length: int | None = None) -> dict[str, Any]:
    headers = [(b"content-type", b"application/json")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    return {"type": "http", "method": "POST", "path": "/api/v1/notices",
            "query_string": b"", "headers": headers}  # fmt: skip


def _run(
    app: Any, chunks: list[tuple[float, bytes, bool]], *, body_s: float, request_s: float
) -> list[Message]:
    """Drive the middleware with a client that sends each chunk after its delay."""
    sent: list[Message] = []

    async def main() -> None:
        queue = list(chunks)

        async def receive() -> Message:
            if not queue:
                await asyncio.sleep(3600)  # a client that says nothing more
            delay, data, more = queue.pop(0)
            await asyncio.sleep(delay)
            return {"type": "http.request", "body": data, "more_body": more}

        async def send(message: Message) -> None:
            sent.append(message)

        edge = EdgeMiddleware(app, 10_000, 10_000, body_seconds=body_s, request_seconds=request_s)
        await edge(_scope(), receive, send)

    # A thread of its own: the browser tests' session keeps an event loop running in the
    # test process's main thread, and asyncio.run refuses to start inside one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(main())).result()
    return sent


def _answer(sent: list[Message]) -> tuple[int, dict[str, str], dict[str, Any]]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, json.loads(body)


def test_a_body_that_arrives_in_time_is_passed_on_whole() -> None:
    chunks = [(0.01, b'{"a":', True), (0.01, b" 1}", False)]
    status, _, body = _answer(_run(_echo_body, chunks, body_s=2.0, request_s=5.0))
    assert status == 200 and body == {"length": 8}


def test_a_body_that_trickles_in_is_refused_with_408() -> None:
    chunks = [(0.0, b'{"a":', True), (1.0, b" 1}", False)]
    status, headers, body = _answer(_run(_echo_body, chunks, body_s=0.2, request_s=5.0))
    assert status == 408
    assert headers["content-type"] == "application/problem+json"
    assert "x-request-id" in headers and headers["x-content-type-options"] == "nosniff"
    assert body["status"] == 408 and "0.2 seconds" in body["detail"]


def test_an_answer_that_takes_too_long_is_503_and_says_the_outcome_is_unknown() -> None:
    status, headers, body = _answer(
        _run(_slow_answer, [(0.0, b"{}", False)], body_s=2.0, request_s=0.2)
    )
    assert status == 503
    assert headers["content-type"] == "application/problem+json" and "x-request-id" in headers
    assert "look whether it was made" in body["detail"]


def test_the_limits_come_from_the_settings(ctx: AppContext, settings: Settings) -> None:
    ctx.settings = settings.model_copy(update={"body_seconds": 7.0, "request_seconds": 45.0})
    app = create_app(ctx)
    edge = app.build_middleware_stack()
    while not isinstance(edge, EdgeMiddleware):
        edge = edge.app  # walk in from the outermost middleware
    assert (edge.body_seconds, edge.request_seconds) == (7.0, 45.0)
