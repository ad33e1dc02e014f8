"""Tokens and passwords. Tokens are 256-bit random strings stored as an HMAC under the server
key, so checking one is a single indexed lookup; passwords are hashed with argon2."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.errors import Unauthenticated
from opennotice.store.tables import User

from .context import AppContext
from .token_cache import TokenHolder

TOKEN_PREFIX = "on_"  # noqa: S105  (a prefix, not a secret)
_hasher = PasswordHasher()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    if not stored:
        # Spend the same time as a real check so that timing does not reveal unknown users.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User, request_id: str = "", via: str = "api") -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        member=user.member,
        nationality=user.nationality,
        request_id=request_id,
        via=via,
    )


def _check_shape(token: str) -> None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthenticated("the API token is not valid")


def remembered_actor(ctx: AppContext, token: str, request_id: str = "") -> Actor | None:
    """The token's user if this process checked the token moments ago; no I/O (so an async
    route may call it on the event loop), None when the database must be asked."""
    _check_shape(token)
    holder = ctx.tokens.get(token_digest(ctx.secret_key, token))
    return holder.actor(request_id) if holder is not None else None


def authenticate_token(ctx: AppContext, token: str, request_id: str = "") -> Actor:
    _check_shape(token)
    digest = token_digest(ctx.secret_key, token)
    holder = ctx.tokens.get(digest)
    if holder is None:
        generation = ctx.tokens.generation
        with ctx.read_session_factory() as session:
            user = session.execute(
                select(User).where(User.token_hash == digest)
            ).scalar_one_or_none()
        if user is None or not user.active:
            raise Unauthenticated("the API token is not valid")
        holder = TokenHolder(user.id, user.username, Role(user.role), user.member, user.nationality)
        ctx.tokens.put(digest, holder, generation)
    return holder.actor(request_id)
