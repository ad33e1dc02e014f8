"""General Assembly elections: sessions, delegations, candidacies, secret and verifiable ballots.

The clerk (admin) creates a session, accredits delegates, adds posts, publishes the candidates,
opens and closes ballots. Members nominate candidates before the deadline; their accredited
delegates cast one vote per member per ballot and get a receipt. Anyone reads the candidates, the
results per round and, once a ballot is closed, its bulletin board (every receipt with its
ballot), and can recount from it.

Secrecy: THAT a member voted goes to the voter roll and the audit log; WHAT was voted goes to the
ballot papers under a random receipt, with no time and no member. See store/tables_assembly.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opennotice.domain.actors import Actor
from opennotice.domain.assembly import (
    MAJORITY_TEXT,
    Majority,
    Nominee,
    Paper,
    PaperKind,
    Rules,
    RulesError,
    Seat,
    Tally,
    count,
    default_continents,
    default_rules,
    ineligibility,
    standing_in_round,
)
from opennotice.domain.countries import country_name, normalise_country
from opennotice.domain.types import Role
from opennotice.errors import Conflict, Forbidden, NotFound, ValidationFailed
from opennotice.store.tables import Member, User, utcnow
from opennotice.store.tables_assembly import (
    AssemblyBallot,
    AssemblyBallotPaper,
    AssemblyCandidacy,
    AssemblyContinuing,
    AssemblyDelegate,
    AssemblyDelegation,
    AssemblyDocument,
    AssemblyPost,
    AssemblySession,
    AssemblyVoterRoll,
)

from .context import AppContext
from .guard import require
from .members import ensure_member

log = logging.getLogger("opennotice.assembly")

DOCUMENT_KINDS = ("objection", "open_letter", "support", "other")
# Receipts: 16 characters of Crockford's base32 (80 random bits), in groups of four.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_receipt() -> str:
    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_receipt(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(raw) != 16 or any(ch not in _RECEIPT_ALPHABET for ch in raw):
        raise ValidationFailed("a receipt is 16 letters and digits, such as 7K2Q-M9XD-4TRB-0HCF")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _text(value: str | None, what: str, max_len: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"the {what} is required")
    if len(text) > max_len:
        raise ValidationFailed(f"the {what} is longer than {max_len} characters")
    return text


def _country(code: str, what: str) -> str:
    try:
        return normalise_country(code)
    except ValueError:
        raise ValidationFailed(f"the {what} must be an ISO 3166-1 alpha-2 country code") from None


# ---------------------------------------------------------------------------------------------
# Loading


def _session(s: Session, session_id: int) -> AssemblySession:
    row = s.get(AssemblySession, session_id)
    if row is None:
        raise NotFound(f"there is no assembly session {session_id}")
    return row


def _post(s: Session, post_id: int) -> AssemblyPost:
    row = s.get(AssemblyPost, post_id)
    if row is None:
        raise NotFound(f"there is no assembly post {post_id}")
    return row


def _candidacy(s: Session, candidacy_id: int) -> AssemblyCandidacy:
    row = s.get(AssemblyCandidacy, candidacy_id)
    if row is None:
        raise NotFound(f"there is no candidacy {candidacy_id}")
    return row


def _ballot(
    s: Session, ballot_id: int, *, lock: bool = False, share: bool = False
) -> AssemblyBallot:
    query = select(AssemblyBallot).where(AssemblyBallot.id == ballot_id)
    if lock or share:
        query = query.with_for_update(read=share and not lock)
    row = s.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"there is no ballot {ballot_id}")
    return row


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def committee_of(s: Session, session_id: int) -> list[Seat]:
    """The Committee as it stands: continuing members and those elected so far."""
    seats = [
        Seat(post_kind=c.post_kind, country=c.country)
        for c in s.scalars(
            select(AssemblyContinuing).where(AssemblyContinuing.session_id == session_id)
        )
    ]
    elected = s.execute(
        select(AssemblyPost.kind, AssemblyCandidacy.nationality)
        .join(AssemblyPost, AssemblyPost.id == AssemblyCandidacy.post_id)
        .where(AssemblyCandidacy.session_id == session_id, AssemblyCandidacy.status == "elected")
    ).all()
    seats.extend(Seat(post_kind=kind, country=nat) for kind, nat in elected)
    return seats


def _nominee(c: AssemblyCandidacy, post: AssemblyPost) -> Nominee:
    return Nominee(
        post_kind=post.kind,
        nationality=c.nationality,
        nominated_by=c.nominated_by,
        seat_continent=post.continent,
    )


def _eligible(s: Session, rules: Rules, post: AssemblyPost) -> list[AssemblyCandidacy]:
    committee = committee_of(s, post.session_id)
    continents = default_continents()
    rows = s.scalars(
        select(AssemblyCandidacy)
        .where(AssemblyCandidacy.post_id == post.id, AssemblyCandidacy.status == "nominated")
        .order_by(AssemblyCandidacy.id)
    )
    return [
        c for c in rows if ineligibility(rules, continents, _nominee(c, post), committee) is None
    ]


def _tally_of(ballot: AssemblyBallot) -> Tally | None:
    r = ballot.result
    if not r:
        return None
    return Tally(
        majority=Majority(r["majority"]),
        candidates=tuple(r["candidates"]),
        votes=dict(r["votes"]),
        abstentions=r["abstentions"],
        spoilt=r["spoilt"],
        papers=r["papers"],
        votes_cast=r["votes_cast"],
        needed=r["needed"],
        elected=r["elected"],
        leaders=tuple(r["leaders"]),
    )


def _names(s: Session, session_id: int) -> dict[int, str]:
    rows = s.execute(
        select(AssemblyCandidacy.id, AssemblyCandidacy.name).where(
            AssemblyCandidacy.session_id == session_id
        )
    ).all()
    return {int(r[0]): str(r[1]) for r in rows}


def _members_count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(Member)) or 0)


def _present_count(s: Session, session_id: int) -> int:
    query = select(func.count()).where(
        AssemblyDelegation.session_id == session_id, AssemblyDelegation.present.is_(True)
    )
    return int(s.scalar(query) or 0)


# ---------------------------------------------------------------------------------------------
# The clerk: sessions, delegations, posts


def create_session(
    ctx: AppContext,
    actor: Actor,
    *,
    title: str,
    place: str,
    starts_on: dt.date,
    ends_on: dt.date,
    nominations_close: dt.datetime,
    agenda: str = "",
) -> AssemblySession:
    require(actor, "assembly:session:manage")
    if ends_on < starts_on:
        raise ValidationFailed("the session cannot end before it starts")
    row = AssemblySession(
        title=_text(title, "title", 200),
        place=_text(place, "place", 200),
        starts_on=starts_on,
        ends_on=ends_on,
        agenda=_text(agenda, "agenda", 20000, required=False),
        nominations_close=_aware(nominations_close),
    )
    with ctx.uow() as uow:
        uow.session.add(row)
        uow.session.flush()
        uow.audit(actor, "assembly:session:created", "assembly_session", str(row.id), {})
        uow.commit()
    return row


def set_nominations_close(
    ctx: AppContext, actor: Actor, session_id: int, when: dt.datetime
) -> AssemblySession:
    require(actor, "assembly:session:manage")
    with ctx.uow() as uow:
        row = _session(uow.session, session_id)
        if row.candidates_published_at is not None:
            raise Conflict("the candidate list is published: the nomination deadline is final")
        row.nominations_close = _aware(when)
        uow.audit(
            actor,
            "assembly:session:updated",
            "assembly_session",
            str(row.id),
            {"nominations_close": row.nominations_close.isoformat()},
        )
        uow.commit()
    return row


def accredit(
    ctx: AppContext,
    actor: Actor,
    session_id: int,
    *,
    username: str,
    credentials: str,
    member: str | None = None,
) -> AssemblyDelegate:
    """Record a delegate's credentials: an active NCB user, voting for that user's member."""
    require(actor, "assembly:session:manage")
    credentials = _text(credentials, "credentials reference", 300)
    with ctx.uow() as uow:
        s = uow.session
        _session(s, session_id)
        user = s.execute(
            select(User).where(User.username == username.strip().lower())
        ).scalar_one_or_none()
        if user is None:
            raise NotFound(f"there is no user '{username}'")
        if user.role != Role.NCB or not user.member or not user.active:
            raise ValidationFailed(
                "a delegate is an active user of a National Central Bureau (role ncb)"
            )
        if member and _country(member, "member") != user.member:
            raise ValidationFailed(
                f"'{user.username}' is a delegate of {country_name(user.member)}, "
                f"not of {country_name(_country(member, 'member'))}"
            )
        if s.get(AssemblyDelegate, (session_id, user.id)) is not None:
            raise Conflict(f"'{user.username}' is already accredited to this session")
        row = AssemblyDelegate(
            session_id=session_id, user_id=user.id, member=user.member, credentials=credentials
        )
        s.add(row)
        if s.get(AssemblyDelegation, (session_id, user.member)) is None:
            s.add(AssemblyDelegation(session_id=session_id, member=user.member, present=True))
        s.flush()
        uow.audit(
            actor,
            "assembly:delegate:accredited",
            "assembly_session",
            str(session_id),
            {"member": user.member, "user_id": user.id},
        )
        uow.commit()
    return row


def set_presence(
    ctx: AppContext, actor: Actor, session_id: int, member: str, present: bool
) -> AssemblyDelegation:
    require(actor, "assembly:session:manage")
    code = _country(member, "member")
    with ctx.uow() as uow:
        _session(uow.session, session_id)
        row = uow.session.get(AssemblyDelegation, (session_id, code))
        if row is None:
            raise NotFound(f"{country_name(code)} has no accredited delegation at this session")
        row.present = present
        uow.audit(
            actor,
            "assembly:delegation:presence",
            "assembly_session",
            str(session_id),
            {"member": code, "present": present},
        )
        uow.commit()
    return row


def add_post(
    ctx: AppContext,
    actor: Actor,
    session_id: int,
    *,
    kind: str,
    continent: str | None = None,
    seats: int = 1,
    title: str | None = None,
    rules: Rules | None = None,
) -> AssemblyPost:
    require(actor, "assembly:session:manage")
    rules = rules or default_rules()
    try:
        spec = rules.post(kind)
    except RulesError as exc:
        raise ValidationFailed(str(exc)) from None
    continents = default_continents()
    if spec.per_continent:
        if not continent or continent not in continents.names:
            known = ", ".join(continents.names)
            raise ValidationFailed(f"a {spec.title} seat is for one continent: one of {known}")
    elif continent:
        raise ValidationFailed(f"the post of {spec.title} is not reserved to a continent")
    if not 1 <= seats <= 20:
        raise ValidationFailed("a post has between 1 and 20 seats")
    if spec.presidency and seats != 1:
        raise ValidationFailed(f"the post of {spec.title} has one seat")
    label = title or (f"{spec.title} for {continents.name(continent)}" if continent else spec.title)
    with ctx.uow() as uow:
        s = uow.session
        _session(s, session_id)
        position = s.scalar(select(func.count()).where(AssemblyPost.session_id == session_id)) or 0
        row = AssemblyPost(
            session_id=session_id,
            kind=kind,
            title=_text(label, "title", 120),
            continent=continent,
            seats=seats,
            term_years=spec.term_years,
            position=position,
        )
        s.add(row)
        s.flush()
        uow.audit(
            actor,
            "assembly:post:added",
            "assembly_post",
            str(row.id),
            {"session": session_id, "kind": kind, "continent": continent, "seats": seats},
        )
        uow.commit()
    return row


def add_continuing(
    ctx: AppContext, actor: Actor, session_id: int, *, post_kind: str, name: str, country: str
) -> AssemblyContinuing:
    """Record a Committee member whose term continues: the eligibility rules count them."""
    require(actor, "assembly:session:manage")
    try:
        default_rules().post(post_kind)
    except RulesError as exc:
        raise ValidationFailed(str(exc)) from None
    with ctx.uow() as uow:
        _session(uow.session, session_id)
        row = AssemblyContinuing(
            session_id=session_id,
            post_kind=post_kind,
            name=_text(name, "name", 200),
            country=_country(country, "country"),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            actor,
            "assembly:committee:continuing",
            "assembly_session",
            str(session_id),
            {"post_kind": post_kind, "country": row.country},
        )
        uow.commit()
    return row


# ---------------------------------------------------------------------------------------------
# Candidacies and observers' documents


def nominate(
    ctx: AppContext,
    actor: Actor,
    post_id: int,
    *,
    name: str,
    nationality: str,
    current_position: str,
    statement: str,
    member: str | None = None,
    now: dt.datetime | None = None,
    rules: Rules | None = None,
) -> AssemblyCandidacy:
    """A member nominates a candidate before the deadline; an NCB nominates for its own member,
    the clerk records a nomination for the member it names."""
    require(actor, "assembly:candidacy:nominate")
    rules = rules or default_rules()
    if actor.role == Role.NCB:
        if member and member.upper() != actor.member:
            raise Forbidden(
                f"you act for {country_name(actor.member or '')}: you cannot nominate for "
                f"{country_name(member.upper())}"
            )
        member = actor.member
    if not member:
        raise ValidationFailed("name the nominating member")
    nominating = _country(member, "nominating member")
    nat = _country(nationality, "nationality")
    clean_name = _text(name, "candidate's name", 200)
    position = _text(current_position, "current position", 300)
    text = _text(statement, "statement", 20000)
    moment = now or utcnow()
    with ctx.uow() as uow:
        s = uow.session
        post = _post(s, post_id)
        session = _session(s, post.session_id)
        deadline = _aware(session.nominations_close)
        if moment >= deadline or session.candidates_published_at is not None:
            raise Conflict(f"nominations for this session closed on {deadline:%d %b %Y, %H:%M} UTC")
        reason = ineligibility(
            rules,
            default_continents(),
            Nominee(
                post_kind=post.kind,
                nationality=nat,
                nominated_by=nominating,
                seat_continent=post.continent,
            ),
            committee_of(s, post.session_id),
        )
        if reason:
            raise ValidationFailed(f"this candidacy is not eligible: {reason}")
        ensure_member(s, nominating)
        duplicate = s.execute(
            select(AssemblyCandidacy.id).where(
                AssemblyCandidacy.post_id == post.id,
                AssemblyCandidacy.name == clean_name,
                AssemblyCandidacy.nationality == nat,
                AssemblyCandidacy.status != "withdrawn",
            )
        ).first()
        if duplicate:
            raise Conflict(f"this candidate is already nominated for {post.title}")
        row = AssemblyCandidacy(
            session_id=post.session_id,
            post_id=post.id,
            nominated_by=nominating,
            name=clean_name,
            nationality=nat,
            current_position=position,
            statement=text,
        )
        s.add(row)
        s.flush()
        uow.audit(
            actor,
            "assembly:candidacy:nominated",
            "assembly_candidacy",
            str(row.id),
            {"post": post.id, "member": nominating},
        )
        uow.commit()
    return row


def withdraw(ctx: AppContext, actor: Actor, candidacy_id: int) -> AssemblyCandidacy:
    """The nominating member (or the clerk) withdraws a candidacy; later ballots leave it out."""
    require(actor, "assembly:candidacy:nominate")
    with ctx.uow() as uow:
        s = uow.session
        row = _candidacy(s, candidacy_id)
        if actor.role == Role.NCB and actor.member != row.nominated_by:
            raise Forbidden("only the nominating member withdraws a candidacy")
        if row.status != "nominated":
            raise Conflict(f"the candidacy is {row.status}; it can no longer be withdrawn")
        open_ballot = s.execute(
            select(AssemblyBallot.id).where(
                AssemblyBallot.post_id == row.post_id, AssemblyBallot.status == "open"
            )
        ).first()
        if open_ballot:
            raise Conflict("a ballot for this post is open: withdraw once it is closed")
        row.status = "withdrawn"
        uow.audit(actor, "assembly:candidacy:withdrawn", "assembly_candidacy", str(row.id), {})
        uow.commit()
    return row


def publish_candidates(ctx: AppContext, actor: Actor, session_id: int) -> AssemblySession:
    """Publish the candidate list; this ends the nominations if the deadline is still ahead."""
    require(actor, "assembly:session:manage")
    with ctx.uow() as uow:
        row = _session(uow.session, session_id)
        if row.candidates_published_at is not None:
            raise Conflict("the candidate list is already published")
        now = utcnow()
        row.candidates_published_at = now
        if _aware(row.nominations_close) > now:
            row.nominations_close = now
        uow.audit(actor, "assembly:candidates:published", "assembly_session", str(row.id), {})
        uow.commit()
    return row


def attach_document(
    ctx: AppContext,
    actor: Actor,
    candidacy_id: int,
    *,
    kind: str,
    title: str,
    authors: str,
    body: str,
    url: str | None = None,
) -> AssemblyDocument:
    """Attach an objection, open letter or other public document about a candidacy."""
    require(actor, "assembly:document:attach")
    if kind not in DOCUMENT_KINDS:
        raise ValidationFailed(f"the kind of document is one of {', '.join(DOCUMENT_KINDS)}")
    link = (url or "").strip() or None
    if link and not link.startswith(("https://", "http://")):
        raise ValidationFailed("the link must be an http(s) address")
    with ctx.uow() as uow:
        s = uow.session
        _candidacy(s, candidacy_id)
        row = AssemblyDocument(
            candidacy_id=candidacy_id,
            kind=kind,
            title=_text(title, "title", 300),
            authors=_text(authors, "authors", 500),
            body=_text(body, "text", 50000),
            url=_text(link, "link", 500, required=False) or None,
        )
        s.add(row)
        s.flush()
        uow.audit(
            actor,
            "assembly:document:attached",
            "assembly_candidacy",
            str(candidacy_id),
            {"document": row.id, "kind": kind},
        )
        uow.commit()
    return row


# ---------------------------------------------------------------------------------------------
# Ballots


def open_ballot(
    ctx: AppContext, actor: Actor, post_id: int, *, rules: Rules | None = None
) -> AssemblyBallot:
    """Open the next round for the next vacant seat of a post, under the majority the rules
    give that round, with the candidates eligible next to the Committee as it now stands."""
    require(actor, "assembly:session:manage")
    rules = rules or default_rules()
    with ctx.uow() as uow:
        s = uow.session
        post = _post(s, post_id)
        session = _session(s, post.session_id)
        if session.candidates_published_at is None:
            raise Conflict("publish the candidate list before the first ballot")
        members = _members_count(s)
        present = _present_count(s, session.id)
        needed = rules.quorum.needed(members)
        if rules.quorum.enforce and present < needed:
            raise Conflict(f"no quorum: {present} of {members} members present, {needed} needed")
        already_open = s.execute(
            select(AssemblyBallot.id).where(
                AssemblyBallot.session_id == session.id, AssemblyBallot.status == "open"
            )
        ).first()
        if already_open:
            raise Conflict(f"ballot {already_open[0]} is still open: close it first")
        filled = (
            s.scalar(
                select(func.count()).where(
                    AssemblyCandidacy.post_id == post.id, AssemblyCandidacy.status == "elected"
                )
            )
            or 0
        )
        if filled >= post.seats:
            raise Conflict(f"every seat of {post.title} is filled")
        seat = filled + 1
        previous = s.scalars(
            select(AssemblyBallot)
            .where(AssemblyBallot.post_id == post.id, AssemblyBallot.seat == seat)
            .order_by(AssemblyBallot.round.desc())
        ).first()
        round_no = previous.round + 1 if previous else 1
        if round_no > rules.limits.max_rounds:
            raise Conflict(
                f"{rules.limits.max_rounds} rounds without a result: the seat stays vacant"
            )
        majority = rules.majority(post.kind, round_no)
        eligible = [str(c.id) for c in _eligible(s, rules, post)]
        if not eligible:
            raise Conflict(f"no eligible candidate stands for {post.title}")
        standing = standing_in_round(majority, eligible, _tally_of(previous) if previous else None)
        row = AssemblyBallot(
            session_id=session.id,
            post_id=post.id,
            seat=seat,
            round=round_no,
            majority=str(majority),
            candidates=[int(c) for c in standing],
            status="open",
            members_present=present,
            members_total=members,
        )
        s.add(row)
        s.flush()
        uow.audit(
            actor,
            "assembly:ballot:opened",
            "assembly_ballot",
            str(row.id),
            {
                "post": post.id,
                "seat": seat,
                "round": round_no,
                "majority": str(majority),
                "candidates": row.candidates,
            },
        )
        uow.commit()
    return row


@dataclass(frozen=True, slots=True)
class Receipt:
    ballot_id: int
    receipt: str


def cast_vote(
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    *,
    candidacy_id: int | None = None,
    abstain: bool = False,
    spoil: bool = False,
    member: str | None = None,
) -> Receipt:
    """One vote per member per ballot, cast by any of its accredited delegates.

    The voter roll gets (ballot, member), the papers get (receipt, ballot, choice); the audit log
    says that this delegate voted for this member in this ballot, and nothing of the choice.
    """
    require(actor, "assembly:ballot:cast")
    choices = (candidacy_id is not None) + abstain + spoil
    if choices != 1:
        raise ValidationFailed("choose exactly one: a candidacy, abstain or spoil")
    if not actor.member:
        raise Forbidden("only a delegate of a member votes")
    if member and member.strip().upper() != actor.member:
        raise Forbidden(
            f"you are a delegate of {country_name(actor.member)}: you cannot vote for "
            f"{country_name(member.strip().upper())}"
        )
    with ctx.uow() as uow:
        s = uow.session
        ballot = _ballot(s, ballot_id, share=True)
        if ballot.status != "open":
            raise Conflict(f"ballot {ballot.id} is closed: no vote after the close")
        delegate = s.get(AssemblyDelegate, (ballot.session_id, actor.user_id or 0))
        if delegate is None or delegate.member != actor.member:
            raise Forbidden(
                f"you are not an accredited delegate of {country_name(actor.member)} "
                "at this session"
            )
        delegation = s.get(AssemblyDelegation, (ballot.session_id, actor.member))
        if delegation is None or not delegation.present:
            raise Forbidden(
                f"the delegation of {country_name(actor.member)} is not recorded as present"
            )
        if s.get(AssemblyVoterRoll, (ballot.id, actor.member)) is not None:
            raise Conflict(
                f"{country_name(actor.member)} has already voted in ballot {ballot.id}: "
                "one vote per member per ballot"
            )
        if candidacy_id is not None and candidacy_id not in ballot.candidates:
            standing = ", ".join(str(c) for c in ballot.candidates)
            raise ValidationFailed(
                f"candidacy {candidacy_id} does not stand in ballot {ballot.id} (withdrawn, "
                f"not eligible, or not in the run-off); the candidacies standing are {standing}"
            )
        kind = (
            PaperKind.CANDIDATE
            if candidacy_id is not None
            else PaperKind.ABSTAIN
            if abstain
            else PaperKind.SPOILT
        )
        receipt = new_receipt()
        try:
            # The roll's primary key (ballot, member) stops a concurrent second vote here.
            s.add(AssemblyVoterRoll(ballot_id=ballot.id, member=actor.member))
            s.flush()
        except IntegrityError:
            raise Conflict(
                f"{country_name(actor.member)} has already voted in ballot {ballot_id}: "
                "one vote per member per ballot"
            ) from None
        s.add(
            AssemblyBallotPaper(
                receipt=receipt, ballot_id=ballot.id, kind=str(kind), candidacy_id=candidacy_id
            )
        )
        uow.audit(
            actor,
            "assembly:ballot:cast",
            "assembly_ballot",
            str(ballot.id),
            {"member": actor.member},
        )
        uow.commit()
    return Receipt(ballot_id=ballot_id, receipt=receipt)


def _papers(s: Session, ballot_id: int) -> list[tuple[str, str, int | None]]:
    rows = s.execute(
        select(
            AssemblyBallotPaper.receipt, AssemblyBallotPaper.kind, AssemblyBallotPaper.candidacy_id
        ).where(AssemblyBallotPaper.ballot_id == ballot_id)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _as_paper(kind: str, candidacy_id: int | None) -> Paper:
    try:
        paper_kind = PaperKind(kind)
    except ValueError:
        return Paper(PaperKind.SPOILT)
    return Paper(paper_kind, str(candidacy_id) if candidacy_id is not None else None)


def _reshuffle(s: Session, ballot_id: int, papers: list[tuple[str, str, int | None]]) -> None:
    """Rewrite the ballot's papers (shuffled) and voter roll (sorted) in this transaction, so
    that no row keeps the position or the transaction id it was written with."""
    sqlite = s.get_bind().dialect.name == "sqlite"
    if sqlite:
        s.connection().exec_driver_sql("PRAGMA secure_delete=ON")
    members = sorted(
        s.scalars(select(AssemblyVoterRoll.member).where(AssemblyVoterRoll.ballot_id == ballot_id))
    )
    s.execute(delete(AssemblyBallotPaper).where(AssemblyBallotPaper.ballot_id == ballot_id))
    s.execute(delete(AssemblyVoterRoll).where(AssemblyVoterRoll.ballot_id == ballot_id))
    shuffled = list(papers)
    random.SystemRandom().shuffle(shuffled)
    if shuffled:
        s.execute(
            insert(AssemblyBallotPaper),
            [
                {"receipt": r, "ballot_id": ballot_id, "kind": k, "candidacy_id": c}
                for r, k, c in shuffled
            ],
        )
    if members:
        s.execute(
            insert(AssemblyVoterRoll), [{"ballot_id": ballot_id, "member": m} for m in members]
        )
    if sqlite:
        s.connection().exec_driver_sql("PRAGMA secure_delete=OFF")
    s.expire_all()


def _vacuum(ctx: AppContext) -> None:
    """On PostgreSQL, clear the dead row versions the rewrite left behind."""
    if ctx.engine.dialect.name != "postgresql":
        return
    try:
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM assembly_ballot_papers")
            conn.exec_driver_sql("VACUUM assembly_voter_roll")
    except Exception as exc:  # the close is committed; a later VACUUM will do the same
        log.warning("VACUUM after a ballot close failed: %s", type(exc).__name__)


def close_ballot(
    ctx: AppContext, actor: Actor, ballot_id: int, *, rules: Rules | None = None
) -> AssemblyBallot:
    """Close a ballot, count it by the rules, publish its board and result."""
    require(actor, "assembly:session:manage")
    rules = rules or default_rules()
    with ctx.uow() as uow:
        s = uow.session
        ballot = _ballot(s, ballot_id, lock=True)
        if ballot.status != "open":
            raise Conflict(f"ballot {ballot.id} is already closed")
        papers = _papers(s, ballot.id)
        tally = count(
            rules,
            Majority(ballot.majority),
            [str(c) for c in ballot.candidates],
            (_as_paper(k, c) for _, k, c in papers),
        )
        _reshuffle(s, ballot.id, papers)
        ballot = _ballot(s, ballot_id)
        ballot.status = "closed"
        ballot.closed_at = utcnow()
        ballot.result = tally.as_dict()
        if tally.elected is not None:
            winner = _candidacy(s, int(tally.elected))
            winner.status = "elected"
            ballot.elected_candidacy = winner.id
        uow.audit(
            actor,
            "assembly:ballot:closed",
            "assembly_ballot",
            str(ballot.id),
            {
                "papers": tally.papers,
                "votes": tally.votes,
                "abstentions": tally.abstentions,
                "spoilt": tally.spoilt,
                "elected": tally.elected,
            },
        )
        uow.after_commit(lambda: _vacuum(ctx))
        uow.commit()
    return ballot


# ---------------------------------------------------------------------------------------------
# Public reads: no personal data beyond what candidates publish; nothing to audit


def _iso(value: dt.datetime | None) -> str | None:
    return _aware(value).isoformat() if value else None


def _candidate_view(
    c: AssemblyCandidacy, post: AssemblyPost, docs: Sequence[AssemblyDocument], reason: str | None
) -> dict[str, Any]:
    return {
        "id": c.id,
        "post_id": post.id,
        "post": post.title,
        "name": c.name,
        "nationality": c.nationality,
        "nationality_name": country_name(c.nationality),
        "nominated_by": c.nominated_by,
        "current_position": c.current_position,
        "statement": c.statement,
        "status": c.status,
        "ineligible_because": reason if c.status == "nominated" else None,
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "authors": d.authors,
                "body": d.body,
                "url": d.url,
                "created_at": _iso(d.created_at),
            }
            for d in docs
        ],
    }


def _ballot_view(
    b: AssemblyBallot, post: AssemblyPost, names: dict[int, str], voted: list[str]
) -> dict[str, Any]:
    result = b.result or None
    rows = []
    if result:
        rows = [
            {"candidacy_id": int(cid), "name": names.get(int(cid), cid), "votes": n}
            for cid, n in sorted(result["votes"].items(), key=lambda kv: (-kv[1], int(kv[0])))
        ]
    return {
        "id": b.id,
        "post_id": post.id,
        "post": post.title,
        "seat": b.seat,
        "round": b.round,
        "majority": b.majority,
        "majority_text": MAJORITY_TEXT[Majority(b.majority)],
        "status": b.status,
        "candidates": [{"candidacy_id": c, "name": names.get(c, str(c))} for c in b.candidates],
        "members_present": b.members_present,
        "members_total": b.members_total,
        "opened_at": _iso(b.opened_at),
        "closed_at": _iso(b.closed_at),
        "voted": voted if b.status == "closed" else None,
        "result": None
        if not result
        else {
            "votes": rows,
            "abstentions": result["abstentions"],
            "spoilt": result["spoilt"],
            "papers": result["papers"],
            "votes_cast": result["votes_cast"],
            "needed": result["needed"],
            "elected": int(result["elected"]) if result["elected"] else None,
            "elected_name": names.get(int(result["elected"])) if result["elected"] else None,
            "leaders": [int(c) for c in result["leaders"]],
        },
    }


def ballot_public(ctx: AppContext, ballot_id: int) -> dict[str, Any]:
    """One ballot as the public sees it: standing candidates, and its result once closed."""
    with ctx.read_session_factory() as s:
        ballot = _ballot(s, ballot_id)
        post = _post(s, ballot.post_id)
        names = _names(s, ballot.session_id)
        voted = sorted(
            s.scalars(
                select(AssemblyVoterRoll.member).where(AssemblyVoterRoll.ballot_id == ballot.id)
            )
        )
        return _ballot_view(ballot, post, names, voted)


def list_sessions(ctx: AppContext) -> list[dict[str, Any]]:
    with ctx.read_session_factory() as s:
        rows = s.scalars(select(AssemblySession).order_by(AssemblySession.starts_on.desc()))
        return [_session_head(r) for r in rows]


def _session_head(r: AssemblySession) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "place": r.place,
        "starts_on": r.starts_on.isoformat(),
        "ends_on": r.ends_on.isoformat(),
        "agenda": r.agenda,
        "nominations_close": _iso(r.nominations_close),
        "candidates_published": r.candidates_published_at is not None,
    }


def session_overview(ctx: AppContext, session_id: int) -> dict[str, Any]:
    """Everything public about a session: posts, quorum, candidates (once published), rounds."""
    rules = default_rules()
    continents = default_continents()
    with ctx.read_session_factory() as s:
        session = _session(s, session_id)
        posts = list(
            s.scalars(
                select(AssemblyPost)
                .where(AssemblyPost.session_id == session_id)
                .order_by(AssemblyPost.position, AssemblyPost.id)
            )
        )
        by_id = {p.id: p for p in posts}
        members = _members_count(s)
        present = sorted(
            s.scalars(
                select(AssemblyDelegation.member).where(
                    AssemblyDelegation.session_id == session_id,
                    AssemblyDelegation.present.is_(True),
                )
            )
        )
        candidacies = list(
            s.scalars(
                select(AssemblyCandidacy)
                .where(AssemblyCandidacy.session_id == session_id)
                .order_by(AssemblyCandidacy.post_id, AssemblyCandidacy.name)
            )
        )
        names = {c.id: c.name for c in candidacies}
        published = session.candidates_published_at is not None
        candidates: list[dict[str, Any]] = []
        if published:
            committee = committee_of(s, session_id)
            docs: dict[int, list[AssemblyDocument]] = {}
            for d in s.scalars(
                select(AssemblyDocument)
                .join(AssemblyCandidacy, AssemblyCandidacy.id == AssemblyDocument.candidacy_id)
                .where(AssemblyCandidacy.session_id == session_id)
                .order_by(AssemblyDocument.id)
            ):
                docs.setdefault(d.candidacy_id, []).append(d)
            for c in candidacies:
                post = by_id[c.post_id]
                reason = ineligibility(rules, continents, _nominee(c, post), committee)
                candidates.append(_candidate_view(c, post, docs.get(c.id, []), reason))
        ballots = list(
            s.scalars(
                select(AssemblyBallot)
                .where(AssemblyBallot.session_id == session_id)
                .order_by(AssemblyBallot.post_id, AssemblyBallot.seat, AssemblyBallot.round)
            )
        )
        voted: dict[int, list[str]] = {}
        for ballot_id, member in s.execute(
            select(AssemblyVoterRoll.ballot_id, AssemblyVoterRoll.member)
            .join(AssemblyBallot, AssemblyBallot.id == AssemblyVoterRoll.ballot_id)
            .where(AssemblyBallot.session_id == session_id, AssemblyBallot.status == "closed")
            .order_by(AssemblyVoterRoll.member)
        ):
            voted.setdefault(ballot_id, []).append(member)
        continuing = list(
            s.scalars(select(AssemblyContinuing).where(AssemblyContinuing.session_id == session_id))
        )
        return {
            **_session_head(session),
            "quorum": {
                "members": members,
                "present": len(present),
                "needed": rules.quorum.needed(members),
                "met": len(present) >= rules.quorum.needed(members),
                "members_present": present,
            },
            "posts": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "title": p.title,
                    "continent": p.continent,
                    "seats": p.seats,
                    "term_years": p.term_years,
                    "elected": [
                        {"candidacy_id": c.id, "name": c.name, "nationality": c.nationality}
                        for c in candidacies
                        if c.post_id == p.id and c.status == "elected"
                    ],
                }
                for p in posts
            ],
            "continuing": [
                {"post_kind": c.post_kind, "name": c.name, "country": c.country} for c in continuing
            ],
            "candidates": candidates,
            "ballots": [
                _ballot_view(b, by_id[b.post_id], names, voted.get(b.id, [])) for b in ballots
            ],
        }


def bulletin_board(ctx: AppContext, ballot_id: int) -> dict[str, Any]:
    """Every receipt with its ballot, in receipt order: published once the ballot is closed."""
    with ctx.read_session_factory() as s:
        ballot = _ballot(s, ballot_id)
        if ballot.status != "closed":
            raise Conflict("the bulletin board of a ballot is published when the ballot closes")
        post = _post(s, ballot.post_id)
        names = _names(s, ballot.session_id)
        voted = sorted(
            s.scalars(
                select(AssemblyVoterRoll.member).where(AssemblyVoterRoll.ballot_id == ballot.id)
            )
        )
        papers = sorted(_papers(s, ballot.id))
        return {
            "ballot": _ballot_view(ballot, post, names, voted),
            "papers": [
                {
                    "receipt": r,
                    "kind": k,
                    "candidacy_id": c,
                    "name": names.get(c) if c is not None else None,
                }
                for r, k, c in papers
            ],
        }


def recount(ctx: AppContext, ballot_id: int, rules: Rules | None = None) -> dict[str, Any]:
    """Count the published board again and compare with the published result."""
    rules = rules or default_rules()
    board = bulletin_board(ctx, ballot_id)
    ballot = board["ballot"]
    tally = count(
        rules,
        Majority(ballot["majority"]),
        [str(c["candidacy_id"]) for c in ballot["candidates"]],
        (_as_paper(p["kind"], p["candidacy_id"]) for p in board["papers"]),
    )
    published = ballot["result"]
    recounted = {
        "votes": {int(k): v for k, v in tally.votes.items()},
        "abstentions": tally.abstentions,
        "spoilt": tally.spoilt,
        "papers": tally.papers,
        "votes_cast": tally.votes_cast,
        "needed": tally.needed,
        "elected": int(tally.elected) if tally.elected else None,
    }
    as_published = {
        "votes": {r["candidacy_id"]: r["votes"] for r in published["votes"]},
        "abstentions": published["abstentions"],
        "spoilt": published["spoilt"],
        "papers": published["papers"],
        "votes_cast": published["votes_cast"],
        "needed": published["needed"],
        "elected": published["elected"],
    }
    return {
        "ballot_id": ballot_id,
        "recount": recounted,
        "published": as_published,
        "matches": recounted == as_published and tally.papers == len(ballot["voted"] or []),
        "papers_equal_voters": tally.papers == len(ballot["voted"] or []),
    }


def verify_receipt(ctx: AppContext, code: str) -> dict[str, Any]:
    """Find a receipt on the published boards: which ballot, and what it records."""
    receipt = normalise_receipt(code)
    with ctx.read_session_factory() as s:
        row = s.execute(
            select(AssemblyBallotPaper, AssemblyBallot)
            .join(AssemblyBallot, AssemblyBallot.id == AssemblyBallotPaper.ballot_id)
            .where(AssemblyBallotPaper.receipt == receipt, AssemblyBallot.status == "closed")
        ).first()
        if row is None:
            raise NotFound(
                "no closed ballot holds this receipt (boards are published when a ballot closes)"
            )
        paper, ballot = row
        name = None
        if paper.candidacy_id is not None:
            cand = s.get(AssemblyCandidacy, paper.candidacy_id)
            name = cand.name if cand else None
        post = _post(s, ballot.post_id)
        return {
            "receipt": receipt,
            "ballot_id": ballot.id,
            "post": post.title,
            "round": ballot.round,
            "kind": paper.kind,
            "candidacy_id": paper.candidacy_id,
            "name": name,
            "counted": True,
        }


# ---------------------------------------------------------------------------------------------
# The staff website: what a delegate may vote on, what the clerk may open or close


def delegate_desk(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """The open ballots of the sessions this NCB user is accredited to, and whether their
    member has voted in each (never how)."""
    require(actor, "assembly:ballot:cast")
    with ctx.read_session_factory() as s:
        sessions = list(
            s.scalars(
                select(AssemblySession)
                .join(AssemblyDelegate, AssemblyDelegate.session_id == AssemblySession.id)
                .where(AssemblyDelegate.user_id == (actor.user_id or 0))
                .order_by(AssemblySession.starts_on.desc())
            )
        )
        out = []
        for session in sessions:
            names = _names(s, session.id)
            ballots = []
            for b in s.scalars(
                select(AssemblyBallot)
                .where(AssemblyBallot.session_id == session.id, AssemblyBallot.status == "open")
                .order_by(AssemblyBallot.id)
            ):
                view = _ballot_view(b, _post(s, b.post_id), names, [])
                view["member_voted"] = (
                    s.get(AssemblyVoterRoll, (b.id, actor.member or "")) is not None
                )
                ballots.append(view)
            out.append({**_session_head(session), "ballots": ballots})
        return out


def clerk_desk(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """Every session with its posts and ballots, for the clerk's buttons."""
    require(actor, "assembly:session:manage")
    return [session_overview(ctx, row["id"]) for row in list_sessions(ctx)]


# ---------------------------------------------------------------------------------------------
# Demo data

_DEMO_GIVEN = ["Amara", "Lukas", "Ines", "Tomasz", "Halima", "Rafael", "Yuki", "Selin", "Oren"]
_DEMO_FAMILY = ["Okonkwo-Hale", "Virtanen", "Marquez-Lind", "Abernathy", "Castellano", "Dvorakova"]
_DEMO_STATEMENTS = [
    "I will make every notice request answer to the rules before it circulates, and publish "
    "the figures of refusals per member every year.",
    "The Committee must hear the Commission's findings before the members' wishes: I will "
    "put its annual report first on the agenda.",
    "Faster cooperation against trafficking, with the same review for every member, large or "
    "small.",
    "Training for every bureau on data protection, and a public answer to every open letter.",
]
_DEMO_POSITIONS = [
    "Director of the National Central Bureau",
    "Deputy Commissioner, criminal investigations",
    "Head of international police cooperation, Ministry of the Interior",
    "Director of criminal intelligence, national police",
    "Chief Inspector, border and migration police",
]


def seed_demo(ctx: AppContext, rng: random.Random) -> None:
    """A session with fictional candidacies (one with observers' open letter attached) and a
    finished first round for President; the demo NCB users are the delegates."""
    clerk = Actor(user_id=None, username="operator:demo", role=Role.ADMIN, via="system")
    with ctx.read_session_factory() as s:
        ncbs = list(
            s.scalars(
                select(User)
                .where(User.role == str(Role.NCB), User.active.is_(True))
                .order_by(User.member, User.id)
            )
        )
    delegates: dict[str, User] = {}
    for user in ncbs:
        if user.member and user.member not in delegates:
            delegates[user.member] = user
    continents = default_continents()
    by_continent: dict[str, list[str]] = {}
    for code in sorted(delegates):
        key = continents.continent(code)
        if key:
            by_continent.setdefault(key, []).append(code)
    if len(delegates) < 3 or len(by_continent) < 2:
        return
    today = utcnow().date()
    session = create_session(
        ctx,
        clerk,
        title="General Assembly, ordinary session (demo)",
        place="Lyon",
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        nominations_close=utcnow() + dt.timedelta(days=1),
        agenda="1. Opening\n2. Reports\n3. Elections to the Executive Committee\n4. Closing",
    )
    for code, user in delegates.items():
        accredit(
            ctx,
            clerk,
            session.id,
            username=user.username,
            credentials=f"Letter of credentials no. {rng.randint(100, 999)}/{code}",
        )
    president = add_post(ctx, clerk, session.id, kind="president")
    vp_continent = sorted(by_continent)[0]
    vice = add_post(ctx, clerk, session.id, kind="vice_president", continent=vp_continent)
    names = [f"{g} {f}" for g in _DEMO_GIVEN for f in _DEMO_FAMILY]
    rng.shuffle(names)
    # Three presidential candidates from three different members.
    nominees = rng.sample(sorted(delegates), 3)
    candidacies: list[AssemblyCandidacy] = []
    for code in nominees:
        candidacies.append(
            nominate(
                ctx,
                clerk,
                president.id,
                member=code,
                nationality=code,
                name=names.pop(),
                current_position=rng.choice(_DEMO_POSITIONS),
                statement=_DEMO_STATEMENTS[len(candidacies)],
            )
        )
    vp_code = rng.choice(by_continent[vp_continent])
    nominate(
        ctx,
        clerk,
        vice.id,
        member=vp_code,
        nationality=vp_code,
        name=names.pop(),
        current_position=rng.choice(_DEMO_POSITIONS),
        statement=_DEMO_STATEMENTS[3],
    )
    attach_document(
        ctx,
        clerk,
        candidacies[0].id,
        kind="open_letter",
        title="Open letter to the delegations on this candidacy",
        authors="Legislators of twelve member countries (fictional signatories)",
        body=(
            "We ask the delegations to weigh this candidate's record on the use of notices "
            "against people living in exile before they vote. A seat on the Executive Committee "
            "must not become a way around the review of requests."
        ),
    )
    publish_candidates(ctx, clerk, session.id)
    base = default_rules()
    relaxed = base.model_copy(update={"quorum": base.quorum.model_copy(update={"enforce": False})})
    ballot = open_ballot(ctx, clerk, president.id, rules=relaxed)
    from .auth import actor_for

    weights = [5, 4, 3]
    for code in sorted(delegates):
        voter = actor_for(delegates[code], via="system")
        draw = rng.random()
        if draw < 0.08:
            cast_vote(ctx, voter, ballot.id, abstain=True)
        elif draw < 0.12:
            cast_vote(ctx, voter, ballot.id, spoil=True)
        else:
            pick = rng.choices(candidacies, weights=weights)[0]
            cast_vote(ctx, voter, ballot.id, candidacy_id=pick.id)
    close_ballot(ctx, clerk, ballot.id, rules=relaxed)
