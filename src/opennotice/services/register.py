"""The protected-persons register.

An NCB records refugee or asylum status its country granted (with the country the person fears
persecution from); the secretariat records persons protected by a refusal on Art. 2 or Art. 3
grounds (and a refusal on those grounds or the refugee policy records its subject here by
itself); the commission records persons protected by its decisions. The entries are personal
data: only the secretariat and the commission read them, each read audited. An NCB may create
an entry but never read one back.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from opennotice.domain.actors import Actor
from opennotice.domain.content import ShortText, Strict, check_partial_date
from opennotice.domain.countries import normalise_country
from opennotice.domain.types import RefusalGround, Role, Sex
from opennotice.errors import Conflict, Forbidden, NotFound, ValidationFailed
from opennotice.rules.persons import identity_of, same_person
from opennotice.store.tables import Notice, utcnow
from opennotice.store.tables_register import ProtectedPerson
from opennotice.store.uow import UnitOfWork

from .context import AppContext
from .guard import require
from .members import ensure_member

KINDS = ("refugee", "refusal", "commission")
PROTECTIVE_GROUNDS = frozenset(
    {RefusalGround.ART2, RefusalGround.ART3, RefusalGround.REFUGEE_POLICY}
)
MIN_REASONS = 10


class PersonIdentity(Strict):
    family_name: ShortText | None = None
    given_names: ShortText | None = None
    original_family_name: ShortText | None = None
    original_given_names: ShortText | None = None
    aliases: Annotated[list[ShortText], Field(max_length=30)] = []
    date_of_birth: str | None = None
    sex: Sex | None = None
    nationalities: Annotated[list[str], Field(max_length=5)] = []

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: str | None) -> str | None:
        return None if v is None else check_partial_date(v)

    @field_validator("nationalities")
    @classmethod
    def _nats(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(normalise_country(c) for c in v))

    @model_validator(mode="after")
    def _named(self) -> PersonIdentity:
        if not (self.family_name or self.given_names or self.original_family_name):
            raise ValueError("the person needs at least a family name or given names")
        return self


class EntryIn(Strict):
    person: PersonIdentity
    # Refugee status (NCB): when it was granted and the country the person fears.
    granted_on: dt.date | None = None
    feared_country: str | None = None
    # Secretariat and commission: the member the person is protected against.
    against: str | None = None
    ground: RefusalGround | None = None
    profile: ShortText | None = None
    reference: Annotated[str, Field(max_length=80)] | None = None
    notice_id: Annotated[str, Field(max_length=20)] | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None

    @field_validator("feared_country", "against")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return None if v is None else normalise_country(v)

    @field_validator("granted_on")
    @classmethod
    def _past(cls, v: dt.date | None) -> dt.date | None:
        if v is not None and v > dt.date.today():
            raise ValueError("the date status was granted cannot be in the future")
        return v


def _member(session: Session, code: str) -> str:
    return ensure_member(session, code).code


def create_entry(ctx: AppContext, actor: Actor, data: EntryIn) -> ProtectedPerson:
    """Record a protected person; the kind of entry follows from who records it."""
    require(actor, "register:entry:create")
    if actor.role == Role.NCB:
        kind = "refugee"
        if not actor.member:
            raise Forbidden("an NCB account must belong to a member")
        if data.feared_country is None or data.granted_on is None:
            raise ValidationFailed(
                "refugee status needs the date it was granted and the country of feared persecution"
            )
        if data.feared_country == actor.member:
            raise ValidationFailed("the feared country cannot be the member that granted status")
        if data.against is not None or data.ground is not None:
            raise ValidationFailed("an NCB records refugee status: use feared_country, not against")
        against: str | None = data.feared_country
        recorded_by: str | None = actor.member
        ground: str | None = "refugee_status"
    elif actor.role == Role.SECRETARIAT:
        kind = "refusal"
        if data.against is None or data.ground not in PROTECTIVE_GROUNDS:
            raise ValidationFailed(
                "the secretariat records a person protected by a refusal: give 'against' (the "
                "requesting member) and 'ground' (art2, art3 or refugee_policy)"
            )
        against, recorded_by = data.against, None
        ground = data.ground.value if data.ground else None
    else:
        kind = "commission"
        if not data.reference:
            raise ValidationFailed("the commission's entry gives the reference of its decision")
        against, recorded_by, ground = data.against, None, "commission_decision"
    with ctx.uow() as uow:
        if against:
            _member(uow.session, against)
        if recorded_by:
            _member(uow.session, recorded_by)
        entry = ProtectedPerson(
            kind=kind,
            person=data.person.model_dump(mode="json"),
            recorded_by=recorded_by,
            against=against,
            granted_on=data.granted_on,
            ground=ground,
            profile=data.profile,
            reference=data.reference,
            notice_id=data.notice_id,
            notes=data.notes,
            active=True,
            created_by=actor.user_id,
            created_role=str(actor.role),
            created_at=utcnow(),
        )
        uow.session.add(entry)
        uow.session.flush()
        uow.audit(
            actor, "register:entry:created", "protected_person", str(entry.id),
            {"kind": kind, "against": against},
        )  # fmt: skip
        uow.commit()
        return entry


def add_protection(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    subject: dict[str, Any],
    against: str | None,
    ground: str,
    notice_id: str | None = None,
    reference: str | None = None,
    notes: str | None = None,
) -> ProtectedPerson:
    """Enter the subject of a request in the register inside the caller's transaction (a
    refusal, or a commission's decision): the one place such automatic entries are written."""
    from opennotice.domain.content import Subject

    entry = ProtectedPerson(
        kind=kind,
        person=identity_of(Subject.model_validate(subject)),
        against=against,
        ground=ground,
        profile=subject.get("occupation"),
        reference=reference,
        notice_id=notice_id,
        notes=notes[:2000] if notes else None,
        active=True,
        created_by=actor.user_id,
        created_role=str(actor.role) if actor.role else "system",
        created_at=utcnow(),
    )
    uow.session.add(entry)
    uow.session.flush()
    uow.audit(
        actor, "register:entry:created", "protected_person", str(entry.id),
        {"kind": kind, "against": against, "notice": notice_id, "automatic": True},
    )  # fmt: skip
    return entry


def protect_after_refusal(uow: UnitOfWork, actor: Actor, notice: Notice, ground: str) -> None:
    """A refusal on Art. 2, Art. 3 or refugee-policy grounds protects its subject from the
    requesting member from now on (called inside the decision's transaction)."""
    if ground not in {g.value for g in PROTECTIVE_GROUNDS} or not notice.content:
        return
    subject = notice.content.get("subject")
    if not isinstance(subject, dict):
        return
    add_protection(
        uow, actor, kind="refusal", subject=subject, against=notice.requester, ground=ground,
        notice_id=notice.id,
    )  # fmt: skip


def list_entries(
    ctx: AppContext,
    actor: Actor,
    *,
    against: str | None = None,
    kind: str | None = None,
    include_ended: bool = False,
    limit: int = 200,
) -> list[ProtectedPerson]:
    require(actor, "register:entry:read")
    if kind is not None and kind not in KINDS:
        raise ValidationFailed(f"kind is one of {', '.join(KINDS)}")
    query = select(ProtectedPerson)
    if against:
        query = query.where(ProtectedPerson.against == against.upper())
    if kind:
        query = query.where(ProtectedPerson.kind == kind)
    if not include_ended:
        query = query.where(ProtectedPerson.active.is_(True))
    query = query.order_by(ProtectedPerson.id.desc()).limit(limit)
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(query))
        if rows:
            uow.audit(
                actor, "register:entry:read", "protected_person", None,
                {"ids": [r.id for r in rows]},
            )  # fmt: skip
            uow.commit()
        return rows


def get_entry(ctx: AppContext, actor: Actor, entry_id: int) -> ProtectedPerson:
    require(actor, "register:entry:read")
    with ctx.uow() as uow:
        entry = uow.session.get(ProtectedPerson, entry_id)
        if entry is None:
            raise NotFound(f"no register entry {entry_id}")
        uow.audit(actor, "register:entry:read", "protected_person", str(entry.id))
        uow.commit()
        return entry


def search_entries(
    ctx: AppContext, actor: Actor, person: PersonIdentity, threshold: float = 0.75
) -> list[tuple[ProtectedPerson, float, dict[str, Any]]]:
    """Entries whose person matches, across spellings and scripts, best first."""
    require(actor, "register:entry:read")
    wanted = person.model_dump(mode="json")
    with ctx.uow() as uow:
        out: list[tuple[ProtectedPerson, float, dict[str, Any]]] = []
        for entry in uow.session.scalars(select(ProtectedPerson)):
            score, why = same_person(wanted, entry.person, key=str(entry.id))
            if score >= threshold:
                out.append((entry, score, why))
        out.sort(key=lambda t: (-t[1], t[0].id))
        uow.audit(
            actor, "register:entry:searched", "protected_person", None,
            {"ids": [e.id for e, _, _ in out]},
        )  # fmt: skip
        uow.commit()
        return out


def end_entry(ctx: AppContext, actor: Actor, entry_id: int, reason: str) -> ProtectedPerson:
    """End a protection (status revoked, decision revised). The entry stays, marked ended.
    An NCB may end only the refugee entries its own member recorded."""
    require(actor, "register:entry:end")
    if len((reason or "").strip()) < MIN_REASONS:
        raise ValidationFailed("ending a protection states its reasons (at least a sentence)")
    with ctx.uow() as uow:
        entry = uow.session.get(ProtectedPerson, entry_id)
        if actor.role == Role.NCB and (
            entry is None or entry.kind != "refugee" or entry.recorded_by != actor.member
        ):
            raise NotFound(f"no register entry {entry_id} recorded by your member")
        if entry is None:
            raise NotFound(f"no register entry {entry_id}")
        if not entry.active:
            raise Conflict(f"register entry {entry_id} has already ended")
        entry.active = False
        entry.ended_at = utcnow()
        entry.end_reason = reason.strip()
        uow.audit(
            actor, "register:entry:ended", "protected_person", str(entry.id), {"kind": entry.kind}
        )
        uow.commit()
        return entry


def active_entries(session: Session) -> list[ProtectedPerson]:
    """For the compliance checks (inside a submission's transaction)."""
    return list(session.scalars(select(ProtectedPerson).where(ProtectedPerson.active.is_(True))))


def entry_view(entry: ProtectedPerson) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "person": entry.person,
        "recorded_by": entry.recorded_by,
        "against": entry.against,
        "granted_on": entry.granted_on,
        "ground": entry.ground,
        "profile": entry.profile,
        "reference": entry.reference,
        "notice_id": entry.notice_id,
        "notes": entry.notes,
        "active": entry.active,
        "ended_at": entry.ended_at,
        "end_reason": entry.end_reason,
        "created_role": entry.created_role,
        "created_at": entry.created_at,
    }


# --- demo ----------------------------------------------------------------------------------

_DEMO = [
    # (family, given, original family, original given, dob, sex, nationality, granted by, feared)
    ("Tursunjan", "Erkin", None, None, "1971-05-02", "M", "DE", "DE", "CN"),
    ("Kadeer", "Alimjan", None, None, "1984-11-20", "M", "SE", "SE", "CN"),
    ("Mahfouz", "Samir", "محفوظ", "سمير", "1990-02-14", "M", "BH", "AU", "BH"),
    ("Leung", "Hoi-yan", "梁", "凱欣", "1996-07-09", "F", "GB", "GB", "CN"),
    ("Sarıkaya", "Deniz", None, None, "1979-03-30", "F", "TR", "NL", "TR"),
    ("Volkova", "Irina", "Волкова", "Ирина", "1987-09-12", "F", "RU", "LT", "RU"),
]


def seed_demo(ctx: AppContext, rng: random.Random) -> None:
    """A few fictional refugees recorded by the members that granted them status."""
    from opennotice.domain.actors import SYSTEM as system

    with ctx.uow() as uow:
        if uow.session.scalar(select(ProtectedPerson.id).limit(1)) is not None:
            return
        for fam, giv, ofam, ogiv, dob, sex, nat, granted_by, feared in _DEMO:
            _member(uow.session, granted_by)
            _member(uow.session, feared)
            entry = ProtectedPerson(
                kind="refugee",
                person={
                    "family_name": fam,
                    "given_names": giv,
                    "original_family_name": ofam,
                    "original_given_names": ogiv,
                    "aliases": [],
                    "date_of_birth": dob,
                    "sex": sex,
                    "nationalities": [nat],
                },
                recorded_by=granted_by,
                against=feared,
                granted_on=dt.date(2010 + rng.randrange(0, 14), rng.randrange(1, 13), 1),
                ground="refugee_status",
                profile=rng.choice(["activist", "journalist", "opposition politician", None]),
                reference=f"ASYL-{rng.randrange(10000, 99999)}",
                active=True,
                created_role=str(Role.NCB),
                created_at=utcnow(),
            )
            uow.session.add(entry)
            uow.session.flush()
            uow.audit(
                system, "register:entry:created", "protected_person", str(entry.id),
                {"kind": "refugee", "against": feared, "demo": True},
            )  # fmt: skip
        uow.commit()
