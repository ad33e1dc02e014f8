"""Errors as application/problem+json (RFC 9457), with a message a person understands."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from opennotice.errors import OpenNoticeError, RateLimited

from .middleware import security_headers

PROBLEM = "application/problem+json"
log = logging.getLogger("opennotice.api")


def problem(
    status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "is not valid"))
    # Pydantic prefixes the messages of our own validators with "Value error, ".
    return msg.removeprefix("Value error, ")


def domain_problem(exc: OpenNoticeError) -> JSONResponse:
    """The answer to a refusal of the services (the error's own status, title and detail)."""
    response = problem(exc.status, exc.title, exc.detail, exc.problem_type, **exc.extra)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(OpenNoticeError)
    async def _domain(request: Request, exc: OpenNoticeError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": _message(e)} for e in exc.errors()
        ]
        # Never echo the submitted values back: they may be personal data.
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(
            422,
            "The request is not valid",
            summary or "the request is not valid",
            "https://opennotice.org/problems/validation",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required"}
        detail = exc.detail if isinstance(exc.detail, str) else "the request failed"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"there is nothing at {request.url.path}"
        response = problem(exc.status_code, titles.get(exc.status_code, "Error"), detail)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Log the type only: messages of unexpected errors may carry personal data.
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        request_id = getattr(request.state, "request_id", None)
        response = problem(
            500,
            "Internal error",
            "something went wrong on our side; nothing was saved. Quote the request id "
            "if you contact the operator.",
            request_id=request_id,
        )
        # This answer is sent by the outermost error layer, outside EdgeMiddleware, so it
        # carries the security headers itself.
        for name, value in security_headers(request_id):
            response.headers[name.decode()] = value.decode()
        return response
