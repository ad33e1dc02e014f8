"""The checks: one small pure function per rule of the catalogue.

Each takes the request (and what the service found around it: register entries, earlier
requests, valid notices, the requester's record) and returns findings. `run_checks` runs those
that apply to the request's type, and `route` turns findings into a risk level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from opennotice.domain.content import Charge, RequestContent
from opennotice.domain.types import Purpose

from . import iccs
from .catalogue import Catalogue, Rule
from .model import SEVERITY_RANK, CheckInput, Finding, RegisterHit
from .text import find_terms, joined

Check = Callable[[CheckInput, Rule, Catalogue], list[Finding]]


def _finding(
    rule: Rule,
    evidence: dict[str, Any],
    *,
    severity: str | None = None,
    restricted: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        rule=rule.id,
        title=rule.title,
        citation=rule.citation,
        severity=severity or rule.severity,
        evidence=evidence,
        restricted=restricted or {},
        approx=rule.approx,
    )


def _charge_text(charge: Charge) -> str:
    """The offence itself: its name and legal provision (not the narrative of facts)."""
    return joined([charge.description, charge.legal_provision])


# --- data ------------------------------------------------------------------------------------


def check_identifiers(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    s = inp.content.subject
    missing: list[str] = []
    if not (s.family_name or s.original_family_name):
        missing.append("family name")
    if not (s.given_names or s.original_given_names):
        missing.append("given names")
    if not s.date_of_birth:
        missing.append("date of birth")
    if inp.wanted or inp.content.type.value in ("blue", "green"):
        if not (s.nationalities or s.identity_documents):
            missing.append("nationality or identity document")
        if s.sex is None:
            missing.append("sex")
    if not missing:
        return []
    return [_finding(rule, {"missing": missing})]


def check_judicial(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    if not inp.wanted:
        return []
    c = inp.content
    missing: list[str] = []
    if c.warrant is None:
        missing.append("warrant (authority, date, reference)")
    if not c.charges:
        missing.append("charges (laws breached, maximum penalty, facts)")
    sentence = c.purpose == Purpose.SENTENCE
    for i, ch in enumerate(c.charges):
        where = f"charge {i + 1}"
        if sentence:
            if ch.sentence_imposed_years is None and ch.sentence_remaining_years is None:
                missing.append(f"{where}: sentence imposed or remaining")
        elif ch.max_penalty_years is None and not ch.life_sentence_possible:
            missing.append(f"{where}: maximum penalty")
        if not ch.facts or len(ch.facts.strip()) < 20:
            missing.append(f"{where}: a description of the facts")
        if ch.date_of_facts is None:
            missing.append(f"{where}: date of the facts")
        if not ch.place:
            missing.append(f"{where}: place of the facts")
    if not missing:
        return []
    return [_finding(rule, {"missing": missing})]


def check_penalty(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    charges = inp.content.charges
    if not inp.wanted or not charges:
        return []
    if inp.content.purpose == Purpose.SENTENCE:
        minimum = cat.thresholds["sentence_min_years"]
        values = [
            max(ch.sentence_imposed_years or 0.0, ch.sentence_remaining_years or 0.0)
            for ch in charges
            if ch.sentence_imposed_years is not None or ch.sentence_remaining_years is not None
        ]
        if not values or max(values) >= minimum:
            return []
        return [
            _finding(
                rule, {"purpose": "sentence", "longest_years": max(values), "minimum": minimum}
            )
        ]
    minimum = cat.thresholds["prosecution_min_years"]
    if any(ch.life_sentence_possible for ch in charges):
        return []
    stated = [ch.max_penalty_years for ch in charges if ch.max_penalty_years is not None]
    if not stated or max(stated) >= minimum:
        return []
    return [
        _finding(rule, {"purpose": "prosecution", "highest_years": max(stated), "minimum": minimum})
    ]


def check_iccs(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    if not inp.wanted:
        return []
    problems: list[dict[str, Any]] = []
    for i, ch in enumerate(inp.content.charges):
        result = iccs.fit(cat, ch.iccs_code, _charge_text(ch))
        if ch.iccs_code is None:
            problems.append({"charge": i + 1, "problem": "no ICCS code"})
        elif not result.known:
            problems.append({"charge": i + 1, "code": ch.iccs_code, "problem": "unknown section"})
        elif not result.fits:
            problems.append(
                {
                    "charge": i + 1,
                    "code": ch.iccs_code,
                    "code_title": cat.iccs_title(ch.iccs_code),
                    "problem": "the words of the charge point to another section",
                    "indicated": {
                        code: {"title": cat.iccs[code].title, "words": words}
                        for code, words in result.indicated.items()
                    },
                }
            )
    if not problems:
        return []
    return [_finding(rule, {"charges": problems})]


# --- offences ----------------------------------------------------------------------------


def check_excluded(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    categories = ("behavioural", "family", "private_dispute", "administrative")
    for i, ch in enumerate(inp.content.charges):
        text = _charge_text(ch)
        hits = {c: w for c in categories if (w := find_terms(text, rule.terms[c]))}
        if not hits:
            continue
        link = find_terms(joined([text, ch.facts]), rule.terms["serious_link"])
        evidence: dict[str, Any] = {"charge": i + 1, "categories": hits}
        if link:
            evidence["linked_to_serious_crime"] = link
        out.append(_finding(rule, evidence, severity="info" if link else None))
    return out


def check_art3_offence(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    groups = ("political", "military", "religious", "racial")
    out: list[Finding] = []
    texts: list[tuple[str, str]] = [
        (f"charge {i + 1}", _charge_text(ch)) for i, ch in enumerate(inp.content.charges)
    ]
    texts.append(("summary", inp.content.summary or ""))
    found: dict[str, dict[str, list[str]]] = {}
    for where, text in texts:
        hits = {g: w for g in groups if g in rule.terms and (w := find_terms(text, rule.terms[g]))}
        if hits:
            found[where] = hits
    codes = [
        f"charge {i + 1}: ICCS {ch.iccs_code}"
        for i, ch in enumerate(inp.content.charges)
        if ch.iccs_code and ch.iccs_code[:4] in ("0904", "0803")
    ]
    if found or codes:
        evidence: dict[str, Any] = {"terms": found}
        if codes:
            evidence["iccs"] = codes
        out.append(_finding(rule, evidence))
    return out


def check_art3_terrorism(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    out: list[Finding] = []
    c = inp.content
    for i, ch in enumerate(c.charges):
        named = find_terms(_charge_text(ch), rule.terms["terrorism"])
        coded = bool(ch.iccs_code and ch.iccs_code.startswith("0906"))
        if not (named or coded):
            continue
        narrative = joined([ch.facts, ch.description, c.summary])
        if find_terms(narrative, rule.terms["violent_act"]):
            continue
        evidence: dict[str, Any] = {
            "charge": i + 1,
            "terrorism": named or [f"ICCS {ch.iccs_code}"],
            "violent_act": "none named in the facts",
        }
        speech = find_terms(narrative, rule.terms["speech_only"])
        if speech:
            evidence["facts_describe"] = speech
        out.append(_finding(rule, evidence))
    return out


def check_art3_profile(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    s = inp.content.subject
    # The subject's own profile only: the summary narrates the case (victims, witnesses...).
    stated = find_terms(joined([s.occupation, s.profile_notes]), rule.terms["profile"])
    registered = [h for h in inp.register if h.profile]
    if not stated and not registered:
        return []
    evidence: dict[str, Any] = {}
    if stated:
        evidence["stated_in_request"] = stated
    restricted: dict[str, Any] = {}
    if registered:
        evidence["register"] = "a register entry records a profile for this person"
        restricted["register"] = [
            {"entry": h.entry_id, "profile": h.profile, "score": h.score} for h in registered
        ]
    return [_finding(rule, evidence, restricted=restricted)]


def check_record(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    record = inp.record
    if record.decided < cat.thresholds["record_min_decided"]:
        return []
    if record.share < cat.thresholds["record_share"]:
        return []
    return [
        _finding(
            rule,
            {
                "decided": record.decided,
                "refused_art3": record.refused_art3,
                "share": round(record.share, 3),
                "threshold": cat.thresholds["record_share"],
                "window_years": int(cat.thresholds["record_window_years"]),
            },
        )
    ]


def check_art2(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    c = inp.content
    texts = [joined([ch.description, ch.legal_provision, ch.facts]) for ch in c.charges]
    words = find_terms(joined([*texts, c.summary]), rule.terms["penalty"])
    if not words:
        return []
    return [_finding(rule, {"terms": words})]


# --- persons -------------------------------------------------------------------------------


def _hit_summary(h: RegisterHit) -> dict[str, Any]:
    return {
        "entry": h.entry_id,
        "kind": h.kind,
        "recorded_by": h.recorded_by,
        "against": h.against,
        "ground": h.ground,
        "score": h.score,
        "match": h.explanation,
    }


def check_refugee(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    hits = [h for h in inp.register if h.kind == "refugee" and h.against == inp.requester]
    if not hits:
        return []
    best = max(h.score for h in hits)
    return [
        _finding(
            rule,
            {
                "summary": "the subject matches a person whose refugee status protects them "
                "against the requesting member",
                "score": best,
            },
            restricted={"register": [_hit_summary(h) for h in hits]},
        )
    ]


def check_register_match(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    hits = [h for h in inp.register if h.kind == "refugee" and h.against != inp.requester]
    if not hits:
        return []
    return [
        _finding(
            rule,
            {"summary": "the subject matches a person in the protected-persons register"},
            restricted={"register": [_hit_summary(h) for h in hits]},
        )
    ]


def check_commission(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    entries = [h for h in inp.register if h.kind == "commission"]
    deleted = [p for p in inp.prior if p.outcome == "deleted_by_commission"]
    if not entries and not deleted:
        return []
    binding = any(h.against in (None, inp.requester) for h in entries) or any(
        p.requester == inp.requester for p in deleted
    )
    severity = None if binding else "high"
    restricted = {
        "register": [_hit_summary(h) for h in entries],
        "deleted_requests": [
            {
                "notice": p.notice_id,
                "requester": p.requester,
                "score": p.score,
                "match": p.explanation,
            }
            for p in deleted
        ],
    }
    return [
        _finding(
            rule,
            {
                "summary": "the subject matches a person protected by a decision of the commission",
                "binding_on_requester": bool(binding),
            },
            severity=severity,
            restricted=restricted,
        )
    ]


def check_resubmission(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    prior = [p for p in inp.prior if p.outcome != "deleted_by_commission"]
    refusals = [h for h in inp.register if h.kind == "refusal"]
    if not prior and not refusals:
        return []
    outcomes = sorted({p.outcome for p in prior} | ({"refused"} if refusals else set()))
    grounds = sorted({g for g in [*(p.ground for p in prior), *(h.ground for h in refusals)] if g})
    # A refusal under the refugee policy binds like the policy itself.
    severity = "must_refuse" if "refugee_policy" in grounds else None
    evidence: dict[str, Any] = {
        "summary": "the subject matches an earlier request that was " + ", ".join(outcomes),
        "outcomes": outcomes,
        "grounds": grounds,
        "same_requester": any(p.requester == inp.requester for p in prior)
        or any(h.against == inp.requester for h in refusals),
    }
    restricted = {
        "requests": [
            {
                "notice": p.notice_id,
                "requester": p.requester,
                "kind": p.kind,
                "type": p.type,
                "outcome": p.outcome,
                "ground": p.ground,
                "score": p.score,
                "match": p.explanation,
            }
            for p in prior
        ],
        "register": [_hit_summary(h) for h in refusals],
    }
    return [_finding(rule, evidence, severity=severity, restricted=restricted)]


def check_duplicate(inp: CheckInput, rule: Rule, cat: Catalogue) -> list[Finding]:
    same = [v for v in inp.valid if v.requester == inp.requester]
    if not same:
        return []
    ids = sorted(v.notice_id for v in same)
    return [_finding(rule, {"valid": ids, "score": max(v.score for v in same)})]


CHECKS: Mapping[str, Check] = {
    "min_identifiers": check_identifiers,
    "judicial_data": check_judicial,
    "penalty_threshold": check_penalty,
    "excluded_category": check_excluded,
    "art3_offence": check_art3_offence,
    "art3_terrorism": check_art3_terrorism,
    "art3_profile": check_art3_profile,
    "art3_requester_record": check_record,
    "art2_indicators": check_art2,
    "refugee_policy": check_refugee,
    "commission_decision": check_commission,
    "resubmission": check_resubmission,
    "register_match": check_register_match,
    "duplicate": check_duplicate,
    "iccs_fit": check_iccs,
}


def run_checks(inp: CheckInput, cat: Catalogue) -> list[Finding]:
    """Every finding of every rule that applies to this request, most serious first."""
    findings: list[Finding] = []
    scopes = inp.scopes
    for rule_id, check in CHECKS.items():
        rule = cat.rule(rule_id)
        if rule.applies(scopes):
            findings.extend(check(inp, rule, cat))
    findings.sort(key=lambda f: -SEVERITY_RANK[f.severity])
    return findings


# --- routing and overrides ---------------------------------------------------------------

OVERRIDE = "override"
WAIVER = "waiver"


def effective_severity(severity: str, override: str | None) -> str:
    """A waiver sets a finding aside; an override of a finding that requires refusal leaves
    it a high risk, so that two reviewers still have to agree."""
    if override == WAIVER:
        return "info"
    if override == OVERRIDE and severity == "must_refuse":
        return "high"
    return severity


def route(findings: Iterable[Mapping[str, Any]], cat: Catalogue) -> str:
    """The risk level of a request from its findings (as stored, overrides applied)."""
    best = "routine"
    order = {"routine": 0, "high": 1, "must_refuse": 2}
    for f in findings:
        severity = effective_severity(str(f.get("severity")), _override_kind(f))
        r = cat.routing.get(severity, "high")  # an unknown severity is not routine
        if order[r] > order[best]:
            best = r
    return best


def _override_kind(f: Mapping[str, Any]) -> str | None:
    o = f.get("override")
    if isinstance(o, Mapping):
        kind = o.get("kind")
        return str(kind) if kind else None
    return None


def describe(content: RequestContent) -> str:
    """The words the checks read, joined (used by tests and the report)."""
    parts: list[str | None] = [content.summary, content.subject.occupation]
    for ch in content.charges:
        parts += [ch.description, ch.legal_provision, ch.facts]
    return joined(parts)
