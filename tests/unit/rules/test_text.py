"""Term matching: case, accents, scripts and word starts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from opennotice.rules.text import find_terms, normalise


def test_case_accents_and_word_starts() -> None:
    assert find_terms("Incitement to SÉCESSION", ["secession"]) == ["secession"]
    assert find_terms("the separatists' congress", ["separatist"]) == ["separatist"]
    # A term matches at the start of a word only: "rape" is not in "grape".
    assert find_terms("theft of grape juice", ["rape"]) == []
    assert find_terms(
        "Atteinte à l’intégrité du territoire", ["atteinte a l'integrite du territoire"]
    )


def test_unspaced_scripts_match_anywhere() -> None:
    assert find_terms("涉嫌分裂国家罪", ["分裂国家"]) == ["分裂国家"]
    assert find_terms("تهمة الانفصال عن الدولة", ["الانفصال"]) == ["الانفصال"]
    assert find_terms("статья: Дезертирство", ["дезертир"]) == ["дезертир"]


def test_nothing_in_nothing_out() -> None:
    assert find_terms(None, ["x"]) == []
    assert find_terms("", ["x"]) == []
    assert find_terms("some text", []) == []


words = st.text(alphabet=st.characters(categories=["Ll", "Lu"]), min_size=3, max_size=12)


@settings(deadline=None)
@given(words, words, words)
def test_a_word_is_found_wherever_it_stands_in_a_sentence(
    before: str, word: str, after: str
) -> None:
    text = f"{before} {word.upper()} {after}"
    assert normalise(word) in find_terms(text, [word])


@settings(deadline=None)
@given(st.text(max_size=200))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
