"""Builders for the public-service tests: many fictional notices written straight to the store.

The public service reads stored state; going through the whole request/review flow for hundreds
of notices would only slow the tests (one test does go through it, end to end). Content is built
with the same RequestContent validation the services use. No test functions here.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from opennotice.domain.content import RequestContent
from opennotice.services.context import AppContext
from opennotice.services.members import ensure_member
from opennotice.services.public import refresh, silhouette_png
from opennotice.store.tables import IndexChange, Notice, NoticeSerial, Photo, utcnow

FAMILY = [
    "Marchetti", "Okonkwo", "Lindqvist", "Haddad", "Novák", "Ferreira", "Kowalczyk", "Ødegård",
    "Brennan", "Takahashi", "Duarte", "Mbeki", "Łukasiewicz", "Álvarez", "Petrović", "Nguyen",
    "Schäfer", "O'Connell", "Van der Berg", "Castellanos",
]  # fmt: skip
GIVEN = [
    "Lorenzo", "Amaka", "Sven", "Rania", "Jiří", "Beatriz", "Tomasz", "Ingrid", "Declan", "Yuki",
    "Hélène", "Thabo", "Zofia", "José María", "Dragan", "Linh", "Jürgen", "Siobhan", "Pieter",
]  # fmt: skip
NATS = ["FR", "IT", "DE", "BR", "NG", "RU", "AR", "PL", "VN", "ZA"]
REQUESTERS = ["FR", "DE", "IT", "BR", "AR", "PL"]


@dataclass
class Spec:
    """One stored notice; defaults make a public Red Notice."""

    family: str | None = "Marchetti"
    given: str | None = "Lorenzo Aldo"
    dob: str | None = "1979-04-12"
    sex: str | None = "M"
    nationalities: list[str] = field(default_factory=lambda: ["IT"])
    requester: str = "FR"
    type: str = "red"
    kind: str = "notice"
    status: str = "issued"
    public: bool = True
    blocked: bool = False
    restricted_from: list[str] = field(default_factory=list)
    valid_until: dt.date | None = None
    photos: int = 1
    content: dict[str, Any] = field(default_factory=dict)  # overrides of the content


def content_for(spec: Spec) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "family_name": spec.family,
        "given_names": spec.given,
        "date_of_birth": spec.dob,
        "sex": spec.sex,
        "nationalities": spec.nationalities,
        "place_of_birth": "Bari",
        "country_of_birth": "IT",
        "height_m": 1.78,
        "eye_colours": ["BRO"],
        "hair_colours": ["BLA"],
        "languages": ["ITA", "FRE"],
        # Never public: the tests check these never leave.
        "occupation": "secret-occupation-xyz",
        "profile_notes": "secret-profile-xyz",
        "aliases": ["Secretalias Xyz"],
        "identity_documents": [{"number": "SECRETDOC123", "issuing_country": "IT"}],
    }
    body: dict[str, Any] = {
        "type": spec.type,
        "subject": {k: v for k, v in subject.items() if v is not None},
        "charges": [
            {
                "legal_provision": "Code pénal art. 221-1",
                "description": "Murder during an armed robbery",
                "facts": "secret-facts-xyz",
                "place": "Lyon",
                "country": "FR",
                "date_of_facts": "2023-03-03",
                "max_penalty_years": 30,
            }
        ],
        "warrant": {
            "authority": "Tribunal judiciaire de Lyon",
            "date": "2023-04-01",
            "reference": "SECRETREF-0042",
        },
        "contact": "secret-contact-xyz",
    }
    for key, value in spec.content.items():
        if key == "subject":
            body["subject"] = {**body["subject"], **value}
        else:
            body[key] = value
    validated = RequestContent.model_validate(body)
    return validated.model_dump(mode="json", exclude={"visibility"})


def store(ctx: AppContext, specs: list[Spec], seed: int = 7) -> list[str]:
    """Write the notices (and their photos and change-feed rows); returns their ids."""
    rng = random.Random(seed)
    ids: list[str] = []
    today = dt.date.today()
    with ctx.uow() as uow:
        session = uow.session
        for code in {s.requester for s in specs} | {"FR"}:
            ensure_member(session, code)
        serial = session.get(NoticeSerial, today.year)
        if serial is None:
            serial = NoticeSerial(year=today.year, last=0)
            session.add(serial)
        for spec in specs:
            serial.last += 1
            nid = f"{today.year}/{serial.last}"
            now = utcnow()
            session.add(
                Notice(
                    id=nid,
                    kind=spec.kind,
                    type=spec.type,
                    requester=spec.requester,
                    status=spec.status,
                    blocked=spec.blocked,
                    public_extract=spec.public,
                    restricted_from=spec.restricted_from,
                    recipients=[],
                    content=content_for(spec),
                    findings=[],
                    created_at=now,
                    updated_at=now,
                    issued_on=today,
                    valid_until=spec.valid_until or today + dt.timedelta(days=5 * 365),
                )
            )
            session.flush()
            for _ in range(spec.photos):
                session.add(
                    Photo(notice_id=nid, content_type="image/png", data=silhouette_png(rng, 24, 30))
                )
            session.add(IndexChange(notice_id=nid))
            ids.append(nid)
        uow.commit()
    refresh(ctx)
    return ids


def population(n: int, seed: int = 11, **common: Any) -> list[Spec]:
    """n varied public Red Notices (names with accents, several nationalities, ages, sexes)."""
    rng = random.Random(seed)
    today = dt.date.today()
    specs = []
    for _ in range(n):
        age = rng.randint(19, 75)
        born = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        dob = born.isoformat() if rng.random() > 0.1 else str(born.year)
        nats = [rng.choice(NATS)]
        if rng.random() < 0.1:
            nats.append(rng.choice(NATS))
        spec = Spec(
            family=rng.choice(FAMILY),
            given=rng.choice(GIVEN) if rng.random() > 0.05 else None,
            dob=dob,
            sex=rng.choice(["M", "M", "M", "F", "U"]),
            nationalities=sorted(set(nats)),
            requester=rng.choice(REQUESTERS),
            photos=rng.choice([0, 1, 1, 2]),
        )
        for key, value in common.items():
            setattr(spec, key, value)
        specs.append(spec)
    return specs


def url(nid: str) -> str:
    return nid.replace("/", "-")
