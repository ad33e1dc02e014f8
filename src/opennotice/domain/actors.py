"""Who is acting: built explicitly by the adapters, never read from a request object."""

from __future__ import annotations

from dataclasses import dataclass, field

from .types import Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    username: str
    role: Role | None  # None: the public, not signed in
    member: str | None = None
    nationality: str | None = None
    request_id: str = ""
    via: str = "api"  # api | web | cli | system
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_public(self) -> bool:
        return self.role is None


SYSTEM = Actor(user_id=None, username="system", role=None, via="system")
