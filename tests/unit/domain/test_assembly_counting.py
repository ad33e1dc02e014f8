"""Counting rules of the Assembly, over wide ranges of ballots (hypothesis)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from opennotice.domain.assembly import (
    Majority,
    Paper,
    PaperKind,
    Rules,
    count,
    default_rules,
    leaders_of,
    needed_for,
    standing_in_round,
)

RULES = default_rules()
CANDIDATES = ["1", "2", "3", "4", "5"]


def rules_with(abstentions: bool, spoilt: bool) -> Rules:
    counting = RULES.counting.model_copy(
        update={"abstentions_in_votes_cast": abstentions, "spoilt_in_votes_cast": spoilt}
    )
    return RULES.model_copy(update={"counting": counting})


@st.composite
def ballots(draw: st.DrawFn) -> tuple[list[str], list[Paper]]:
    n = draw(st.integers(min_value=1, max_value=5))
    standing = CANDIDATES[:n]
    paper = st.one_of(
        st.sampled_from(standing).map(lambda c: Paper(PaperKind.CANDIDATE, c)),
        st.just(Paper(PaperKind.ABSTAIN)),
        st.just(Paper(PaperKind.SPOILT)),
        # A paper naming someone not standing is void.
        st.just(Paper(PaperKind.CANDIDATE, "99")),
    )
    return standing, draw(st.lists(paper, max_size=200))


majorities = st.sampled_from(list(Majority))


@given(ballots(), majorities, st.booleans(), st.booleans())
def test_every_paper_is_counted_once(
    data: tuple[list[str], list[Paper]], majority: Majority, abst: bool, spoilt: bool
) -> None:
    standing, papers = data
    t = count(rules_with(abst, spoilt), majority, standing, papers)
    assert t.papers == len(papers)
    assert sum(t.votes.values()) + t.abstentions + t.spoilt == len(papers)
    assert set(t.votes) == set(standing)
    valid = sum(t.votes.values())
    assert t.votes_cast == valid + (t.abstentions if abst else 0) + (t.spoilt if spoilt else 0)
    expected = Counter(p.candidate for p in papers if p.kind is PaperKind.CANDIDATE)
    assert all(t.votes[c] == expected[c] for c in standing)
    assert t.spoilt == sum(1 for p in papers if p.kind is PaperKind.SPOILT or p.candidate == "99")


@given(ballots(), majorities, st.booleans(), st.booleans())
def test_elected_exactly_when_the_majority_is_reached(
    data: tuple[list[str], list[Paper]], majority: Majority, abst: bool, spoilt: bool
) -> None:
    standing, papers = data
    t = count(rules_with(abst, spoilt), majority, standing, papers)
    top = max(t.votes.values())
    unique_top = [c for c in standing if t.votes[c] == top]
    if majority is Majority.TWO_THIRDS:
        reached = top > 0 and 3 * top >= 2 * t.votes_cast
    elif majority is Majority.ABSOLUTE:
        reached = top > 0 and 2 * top > t.votes_cast
    else:
        reached = top > 0
    should = reached and len(unique_top) == 1
    assert (t.elected is not None) == should
    if t.elected is not None:
        assert t.elected == unique_top[0]
        assert t.needed is None or t.votes[t.elected] >= t.needed
        assert t.leaders == ()
    else:
        assert t.leaders  # someone stands in a run-off


@given(ballots(), majorities, st.randoms(use_true_random=False))
def test_order_of_the_papers_does_not_matter(
    data: tuple[list[str], list[Paper]], majority: Majority, rnd: object
) -> None:
    import random

    standing, papers = data
    shuffled = list(papers)
    assert isinstance(rnd, random.Random)
    rnd.shuffle(shuffled)
    assert count(RULES, majority, standing, papers) == count(RULES, majority, standing, shuffled)


@given(st.integers(min_value=0, max_value=10_000))
def test_majority_thresholds(cast: int) -> None:
    two_thirds = needed_for(Majority.TWO_THIRDS, cast)
    absolute = needed_for(Majority.ABSOLUTE, cast)
    assert two_thirds is not None and absolute is not None
    # The smallest number of votes that is at least two thirds, more than half.
    assert 3 * two_thirds >= 2 * cast and (two_thirds == 1 or 3 * (two_thirds - 1) < 2 * cast)
    assert 2 * absolute > cast and 2 * (absolute - 1) <= cast
    assert needed_for(Majority.RELATIVE, cast) is None


@given(st.dictionaries(st.sampled_from(CANDIDATES), st.integers(0, 50), min_size=1))
def test_leaders_are_the_two_best_with_ties(votes: dict[str, int]) -> None:
    leaders = leaders_of(votes)
    ranked = sorted(votes.values(), reverse=True)
    assert len(leaders) >= min(2, len(votes))
    floor = ranked[min(1, len(ranked) - 1)]
    assert set(leaders) == {c for c, n in votes.items() if n >= floor}


def test_abstentions_and_spoilt_raise_the_majority_only_when_the_rules_say() -> None:
    papers = [Paper(PaperKind.CANDIDATE, "1")] * 6 + [Paper(PaperKind.CANDIDATE, "2")] * 3
    papers += [Paper(PaperKind.ABSTAIN)] * 2 + [Paper(PaperKind.SPOILT)]
    plain = count(RULES, Majority.TWO_THIRDS, ["1", "2"], papers)
    assert (plain.votes_cast, plain.needed, plain.elected) == (9, 6, "1")
    strict = count(rules_with(True, True), Majority.TWO_THIRDS, ["1", "2"], papers)
    assert (strict.votes_cast, strict.needed, strict.elected) == (12, 8, None)


def test_no_ballots_elect_no_one() -> None:
    for majority in Majority:
        t = count(RULES, majority, ["1", "2"], [Paper(PaperKind.ABSTAIN)])
        assert t.elected is None and t.votes_cast == 0


def test_runoff_keeps_the_leaders_still_eligible() -> None:
    papers = [Paper(PaperKind.CANDIDATE, c) for c in "1112223345"]
    first = count(RULES, Majority.ABSOLUTE, ["1", "2", "3", "4", "5"], papers)
    assert first.elected is None and first.leaders == ("1", "2")
    assert standing_in_round(Majority.RUNOFF, ["1", "2", "3", "4", "5"], first) == ("1", "2")
    # If a leader has become ineligible, the run-off keeps who remains.
    assert standing_in_round(Majority.RUNOFF, ["2", "3"], first) == ("2",)
    # Not a run-off round: everyone eligible stands.
    assert standing_in_round(Majority.ABSOLUTE, ["1", "3"], first) == ("1", "3")
    tied = count(RULES, Majority.RUNOFF, ["1", "2"], papers[:6])
    assert tied.elected is None and standing_in_round(Majority.RUNOFF, ["1", "2"], tied) == (
        "1",
        "2",
    )
