"""The protected-persons register and the checker against a real database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from opennotice.domain.content import RequestContent
from opennotice.domain.lifecycle import Action
from opennotice.domain.types import RefusalGround
from opennotice.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from opennotice.services import register as reg
from opennotice.services import requests as rq
from opennotice.services import reviews
from opennotice.services.compliance import ComplianceChecker, finding_evidence
from opennotice.services.context import AppContext
from opennotice.store.tables import AuditEvent, Notice
from opennotice.store.tables_register import ProtectedPerson, SubjectKey
from tests.conftest import Who
from tests.factories import red_notice

REFUGEE = {
    "family_name": "Tursunjan",
    "given_names": "Erkin",
    "date_of_birth": "1968-05-02",
    "sex": "M",
    "nationalities": ["DE"],
}


def entry(**fields: Any) -> reg.EntryIn:
    return reg.EntryIn.model_validate({"person": REFUGEE, **fields})


def events(ctx: AppContext, action: str) -> list[AuditEvent]:
    with ctx.read_session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_checker_is_wired_and_the_catalogue_loaded(ctx: AppContext) -> None:
    assert isinstance(ctx.checker, ComplianceChecker)
    assert "refugee_policy" in ctx.checker.catalogue.rules


def test_an_ncb_records_refugee_status_but_cannot_read_the_register(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    de = people["ncb_de"].actor
    created = reg.create_entry(ctx, de, entry(granted_on="1998-06-15", feared_country="CN"))
    assert (created.kind, created.recorded_by, created.against) == ("refugee", "DE", "CN")
    with pytest.raises(Forbidden):
        reg.list_entries(ctx, de)
    with pytest.raises(Forbidden):
        reg.get_entry(ctx, de, created.id)
    for who in ("screen_de", "auditor", "admin"):
        with pytest.raises(Forbidden):
            reg.list_entries(ctx, people[who].actor)
    # Status granted by DE cannot protect the person against DE itself, and needs its facts.
    with pytest.raises(ValidationFailed):
        reg.create_entry(ctx, de, entry(granted_on="1998-06-15", feared_country="DE"))
    with pytest.raises(ValidationFailed):
        reg.create_entry(ctx, de, entry(feared_country="CN"))


def test_reads_are_audited_and_name_the_entries(ctx: AppContext, people: dict[str, Who]) -> None:
    created = reg.create_entry(
        ctx, people["ncb_de"].actor, entry(granted_on="1998-06-15", feared_country="CN")
    )
    rows = reg.list_entries(ctx, people["gs_br"].actor)
    assert [r.id for r in rows] == [created.id]
    reg.get_entry(ctx, people["ccf"].actor, created.id)
    reads = events(ctx, "register:entry:read")
    assert [e.actor for e in reads] == ["gs.br", "ccf"]
    assert reads[0].details["ids"] == [created.id]
    # No names in the audit log.
    assert all("Tursunjan" not in str(e.details) for e in events(ctx, "register:entry:created"))
    with pytest.raises(NotFound):
        reg.get_entry(ctx, people["gs_br"].actor, 999999)


def test_search_matches_across_spellings_and_scripts(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    reg.create_entry(
        ctx, people["ncb_de"].actor, entry(granted_on="1998-06-15", feared_country="CN")
    )
    query = reg.PersonIdentity(
        original_family_name="吐尔逊江", original_given_names="艾尔肯", date_of_birth="1968-05-02"
    )
    found = reg.search_entries(ctx, people["gs_ke"].actor, query)
    assert len(found) == 1 and found[0][1] >= 0.78
    assert events(ctx, "register:entry:searched")[0].details["ids"] == [found[0][0].id]


def test_secretariat_and_commission_entries(ctx: AppContext, people: dict[str, Who]) -> None:
    gs = reg.create_entry(ctx, people["gs_br"].actor, entry(against="TR", ground="art3"))
    assert (gs.kind, gs.against, gs.ground) == ("refusal", "TR", "art3")
    with pytest.raises(ValidationFailed):
        reg.create_entry(ctx, people["gs_br"].actor, entry(against="TR", ground="data_rules"))
    ccf = reg.create_entry(ctx, people["ccf"].actor, entry(against="EG", reference="CCF/2024/3"))
    assert ccf.kind == "commission"
    with pytest.raises(ValidationFailed):
        reg.create_entry(ctx, people["ccf"].actor, entry(against="EG"))


def test_ending_a_protection(ctx: AppContext, people: dict[str, Who]) -> None:
    de = people["ncb_de"].actor
    created = reg.create_entry(ctx, de, entry(granted_on="1998-06-15", feared_country="CN"))
    with pytest.raises(NotFound):  # another member's NCB may not end it
        reg.end_entry(ctx, people["ncb_fr"].actor, created.id, "Status revoked by the court.")
    with pytest.raises(ValidationFailed):
        reg.end_entry(ctx, de, created.id, "no")
    ended = reg.end_entry(ctx, de, created.id, "Status revoked by the administrative court.")
    assert not ended.active
    assert reg.list_entries(ctx, people["gs_br"].actor) == []
    assert len(reg.list_entries(ctx, people["gs_br"].actor, include_ended=True)) == 1


def test_unauthenticated_cannot_touch_the_register(ctx: AppContext) -> None:
    from opennotice.domain.actors import Actor

    public = Actor(user_id=None, username="public", role=None)
    with pytest.raises(Unauthenticated):
        reg.create_entry(ctx, public, entry(granted_on="1998-06-15", feared_country="CN"))


def _submit(ctx: AppContext, who: Who, **overrides: Any) -> Notice:
    notice = rq.create_request(
        ctx, who.actor, RequestContent.model_validate(red_notice(**overrides))
    )
    return rq.submit_request(ctx, who.actor, notice.id)


def test_a_refusal_on_art3_protects_the_subject_and_survives_deletion(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    cn = people["ncb_cn"]
    subject = {**red_notice()["subject"], "family_name": "Chan", "given_names": "Wing-kei"}
    first = _submit(ctx, cn, subject=subject)
    reviews.decide(
        ctx, people["gs_br"].actor, first.id, reviews.Decision.REFUSE,
        "Predominantly political: Art. 3.", ground=RefusalGround.ART3,
    )  # fmt: skip
    with ctx.read_session_factory() as s:
        protected = list(s.scalars(select(ProtectedPerson)))
    assert [(p.kind, p.against, p.ground, p.notice_id) for p in protected] == [
        ("refusal", "CN", "art3", first.id)
    ]
    # The secretariat deletes the refused request: its content is purged, the key stays.
    rq.act_on_request(ctx, people["gs_ke"].actor, first.id, Action.DELETE, "Purged after refusal.")
    with ctx.read_session_factory() as s:
        assert s.get(Notice, first.id).content is None  # type: ignore[union-attr]
        assert s.get(SubjectKey, first.id) is not None
    again = _submit(ctx, people["ncb_fr"], subject={**subject, "family_name": "Chen"})
    assert again.risk == "high"
    assert "resubmission" in {f["rule"] for f in again.findings}


def test_restricted_evidence_is_for_reviewers_only_and_audited(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    reg.create_entry(
        ctx, people["ncb_de"].actor, entry(granted_on="1998-06-15", feared_country="CN")
    )
    subject = {**red_notice()["subject"], **REFUGEE, "nationalities": ["CN"]}
    notice = _submit(ctx, people["ncb_cn"], subject=subject)
    assert notice.risk == "must_refuse"
    stored = str(notice.findings)
    assert "DE" not in stored and "register:" not in stored
    with pytest.raises(Forbidden):
        finding_evidence(ctx, people["ncb_cn"].actor, notice.id)
    details = finding_evidence(ctx, people["gs_br"].actor, notice.id)
    refugee = next(f for f in details["findings"] if f["rule"] == "refugee_policy")
    assert refugee["restricted"]["register"][0]["recorded_by"] == "DE"
    assert events(ctx, "review:evidence:read")[0].object_id == notice.id


def test_commission_hook_records_a_protected_person(
    ctx: AppContext, people: dict[str, Who]
) -> None:
    notice = _submit(ctx, people["ncb_fr"])
    with ctx.uow() as uow:
        reg.add_protection(
            uow, people["ccf"].actor, kind="commission",
            subject=dict(notice.content or {})["subject"], against="FR",
            ground="commission_decision", notes="Deletion ordered: the data were not accurate.",
        )  # fmt: skip
        uow.commit()
    again = _submit(ctx, people["ncb_fr"])
    f = next(f for f in again.findings if f["rule"] == "commission_decision")
    assert f["severity"] == "must_refuse" and again.risk == "must_refuse"


def test_seed_demo_adds_entries_once(ctx: AppContext) -> None:
    import random

    reg.seed_demo(ctx, random.Random(1))
    reg.seed_demo(ctx, random.Random(1))
    with ctx.read_session_factory() as s:
        rows = list(s.scalars(select(ProtectedPerson)))
    assert len(rows) == 6 and all(r.kind == "refugee" and r.against for r in rows)
