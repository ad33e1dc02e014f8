"""Members: every ISO 3166-1 country can be one; a member can be put under prior review."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennotice.domain.actors import Actor
from opennotice.domain.countries import country_name, country_names, normalise_country
from opennotice.errors import NotFound, ValidationFailed
from opennotice.store.tables import Member

from .context import AppContext
from .guard import require


def ensure_member(session: Session, code: str) -> Member:
    """The member row for a valid country code, created on first use."""
    try:
        code = normalise_country(code)
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    member = session.get(Member, code)
    if member is None:
        member = Member(code=code, name=country_name(code))
        session.add(member)
        session.flush()
    return member


def ensure_all_members(ctx: AppContext, actor: Actor) -> int:
    with ctx.uow() as uow:
        existing = set(uow.session.scalars(select(Member.code)))
        added = [code for code in country_names() if code not in existing]
        for code in added:
            uow.session.add(Member(code=code, name=country_name(code)))
        if added:
            uow.audit(actor, "member:record:created", "member", None, {"count": len(added)})
        uow.commit()
    return len(added)


def list_members(ctx: AppContext, actor: Actor) -> list[Member]:
    require(actor, "member:record:read")
    with ctx.read_session_factory() as session:
        return list(session.scalars(select(Member).order_by(Member.code)))


def get_member(ctx: AppContext, actor: Actor, code: str) -> Member:
    require(actor, "member:record:read")
    with ctx.read_session_factory() as session:
        member = session.get(Member, code.upper())
    if member is None:
        raise NotFound(f"no member with the code '{code}'")
    return member


def update_member(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    prior_review: bool | None = None,
    reason: str | None = None,
    contact: str | None = None,
) -> Member:
    """Put a member under prior review of its diffusions (or lift it), or change its contact."""
    require(actor, "member:record:manage")
    with ctx.uow() as uow:
        member = ensure_member(uow.session, code)
        changes: dict[str, object] = {}
        if prior_review is not None and prior_review != member.prior_review:
            if prior_review and not reason:
                raise ValidationFailed("putting a member under prior review needs a reason")
            member.prior_review = prior_review
            member.prior_review_since = dt.datetime.now(dt.UTC) if prior_review else None
            member.prior_review_reason = reason if prior_review else None
            changes["prior_review"] = prior_review
        if contact is not None:
            member.contact = contact
            changes["contact"] = True
        uow.audit(actor, "member:record:updated", "member", member.code, changes)
        uow.commit()
        return member
