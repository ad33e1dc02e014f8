"""FastAPI dependencies: the application context and the acting user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from opennotice.domain.actors import Actor
from opennotice.errors import Unauthenticated
from opennotice.services.auth import authenticate_token
from opennotice.services.context import AppContext
from opennotice.services.guard import require


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def parse_bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header's value, else None."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def bearer_token(request: Request) -> str:
    token = parse_bearer(request.headers.get("authorization", ""))
    if token is None:
        raise Unauthenticated("send 'Authorization: Bearer <token>' with an API token")
    return token


def get_actor(request: Request, ctx: Annotated[AppContext, Depends(get_ctx)]) -> Actor:
    return authenticate_token(ctx, bearer_token(request), request.state.request_id)


def allow(permission: str) -> Callable[..., Actor]:
    """A dependency that checks the role before the body is even read (deny by default).
    The services check again: this is the first of two locks, not the only one."""

    def dependency(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        require(actor, permission)
        return actor

    return dependency


def public_actor(request: Request) -> Actor:
    return Actor(user_id=None, username="public", role=None, request_id=request.state.request_id)


Ctx = Annotated[AppContext, Depends(get_ctx)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
