"""The pure checks, one rule at a time, and the routing of findings."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opennotice.domain.content import RequestContent
from opennotice.rules.catalogue import default_catalogue
from opennotice.rules.checks import effective_severity, route, run_checks
from opennotice.rules.model import CheckInput, PriorHit, RegisterHit, RequesterRecord, ValidHit
from tests.factories import red_notice

CAT = default_catalogue()


def content(**overrides: Any) -> RequestContent:
    body = red_notice(**overrides)
    return RequestContent.model_validate(body)


def charge(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "legal_provision": "Penal Code art. 1",
        "description": "Murder",
        "iccs_code": "0101",
        "facts": "On 1 May 2023 in Lyon the subject shot a man dead in the street.",
        "place": "Lyon",
        "date_of_facts": "2023-05-01",
        "max_penalty_years": 20,
    }
    base.update(fields)
    return base


def rules_of(inp: CheckInput) -> set[str]:
    return {f.rule for f in run_checks(inp, CAT)}


def check(c: RequestContent, **kw: Any) -> CheckInput:
    return CheckInput(
        kind=kw.pop("kind", "notice"), requester=kw.pop("requester", "FR"), content=c, **kw
    )


def test_an_ordinary_complete_request_has_no_finding() -> None:
    findings = run_checks(check(content()), CAT)
    assert findings == []
    assert route([], CAT) == "routine"


def test_missing_identifiers_and_judicial_data() -> None:
    c = content(
        subject={"family_name": "Doe"},
        charges=[charge(facts=None, place=None, max_penalty_years=None)],
        warrant=None,
    )
    by_rule = {f.rule: f for f in run_checks(check(c), CAT)}
    assert set(by_rule["min_identifiers"].evidence["missing"]) >= {
        "given names",
        "date of birth",
        "sex",
    }
    missing = by_rule["judicial_data"].evidence["missing"]
    assert any("warrant" in m for m in missing) and any("maximum penalty" in m for m in missing)
    assert by_rule["judicial_data"].citation == "RPD Art. 83(2)(b)"


@settings(deadline=None)
@given(st.floats(min_value=2.0, max_value=200.0))
def test_a_penalty_at_or_over_two_years_passes(years: float) -> None:
    c = content(charges=[charge(max_penalty_years=years)])
    assert "penalty_threshold" not in rules_of(check(c))


@settings(deadline=None)
@given(st.floats(min_value=0.0, max_value=1.99))
def test_a_penalty_under_two_years_is_flagged_unless_life(years: float) -> None:
    c = content(charges=[charge(max_penalty_years=years)])
    assert "penalty_threshold" in rules_of(check(c))
    c = content(charges=[charge(max_penalty_years=years, life_sentence_possible=True)])
    assert "penalty_threshold" not in rules_of(check(c))


def test_sentence_threshold_is_six_months_imposed_or_remaining() -> None:
    short = charge(max_penalty_years=None, sentence_imposed_years=0.4, sentence_remaining_years=0.1)
    ok = charge(max_penalty_years=None, sentence_imposed_years=0.5, sentence_remaining_years=0.1)
    assert "penalty_threshold" in rules_of(check(content(purpose="sentence", charges=[short])))
    assert "penalty_threshold" not in rules_of(check(content(purpose="sentence", charges=[ok])))


def test_excluded_category_unless_linked_to_serious_crime() -> None:
    debt = content(charges=[charge(description="Unpaid debt to a supplier", iccs_code="0701")])
    f = next(f for f in run_checks(check(debt), CAT) if f.rule == "excluded_category")
    assert f.severity == "high" and "private_dispute" in f.evidence["categories"]
    linked = content(
        charges=[
            charge(
                description="Bounced cheques issued by a criminal organisation", iccs_code="0701"
            )
        ]
    )
    f = next(f for f in run_checks(check(linked), CAT) if f.rule == "excluded_category")
    assert f.severity == "info" and f.evidence["linked_to_serious_crime"]


def test_the_narrative_of_an_ordinary_crime_does_not_trigger_the_excluded_categories() -> None:
    c = content(
        charges=[charge(facts="He killed his creditor over an unpaid debt in Lyon in 2023.")]
    )
    assert "excluded_category" not in rules_of(check(c))


def test_political_offences_in_several_languages() -> None:
    for description in (
        "Collusion with foreign forces",
        "Incitation à la sécession",
        "颠覆国家政权罪",
        "Сепаратизм",
        "Desertion from the armed forces",
        "Apostasy",
    ):
        c = content(charges=[charge(description=description, iccs_code="0801")])
        assert "art3_offence" in rules_of(check(c)), description


def test_state_security_code_is_an_art3_indicator_by_itself() -> None:
    c = content(charges=[charge(description="Acts endangering the state", iccs_code="0904")])
    f = next(f for f in run_checks(check(c), CAT) if f.rule == "art3_offence")
    assert f.evidence["iccs"]


def test_terrorism_needs_a_concrete_violent_act() -> None:
    speech = charge(
        description="Membership of a terrorist organisation",
        iccs_code="0906",
        facts="Gave speeches at a congress abroad and was a member of an association.",
    )
    f = next(
        f for f in run_checks(check(content(charges=[speech])), CAT) if f.rule == "art3_terrorism"
    )
    assert "speech" in f.evidence["facts_describe"] or "member of" in f.evidence["facts_describe"]
    bomb = charge(description="Terrorism", iccs_code="0906", facts="Detonated a bomb in a market.")
    assert "art3_terrorism" not in rules_of(check(content(charges=[bomb])))


def test_profile_stated_in_the_request_or_recorded_in_the_register() -> None:
    c = content(subject={**red_notice()["subject"], "occupation": "Opposition politician"})
    assert "art3_profile" in rules_of(check(c))
    hit = RegisterHit(1, "refugee", "DE", "SY", "refugee_status", "journalist", 0.9)
    f = next(
        f for f in run_checks(check(content(), register=(hit,)), CAT) if f.rule == "art3_profile"
    )
    assert "register" in f.restricted and "journalist" not in str(f.evidence)


def test_requester_record_threshold() -> None:
    c = content()
    assert "art3_requester_record" not in rules_of(check(c, record=RequesterRecord(3, 3)))
    assert "art3_requester_record" not in rules_of(check(c, record=RequesterRecord(10, 2)))
    assert "art3_requester_record" in rules_of(check(c, record=RequesterRecord(8, 2)))


def test_refugee_policy_only_against_the_feared_country() -> None:
    hit = RegisterHit(7, "refugee", "DE", "CN", "refugee_status", None, 0.95, {"why": "names"})
    against = run_checks(check(content(), requester="CN", register=(hit,)), CAT)
    f = next(f for f in against if f.rule == "refugee_policy")
    assert f.severity == "must_refuse"
    # The requester learns the ground, not where or when the person found protection.
    assert "DE" not in str(f.evidence) and f.restricted["register"][0]["recorded_by"] == "DE"
    other = rules_of(check(content(), requester="FR", register=(hit,)))
    assert "refugee_policy" not in other and "register_match" in other


def test_commission_decision_binds_against_its_member() -> None:
    hit = RegisterHit(3, "commission", None, "EG", "commission_decision", None, 0.9)
    f = next(
        f
        for f in run_checks(check(content(), requester="EG", register=(hit,)), CAT)
        if f.rule == "commission_decision"
    )
    assert f.severity == "must_refuse"
    f = next(
        f
        for f in run_checks(check(content(), requester="FR", register=(hit,)), CAT)
        if f.rule == "commission_decision"
    )
    assert f.severity == "high"


def test_resubmission_after_a_refugee_policy_refusal_must_be_refused() -> None:
    prior = PriorHit("2024/1", "BH", "notice", "red", "refused", "refugee_policy", 0.9)
    f = next(
        f
        for f in run_checks(check(content(), requester="BH", prior=(prior,)), CAT)
        if f.rule == "resubmission"
    )
    assert f.severity == "must_refuse"
    prior = PriorHit("2024/1", "TR", "diffusion", "red", "recalled", None, 0.9)
    f = next(
        f
        for f in run_checks(check(content(), requester="FR", prior=(prior,)), CAT)
        if f.rule == "resubmission"
    )
    assert f.severity == "high" and f.evidence["same_requester"] is False
    assert "2024/1" not in str(f.evidence)


def test_duplicate_only_from_the_same_member() -> None:
    same = ValidHit("2024/9", "FR", "notice", "red", 0.97)
    other = ValidHit("2024/8", "DE", "notice", "red", 0.97)
    assert "duplicate" in rules_of(check(content(), valid=(same,)))
    assert "duplicate" not in rules_of(check(content(), valid=(other,)))


def test_iccs_code_must_fit_the_charge() -> None:
    wrong = content(charges=[charge(description="Murder of a neighbour", iccs_code="0701")])
    f = next(f for f in run_checks(check(wrong), CAT) if f.rule == "iccs_fit")
    assert "01" in f.evidence["charges"][0]["indicated"]
    missing = content(charges=[charge(iccs_code=None)])
    assert "iccs_fit" in rules_of(check(missing))
    unknown = content(charges=[charge(iccs_code="1301")])
    assert "iccs_fit" in rules_of(check(unknown))


def test_scopes_a_diffusion_without_judicial_data_is_not_a_wanted_one() -> None:
    c = content(type="blue", purpose=None, charges=[], warrant=None)
    inp = check(c, kind="diffusion")
    assert inp.scopes == frozenset({"diffusion"})
    assert "judicial_data" not in rules_of(inp)


severities = st.sampled_from(["info", "data", "high", "must_refuse"])
overrides = st.sampled_from([None, "override", "waiver"])


@settings(deadline=None)
@given(st.lists(st.tuples(severities, overrides), max_size=8))
def test_routing_follows_the_most_serious_finding(items: list[tuple[str, str | None]]) -> None:
    findings = [
        {"rule": "x", "severity": s, **({"override": {"kind": o}} if o else {})} for s, o in items
    ]
    r = route(findings, CAT)
    effective = [effective_severity(s, o) for s, o in items]
    if "must_refuse" in effective:
        assert r == "must_refuse"
    elif "high" in effective:
        assert r == "high"
    else:
        assert r == "routine"
    # An override never lets a must-refuse finding become routine: two reviewers still decide.
    for s, o in items:
        if s == "must_refuse" and o == "override":
            assert r in ("high", "must_refuse")


def test_an_unknown_severity_is_not_routine() -> None:
    assert route([{"rule": "x", "severity": "strange"}], CAT) == "high"
