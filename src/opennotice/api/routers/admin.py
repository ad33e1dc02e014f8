"""/api/v1/members, /api/v1/users, /api/v1/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from opennotice.domain.actors import Actor
from opennotice.services import members as member_svc
from opennotice.services import users as user_svc
from opennotice.services.guard import require

from ..deps import Ctx, CurrentActor, allow
from ..schemas import MemberOut, MemberUpdate, MeOut, NewUserOut, UserIn, UserOut, UserPatch

router = APIRouter(prefix="/api/v1", tags=["members and users"])
Admin = Annotated[Actor, Depends(allow("user:account:manage"))]
MemberAdmin = Annotated[Actor, Depends(allow("member:record:manage"))]


@router.get("/me", response_model=MeOut, summary="Who you are")
def me(actor: CurrentActor) -> MeOut:
    require(actor, "account:self:read")
    return MeOut(
        username=actor.username, role=str(actor.role), member=actor.member,
        nationality=actor.nationality,
    )  # fmt: skip


@router.get("/members", response_model=list[MemberOut], summary="Member countries")
def members(ctx: Ctx, actor: CurrentActor) -> list[MemberOut]:
    return [MemberOut.model_validate(m) for m in member_svc.list_members(ctx, actor)]


@router.get("/members/{code}", response_model=MemberOut, summary="One member")
def member(code: str, ctx: Ctx, actor: CurrentActor) -> MemberOut:
    return MemberOut.model_validate(member_svc.get_member(ctx, actor, code))


@router.patch("/members/{code}", response_model=MemberOut, summary="Prior review, contact")
def update_member(code: str, body: MemberUpdate, ctx: Ctx, actor: MemberAdmin) -> MemberOut:
    row = member_svc.update_member(
        ctx, actor, code, prior_review=body.prior_review, reason=body.reason, contact=body.contact
    )
    return MemberOut.model_validate(row)


@router.get("/users", response_model=list[UserOut], summary="User accounts")
def users(ctx: Ctx, actor: Admin) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in user_svc.list_users(ctx, actor)]


@router.post("/users", status_code=201, response_model=NewUserOut, summary="Add a user")
def add_user(body: UserIn, ctx: Ctx, actor: Admin) -> NewUserOut:
    new = user_svc.add_user(ctx, actor, **body.model_dump())
    return NewUserOut(user=UserOut.model_validate(new.user), token=new.token)


@router.patch("/users/{user_id}", response_model=UserOut, summary="Enable or disable")
def patch_user(user_id: int, body: UserPatch, ctx: Ctx, actor: Admin) -> UserOut:
    return UserOut.model_validate(user_svc.set_active(ctx, actor, user_id, body.active))


@router.post("/users/{user_id}/token", response_model=NewUserOut, summary="Replace the token")
def rotate(user_id: int, ctx: Ctx, actor: Admin) -> NewUserOut:
    new = user_svc.rotate_token(ctx, actor, user_id)
    return NewUserOut(user=UserOut.model_validate(new.user), token=new.token)
