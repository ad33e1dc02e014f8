"""The catalogue file loads, says what each rule cites, and rejects a broken file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from opennotice.rules.catalogue import (
    CATALOGUE_PATH,
    RULE_IDS,
    SEVERITIES,
    CatalogueError,
    load_catalogue,
    parse_catalogue,
)


def _raw() -> dict[str, Any]:
    return tomllib.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


def test_every_rule_the_code_implements_is_described_and_cited() -> None:
    cat = load_catalogue()
    assert set(cat.rules) == set(RULE_IDS)
    for rule in cat.rules.values():
        assert rule.citation and rule.title and rule.looks_at
        assert rule.severity in SEVERITIES
    assert cat.rule("penalty_threshold").citation == "RPD Art. 83(1)(b)"
    assert cat.rule("refugee_policy").severity == "must_refuse"
    assert cat.rule("penalty_threshold").waivable
    assert not cat.rule("refugee_policy").waivable


def test_term_lists_cover_the_main_languages_of_requests() -> None:
    terms = load_catalogue().rule("art3_offence").terms["political"]
    joined = " ".join(terms)
    # English, French, Spanish, Russian, Arabic, Chinese.
    for word in ("secession", "subversion", "сепаратизм", "الانفصال", "分裂国家", "secesion"):
        assert word in joined


def test_iccs_top_level_has_its_eleven_sections() -> None:
    cat = load_catalogue()
    assert sorted(cat.iccs) == [f"{i:02d}" for i in range(1, 12)]
    assert cat.iccs_title("0101") == "Intentional homicide"
    assert cat.iccs_title("0906") == "Terrorism"
    assert cat.iccs_title("0999") == cat.iccs["09"].title
    assert cat.iccs_title("1299") is None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["rule"][0].update(severity="urgent"), "severity"),
        (lambda d: d["rule"][0].pop("citation"), "citation"),
        (lambda d: d["rule"].pop(), "rules the code needs"),
        (lambda d: d["rule"].append(dict(d["rule"][0])), "defined twice"),
        (lambda d: d["routing"].pop("high"), "routing"),
        (lambda d: d["routing"].update(high="later"), "routes"),
        (lambda d: d["thresholds"].update(protect_match=1.5), "share"),
        (lambda d: d["thresholds"].update(record_share="many"), "record_share"),
        (lambda d: d["rule"][3]["terms"].pop("behavioural"), "missing term lists"),
        (lambda d: d["rule"][3]["terms"].update(family="divorce"), "term list"),
        (lambda d: d["rule"][0].update(applies_to=["pink"]), "applies_to"),
        (lambda d: d["iccs"]["01"]["divisions"].update({"0201": "x"}), "divisions"),
        (lambda d: d.update(version="one"), "version"),
    ],
)
def test_a_broken_catalogue_is_rejected_with_a_clear_message(mutate: Any, message: str) -> None:
    data = _raw()
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)


def test_a_file_that_is_not_toml_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "catalogue.toml"
    bad.write_text("[[rule]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue(bad)
