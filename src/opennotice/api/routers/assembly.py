"""/api/v1/assembly: General Assembly elections.

Public and read-only (no token): sessions, candidates, results per round, bulletin boards,
recounts and receipt checks. With a token: the clerk's acts (admin), nominations (NCB or
clerk), observers' documents (any signed-in user) and votes (accredited NCB delegates).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from opennotice.domain.content import Strict
from opennotice.services import assembly as svc

from ..deps import Ctx, CurrentActor

router = APIRouter(prefix="/api/v1/assembly", tags=["assembly"])

Id = Annotated[int, Path(ge=1, le=2**62)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SessionIn(Strict):
    title: Short
    place: Short
    starts_on: dt.date
    ends_on: dt.date
    nominations_close: dt.datetime
    agenda: Annotated[str, Field(max_length=20000)] = ""


class SessionPatch(Strict):
    nominations_close: dt.datetime


class SessionOut(Out):
    id: int
    title: str
    place: str
    starts_on: dt.date
    ends_on: dt.date
    agenda: str
    nominations_close: dt.datetime
    candidates_published_at: dt.datetime | None = None


class DelegateIn(Strict):
    username: Annotated[str, Field(min_length=2, max_length=80)]
    credentials: Annotated[str, Field(min_length=1, max_length=300)]
    member: Annotated[str | None, Field(max_length=3)] = None


class DelegateOut(Out):
    session_id: int
    user_id: int
    member: str
    credentials: str


class PresenceIn(Strict):
    present: bool


class PresenceOut(Out):
    session_id: int
    member: str
    present: bool


class PostIn(Strict):
    kind: Annotated[str, Field(min_length=1, max_length=40)]
    continent: Annotated[str | None, Field(max_length=20)] = None
    seats: Annotated[int, Field(ge=1, le=20)] = 1
    title: Annotated[str | None, Field(max_length=120)] = None


class PostOut(Out):
    id: int
    session_id: int
    kind: str
    title: str
    continent: str | None
    seats: int
    term_years: int


class ContinuingIn(Strict):
    post_kind: Annotated[str, Field(min_length=1, max_length=40)]
    name: Short
    country: Annotated[str, Field(min_length=2, max_length=3)]


class ContinuingOut(Out):
    id: int
    session_id: int
    post_kind: str
    name: str
    country: str


class CandidacyIn(Strict):
    name: Short
    nationality: Annotated[str, Field(min_length=2, max_length=3)]
    current_position: Annotated[str, Field(min_length=1, max_length=300)]
    statement: Annotated[str, Field(min_length=1, max_length=20000)]
    member: Annotated[str | None, Field(max_length=3)] = None


class CandidacyOut(Out):
    id: int
    session_id: int
    post_id: int
    nominated_by: str
    name: str
    nationality: str
    current_position: str
    statement: str
    status: str


class DocumentIn(Strict):
    kind: Literal["objection", "open_letter", "support", "other"]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    authors: Annotated[str, Field(min_length=1, max_length=500)]
    body: Annotated[str, Field(min_length=1, max_length=50000)]
    url: Annotated[str | None, Field(max_length=500)] = None


class DocumentOut(Out):
    id: int
    candidacy_id: int
    kind: str
    title: str
    authors: str
    body: str
    url: str | None


class VoteIn(Strict):
    """A vote: a candidacy standing in the ballot, or `abstain`, or `spoilt`."""

    candidacy_id: Annotated[int | None, Field(ge=1)] = None
    choice: Literal["candidate", "abstain", "spoilt"] = "candidate"
    member: Annotated[str | None, Field(max_length=3)] = None

    @model_validator(mode="after")
    def _one(self) -> VoteIn:
        if self.choice == "candidate" and self.candidacy_id is None:
            raise ValueError("name a candidacy_id, or choose 'abstain' or 'spoilt'")
        if self.choice != "candidate" and self.candidacy_id is not None:
            raise ValueError(f"a ballot that is '{self.choice}' names no candidacy")
        return self


class ReceiptOut(BaseModel):
    ballot_id: int
    receipt: str
    message: str = (
        "Keep this receipt: once the ballot closes, find it on the bulletin board to check "
        "that your ballot was counted as cast."
    )


# ---- public -----------------------------------------------------------------------------------


@router.get("/sessions", summary="Assembly sessions (public)")
def sessions(ctx: Ctx) -> list[dict[str, Any]]:
    return svc.list_sessions(ctx)


@router.get("/sessions/{session_id}", summary="A session: posts, quorum, candidates, rounds")
def session(session_id: Id, ctx: Ctx) -> dict[str, Any]:
    return svc.session_overview(ctx, session_id)


@router.get("/sessions/{session_id}/candidates", summary="Published candidates (public)")
def candidates(session_id: Id, ctx: Ctx) -> list[dict[str, Any]]:
    overview: list[dict[str, Any]] = svc.session_overview(ctx, session_id)["candidates"]
    return overview


@router.get("/sessions/{session_id}/results", summary="Results per round (public)")
def results(session_id: Id, ctx: Ctx) -> list[dict[str, Any]]:
    ballots: list[dict[str, Any]] = svc.session_overview(ctx, session_id)["ballots"]
    return ballots


@router.get("/ballots/{ballot_id}/board", summary="Bulletin board of a closed ballot (public)")
def board(ballot_id: Id, ctx: Ctx) -> dict[str, Any]:
    return svc.bulletin_board(ctx, ballot_id)


@router.get("/ballots/{ballot_id}/recount", summary="Recount a closed ballot from its board")
def recount(ballot_id: Id, ctx: Ctx) -> dict[str, Any]:
    return svc.recount(ctx, ballot_id)


@router.get("/receipts/{code}", summary="Find a receipt on the bulletin boards (public)")
def receipt(code: Annotated[str, Path(max_length=40)], ctx: Ctx) -> dict[str, Any]:
    return svc.verify_receipt(ctx, code)


# ---- the clerk ----------------------------------------------------------------------------------


@router.post("/sessions", status_code=201, response_model=SessionOut, summary="Create a session")
def create_session(body: SessionIn, ctx: Ctx, actor: CurrentActor) -> SessionOut:
    row = svc.create_session(ctx, actor, **body.model_dump())
    return SessionOut.model_validate(row)


@router.patch("/sessions/{session_id}", response_model=SessionOut, summary="Move the deadline")
def patch_session(session_id: Id, body: SessionPatch, ctx: Ctx, actor: CurrentActor) -> SessionOut:
    row = svc.set_nominations_close(ctx, actor, session_id, body.nominations_close)
    return SessionOut.model_validate(row)


@router.post(
    "/sessions/{session_id}/delegates",
    status_code=201,
    response_model=DelegateOut,
    summary="Accredit a delegate",
)
def accredit(session_id: Id, body: DelegateIn, ctx: Ctx, actor: CurrentActor) -> DelegateOut:
    row = svc.accredit(ctx, actor, session_id, **body.model_dump())
    return DelegateOut.model_validate(row)


@router.put(
    "/sessions/{session_id}/delegations/{member}",
    response_model=PresenceOut,
    summary="Record a delegation present or absent",
)
def presence(
    session_id: Id,
    member: Annotated[str, Path(max_length=3)],
    body: PresenceIn,
    ctx: Ctx,
    actor: CurrentActor,
) -> PresenceOut:
    return PresenceOut.model_validate(
        svc.set_presence(ctx, actor, session_id, member, body.present)
    )


@router.post(
    "/sessions/{session_id}/posts", status_code=201, response_model=PostOut, summary="Add a post"
)
def add_post(session_id: Id, body: PostIn, ctx: Ctx, actor: CurrentActor) -> PostOut:
    return PostOut.model_validate(svc.add_post(ctx, actor, session_id, **body.model_dump()))


@router.post(
    "/sessions/{session_id}/continuing",
    status_code=201,
    response_model=ContinuingOut,
    summary="Record a continuing Committee member",
)
def add_continuing(
    session_id: Id, body: ContinuingIn, ctx: Ctx, actor: CurrentActor
) -> ContinuingOut:
    row = svc.add_continuing(ctx, actor, session_id, **body.model_dump())
    return ContinuingOut.model_validate(row)


@router.post(
    "/sessions/{session_id}/publish", response_model=SessionOut, summary="Publish the candidates"
)
def publish(session_id: Id, ctx: Ctx, actor: CurrentActor) -> SessionOut:
    return SessionOut.model_validate(svc.publish_candidates(ctx, actor, session_id))


@router.post("/posts/{post_id}/ballots", status_code=201, summary="Open a ballot")
def open_ballot(post_id: Id, ctx: Ctx, actor: CurrentActor) -> dict[str, Any]:
    return svc.ballot_public(ctx, svc.open_ballot(ctx, actor, post_id).id)


@router.post("/ballots/{ballot_id}/close", summary="Close and count")
def close_ballot(ballot_id: Id, ctx: Ctx, actor: CurrentActor) -> dict[str, Any]:
    return svc.ballot_public(ctx, svc.close_ballot(ctx, actor, ballot_id).id)


@router.get("/ballots/{ballot_id}", summary="A ballot and, once closed, its result (public)")
def ballot(ballot_id: Id, ctx: Ctx) -> dict[str, Any]:
    return svc.ballot_public(ctx, ballot_id)


# ---- members and observers ----------------------------------------------------------------------


@router.post(
    "/posts/{post_id}/candidacies",
    status_code=201,
    response_model=CandidacyOut,
    summary="Nominate a candidate",
)
def nominate(post_id: Id, body: CandidacyIn, ctx: Ctx, actor: CurrentActor) -> CandidacyOut:
    return CandidacyOut.model_validate(svc.nominate(ctx, actor, post_id, **body.model_dump()))


@router.post(
    "/candidacies/{candidacy_id}/withdraw",
    response_model=CandidacyOut,
    summary="Withdraw a candidacy",
)
def withdraw(candidacy_id: Id, ctx: Ctx, actor: CurrentActor) -> CandidacyOut:
    return CandidacyOut.model_validate(svc.withdraw(ctx, actor, candidacy_id))


@router.post(
    "/candidacies/{candidacy_id}/documents",
    status_code=201,
    response_model=DocumentOut,
    summary="Attach an objection or open letter",
)
def attach(candidacy_id: Id, body: DocumentIn, ctx: Ctx, actor: CurrentActor) -> DocumentOut:
    row = svc.attach_document(ctx, actor, candidacy_id, **body.model_dump())
    return DocumentOut.model_validate(row)


@router.post(
    "/ballots/{ballot_id}/votes",
    status_code=201,
    response_model=ReceiptOut,
    summary="Cast your member's vote",
)
def vote(ballot_id: Id, body: VoteIn, ctx: Ctx, actor: CurrentActor) -> ReceiptOut:
    got = svc.cast_vote(
        ctx,
        actor,
        ballot_id,
        candidacy_id=body.candidacy_id,
        abstain=body.choice == "abstain",
        spoil=body.choice == "spoilt",
        member=body.member,
    )
    return ReceiptOut(ballot_id=got.ballot_id, receipt=got.receipt)
