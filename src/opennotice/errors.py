"""One exception tree; each error knows its HTTP status and problem type (RFC 9457)."""

from __future__ import annotations

from typing import Any


class OpenNoticeError(Exception):
    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def problem_type(self) -> str:
        return f"https://opennotice.org/problems/{self.type_slug}"


class ValidationFailed(OpenNoticeError):
    status = 422
    type_slug = "validation"
    title = "The request is not valid"


class Unauthenticated(OpenNoticeError):
    status = 401
    type_slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(OpenNoticeError):
    status = 403
    type_slug = "forbidden"
    title = "Not allowed"


class NotFound(OpenNoticeError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(OpenNoticeError):
    status = 409
    type_slug = "conflict"
    title = "Conflict with the current state"


class IllegalTransition(Conflict):
    type_slug = "illegal-transition"
    title = "This action is not possible in the current state"


class TooLarge(OpenNoticeError):
    status = 413
    type_slug = "too-large"
    title = "Request too large"


class RateLimited(OpenNoticeError):
    status = 429
    type_slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
