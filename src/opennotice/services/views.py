"""What each reader is shown of a request: a business rule, so it lives here, not in the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.store.tables import Notice

from .requests import photo_ids


def notice_view(notice: Notice, actor: Actor, session: Session | None = None) -> dict[str, Any]:
    own = actor.role == Role.NCB and actor.member == notice.requester
    reviewer = actor.role in (Role.SECRETARIAT, Role.CCF)
    view: dict[str, Any] = {
        "id": notice.id,
        "kind": notice.kind,
        "type": notice.type,
        "requester": notice.requester,
        "status": notice.status,
        "created_at": notice.created_at,
        "submitted_at": notice.submitted_at,
        "issued_on": notice.issued_on,
        "valid_until": notice.valid_until,
        "content": notice.content,
        "public_extract": notice.public_extract,
    }
    if own or reviewer:
        view.update(
            blocked=notice.blocked,
            restricted_from=notice.restricted_from,
            recipients=notice.recipients,
            risk=notice.risk,
            findings=notice.findings,
            refusal_ground=notice.refusal_ground,
            decided_at=notice.decided_at,
            deleted_at=notice.deleted_at,
            version=notice.version,
        )
    if session is not None:
        view["photos"] = photo_ids(session, notice.id)
    return view
