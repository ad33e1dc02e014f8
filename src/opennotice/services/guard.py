"""The permission check every use case starts with."""

from __future__ import annotations

from opennotice.domain.actors import Actor
from opennotice.domain.permissions import allowed
from opennotice.errors import Forbidden, Unauthenticated


def require(actor: Actor, permission: str) -> None:
    if actor.is_public:
        raise Unauthenticated("sign in, or send an API token, to do this")
    if not allowed(actor.role, permission):
        raise Forbidden(f"the role '{actor.role}' may not do this ({permission})")
