"""The Assembly's rules file, the continents table and the eligibility rules."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennotice.domain.assembly import (
    RULES_FILE,
    Majority,
    Nominee,
    RulesError,
    Seat,
    default_continents,
    default_rules,
    ineligibility,
    load_rules,
    parse_continents,
    parse_rules,
)
from opennotice.domain.countries import country_names

RULES = default_rules()
CONTINENTS = default_continents()


def raw() -> dict[str, Any]:
    return tomllib.loads(RULES_FILE.read_text())


def test_the_shipped_rules_give_the_changing_majority() -> None:
    assert [RULES.majority("president", n) for n in (1, 2, 3, 4, 9)] == [
        Majority.TWO_THIRDS,
        Majority.TWO_THIRDS,
        Majority.ABSOLUTE,
        Majority.RUNOFF,
        Majority.RUNOFF,
    ]
    assert RULES.majority("delegate", 1) is Majority.ABSOLUTE
    assert RULES.majority("vice_president", 3) is Majority.RUNOFF
    assert RULES.quorum.needed(195) == 98 and RULES.quorum.needed(0) == 0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["schemes"]["president"]["stages"].append({"majority": "plurality"}), "stages"),
        (lambda d: d["schemes"]["president"]["stages"][-1].update(until_round=9), "last stage"),
        (
            lambda d: d["schemes"]["committee"]["stages"].insert(1, {"majority": "relative"}),
            "only the last stage",
        ),
        (lambda d: d["schemes"]["president"]["stages"][1].update(until_round=1), "must increase"),
        (lambda d: d["posts"]["president"].update(scheme="nowhere"), "unknown"),
        (lambda d: d["quorum"].update(fraction="3/2"), "between 0 and 1"),
        (lambda d: d["quorum"].update(fraction="half"), "not a fraction"),
        (lambda d: d["counting"].update(abstentions_count=True), "abstentions_count"),
        (lambda d: d["limits"].update(max_rounds=0), "max_rounds"),
    ],
)
def test_bad_rules_are_refused_with_a_message(change: Any, words: str) -> None:
    data = raw()
    change(data)
    with pytest.raises(RulesError) as err:
        parse_rules(data)
    assert "assembly rules are not valid" in str(err.value)
    assert words in str(err.value)


def test_a_clerk_can_change_the_rules_file(tmp_path: Path) -> None:
    text = RULES_FILE.read_text().replace(
        '{ until_round = 2, majority = "two_thirds" }',
        '{ until_round = 1, majority = "two_thirds" }',
    )
    path = tmp_path / "rules.toml"
    path.write_text(text)
    assert load_rules(path).majority("president", 2) is Majority.ABSOLUTE
    path.write_text("this is = = not toml")
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(path)


def test_the_continents_table_covers_the_members() -> None:
    inhabited = set(country_names()) - {"AQ", "BV", "HM", "GS", "TF", "UM"}
    assert set(CONTINENTS.of) == inhabited
    assert set(CONTINENTS.of.values()) == {"africa", "americas", "asia", "europe"}
    with pytest.raises(RulesError, match="both"):
        parse_continents(
            {"continents": {"a": "A", "b": "B"}, "countries": {"a": ["FR"], "b": ["FR"]}}
        )
    with pytest.raises(RulesError, match="not a country"):
        parse_continents({"continents": {"a": "A"}, "countries": {"a": ["XX"]}})
    with pytest.raises(RulesError, match="unknown continent"):
        parse_continents({"continents": {"a": "A"}, "countries": {"z": ["FR"]}})


def nominee(kind: str, nat: str, by: str | None = None, seat: str | None = None) -> Nominee:
    return Nominee(post_kind=kind, nationality=nat, nominated_by=by or nat, seat_continent=seat)


def test_eligibility_rules() -> None:
    assert ineligibility(RULES, CONTINENTS, nominee("president", "KE"), []) is None
    # No two Committee members from the same country, whatever the post.
    reason = ineligibility(
        RULES, CONTINENTS, nominee("delegate", "KE", seat="africa"), [Seat("president", "KE")]
    )
    assert reason and "same country" in reason and "Kenya" in reason
    # President and Vice-Presidents from different continents; Delegates are not concerned.
    reason = ineligibility(
        RULES, CONTINENTS, nominee("vice_president", "NG", seat="africa"), [Seat("president", "KE")]
    )
    assert reason and "different continents" in reason
    assert (
        ineligibility(
            RULES, CONTINENTS, nominee("delegate", "NG", seat="africa"), [Seat("president", "KE")]
        )
        is None
    )
    # Seats reserved per continent.
    reason = ineligibility(RULES, CONTINENTS, nominee("delegate", "JP", seat="europe"), [])
    assert reason and "reserved for Europe" in reason
    # A member nominates its own nationals.
    reason = ineligibility(RULES, CONTINENTS, nominee("president", "MA", by="FR"), [])
    assert reason and "own nationals" in reason
    # The rule can be switched off in the file.
    lax = RULES.model_copy(
        update={
            "eligibility": RULES.eligibility.model_copy(
                update={"nominee_of_nominating_member": False, "one_seat_per_country": False}
            )
        }
    )
    assert ineligibility(lax, CONTINENTS, nominee("president", "MA", by="FR"), []) is None
    assert (
        ineligibility(
            lax, CONTINENTS, nominee("delegate", "KE", seat="africa"), [Seat("president", "KE")]
        )
        is None
    )


countries = st.sampled_from(sorted(CONTINENTS.of))


@given(
    st.lists(
        st.tuples(st.sampled_from(["president", "vice_president", "delegate"]), countries),
        max_size=8,
    ),
    countries,
)
def test_a_committee_built_by_the_rules_keeps_them(
    attempts: list[tuple[str, str]], extra: str
) -> None:
    """Seat whoever the rules allow, in any order: the Committee never breaks a rule."""
    committee: list[Seat] = []
    for kind, country in [*attempts, ("delegate", extra)]:
        seat = CONTINENTS.continent(country) if RULES.post(kind).per_continent else None
        if ineligibility(RULES, CONTINENTS, nominee(kind, country, seat=seat), committee) is None:
            committee.append(Seat(kind, country))
    countries_held = [s.country for s in committee]
    assert len(countries_held) == len(set(countries_held))
    presidency = [CONTINENTS.continent(s.country) for s in committee if s.post_kind != "delegate"]
    assert len(presidency) == len(set(presidency))
