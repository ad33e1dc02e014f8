"""Name filters: plain text forgiving case, accents, order and punctuation; patterns on RE2."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennotice.errors import OpenNoticeError
from opennotice.services.public import (
    MAX_PATTERN_LENGTH,
    Folded,
    PatternRefused,
    fold,
    is_pattern,
    parse_query,
    text_test,
)

names = st.text(
    alphabet=st.characters(categories=("L", "M", "Zs", "Pd", "Po")), min_size=1, max_size=60
)


def test_fold() -> None:
    assert fold("Müller-Łęcka") == "muller lecka"
    assert fold("  O'CONNELL ") == "o connell"
    assert fold("Straße Ødegård Æsir") == "strasse odegard aesir"
    assert fold("ΑΛΕΞΑΝΔΡΟΣ") == "αλεξανδροσ"  # other scripts stay, folded in case


@settings(max_examples=200, deadline=None)
@given(name=names)
def test_a_name_finds_itself_in_any_case_and_order(name: str) -> None:
    target = Folded.of(name.upper())
    if is_pattern(name):
        return  # read as a pattern: covered below
    assert text_test("name", name)(target)
    reordered = " ".join(reversed(fold(name).split()))
    if not is_pattern(reordered):
        assert text_test("name", reordered)(target)


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=120))
def test_any_input_is_run_or_refused_cleanly(value: str) -> None:
    """Whatever a client sends: a filter that runs, or a 400/422 with a message."""
    try:
        test = text_test("name", value)
    except OpenNoticeError as exc:
        assert exc.status in (400, 422) and exc.detail
        if isinstance(exc, PatternRefused):
            assert value not in exc.detail or len(value) < 3
        return
    assert isinstance(test(Folded.of("ANY NAME")), bool)


@pytest.mark.parametrize("value", ["^SMITH$", "SM.TH", "J.*", "[A-Z]+", "A|B", "x{2}", r"\d"])
def test_patterns_are_recognised(value: str) -> None:
    assert is_pattern(value)


def test_patterns_longer_than_the_limit_are_refused() -> None:
    with pytest.raises(PatternRefused):
        text_test("name", "^" + "A" * MAX_PATTERN_LENGTH)
    text_test("name", "^" + "A" * (MAX_PATTERN_LENGTH - 1))


def test_parse_query_defaults_and_clamps() -> None:
    q = parse_query({})
    assert (q.page, q.per_page, q.filters) == (1, 20, {})
    q = parse_query({"page": "-4", "resultPerPage": "1000", "name": " ", "forename": ""})
    assert (q.page, q.per_page, q.filters) == (1, 160, {})
