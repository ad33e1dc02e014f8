"""Every route of the application, against every role and member situation.

The routes come from the application itself (`create_app(ctx).routes`, API and websites, every
method). Each must have its rule in RULES below, the one table of who may do what; a route
without a rule fails `test_every_route_has_a_rule`, so no endpoint ships open by accident.

Callers: anonymous; an NCB of the requesting member (FR, "own"), of another member (DE, "other"),
of a member the notice is restricted from (US, "restricted"); a secretariat reviewer; a
commission member; a screening system; an auditor; an administrator. For every route and
caller the test builds fresh objects through the services (an issued Red Notice of FR restricted
from US, a draft, a submitted request, a diffusion to DE, ...) and checks the answer:

- a caller the rule does not allow gets 401 (anonymous), or 403/404 -- never 2xx, never 5xx --
  and the objects are left exactly as they were;
- a member that may not see an object gets 404 (its existence does not leak);
- an allowed caller is let in: a read answers 2xx; a write is not refused as 401/403/404
  (it may still be 409/422 when the object's state or the input does not permit it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from opennotice.api.app import create_app
from opennotice.domain.actors import Actor
from opennotice.domain.content import RequestContent
from opennotice.domain.types import Role
from opennotice.services import requests as req_svc
from opennotice.services import reviews as review_svc
from opennotice.services.auth import actor_for
from opennotice.services.context import AppContext
from opennotice.services.users import bootstrap_user
from opennotice.store.tables import Notice, Notification
from tests.conftest import OPERATOR
from tests.factories import red_notice

try:  # FastAPI >= 0.130 keeps included routers as branches; older versions flatten them.
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover
    iter_route_contexts = None

# --- the table -------------------------------------------------------------------------------

PUBLIC = "public"
NCB, GS, CCF = Role.NCB, Role.SECRETARIAT, Role.CCF
SCREEN, AUDIT, ADMIN = Role.SCREENING, Role.AUDITOR, Role.ADMIN
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    """Who may call a route.

    allow: PUBLIC (anyone, no sign-in), or the set of roles.
    scope: member scoping of the object in the path, for NCB callers --
      None     the role alone decides (no object of a member in the path);
      "view"   any NCB that may see the object (its own member's, or one in force that is not
               restricted from it and, for a diffusion, addressed to it);
      "owner"  only the NCB of the requesting member (others: 403 if they see it, else 404).
    objects: which fresh objects fill the path (defaults follow the parameter names).
    """

    allow: frozenset[Role] | str
    scope: str | None = None
    objects: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Variants:
    """A route whose rule depends on an enumerated path parameter (e.g. the lifecycle action)."""

    param: str
    rules: dict[str, Rule]


def roles(*r: Role) -> frozenset[Role]:
    return frozenset(r)


N = "/api/v1/notices"
A = "/api/v1/assembly"
C = "/api/v1/ccf"
P = "/api/v1/protected-persons"
STAFF = ALL_ROLES  # any signed-in staff member
_SESSION_MANAGE = roles(ADMIN)
RULES: dict[tuple[str, str], Rule | Variants] = {
    # Documentation and plumbing.
    ("GET", "/openapi.json"): Rule(PUBLIC),
    ("GET", "/api/docs"): Rule(PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Rule(PUBLIC),
    ("GET", "/healthz"): Rule(PUBLIC),
    ("GET", "/static/{path}"): Rule(PUBLIC, None, ("static",)),
    # Accounts, members, users.
    ("GET", "/api/v1/me"): Rule(ALL_ROLES),
    ("GET", "/api/v1/members"): Rule(ALL_ROLES),
    ("GET", "/api/v1/members/{code}"): Rule(ALL_ROLES),
    ("PATCH", "/api/v1/members/{code}"): Rule(roles(ADMIN)),
    ("GET", "/api/v1/users"): Rule(roles(ADMIN)),
    ("POST", "/api/v1/users"): Rule(roles(ADMIN)),
    ("PATCH", "/api/v1/users/{user_id}"): Rule(roles(ADMIN)),
    ("POST", "/api/v1/users/{user_id}/token"): Rule(roles(ADMIN)),
    # Audit and the NCB inbox.
    ("GET", "/api/v1/audit"): Rule(roles(AUDIT)),
    ("GET", "/api/v1/audit/verify"): Rule(roles(AUDIT)),
    ("GET", "/api/v1/notifications"): Rule(roles(NCB)),
    ("POST", "/api/v1/notifications/{notification_id}/read"): Rule(roles(NCB), "owner"),
    # Notices.
    ("POST", N): Rule(roles(NCB)),
    ("GET", N): Rule(roles(NCB, GS, CCF)),
    ("GET", N + "/{notice_id}"): Rule(roles(NCB, GS, CCF), "view"),
    ("PUT", N + "/{notice_id}"): Rule(roles(NCB), "owner"),
    ("POST", N + "/{notice_id}/submit"): Rule(roles(NCB), "owner"),
    ("POST", N + "/{notice_id}/actions/{action}"): Variants(
        "action",
        {
            "suspend": Rule(roles(NCB), "owner"),
            "resume": Rule(roles(NCB), "owner"),
            "withdraw": Rule(roles(NCB), "owner"),
            "renew": Rule(roles(NCB), "owner"),
            "cancel": Rule(roles(GS)),
            "delete": Rule(roles(GS, CCF)),
        },
    ),
    ("PUT", N + "/{notice_id}/visibility"): Rule(roles(NCB), "owner"),
    ("GET", N + "/{notice_id}/history"): Rule(roles(NCB, GS, CCF), "owner"),
    ("POST", N + "/{notice_id}/photos"): Rule(roles(NCB), "owner"),
    ("GET", N + "/{notice_id}/photos/{photo_id}"): Rule(roles(NCB, GS, CCF), "view", ("photo",)),
    # Diffusions.
    ("POST", "/api/v1/diffusions"): Rule(roles(NCB)),
    ("GET", "/api/v1/diffusions"): Rule(roles(NCB, GS, CCF)),
    ("GET", "/api/v1/diffusions/{diffusion_id}"): Rule(roles(NCB, GS, CCF), "view"),
    ("POST", "/api/v1/diffusions/{diffusion_id}/withdraw"): Rule(roles(NCB), "owner"),
    # Review and compliance.
    ("GET", "/api/v1/reviews"): Rule(roles(GS)),
    ("POST", "/api/v1/reviews/{notice_id}/decision"): Rule(roles(GS), None, ("submitted",)),
    ("GET", "/api/v1/reviews/{notice_id}/findings"): Rule(roles(GS, CCF), None, ("submitted",)),
    ("POST", "/api/v1/reviews/{notice_id}/overrides"): Rule(roles(GS), None, ("submitted",)),
    ("GET", "/api/v1/rules"): Rule(ALL_ROLES),
    # Screening.
    ("POST", "/api/v1/screen"): Rule(roles(SCREEN, NCB)),
    ("POST", "/api/v1/screen/batch"): Rule(roles(SCREEN, NCB)),
    # Register of protected persons.
    ("POST", P): Rule(roles(NCB, GS, CCF)),
    ("GET", P): Rule(roles(GS, CCF)),
    ("POST", P + "/search"): Rule(roles(GS, CCF)),
    ("GET", P + "/{entry_id}"): Rule(roles(GS, CCF), None, ("missing",)),
    ("POST", P + "/{entry_id}/end"): Rule(roles(NCB, GS, CCF), None, ("missing",)),
    # The commission: filing and following are public (the applicant has no account).
    ("POST", C + "/requests"): Rule(PUBLIC),
    ("POST", C + "/requests/status"): Rule(PUBLIC, None, ("missing",)),  # a wrong secret: 404
    ("POST", C + "/requests/revision"): Rule(PUBLIC, None, ("missing",)),
    ("GET", C + "/requests"): Rule(roles(CCF)),
    ("GET", C + "/requests/{reference}"): Rule(roles(CCF), None, ("case",)),
    ("GET", C + "/requests/{reference}/documents/{document_id}"): Rule(
        roles(CCF), None, ("missing",)
    ),
    ("POST", C + "/requests/{reference}/admissibility"): Rule(roles(CCF), None, ("case",)),
    ("POST", C + "/requests/{reference}/matches"): Rule(roles(CCF), None, ("case",)),
    ("POST", C + "/requests/{reference}/links/{notice_id}"): Rule(
        roles(CCF), None, ("case_notice",)
    ),
    ("POST", C + "/requests/{reference}/consultations"): Rule(roles(CCF), None, ("case",)),
    # Blocking needs a notice linked to an admitted case: the role gate is what is checked here.
    ("POST", C + "/requests/{reference}/blocks/{notice_id}"): Rule(roles(CCF), None, ("missing",)),
    ("POST", C + "/requests/{reference}/decision"): Rule(roles(CCF), None, ("case",)),
    ("POST", C + "/requests/{reference}/revision"): Rule(roles(CCF), None, ("case",)),
    ("POST", C + "/consultations/{consultation_id}/answer"): Rule(roles(NCB), None, ("missing",)),
    # General Assembly: the record of the election is public; running it is the operator's.
    ("GET", A + "/sessions"): Rule(PUBLIC),
    ("GET", A + "/sessions/{session_id}"): Rule(PUBLIC, None, ("assembly",)),
    ("GET", A + "/sessions/{session_id}/candidates"): Rule(PUBLIC, None, ("assembly",)),
    ("GET", A + "/sessions/{session_id}/results"): Rule(PUBLIC, None, ("assembly",)),
    ("GET", A + "/ballots/{ballot_id}"): Rule(PUBLIC, None, ("missing",)),
    ("GET", A + "/ballots/{ballot_id}/board"): Rule(PUBLIC, None, ("missing",)),
    ("GET", A + "/ballots/{ballot_id}/recount"): Rule(PUBLIC, None, ("missing",)),
    ("GET", A + "/receipts/{code}"): Rule(PUBLIC, None, ("missing",)),
    ("POST", A + "/sessions"): Rule(_SESSION_MANAGE),
    ("PATCH", A + "/sessions/{session_id}"): Rule(_SESSION_MANAGE, None, ("assembly",)),
    ("POST", A + "/sessions/{session_id}/delegates"): Rule(_SESSION_MANAGE, None, ("assembly",)),
    # Presence needs an accredited delegation first: the role gate is what is checked here.
    ("PUT", A + "/sessions/{session_id}/delegations/{member}"): Rule(
        _SESSION_MANAGE, None, ("missing",)
    ),
    ("POST", A + "/sessions/{session_id}/posts"): Rule(_SESSION_MANAGE, None, ("assembly",)),
    ("POST", A + "/sessions/{session_id}/continuing"): Rule(_SESSION_MANAGE, None, ("assembly",)),
    ("POST", A + "/sessions/{session_id}/publish"): Rule(_SESSION_MANAGE, None, ("assembly",)),
    ("POST", A + "/posts/{post_id}/ballots"): Rule(_SESSION_MANAGE, None, ("missing",)),
    ("POST", A + "/ballots/{ballot_id}/close"): Rule(_SESSION_MANAGE, None, ("missing",)),
    ("POST", A + "/posts/{post_id}/candidacies"): Rule(roles(NCB, ADMIN), None, ("missing",)),
    ("POST", A + "/candidacies/{candidacy_id}/withdraw"): Rule(
        roles(NCB, ADMIN), None, ("missing",)
    ),
    ("POST", A + "/candidacies/{candidacy_id}/documents"): Rule(ALL_ROLES, None, ("missing",)),
    ("POST", A + "/ballots/{ballot_id}/votes"): Rule(roles(NCB), None, ("missing",)),
    # The INTERPOL-compatible public service.
    **{
        ("GET", f"/notices/v1/{kind}{tail}"): Rule(PUBLIC, None, objects)
        for kind, objects in (
            ("red", ("public",)),
            ("yellow", ("missing",)),
            ("un/persons", ("missing",)),
            ("un/entities", ("missing",)),
        )
        for tail in ("", "/{notice_id}", "/{notice_id}/images", "/{notice_id}/images/{picture_id}")
    },
    # Public websites: search, transparency, the commission's forms, the Assembly's record.
    ("GET", "/"): Rule(PUBLIC),
    ("GET", "/notices"): Rule(PUBLIC),
    ("GET", "/notices/{ref}"): Rule(PUBLIC, None, ("public",)),
    ("GET", "/transparency"): Rule(PUBLIC),
    ("GET", "/transparency.json"): Rule(PUBLIC),
    ("GET", "/transparency.csv"): Rule(PUBLIC),
    ("GET", "/commission"): Rule(PUBLIC),
    ("POST", "/commission"): Rule(PUBLIC),
    ("GET", "/commission/follow"): Rule(PUBLIC),
    ("POST", "/commission/follow"): Rule(PUBLIC),
    ("GET", "/assembly"): Rule(PUBLIC),
    ("GET", "/assembly/receipt"): Rule(PUBLIC),
    ("GET", "/assembly/{session_id}"): Rule(PUBLIC, None, ("assembly",)),
    ("GET", "/assembly/ballots/{ballot_id}"): Rule(PUBLIC, None, ("missing",)),
    # The staff website (session cookie; forms carry the session's CSRF token).
    ("GET", "/staff"): Rule(PUBLIC),  # a redirect: to the sign-in page or the role's home
    ("GET", "/staff/login"): Rule(PUBLIC),
    ("POST", "/staff/login"): Rule(PUBLIC),
    ("POST", "/staff/logout"): Rule(STAFF),
    ("GET", "/staff/home"): Rule(STAFF),
    ("GET", "/staff/requests"): Rule(roles(NCB)),
    ("GET", "/staff/requests/new"): Rule(roles(NCB)),
    ("POST", "/staff/requests/new"): Rule(roles(NCB)),
    ("GET", "/staff/requests/{rid}"): Rule(roles(NCB, GS, CCF), "view"),
    ("GET", "/staff/requests/{rid}/edit/{step}"): Rule(roles(NCB), "owner", ("draft",)),
    ("POST", "/staff/requests/{rid}/edit/{step}"): Rule(roles(NCB), "owner", ("draft",)),
    ("POST", "/staff/requests/{rid}/photos"): Rule(roles(NCB), "owner", ("draft",)),
    ("POST", "/staff/requests/{rid}/submit"): Rule(roles(NCB), "owner", ("draft",)),
    ("POST", "/staff/requests/{rid}/act"): Rule(roles(NCB), "owner"),
    ("GET", "/staff/notices"): Rule(roles(NCB, GS, CCF)),
    ("GET", "/staff/go"): Rule(roles(NCB, GS, CCF)),  # open by id: a redirect
    ("GET", "/staff/notices/{rid}"): Rule(roles(NCB, GS, CCF), "view"),
    ("GET", "/staff/notices/{rid}/photos/{photo_id}"): Rule(
        roles(NCB, GS, CCF), "view", ("photo",)
    ),
    ("GET", "/staff/diffusions/new"): Rule(roles(NCB)),
    ("POST", "/staff/diffusions/new"): Rule(roles(NCB)),
    ("GET", "/staff/inbox"): Rule(roles(NCB)),
    ("POST", "/staff/inbox/{nid}/read"): Rule(roles(NCB), "owner", ("notification",)),
    ("POST", "/staff/inbox/consultations/{consultation_id}"): Rule(roles(NCB), None, ("missing",)),
    ("GET", "/staff/review"): Rule(roles(GS)),
    ("GET", "/staff/review/{rid}"): Rule(roles(GS), None, ("submitted",)),
    ("POST", "/staff/review/{rid}/decide"): Rule(roles(GS), None, ("submitted",)),
    ("POST", "/staff/review/{rid}/override"): Rule(roles(GS), None, ("submitted",)),
    ("GET", "/staff/admin/members"): Rule(roles(ADMIN)),
    ("POST", "/staff/admin/members/{code}/prior-review"): Rule(roles(ADMIN)),
    ("GET", "/staff/admin/users"): Rule(roles(ADMIN)),
    ("GET", "/staff/ccf"): Rule(roles(CCF)),
    ("GET", "/staff/ccf/{reference}"): Rule(roles(CCF), None, ("case",)),
    **{
        ("POST", f"/staff/ccf/{{reference}}/{step}"): Rule(roles(CCF), None, ("case",))
        for step in ("admissibility", "match", "links", "consult", "block", "decide")
    },
    ("GET", "/staff/screen"): Rule(roles(SCREEN, NCB)),
    ("POST", "/staff/screen"): Rule(roles(SCREEN, NCB)),
    ("GET", "/staff/screen/batch"): Rule(roles(SCREEN, NCB)),
    ("POST", "/staff/screen/batch"): Rule(roles(SCREEN, NCB)),
    ("GET", "/staff/register"): Rule(roles(GS, CCF)),
    ("GET", "/staff/assembly"): Rule(roles(NCB, ADMIN)),
    ("POST", "/staff/assembly/posts/{post_id}/open"): Rule(_SESSION_MANAGE, None, ("missing",)),
    ("POST", "/staff/assembly/ballots/{ballot_id}/close"): Rule(
        _SESSION_MANAGE, None, ("missing",)
    ),
    ("POST", "/staff/assembly/ballots/{ballot_id}/vote"): Rule(roles(NCB), None, ("missing",)),
    ("GET", "/staff/register/new"): Rule(roles(NCB, GS, CCF)),
    ("POST", "/staff/register/new"): Rule(roles(NCB, GS, CCF)),
}

# Valid inputs per route (so that a refusal is the rule's, not the input validation's).
REASONS = {"reasons": "Stated reasons for the security test, in a full sentence."}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _notice_body(w: World, c: Caller) -> dict[str, Any]:
    return {"json": w.body()}


def _login(w: World, c: Caller) -> dict[str, Any]:
    token = "t" * 43
    return {
        "cookies": {"on_login": token},
        "data": {"csrf": token, "username": "web.login", "password": PASSWORD},
    }


def _fresh_session(w: World, c: Caller) -> dict[str, Any]:
    """Signing out ends a session: use a second one, so the caller's own stays open."""
    from opennotice.services import web_sessions

    assert c.username is not None
    opened = web_sessions.sign_in(w.ctx, c.username, PASSWORD)
    return {"session": (opened.token, opened.csrf_token)}


PERSON = {"family_name": "Quennell", "given_names": "Ada", "date_of_birth": "1980-05-06",
          "nationalities": ["TR"]}  # fmt: skip

INPUTS: dict[tuple[str, str], Callable[[World, Caller], dict[str, Any]]] = {
    ("POST", "/api/v1/assembly/ballots/{ballot_id}/votes"): lambda w, c: {
        "json": {"choice": "abstain"}
    },
    ("POST", "/api/v1/assembly/sessions/{session_id}/delegates"): lambda w, c: {
        "json": {"username": "ncb.fr", "credentials": "Letter of the FR ministry, 2030-10-01."}
    },
    ("POST", "/api/v1/protected-persons"): lambda w, c: {
        "json": {"person": PERSON, "feared_country": "TR", "granted_on": "2019-03-04"}
    },
    ("POST", "/api/v1/protected-persons/search"): lambda w, c: {"json": {"person": PERSON}},
    ("GET", "/staff/go"): lambda w, c: {"params": {"id": "2020/1"}},
    ("POST", "/staff/requests/{rid}/act"): lambda w, c: {
        "data": {"action": "withdraw", "reasons": REASONS["reasons"]}
    },
    ("POST", "/staff/requests/{rid}/photos"): lambda w, c: {
        "files": {"photo": ("face.jpg", JPEG, "image/jpeg")}
    },
    ("POST", "/staff/login"): _login,
    ("POST", "/staff/logout"): lambda w, c: _fresh_session(w, c) if c.username else {},
    ("PATCH", "/api/v1/members/{code}"): lambda w, c: {
        "json": {"prior_review": False, "reason": "Security test: no change intended."}
    },
    ("POST", "/api/v1/users"): lambda w, c: {
        "json": {"username": f"made.by.{c.name}.{w.next()}", "role": "auditor"}
    },
    ("PATCH", "/api/v1/users/{user_id}"): lambda w, c: {"json": {"active": True}},
    ("POST", N): _notice_body,
    ("PUT", N + "/{notice_id}"): _notice_body,
    ("POST", N + "/{notice_id}/actions/{action}"): lambda w, c: {"json": REASONS},
    ("PUT", N + "/{notice_id}/visibility"): lambda w, c: {
        "json": {"public_extract": False, "restricted_from": ["US"]}
    },
    ("POST", N + "/{notice_id}/photos"): lambda w, c: {
        "content": JPEG,
        "headers": {"content-type": "image/jpeg"},
    },
    ("POST", "/api/v1/diffusions"): lambda w, c: {"json": w.body() | {"recipients": ["DE"]}},
    ("POST", "/api/v1/diffusions/{diffusion_id}/withdraw"): lambda w, c: {"json": REASONS},
    ("POST", "/api/v1/reviews/{notice_id}/decision"): lambda w, c: {
        "json": {"decision": "ask_info", "reasons": "Give the date of the warrant, please."}
    },
}

# --- callers and objects ---------------------------------------------------------------------


PASSWORD = "correct horse battery staple 42"


@dataclass
class Caller:
    name: str
    role: Role | None
    member: str | None = None
    token: str | None = None
    actor: Actor | None = None
    username: str | None = None
    session: tuple[str, str] | None = None  # the staff website's cookie and CSRF token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


CALLER_SPECS: dict[str, dict[str, str]] = {
    "ncb_fr": {"role": "ncb", "member": "FR"},  # own member (requester of every object)
    "ncb_de": {"role": "ncb", "member": "DE"},  # other member (a recipient of the diffusion)
    "ncb_us": {"role": "ncb", "member": "US"},  # restricted member
    "gs_br": {"role": "secretariat", "nationality": "BR"},
    "ccf": {"role": "ccf"},
    "screen_de": {"role": "screening", "member": "DE"},
    "auditor": {"role": "auditor"},
    "admin": {"role": "admin"},
}


@dataclass
class Made:
    """A fresh object for one call: the values of the path parameters, and what to re-read."""

    params: dict[str, str]
    notice_id: str | None = None
    # Which NCB members may see it (besides the requester FR).
    seen_by: frozenset[str] = frozenset()
    # No such object (its factory is not written yet): an allowed caller may get 404.
    missing: bool = False


def _notice_params(nid: str) -> dict[str, str]:
    url = req_svc.url_id(nid)
    return {"notice_id": url, "rid": url, "ref": url}


_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


def unique_name(n: int, syllables: int) -> str:
    """A distinct fictional name per n, far from the others in spelling and sound."""
    digest = hashlib.sha256(str(n).encode()).digest()
    letters = [
        _CONSONANTS[digest[2 * i] % len(_CONSONANTS)] + _VOWELS[digest[2 * i + 1] % len(_VOWELS)]
        for i in range(syllables)
    ]
    return "".join(letters).capitalize()


@dataclass
class World:
    ctx: AppContext
    callers: dict[str, Caller]
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next(self) -> int:
        return next(self.counter)

    @property
    def fr(self) -> Actor:
        actor = self.callers["ncb_fr"].actor
        assert actor is not None
        return actor

    @property
    def gs(self) -> Actor:
        actor = self.callers["gs_br"].actor
        assert actor is not None
        return actor

    def body(self, **overrides: Any) -> dict[str, Any]:
        """A Red Notice request about a person of its own (no re-submission, no duplicate)."""
        body = red_notice(**overrides)
        n = self.next()
        born = dt.date(1950, 1, 1) + dt.timedelta(days=97 * n)
        body["subject"] = body["subject"] | {
            "family_name": unique_name(n, 4),
            "given_names": unique_name(n + 7919, 3),
            "date_of_birth": born.isoformat(),
        }
        return body

    def draft(self) -> str:
        body = self.body(visibility={"public_extract": False, "restricted_from": ["US"]})
        return req_svc.create_request(self.ctx, self.fr, RequestContent.model_validate(body)).id

    def submitted(self) -> str:
        nid = self.draft()
        req_svc.submit_request(self.ctx, self.fr, nid)
        return nid

    def issued(self) -> str:
        nid = self.submitted()
        review_svc.decide(self.ctx, self.gs, nid, review_svc.Decision.ISSUE, REASONS["reasons"])
        return nid

    def make(self, kind: str) -> Made:
        url = req_svc.url_id
        if kind == "issued":
            nid = self.issued()
            return Made(_notice_params(nid), nid, frozenset({"DE"}))
        if kind == "public":
            body = self.body(visibility={"public_extract": True, "restricted_from": []})
            nid = req_svc.create_request(self.ctx, self.fr, RequestContent.model_validate(body)).id
            req_svc.submit_request(self.ctx, self.fr, nid)
            review_svc.decide(self.ctx, self.gs, nid, review_svc.Decision.ISSUE, REASONS["reasons"])
            photo = req_svc.add_photo(self.ctx, self.fr, nid, "image/jpeg", JPEG)
            params = _notice_params(nid) | {"picture_id": str(photo.id), "ref": f"red-{url(nid)}"}
            return Made(params, nid, frozenset({"DE", "US"}))
        if kind == "draft":
            nid = self.draft()
            return Made(_notice_params(nid), nid)
        if kind == "submitted":
            nid = self.submitted()
            return Made(_notice_params(nid), nid)
        if kind == "missing":
            return Made({}, missing=True)
        if kind in ("case", "case_notice"):
            from opennotice.services import ccf as ccf_svc

            filing = ccf_svc.Filing.model_validate(
                {
                    "kind": "access",
                    "applicant": {"family_name": "Quennell", "contact": "post box 12, Lyon"},
                    "grounds": "I want to know whether any data on me is held.",
                }
            )
            public = Actor(user_id=None, username="public", role=None)
            ref = ccf_svc.file_request(self.ctx, public, filing).reference
            if kind == "case":
                return Made({"reference": ref})
            nid = self.issued()
            return Made({"reference": ref} | _notice_params(nid), nid)
        if kind == "assembly":
            from opennotice.services import assembly as assembly_svc

            admin = self.callers["admin"].actor
            assert admin is not None
            row = assembly_svc.create_session(
                self.ctx, admin, title="Security test session", place="Lyon",
                starts_on=dt.date(2030, 11, 1), ends_on=dt.date(2030, 11, 4),
                nominations_close=dt.datetime(2030, 9, 1, tzinfo=dt.UTC),
            )  # fmt: skip
            return Made({"session_id": str(row.id)})
        if kind == "diffusion":
            content = RequestContent.model_validate(self.body())
            nid = req_svc.send_diffusion(self.ctx, self.fr, content, ["DE"]).id
            return Made({"diffusion_id": url(nid)}, nid, frozenset({"DE"}))
        if kind == "photo":
            nid = self.issued()
            photo = req_svc.add_photo(self.ctx, self.fr, nid, "image/jpeg", JPEG)
            params = _notice_params(nid) | {"photo_id": str(photo.id)}
            return Made(params, nid, frozenset({"DE"}))
        if kind == "notification":
            nid = self.issued()  # the decision tells FR
            with self.ctx.read_session_factory() as s:
                note = s.query(Notification).filter_by(notice_id=nid, member="FR").first()
                assert note is not None
                return Made({"notification_id": str(note.id), "nid": str(note.id)}, nid)
        if kind == "user":
            new = bootstrap_user(
                self.ctx, OPERATOR, username=f"throwaway.{self.next()}", role="auditor"
            )
            return Made({"user_id": str(new.user.id)})
        if kind == "static":
            return Made({"path": "site.css"})
        if kind == "member":
            return Made({"code": "FR"})
        raise AssertionError(f"no factory for objects of kind {kind!r}")


# Path parameters that name no object of a member.
FIXED_PARAMS = {"step": "subject", "member": "FR", "code": "FR"}
MISSING_ID = "999999"

DEFAULT_OBJECTS = {  # path parameter -> the objects that fill it
    "notice_id": ("issued", "draft"),
    "rid": ("issued", "draft"),
    "diffusion_id": ("diffusion",),
    "notification_id": ("notification",),
    "photo_id": ("photo",),
    "user_id": ("user",),
}


# --- routes of the application ---------------------------------------------------------------


def app_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) for every route the application serves, websites included."""
    found: set[tuple[str, str]] = set()
    contexts = iter_route_contexts(app.routes) if iter_route_contexts else app.routes
    for rc in contexts:
        route = getattr(rc, "original_route", rc)
        path = getattr(rc, "path", None) or getattr(route, "path", None)
        if isinstance(route, Mount):
            found.add(("GET", route.path + "/{path}"))
            continue
        methods = getattr(rc, "methods", None) or getattr(route, "methods", None) or set()
        if path is None:
            raise AssertionError(f"a route without a path: {route!r}")
        for method in methods:
            if method != "HEAD" or "GET" not in methods:
                found.add((method, path))
        if not methods and isinstance(route, APIRoute | Route):
            raise AssertionError(f"a route without methods: {path}")
    return sorted(found)


def _path_params(path: str) -> list[str]:
    return re.findall(r"{([^}:]+)(?::[^}]+)?}", path)


# --- the checks ---------------------------------------------------------------------------


@pytest.fixture
def world(ctx: AppContext) -> World:
    from opennotice.services import web_sessions

    # The public endpoints' rate limit is not what this test is about (test_defences is).
    ctx.settings.public_rate_per_minute = 1_000_000
    callers: dict[str, Caller] = {"anonymous": Caller("anonymous", None)}
    for name, spec in CALLER_SPECS.items():
        username = name.replace("_", ".")
        new = bootstrap_user(ctx, OPERATOR, username=username, password=PASSWORD, **spec)
        opened = web_sessions.sign_in(ctx, username, PASSWORD)
        callers[name] = Caller(
            name, Role(spec["role"]), spec.get("member"), new.token, actor_for(new.user),
            username, (opened.token, opened.csrf_token),
        )  # fmt: skip
    bootstrap_user(ctx, OPERATOR, username="web.login", role="auditor", password=PASSWORD)
    return World(ctx, callers)


def test_every_route_has_a_rule(ctx: AppContext) -> None:
    routes = app_routes(create_app(ctx))
    missing = [f"{m} {p}" for m, p in routes if (m, p) not in RULES]
    assert not missing, (
        "routes without a declared rule in RULES (tests/security/test_authorization_matrix.py):"
        "\n  " + "\n  ".join(missing)
    )
    stale = sorted(f"{m} {p}" for m, p in set(RULES) - set(routes))
    assert not stale, "rules for routes that no longer exist:\n  " + "\n  ".join(stale)


def test_variants_cover_every_enumerated_value(ctx: AppContext) -> None:
    spec = create_app(ctx).openapi()
    for (method, path), rule in RULES.items():
        if not isinstance(rule, Variants):
            continue
        op = spec["paths"][path][method.lower()]
        (param,) = [p for p in op["parameters"] if p["name"] == rule.param]
        schema = param["schema"]
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
        assert set(schema["enum"]) == set(rule.rules), f"{method} {path}: declare every value"


@dataclass
class Outcome:
    allowed: bool
    hidden: bool = False  # a member that may not see the object: 404 only
    missing: bool = False  # allowed, but the object does not exist: 404 is right


def expect(rule: Rule, caller: Caller, made: Made | None) -> Outcome:
    missing = made is not None and made.missing
    if rule.allow == PUBLIC:
        return Outcome(True, missing=missing)
    if caller.role is None or caller.role not in rule.allow:
        return Outcome(False)
    if caller.role == NCB and rule.scope is not None and made is not None and not missing:
        own = caller.member == "FR"
        sees = own or (made.notice_id is not None and caller.member in made.seen_by)
        if not sees:
            return Outcome(False, hidden=True)
        if rule.scope == "owner" and not own:
            return Outcome(False)
    return Outcome(True, missing=missing)


def _state(ctx: AppContext, made: Made | None) -> tuple[Any, ...] | None:
    if made is None or made.notice_id is None:
        return None
    with ctx.read_session_factory() as s:
        n = s.get(Notice, made.notice_id)
        assert n is not None
        return (n.status, n.version, n.content, n.public_extract, n.restricted_from, n.blocked)


_GENERATED: dict[tuple[str, str], dict[str, Any]] = {}
_SCHEMA: dict[str, Any] = {}


def generated_input(app: Any, method: str, template: str) -> dict[str, Any]:
    """A schema-valid body and query for an API route without declared INPUTS (the smallest
    example schemathesis finds), so that a refusal is the role's, not the validation's."""
    key = (method, template)
    if key in _GENERATED:
        return _GENERATED[key]
    out: dict[str, Any] = {}
    spec = app.openapi()
    op_spec = spec["paths"].get(template, {}).get(method.lower())
    if op_spec and ("requestBody" in op_spec or any(
        p.get("required") and p["in"] == "query" for p in op_spec.get("parameters", [])
    )):  # fmt: skip
        import warnings

        import schemathesis
        from hypothesis import HealthCheck, Phase, find, settings

        if "schema" not in _SCHEMA:
            _SCHEMA["schema"] = schemathesis.openapi.from_dict(spec)
        op = _SCHEMA["schema"][template][method.upper()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            case = find(
                op.as_strategy(), lambda _c: True,
                # Shrinking finds the smallest example; the explain phase after it only words
                # a failure report, and cost most of this test's time.
                settings=settings(
                    database=None, derandomize=True, phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck),
                ),
            )  # fmt: skip
        if case.query:
            out["params"] = dict(case.query)
        body = case.body
        if body is not None and type(body).__name__ != "NotSet":
            if isinstance(body, bytes | str):
                out["content"] = body
                out["headers"] = {"content-type": case.media_type or "application/octet-stream"}
            else:
                out["json"] = body
    _GENERATED[key] = out
    return out


def _fill(template: str, values: dict[str, str]) -> str:
    path = template
    for name in _path_params(template):
        value = values.get(name, FIXED_PARAMS.get(name, MISSING_ID))
        path = re.sub(r"{" + name + r"(:[^}]+)?}", value, path)
    return path


def _request(
    client: TestClient,
    world: World,
    method: str,
    template: str,
    path: str,
    caller: Caller,
    *,
    csrf: bool = True,
) -> Any:
    maker = INPUTS.get((method, template))
    if maker is not None:
        kwargs = dict(maker(world, caller))
    elif template.startswith("/api/") or template.startswith("/notices/v1"):
        kwargs = dict(generated_input(client.app, method, template))
    else:
        kwargs = {}
    headers: dict[str, str] = dict(kwargs.pop("headers", {}))
    cookies: dict[str, str] = dict(kwargs.pop("cookies", {}))
    session = kwargs.pop("session", caller.session)
    if template.startswith("/staff"):
        if session is not None:
            cookies["on_staff"] = session[0]
            if method != "GET":
                data = dict(kwargs.pop("data", {}))
                if csrf:
                    data.setdefault("csrf", session[1])
                kwargs["data"] = data
    else:
        headers |= caller.headers
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return client.request(method, path, headers=headers, follow_redirects=False, **kwargs)


def _check(
    client: TestClient,
    world: World,
    method: str,
    template: str,
    rule: Rule,
    fixed: dict[str, str],
    caller: Caller,
    problems: list[str],
    shared: dict[str, Made],
) -> None:
    """One route, one caller. Objects are fresh for a write that may go through; reads and
    refused calls share one per kind (and must leave it as it was)."""
    params = [p for p in _path_params(template) if p not in fixed and p not in FIXED_PARAMS]
    kinds: tuple[str | None, ...]
    if rule.objects is not None:
        kinds = rule.objects
    elif params:
        unknown = [p for p in params if p not in DEFAULT_OBJECTS]
        if unknown:
            problems.append(f"{method} {template}: no object factory for {unknown}")
            return
        kinds = DEFAULT_OBJECTS[params[-1]]
    else:
        kinds = (None,)
    web = template.startswith("/staff")
    for kind in kinds:
        made: Made | None = None
        if kind:
            if kind not in shared:
                shared[kind] = world.make(kind)
            made = shared[kind]
        outcome = expect(rule, caller, made)
        if kind and method != "GET" and outcome.allowed:
            made = world.make(kind)
        path = _fill(template, dict(fixed) | (made.params if made else {}))
        before = _state(world.ctx, made)
        if web and method != "GET" and outcome.allowed and rule.allow != PUBLIC:
            # A form without this session's CSRF token is refused, whoever sends it.
            r = _request(client, world, method, template, path, caller, csrf=False)
            if r.status_code != 403:
                problems.append(f"{method} {path} as {caller.name} without CSRF: {r.status_code}")
            if _state(world.ctx, made) != before:
                problems.append(f"{method} {path} as {caller.name}: changed without CSRF")
        r = _request(client, world, method, template, path, caller)
        where = f"{method} {path} as {caller.name} ({kind or '-'}): {r.status_code}"
        if r.status_code >= 500:
            problems.append(f"{where} server error")
            continue
        if method == "GET" and _state(world.ctx, made) != before:
            problems.append(f"{where}: a read changed the object")
        if outcome.allowed:
            refused = {401, 403, 405} | (set() if outcome.missing else {404})
            if r.status_code in refused:
                problems.append(f"{where}, expected to be let in: {r.text[:160]}")
            elif method == "GET" and not outcome.missing and not 200 <= r.status_code < 400:
                problems.append(f"{where}, expected a 2xx read")
            continue
        location = r.headers.get("location", "")
        if caller.role is None:
            if web and r.status_code in (302, 303) and location.endswith("/staff/login"):
                continue
            # A staff form posted with no session at all fails its CSRF check first.
            ok = {401, 403} if web and method != "GET" else {401}
        elif outcome.hidden:
            ok = {404}
        else:
            ok = {403, 404}
        if r.status_code not in ok:
            hint = " (invalid input? declare it in INPUTS)" if r.status_code == 422 else ""
            problems.append(f"{where}, expected one of {sorted(ok)}{hint}")
        if _state(world.ctx, made) != before:
            problems.append(f"{where}: a refused call changed the object")


def test_matrix(world: World) -> None:
    app = create_app(world.ctx)
    problems: list[str] = []
    checked = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, template in app_routes(app):
            declared = RULES.get((method, template))
            if declared is None:
                continue  # reported by test_every_route_has_a_rule
            variants: list[tuple[dict[str, str], Rule]]
            if isinstance(declared, Variants):
                variants = [({declared.param: v}, r) for v, r in declared.rules.items()]
            else:
                variants = [({}, declared)]
            for fixed, rule in variants:
                shared: dict[str, Made] = {}
                for caller in world.callers.values():
                    _check(client, world, method, template, rule, fixed, caller, problems, shared)
                    checked += 1
    assert checked > 50
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_api_ignores_session_cookies_and_pages_ignore_tokens(world: World) -> None:
    """The API authenticates by bearer token only, so a browser's session cookie cannot be
    used against it from another site (no CSRF on the API); the staff pages by session only."""
    app = create_app(world.ctx)
    problems: list[str] = []
    admin, auditor = world.callers["admin"], world.callers["auditor"]
    assert admin.session and auditor.session and admin.token
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, template in app_routes(app):
            rule = RULES.get((method, template))
            if rule is None or (isinstance(rule, Rule) and rule.allow == PUBLIC):
                continue
            path = _fill(template, {"action": "cancel"})
            if template.startswith("/api/"):
                for who in (admin, auditor):
                    assert who.session is not None
                    cookie = {"Cookie": f"on_staff={who.session[0]}"}
                    r = client.request(method, path, headers=cookie, follow_redirects=False)
                    if r.status_code != 401:
                        problems.append(
                            f"{method} {path} with {who.name}'s cookie: {r.status_code}"
                        )
            elif template.startswith("/staff"):
                r = client.request(method, path, headers=admin.headers, follow_redirects=False)
                to_login = r.status_code in (302, 303) and r.headers.get("location", "").endswith(
                    "/staff/login"
                )
                if not (to_login or r.status_code in (401, 403)):
                    problems.append(f"{method} {path} with a bearer token: {r.status_code}")
    assert not problems, "\n".join(problems)
