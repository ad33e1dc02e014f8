"""The staff web application under /staff: one router per area of work, each page calling the
same services as the API with the signed-in user as the actor."""

from __future__ import annotations

from fastapi import APIRouter

from . import admin, auth, ccf, ncb, register, review, screening

router = APIRouter(include_in_schema=False)
for _part in (auth, ncb, review, admin, ccf, screening, register):
    router.include_router(_part.router)

__all__ = ["router"]
