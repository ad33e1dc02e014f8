"""User accounts: roles, members, tokens shown once, passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from opennotice.domain.actors import Actor
from opennotice.domain.countries import normalise_country
from opennotice.domain.types import MEMBER_ROLES, Role
from opennotice.errors import Conflict, NotFound, ValidationFailed
from opennotice.store.tables import User, WebSession
from opennotice.store.uow import UnitOfWork

from .auth import hash_password, new_token, token_digest
from .context import AppContext
from .guard import require
from .members import ensure_member

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 12


@dataclass(frozen=True, slots=True)
class NewUser:
    user: User
    token: str  # shown once, never stored


def add_user(
    ctx: AppContext,
    actor: Actor,
    *,
    username: str,
    role: str,
    member: str | None = None,
    nationality: str | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> NewUser:
    require(actor, "user:account:manage")
    return _create(ctx, actor, username, role, member, nationality, password, display_name)


def bootstrap_user(ctx: AppContext, actor: Actor, **kwargs: str | None) -> NewUser:
    """For the command line run by the operator on the server itself (no token yet)."""
    return _create(ctx, actor, **kwargs)  # type: ignore[arg-type]


def _create(
    ctx: AppContext,
    actor: Actor,
    username: str,
    role: str,
    member: str | None = None,
    nationality: str | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> NewUser:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValidationFailed(
            "a username is 2 to 80 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    try:
        role_value = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ValidationFailed(f"unknown role '{role}'; the roles are {roles}") from None
    if role_value in MEMBER_ROLES and not member:
        raise ValidationFailed(f"a user with the role '{role_value}' needs a member country")
    if role_value not in MEMBER_ROLES and member:
        raise ValidationFailed(f"a user with the role '{role_value}' acts for no member country")
    if role_value == Role.SECRETARIAT and not nationality:
        raise ValidationFailed("a secretariat reviewer needs a nationality (for recusal)")
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD} characters")
    try:
        nat = normalise_country(nationality) if nationality else None
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    token = new_token()
    with ctx.uow() as uow:
        if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"the username '{username}' is taken")
        member_code = ensure_member(uow.session, member).code if member else None
        user = User(
            username=username,
            display_name=display_name,
            role=role_value.value,
            member=member_code,
            nationality=nat,
            token_hash=token_digest(ctx.secret_key, token),
            password_hash=hash_password(password) if password else None,
        )
        uow.session.add(user)
        uow.session.flush()
        uow.audit(
            actor,
            "user:account:created",
            "user",
            str(user.id),
            {"role": role_value.value, "member": member_code},
        )
        uow.commit()
        return NewUser(user, token)


def list_users(ctx: AppContext, actor: Actor) -> list[User]:
    require(actor, "user:account:manage")
    with ctx.read_session_factory() as session:
        return list(session.scalars(select(User).order_by(User.id)))


def rotate_token(ctx: AppContext, actor: Actor, user_id: int) -> NewUser:
    require(actor, "user:account:manage")
    token = new_token()
    with ctx.uow() as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with the id {user_id}")
        user.token_hash = token_digest(ctx.secret_key, token)
        uow.audit(actor, "user:token:rotated", "user", str(user.id))
        uow.after_commit(ctx.tokens.clear)  # the old token stops now in this process
        uow.commit()
        return NewUser(user, token)


def set_active(ctx: AppContext, actor: Actor, user_id: int, active: bool) -> User:
    require(actor, "user:account:manage")
    with ctx.uow() as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with the id {user_id}")
        user.active = active
        if not active:
            _close_web_sessions(uow, user.id)
            uow.after_commit(ctx.tokens.clear)  # the token stops now in this process
        uow.audit(
            actor, "user:account:" + ("enabled" if active else "disabled"), "user", str(user_id)
        )
        uow.commit()
        return user


def set_password(ctx: AppContext, actor: Actor, username: str, password: str) -> None:
    """Operator command: set a user's password for the website."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD} characters")
    with ctx.uow() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user named '{username}'")
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        _close_web_sessions(uow, user.id)
        uow.audit(actor, "user:password:set", "user", str(user.id))
        uow.commit()


def _close_web_sessions(uow: UnitOfWork, user_id: int) -> None:
    """A new password or a disabled account ends every open website session of that user."""
    uow.session.execute(delete(WebSession).where(WebSession.user_id == user_id))
