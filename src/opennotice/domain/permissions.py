"""Permissions named `area:object:action`, and which role holds which. Deny by default."""

from __future__ import annotations

from .types import Role

R = Role

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Requests and notices
    "notice:request:create": frozenset({R.NCB}),
    "notice:request:read": frozenset({R.NCB, R.SECRETARIAT, R.CCF}),
    "notice:request:update": frozenset({R.NCB}),
    "notice:request:act": frozenset({R.NCB, R.SECRETARIAT, R.CCF}),
    "notice:photo:add": frozenset({R.NCB}),
    "diffusion:message:send": frozenset({R.NCB}),
    # Review
    "review:queue:read": frozenset({R.SECRETARIAT}),
    "review:decision:make": frozenset({R.SECRETARIAT}),
    # Register of protected persons
    "register:entry:create": frozenset({R.NCB, R.SECRETARIAT, R.CCF}),
    "register:entry:read": frozenset({R.SECRETARIAT, R.CCF}),
    "register:entry:end": frozenset({R.NCB, R.SECRETARIAT, R.CCF}),
    "review:finding:override": frozenset({R.SECRETARIAT}),
    "review:evidence:read": frozenset({R.SECRETARIAT, R.CCF}),
    "review:rules:read": frozenset(set(Role)),
    # Screening
    "screen:query:make": frozenset({R.SCREENING, R.NCB}),
    "screen:hit:read": frozenset({R.NCB, R.SECRETARIAT}),
    "screen:file:run": frozenset({R.ADMIN}),  # the operator screens a file on the server
    "notice:record:import": frozenset({R.ADMIN}),  # the operator imports notices from a file
    # Notifications to NCBs (hits, purge orders, questions)
    "notification:inbox:read": frozenset({R.NCB}),
    # Commission
    "ccf:case:handle": frozenset({R.CCF}),
    "ccf:consultation:answer": frozenset({R.NCB}),
    # Oversight and operation
    "audit:log:read": frozenset({R.AUDITOR}),
    "report:figures:read": frozenset({R.AUDITOR, R.ADMIN, R.SECRETARIAT, R.CCF}),
    "member:record:read": frozenset(set(Role)),
    "member:record:manage": frozenset({R.ADMIN}),
    "user:account:manage": frozenset({R.ADMIN}),
    "assembly:session:manage": frozenset({R.ADMIN}),
    "assembly:ballot:cast": frozenset({R.NCB}),
    "assembly:candidacy:nominate": frozenset({R.NCB, R.ADMIN}),
    "assembly:document:attach": frozenset(set(Role)),
    "account:self:read": frozenset(set(Role)),
}


def allowed(role: Role | None, permission: str) -> bool:
    if role is None:
        return False
    holders = PERMISSIONS.get(permission)
    if holders is None:
        raise KeyError(f"unknown permission {permission!r}")  # a typo must not open a route
    return role in holders
