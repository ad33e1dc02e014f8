"""Sign-in to the staff website: server-side sessions, CSRF tokens, lock-out after failures.

The browser holds a random session id in an HTTP-only cookie; the database keeps only its HMAC
under the server key (`WebSession.id_hash`), so a copy of the table opens no session. Each
session carries its own CSRF token, checked on every form post. A run of failed sign-ins locks
the account for a while; sessions end after `settings.session_hours`, or at sign-out.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.errors import Unauthenticated
from opennotice.store.tables import User, WebSession, utcnow

from .auth import actor_for, password_matches, token_digest
from .context import AppContext

SIGN_IN_FAILED = (
    "Sign-in failed: the username or password is wrong, or the account is locked for a while "
    "after repeated failures."
)
_MAX_SECRET = 1024  # longer passwords and usernames are refused before hashing (cost bound)


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """What the browser is given once: the session id (cookie) and its CSRF token."""

    token: str
    csrf_token: str
    expires_at: dt.datetime
    user_id: int
    role: str


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in user, as the pages see them."""

    user_id: int
    username: str
    display_name: str | None
    role: Role
    member: str | None
    nationality: str | None
    csrf_token: str
    expires_at: dt.datetime

    def actor(self, request_id: str = "") -> Actor:
        return Actor(
            user_id=self.user_id,
            username=self.username,
            role=self.role,
            member=self.member,
            nationality=self.nationality,
            request_id=request_id,
            via="web",
        )


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes for timezone-aware columns: they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _anonymous(request_id: str) -> Actor:
    return Actor(user_id=None, username="anonymous", role=None, request_id=request_id, via="web")


def sign_in(ctx: AppContext, username: str, password: str, request_id: str = "") -> OpenedSession:
    """Check a username and password and open a session, or count a failure (and lock)."""
    name = (username or "").strip().lower()
    if not name or not password or len(name) > 80 or len(password) > _MAX_SECRET:
        raise Unauthenticated(SIGN_IN_FAILED)
    settings = ctx.settings
    with ctx.uow() as uow:
        user = uow.session.scalar(select(User).where(User.username == name).with_for_update())
        now = utcnow()
        if user is None:
            password_matches(None, password)  # the same time as a real check
            uow.audit(_anonymous(request_id), "account:login:failed", "user", None, {})
            uow.commit()
            raise Unauthenticated(SIGN_IN_FAILED)
        actor = actor_for(user, request_id, via="web")
        locked = user.locked_until is not None and _aware(user.locked_until) > now
        if locked:
            password_matches(None, password)
            uow.audit(actor, "account:login:refused", "user", str(user.id), {"locked": True})
            uow.commit()
            raise Unauthenticated(SIGN_IN_FAILED)
        if not user.active or not password_matches(user.password_hash, password):
            user.failed_logins = (user.failed_logins or 0) + 1
            details: dict[str, object] = {"failures": user.failed_logins}
            uow.audit(actor, "account:login:failed", "user", str(user.id), details)
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
                user.failed_logins = 0
                uow.audit(
                    actor,
                    "account:login:locked",
                    "user",
                    str(user.id),
                    {"minutes": settings.login_lockout_minutes},
                )
            uow.commit()
            raise Unauthenticated(SIGN_IN_FAILED)
        user.failed_logins = 0
        user.locked_until = None
        # Sessions of this user that have run out are cleared on each sign-in.
        uow.session.execute(
            delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now)
        )
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = now + dt.timedelta(hours=settings.session_hours)
        uow.session.add(
            WebSession(
                id_hash=token_digest(ctx.secret_key, token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=expires,
            )
        )
        uow.audit(actor, "account:session:opened", "user", str(user.id), {"via": "web"})
        uow.commit()
        return OpenedSession(token, csrf, expires, user.id, user.role)


def resolve(ctx: AppContext, token: str | None) -> StaffSession | None:
    """The signed-in user behind a session cookie, or None (unknown, expired, disabled)."""
    if not token or len(token) > 200:
        return None
    digest = token_digest(ctx.secret_key, token)
    with ctx.read_session_factory() as session:
        row = session.get(WebSession, digest)
        if row is None or _aware(row.expires_at) <= utcnow():
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            return None
        return StaffSession(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            member=user.member,
            nationality=user.nationality,
            csrf_token=row.csrf_token,
            expires_at=_aware(row.expires_at),
        )


def csrf_ok(session: StaffSession, submitted: str | None) -> bool:
    """Whether a posted form carries this session's CSRF token (constant-time comparison)."""
    if not submitted:
        return False
    return hmac.compare_digest(session.csrf_token.encode(), submitted.encode())


def sign_out(ctx: AppContext, token: str | None, request_id: str = "") -> bool:
    """End the session behind this cookie; True if there was one."""
    if not token or len(token) > 200:
        return False
    digest = token_digest(ctx.secret_key, token)
    with ctx.uow() as uow:
        row = uow.session.get(WebSession, digest)
        if row is None:
            return False
        user = uow.session.get(User, row.user_id)
        uow.session.delete(row)
        actor = actor_for(user, request_id, via="web") if user else _anonymous(request_id)
        uow.audit(actor, "account:session:closed", "user", str(row.user_id), {})
        uow.commit()
        return True


def end_all_sessions(ctx: AppContext, actor: Actor, user_id: int) -> int:
    """Close every session of a user (e.g. after a password change or disabling)."""
    with ctx.uow() as uow:
        result = uow.session.execute(delete(WebSession).where(WebSession.user_id == user_id))
        count = int(getattr(result, "rowcount", 0) or 0)
        uow.audit(actor, "account:session:closed", "user", str(user_id), {"count": count})
        uow.commit()
        return count
