"""The compliance checker wired into submission, and the reviewer's overrides of findings.

`ComplianceChecker.check` runs inside the submission's transaction: it keeps the subject's
matching key (which outlives a deletion), gathers what the pure checks need (the register, the
earlier refused/recalled/deleted requests, valid notices, the requester's record), runs the
checks of `opennotice.rules`, stores the evidence only reviewers may see, applies the overrides
already recorded on this request and returns the findings and their route.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, and_, false, func, or_, select
from sqlalchemy.orm import Session

from opennotice.domain.actors import Actor
from opennotice.domain.types import Kind, Status
from opennotice.errors import Conflict, Forbidden, ValidationFailed
from opennotice.rules.catalogue import Catalogue, default_catalogue
from opennotice.rules.checks import OVERRIDE, WAIVER, route, run_checks
from opennotice.rules.model import (
    SEVERITY_RANK,
    CheckInput,
    PriorHit,
    RegisterHit,
    RequesterRecord,
    ValidHit,
)
from opennotice.rules.persons import identity_of, same_person
from opennotice.store.tables import Base, Notice, NoticeHistory, utcnow
from opennotice.store.tables_register import FindingEvidence, FindingOverride, SubjectKey

from .context import AppContext
from .guard import require
from .ports import CheckOutcome
from .register import active_entries
from .requests import content_of, load_visible, record_history

MIN_OVERRIDE_REASONS = 30
# Earlier outcomes that protect the subject from a re-submission.
_PROTECTIVE = (Status.REFUSED.value, Status.RECALLED.value, Status.DELETED.value)
_VALID_NOTICE = (Status.ISSUED.value, Status.SUSPENDED.value)
_VALID_DIFFUSION = (Status.CIRCULATING.value, Status.CONFIRMED.value)
_UNDER_REVIEW = {
    Kind.NOTICE.value: {Status.SUBMITTED.value, Status.IN_REVIEW.value},
    Kind.DIFFUSION.value: {Status.SUBMITTED.value, Status.CIRCULATING.value},
}


class ComplianceChecker:
    """Implements services.ports.ComplianceChecker with the rules catalogue."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        # Loaded and validated now: a broken catalogue stops start-up.
        self.catalogue = catalogue or default_catalogue()

    def check(self, session: Session, notice: Notice) -> CheckOutcome:
        content = content_of(notice)
        identity = identity_of(content.subject)
        _keep_key(session, notice, identity)
        threshold = self.catalogue.thresholds["protect_match"]
        inp = CheckInput(
            kind=notice.kind,
            requester=notice.requester,
            content=content,
            register=tuple(_register_hits(session, identity, threshold)),
            prior=tuple(_prior_hits(session, notice, identity, threshold)),
            valid=tuple(
                _valid_hits(session, notice, identity, self.catalogue.thresholds["duplicate_match"])
            ),
            record=_record(session, notice.requester, self.catalogue),
        )
        findings = run_checks(inp, self.catalogue)
        overrides = _overrides(session, notice.id)
        stored: list[dict[str, Any]] = []
        for f in findings:
            item = f.as_json()
            if f.rule in overrides:
                item["override"] = overrides[f.rule]
            stored.append(item)
        for old in session.scalars(
            select(FindingEvidence).where(FindingEvidence.notice_id == notice.id)
        ):
            session.delete(old)
        for f in findings:
            if f.restricted:
                session.add(FindingEvidence(notice_id=notice.id, rule=f.rule, details=f.restricted))
        return CheckOutcome(findings=stored, risk=route(stored, self.catalogue))


# --- what the checks read --------------------------------------------------------------------


def _keep_key(session: Session, notice: Notice, identity: dict[str, Any]) -> None:
    key = session.get(SubjectKey, notice.id)
    if key is None:
        key = SubjectKey(notice_id=notice.id)
        session.add(key)
    key.requester = notice.requester
    key.kind = notice.kind
    key.type = notice.type
    key.person = identity
    key.updated_at = utcnow()


def _register_hits(
    session: Session, identity: dict[str, Any], threshold: float
) -> list[RegisterHit]:
    hits: list[RegisterHit] = []
    for entry in active_entries(session):
        score, why = same_person(identity, entry.person, key=f"register:{entry.id}")
        if score >= threshold:
            hits.append(
                RegisterHit(
                    entry_id=entry.id,
                    kind=entry.kind,
                    recorded_by=entry.recorded_by,
                    against=entry.against,
                    ground=entry.ground,
                    profile=entry.profile,
                    score=score,
                    explanation=why,
                )
            )
    return hits


def _ccf_links() -> Table | None:
    # The commission's module records withdrawals during its reviews; read it when present.
    return Base.metadata.tables.get("ccf_links")


def _prior_hits(
    session: Session, notice: Notice, identity: dict[str, Any], threshold: float
) -> list[PriorHit]:
    links = _ccf_links()
    withdrawn_in_review: set[str] = set()
    if links is not None and "withdrawn_during_review" in links.c:
        withdrawn_in_review = set(
            session.scalars(
                select(links.c.notice_id).where(links.c.withdrawn_during_review.is_(True))
            )
        )
    rows = session.execute(
        select(SubjectKey, Notice)
        .join(Notice, Notice.id == SubjectKey.notice_id)
        .where(
            SubjectKey.notice_id != notice.id,
            or_(
                Notice.status.in_(_PROTECTIVE),
                and_(Notice.status == Status.WITHDRAWN.value, Notice.blocked.is_(True)),
                Notice.id.in_(withdrawn_in_review) if withdrawn_in_review else false(),
            ),
        )
    ).all()
    if not rows:
        return []
    deleted_by_ccf = set(
        session.scalars(
            select(NoticeHistory.notice_id).where(
                NoticeHistory.action == "delete",
                NoticeHistory.actor_role == "ccf",
                NoticeHistory.notice_id.in_([n.id for _, n in rows]),
            )
        )
    )
    hits: list[PriorHit] = []
    for key, earlier in rows:
        score, why = same_person(identity, key.person, key=earlier.id)
        if score < threshold:
            continue
        if earlier.status == Status.DELETED.value:
            outcome = "deleted_by_commission" if earlier.id in deleted_by_ccf else "deleted"
        elif earlier.status == Status.WITHDRAWN.value:
            outcome = "withdrawn_during_review"
        else:
            outcome = earlier.status
        hits.append(
            PriorHit(
                notice_id=earlier.id,
                requester=earlier.requester,
                kind=earlier.kind,
                type=earlier.type,
                outcome=outcome,
                ground=earlier.refusal_ground,
                score=score,
                explanation=why,
            )
        )
    return hits


def _valid_hits(
    session: Session, notice: Notice, identity: dict[str, Any], threshold: float
) -> list[ValidHit]:
    same_type = (
        (Notice.type == notice.type) if notice.kind == Kind.NOTICE.value else Notice.id.is_not(None)
    )
    rows = session.execute(
        select(SubjectKey, Notice)
        .join(Notice, Notice.id == SubjectKey.notice_id)
        .where(
            SubjectKey.notice_id != notice.id,
            Notice.requester == notice.requester,
            Notice.kind == notice.kind,
            same_type,
            or_(
                and_(Notice.kind == Kind.NOTICE.value, Notice.status.in_(_VALID_NOTICE)),
                and_(Notice.kind == Kind.DIFFUSION.value, Notice.status.in_(_VALID_DIFFUSION)),
            ),
        )
    ).all()
    out: list[ValidHit] = []
    for key, other in rows:
        score, _ = same_person(identity, key.person, key=other.id)
        if score >= threshold:
            out.append(ValidHit(other.id, other.requester, other.kind, other.type, score))
    return out


def _record(session: Session, requester: str, catalogue: Catalogue) -> RequesterRecord:
    since = utcnow() - dt.timedelta(days=int(365.25 * catalogue.thresholds["record_window_years"]))
    base = (
        (Notice.requester == requester)
        & (Notice.decided_at.is_not(None))
        & (Notice.decided_at >= since)
    )
    decided = session.scalar(select(func.count()).select_from(Notice).where(base)) or 0
    art3 = (
        session.scalar(
            select(func.count()).select_from(Notice).where(base & (Notice.refusal_ground == "art3"))
        )
        or 0
    )
    return RequesterRecord(decided=decided, refused_art3=art3)


def _overrides(session: Session, notice_id: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for o in session.scalars(
        select(FindingOverride)
        .where(FindingOverride.notice_id == notice_id)
        .order_by(FindingOverride.id)
    ):
        out[o.rule] = _override_json(o)
    return out


def _override_json(o: FindingOverride) -> dict[str, Any]:
    return {
        "kind": o.kind,
        "author_id": o.author_id,
        "author_nationality": o.author_nationality,
        "reasons": o.reasons,
        "at": o.at.isoformat() if o.at else None,
    }


# --- use cases -------------------------------------------------------------------------------


def override_finding(
    ctx: AppContext,
    actor: Actor,
    notice_id: str,
    rule: str,
    reasons: str,
    *,
    waiver: bool = False,
) -> Notice:
    """Set a finding aside (or waive the penalty threshold) with reasons; the request's route
    is computed again. An override of a finding that requires refusal leaves the request a high
    risk: two reviewers of different nationalities must still agree to issue it."""
    require(actor, "review:finding:override")
    if len((reasons or "").strip()) < MIN_OVERRIDE_REASONS:
        raise ValidationFailed(
            f"an override states why the finding does not stand (at least {MIN_OVERRIDE_REASONS} "
            "characters)"
        )
    catalogue = (
        ctx.checker.catalogue if isinstance(ctx.checker, ComplianceChecker) else default_catalogue()
    )
    kind = WAIVER if waiver else OVERRIDE
    if rule not in catalogue.rules:
        raise ValidationFailed(f"'{rule}' is not a rule of the catalogue")
    if waiver and not catalogue.rule(rule).waivable:
        raise ValidationFailed(f"the rule '{rule}' cannot be waived; it can only be overridden")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        if actor.nationality and actor.nationality == notice.requester:
            raise Forbidden(
                f"you hold the nationality of the requesting member ({notice.requester}): "
                "another reviewer must decide"
            )
        if notice.status not in _UNDER_REVIEW.get(notice.kind, set()) and not (
            notice.kind == Kind.NOTICE.value and notice.status == Status.INFO_REQUESTED.value
        ):
            raise Conflict(
                f"{notice.id} is {notice.status}: "
                "only a request under review has findings to set aside"
            )
        findings = [dict(f) for f in notice.findings or []]
        targets = [f for f in findings if f.get("rule") == rule]
        if not targets:
            raise ValidationFailed(f"{notice.id} has no finding of the rule '{rule}'")
        if any(isinstance(f.get("override"), dict) for f in targets):
            raise Conflict(f"the finding '{rule}' on {notice.id} was already set aside")
        record = FindingOverride(
            notice_id=notice.id,
            rule=rule,
            kind=kind,
            reasons=reasons.strip(),
            author_id=actor.user_id,
            author_nationality=actor.nationality,
            at=utcnow(),
        )
        uow.session.add(record)
        uow.session.flush()
        for f in targets:
            f["override"] = _override_json(record)
        before = notice.risk
        notice.findings = findings
        notice.risk = route(findings, catalogue)
        details = {
            "rule": rule,
            "kind": kind,
            "severity": [f.get("severity") for f in targets],
            "risk_before": before,
            "risk_after": notice.risk,
            "nationality": actor.nationality,
        }
        record_history(uow, actor, notice, kind, reasons.strip(), details)
        uow.audit(actor, f"review:finding:{kind}", notice.kind, notice.id, details)
        uow.commit()
        return notice


def finding_evidence(ctx: AppContext, actor: Actor, notice_id: str) -> dict[str, Any]:
    """The findings of a request with the evidence only reviewers may see, and its overrides."""
    require(actor, "review:evidence:read")
    with ctx.uow() as uow:
        notice = load_visible(uow.session, actor, notice_id)
        rows = list(
            uow.session.scalars(
                select(FindingEvidence)
                .where(FindingEvidence.notice_id == notice.id)
                .order_by(FindingEvidence.id)
            )
        )
        restricted: dict[str, Any] = {r.rule: r.details for r in rows}
        overrides = [
            {"rule": o.rule, **_override_json(o)}
            for o in uow.session.scalars(
                select(FindingOverride)
                .where(FindingOverride.notice_id == notice.id)
                .order_by(FindingOverride.id)
            )
        ]
        uow.audit(
            actor, "review:evidence:read", notice.kind, notice.id,
            {"rules": sorted(restricted)},
        )  # fmt: skip
        uow.commit()
        return {
            "notice_id": notice.id,
            "risk": notice.risk,
            "findings": [
                {**f, "restricted": restricted.get(str(f.get("rule")))}
                for f in notice.findings or []
            ],
            "overrides": overrides,
        }


def uncited(findings: list[dict[str, Any]], cited: list[str], *, all_needed: bool) -> list[str]:
    """The serious findings (high risk or more, not waived) a decision fails to cite.
    Issuing must answer each of them; refusing must cite at least one when there are any."""
    serious = sorted(
        {
            str(f.get("rule"))
            for f in findings
            if SEVERITY_RANK.get(str(f.get("severity")), 2) >= SEVERITY_RANK["high"]
            and not (isinstance(f.get("override"), dict) and f["override"].get("kind") == WAIVER)
        }
    )
    if not serious:
        return []
    given = set(cited)
    if all_needed:
        return [r for r in serious if r not in given]
    return [] if given & set(serious) else serious


def catalogue_view(ctx: AppContext, actor: Actor) -> dict[str, Any]:
    require(actor, "review:rules:read")
    cat = (
        ctx.checker.catalogue if isinstance(ctx.checker, ComplianceChecker) else default_catalogue()
    )
    return {
        "version": cat.version,
        "routing": cat.routing,
        "thresholds": cat.thresholds,
        "rules": [r.describe() for r in cat.rules.values()],
        "iccs": {
            code: {"title": s.title, "divisions": s.divisions} for code, s in cat.iccs.items()
        },
    }


def preview_checks(ctx: AppContext, actor: Actor, notice_id: str) -> CheckOutcome:
    """What the checks would find if the requester submitted now. Nothing of the check is kept
    (its transaction is rolled back); the preview itself is audited, since an NCB could use it
    to probe who is protected."""
    require(actor, "notice:request:update")
    with ctx.uow() as uow:  # never committed
        notice = load_visible(uow.session, actor, notice_id)
        if notice.requester != actor.member:
            raise Forbidden("only the requesting member's NCB may check its request")
        outcome = ctx.checker.check(uow.session, notice)
        kind, nid = notice.kind, notice.id
    with ctx.uow() as uow:
        uow.audit(actor, "review:checks:previewed", kind, nid, {"risk": outcome.risk})
        uow.commit()
    return outcome
