"""Demo data: members, one user per role, and a few hundred fictional requests in every state.

Everything goes through the same use cases as real work, so the audit chain covers it. Only the
dates are then spread over past years (a demo-only step) so that figures show trends.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from opennotice.domain.actors import SYSTEM, Actor
from opennotice.domain.content import RequestContent
from opennotice.domain.lifecycle import Action
from opennotice.domain.types import NoticeType, RefusalGround, Role
from opennotice.store.tables import Notice, NoticeHistory

from . import members, requests, reviews, users
from .auth import actor_for
from .context import AppContext
from .demo_people import NAMES, ORDINARY_CHARGES, ORIGINAL

DEMO_PASSWORD = "opennotice-demo"  # noqa: S105  (fictional accounts of a local demo)
NCB_MEMBERS = [
    "FR",
    "DE",
    "US",
    "GB",
    "IT",
    "ES",
    "BR",
    "MX",
    "NG",
    "TR",
    "AE",
    "IN",
    "CN",
    "RU",
    "EG",
    "IR",
    "KR",
    "GR",
    "TH",
]
SCREENING_MEMBERS = ["DE", "FR", "TH", "US"]
REVIEWERS = {"gs.amara": "KE", "gs.bruno": "BR", "gs.ingrid": "NO", "gs.wei": "SG"}


@dataclass
class DemoResult:
    logins: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # user, role, member, token
    notices: int = 0


def _operator() -> Actor:
    return Actor(user_id=None, username="operator:demo", role=Role.ADMIN, via="cli")


def run_demo(
    ctx: AppContext,
    seed: int = 2021,
    count: int = 300,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    rng = random.Random(seed)  # noqa: S311  (fictional data, not secrets)
    op = _operator()
    members.ensure_all_members(ctx, op)
    for code in NCB_MEMBERS:
        members.update_member(ctx, op, code, contact=f"ncb.{code.lower()}@ncb.example")
    result = DemoResult()
    actors: dict[str, Actor] = {}

    def add(username: str, role: str, member: str | None = None, nat: str | None = None) -> Actor:
        new = users.bootstrap_user(
            ctx,
            op,
            username=username,
            role=role,
            member=member,
            nationality=nat,
            password=DEMO_PASSWORD,
        )
        result.logins.append((username, role, member or nat or "", new.token))
        actors[username] = actor_for(new.user, via="cli")
        return actors[username]

    add("admin.1", "admin")
    add("auditor.1", "auditor")
    add("ccf.1", "ccf")
    for name, nat in REVIEWERS.items():
        add(name, "secretariat", nat=nat)
    for code in NCB_MEMBERS:
        add(f"ncb.{code.lower()}", "ncb", member=code)
    for code in SCREENING_MEMBERS:
        add(f"screen.{code.lower()}", "screening", member=code)

    builder = _Builder(ctx, rng, actors)
    builder.seed_situations()
    while builder.made < count:
        builder.ordinary()
        if progress:
            progress(builder.made)
    members.update_member(
        ctx,
        op,
        "RU",
        prior_review=True,
        reason="Diffusions found non-compliant repeatedly; checked before they go out.",
    )
    builder.diffusion_under_prior_review()
    _spread_dates(ctx, rng, builder.expire_later)
    requests.expire_due(ctx, SYSTEM)
    result.notices = builder.made
    return result


class _Builder:
    """Makes requests and walks them to a target state through the real use cases."""

    def __init__(self, ctx: AppContext, rng: random.Random, actors: dict[str, Actor]) -> None:
        self.ctx, self.rng, self.actors = ctx, rng, actors
        self.made = 0
        self.expire_later: set[str] = set()
        self.reviewers = [actors[n] for n in REVIEWERS]

    def ncb(self, code: str) -> Actor:
        return self.actors[f"ncb.{code.lower()}"]

    def reviewer_for(self, requester: str, not_: Actor | None = None) -> Actor:
        choices = [r for r in self.reviewers if r.nationality != requester and r != not_]
        choices = [r for r in choices if not_ is None or r.nationality != not_.nationality]
        return self.rng.choice(choices)

    # -- the seed's situations ---------------------------------------------------------------

    def seed_situations(self) -> None:
        # An exiled Uyghur activist, a refugee in Germany, charged with terrorism by the member he
        # fled: the request waits in review, flagged.
        activist = _content(
            "red",
            subject={
                "family_name": "Tursunbay",
                "given_names": "Ablikim",
                "original_family_name": "吐尔逊拜",
                "original_given_names": "阿不力克木",
                "aliases": ["Ablikim Tursunbayev"],
                "date_of_birth": "1971-09-14",
                "sex": "M",
                "nationalities": ["DE"],
                "occupation": "president of an exile Uyghur association",
                "profile_notes": "Activist living in Munich; recognised refugee in Germany.",
            },
            charges=[
                {
                    "legal_provision": "Criminal Law art. 120",
                    "iccs_code": "0906",
                    "description": "Organising and leading a terrorist organisation",
                    "facts": "Accused of leading an overseas organisation and making speeches.",
                    "max_penalty_years": 99,
                    "life_sentence_possible": True,
                }
            ],
            warrant={
                "authority": "Public Security Bureau of Urumqi",
                "date": "2019-05-02",
                "reference": "UR-2019-117",
            },
        )
        self.walk(self.ncb("CN"), activist, "in_review")
        # Pro-democracy politicians charged with secession and subversion.
        for fam, given, orig_f, orig_g, dob, charge in [
            (
                "Lam",
                "Ka-chun",
                "林",
                "家俊",
                "1992-03-08",
                ("National Security Law art. 20", "Incitement to secession by speeches abroad"),
            ),
            (
                "Cheung",
                "Wai-ling",
                "張",
                "慧玲",
                "1985-11-23",
                ("National Security Law art. 29", "Collusion with foreign forces; subversion"),
            ),
        ]:
            body = _content(
                "red",
                subject={
                    "family_name": fam,
                    "given_names": given,
                    "original_family_name": orig_f,
                    "original_given_names": orig_g,
                    "date_of_birth": dob,
                    "nationalities": ["CN"],
                    "occupation": "former legislator",
                },
                charges=[
                    {
                        "legal_provision": charge[0],
                        "description": charge[1],
                        "iccs_code": "0904",
                        "max_penalty_years": 99,
                    }
                ],
                warrant={
                    "authority": "Hong Kong Police Force National Security Department",
                    "date": "2023-07-03",
                    "reference": f"NSD-{fam.upper()}",
                },
            )
            self.walk(
                self.ncb("CN"),
                body,
                "refused" if fam == "Lam" else "submitted",
                ground=RefusalGround.ART3,
            )
        # A dissident journalist: refused under Art. 3, then sent again as a diffusion under
        # another spelling of her name.
        journalist = {
            "family_name": "Kuzmina",
            "given_names": "Alyona Sergeyevna",
            "original_family_name": "Кузьмина",
            "original_given_names": "Алёна Сергеевна",
            "date_of_birth": "1983-06-17",
            "sex": "F",
            "nationalities": ["RU"],
            "occupation": "investigative journalist",
        }
        false_news = {
            "legal_provision": "Criminal Code art. 207.3",
            "description": "Public dissemination of knowingly false information about the "
            "armed forces",
            "iccs_code": "0805",
            "max_penalty_years": 15,
        }
        warrant = {
            "authority": "Basmanny District Court",
            "date": "2022-09-12",
            "reference": "3/12-1187/2022",
        }
        self.walk(
            self.ncb("RU"),
            _content("red", subject=journalist, charges=[false_news], warrant=warrant),
            "refused",
            ground=RefusalGround.ART3,
        )
        again = dict(journalist, family_name="Kousmina", given_names="Aliona")
        again.pop("original_family_name")
        again.pop("original_given_names")
        requests.send_diffusion(
            self.ctx,
            self.ncb("RU"),
            _content("red", subject=again, charges=[false_news], warrant=warrant),
            ["TR", "AE", "TH"],
        )
        self.made += 1

    # -- ordinary requests ---------------------------------------------------------------------

    def ordinary(self) -> None:
        rng = self.rng
        requester = rng.choice(
            ["FR", "DE", "US", "GB", "IT", "ES", "BR", "MX", "NG", "TR", "AE", "IN", "KR", "GR"]
        )
        ntype = rng.choices(
            ["red", "yellow", "blue", "black", "green", "orange", "purple", "un", "silver"],
            weights=[60, 10, 8, 3, 6, 3, 3, 4, 3],
        )[0]
        subject = self.subject(requester)
        iccs, desc, law, max_years = rng.choice(ORDINARY_CHARGES)
        year = rng.randint(2016, 2025)
        place = rng.choice(["the capital", "a port city", "the border region"])
        charges = [
            {
                "legal_provision": law,
                "description": desc,
                "iccs_code": iccs,
                "facts": f"Between {year} and {year + 1} in {place}, the person took part in the "
                "acts described.",
                "place": rng.choice(["Marseille", "Hamburg", "Porto", "Lagos", "Izmir", "Dubai"]),
                "date_of_facts": f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "max_penalty_years": max_years,
            }
        ]
        warrant = {
            "authority": "Investigating judge, regional court",
            "date": f"{year + 1}-02-01",
            "reference": f"W-{year}-{rng.randint(100, 9999)}",
        }
        as_diffusion = rng.random() < 0.12
        public = ntype in ("red", "yellow") and rng.random() < 0.35 and not as_diffusion
        restricted = [rng.choice(["RU", "CN", "IR"])] if rng.random() < 0.1 else []
        body = _content(
            ntype,
            subject=subject,
            charges=charges if ntype in ("red", "blue", "green", "silver") else [],
            warrant=warrant if ntype == "red" else None,
            visibility={
                "public_extract": public and ntype != "silver",
                "restricted_from": [r for r in restricted if r != requester],
            },
        )
        if as_diffusion:
            recipients = rng.sample([m for m in NCB_MEMBERS if m != requester], 3)
            notice = requests.send_diffusion(self.ctx, self.ncb(requester), body, recipients)
            self.made += 1
            self.review_diffusion(notice, rng.choice(["confirm", "confirm", "recall", "leave"]))
            return
        target = rng.choices(
            [
                "issued",
                "draft",
                "submitted",
                "in_review",
                "info_requested",
                "refused",
                "suspended",
                "withdrawn",
                "cancelled",
                "expired",
                "deleted",
            ],
            weights=[55, 4, 5, 4, 4, 6, 4, 5, 3, 5, 3],
        )[0]
        self.walk(self.ncb(requester), body, target, ground=rng.choice(list(RefusalGround)))

    def subject(self, requester: str) -> dict[str, Any]:
        rng = self.rng
        sex = rng.choice(["M", "F"])
        dob = f"{rng.randint(1955, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if requester in ORIGINAL and rng.random() < 0.7:
            fam_o, giv_o, fam, giv, sex = rng.choice(ORIGINAL[requester])
            return {
                "family_name": fam,
                "given_names": giv,
                "original_family_name": fam_o,
                "original_given_names": giv_o,
                "sex": sex,
                "date_of_birth": dob,
                "nationalities": [requester],
            }
        families, males, females = NAMES.get(requester, NAMES[rng.choice(list(NAMES))])
        given = rng.choice(males if sex == "M" else females)
        return {
            "family_name": rng.choice(families),
            "given_names": given,
            "sex": sex,
            "date_of_birth": dob if rng.random() < 0.85 else dob[:4],
            "nationalities": [requester] if requester in NAMES else [],
            "height_m": round(rng.uniform(1.5, 1.95), 2),
            "weight_kg": rng.randint(50, 110),
            "eye_colours": [rng.choice(["BRO", "BLU", "GRE", "BLA"])],
            "hair_colours": [rng.choice(["BLA", "BRO", "YELB", "GRY"])],
        }

    def walk(
        self,
        ncb: Actor,
        body: RequestContent,
        target: str,
        ground: RefusalGround = RefusalGround.OTHER,
    ) -> Notice:
        ctx = self.ctx
        notice = requests.create_request(ctx, ncb, body)
        self.made += 1
        nid = notice.id
        if target == "draft":
            return notice
        requests.submit_request(ctx, ncb, nid)
        if target == "submitted":
            return notice
        gs = self.reviewer_for(ncb.member or "")
        if target == "in_review":
            reviews.claim(ctx, gs, nid)
            return notice
        if target == "info_requested":
            reviews.decide(
                ctx,
                gs,
                nid,
                reviews.Decision.ASK_INFO,
                "Please add the date and place of the facts.",
            )
            return notice
        cited = _cited(ctx, nid)
        # A request the checks say must be refused is refused, whatever the demo aimed at.
        if target == "refused" or _risk(ctx, nid) == "must_refuse":
            reviews.decide(
                ctx,
                gs,
                nid,
                reviews.Decision.REFUSE,
                "The request does not meet the rules cited in the findings.",
                ground=ground,
                cited_rules=cited,
            )
            return notice
        if target == "withdrawn" and self.rng.random() < 0.5:
            requests.act_on_request(ctx, ncb, nid, Action.WITHDRAW, "Case closed nationally.")
            return notice
        result = reviews.decide(
            ctx,
            gs,
            nid,
            reviews.Decision.ISSUE,
            "Serious ordinary-law crime; identifiers and judicial data complete.",
            cited_rules=cited,
        )
        if result.outcome == "approval_recorded":
            second = self.reviewer_for(ncb.member or "", not_=gs)
            reviews.decide(
                ctx,
                second,
                nid,
                reviews.Decision.ISSUE,
                "Second review: agree that the request complies.",
                cited_rules=cited,
            )
        actions = {
            "suspended": (ncb, Action.SUSPEND, None),
            "withdrawn": (ncb, Action.WITHDRAW, "Person arrested and extradited."),
            "cancelled": (
                gs,
                Action.CANCEL,
                "New information shows the request no longer complies.",
            ),
            "deleted": (gs, Action.DELETE, "data-rules"),
        }
        if target in actions:
            who, action, reasons = actions[target]
            requests.act_on_request(ctx, who, nid, action, reasons)
        if target == "expired":
            self.expire_later.add(nid)
        return notice

    def review_diffusion(self, notice: Notice, outcome: str) -> None:
        if outcome == "leave":
            return
        gs = self.reviewer_for(notice.requester)
        decision = reviews.Decision.CONFIRM if outcome == "confirm" else reviews.Decision.RECALL
        reasons = (
            "Complies with the rules."
            if outcome == "confirm"
            else "Non-compliant: a private dispute over a debt."
        )
        cited = _cited(self.ctx, notice.id)
        if _risk(self.ctx, notice.id) == "must_refuse":
            decision = reviews.Decision.RECALL
        reviews.decide(self.ctx, gs, notice.id, decision, reasons, cited_rules=cited)

    def diffusion_under_prior_review(self) -> None:
        subject = self.subject("RU")
        iccs, desc, law, years = ORDINARY_CHARGES[6]
        body = _content(
            "red",
            subject=subject,
            charges=[
                {
                    "legal_provision": law,
                    "description": desc,
                    "iccs_code": iccs,
                    "max_penalty_years": years,
                }
            ],
        )
        requests.send_diffusion(self.ctx, self.ncb("RU"), body, ["DE", "FR"])
        self.made += 1


def _cited(ctx: AppContext, notice_id: str) -> list[str]:
    """The rules a demo reviewer cites: every finding the checks made on the request."""
    with ctx.read_session_factory() as session:
        notice = session.get(Notice, notice_id)
        return sorted({str(f.get("rule")) for f in (notice.findings if notice else []) or []})


def _risk(ctx: AppContext, notice_id: str) -> str | None:
    with ctx.read_session_factory() as session:
        notice = session.get(Notice, notice_id)
        return notice.risk if notice else None


def _content(ntype: str, **parts: Any) -> RequestContent:
    data: dict[str, Any] = {"type": ntype, "contact": None}
    data.update({k: v for k, v in parts.items() if v is not None})
    if ntype == NoticeType.RED:
        data.setdefault("purpose", "prosecution")
    return RequestContent.model_validate(data)


def _spread_dates(ctx: AppContext, rng: random.Random, old: set[str]) -> None:
    """Move each request back in time by its own offset, keeping its steps in order; the
    ones in `old` go back more than five years, so that they expire."""
    with ctx.uow() as uow:
        s = uow.session
        history: dict[str, list[NoticeHistory]] = {}
        for row in s.scalars(select(NoticeHistory)):
            history.setdefault(row.notice_id, []).append(row)
        for notice in s.scalars(select(Notice)):
            days = rng.randint(1900, 2300) if notice.id in old else rng.randint(0, 1600)
            shift = dt.timedelta(days=days)
            for col in _DATETIME_COLUMNS:
                value = getattr(notice, col)
                if value is not None:
                    setattr(notice, col, value - shift)
            if notice.issued_on is not None and notice.valid_until is not None:
                notice.issued_on -= shift
                notice.valid_until -= shift
            for row in history.get(notice.id, []):
                row.at = row.at - shift
        uow.commit()


_DATETIME_COLUMNS = (
    "created_at",
    "updated_at",
    "submitted_at",
    "decided_at",
    "ended_at",
    "deleted_at",
)
