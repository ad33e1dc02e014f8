"""The rules catalogue: loaded from `catalogue.toml` and validated once, at start-up.

A maintainer edits the TOML file; a mistake in it (an unknown severity, a rule without a
citation, a term list that is not a list of words) raises CatalogueError when the server starts,
not when the first request is checked.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")

SEVERITIES = ("info", "data", "high", "must_refuse")
ROUTES = ("routine", "high", "must_refuse")
SCOPES = frozenset(
    {"red", "yellow", "blue", "black", "green", "orange", "purple", "un", "silver"}
    | {"diffusion", "wanted_diffusion"}
)
# Each rule id the code implements; the catalogue must describe exactly these.
RULE_IDS = (
    "min_identifiers",
    "judicial_data",
    "penalty_threshold",
    "excluded_category",
    "art3_offence",
    "art3_terrorism",
    "art3_profile",
    "art3_requester_record",
    "art2_indicators",
    "refugee_policy",
    "commission_decision",
    "resubmission",
    "register_match",
    "duplicate",
    "iccs_fit",
)
# The term lists each rule needs.
REQUIRED_TERMS = {
    "excluded_category": (
        "behavioural",
        "family",
        "private_dispute",
        "administrative",
        "serious_link",
    ),
    "art3_offence": ("political", "military", "religious"),
    "art3_terrorism": ("terrorism", "violent_act", "speech_only"),
    "art3_profile": ("profile",),
    "art2_indicators": ("penalty",),
}
THRESHOLDS = (
    "protect_match",
    "duplicate_match",
    "prosecution_min_years",
    "sentence_min_years",
    "record_window_years",
    "record_min_decided",
    "record_share",
)


class CatalogueError(ValueError):
    """The catalogue file is not valid: the message says where."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    citation: str
    severity: str
    looks_at: str
    applies_to: frozenset[str]
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    approx: bool = False
    waivable: bool = False

    def applies(self, scopes: frozenset[str]) -> bool:
        return bool(self.applies_to & scopes)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "citation": self.citation,
            "approx": self.approx,
            "severity": self.severity,
            "waivable": self.waivable,
            "looks_at": self.looks_at,
            "applies_to": sorted(self.applies_to),
            "terms": {k: list(v) for k, v in self.terms.items()},
        }


@dataclass(frozen=True, slots=True)
class IccsSection:
    code: str
    title: str
    terms: tuple[str, ...]
    divisions: dict[str, str]


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: int
    rules: dict[str, Rule]
    routing: dict[str, str]
    thresholds: dict[str, float]
    iccs: dict[str, IccsSection]

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def iccs_title(self, code: str) -> str | None:
        section = self.iccs.get(code[:2])
        if section is None:
            return None
        return section.divisions.get(code[:4]) or section.title


def _str(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _terms(value: Any, where: str) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(t, str) and t.strip() for t in value)
    ):
        raise CatalogueError(f"{where}: a term list must be a non-empty list of words")
    return tuple(dict.fromkeys(t.strip() for t in value))


def _rule(data: Any, index: int) -> Rule:
    where = f"rule #{index + 1}"
    if not isinstance(data, dict):
        raise CatalogueError(f"{where}: must be a table")
    rule_id = _str(data, "id", where)
    where = f"rule '{rule_id}'"
    severity = _str(data, "severity", where)
    if severity not in SEVERITIES:
        raise CatalogueError(
            f"{where}: severity '{severity}' is not one of {', '.join(SEVERITIES)}"
        )
    applies = data.get("applies_to")
    if not isinstance(applies, list) or not applies or not set(applies) <= SCOPES:
        raise CatalogueError(f"{where}: applies_to must list notice types or diffusion scopes")
    raw_terms = data.get("terms", {})
    if not isinstance(raw_terms, dict):
        raise CatalogueError(f"{where}: terms must be a table of term lists")
    terms = {name: _terms(value, f"{where}, terms.{name}") for name, value in raw_terms.items()}
    missing = [t for t in REQUIRED_TERMS.get(rule_id, ()) if t not in terms]
    if missing:
        raise CatalogueError(f"{where}: missing term lists {missing}")
    for flag in ("approx", "waivable"):
        if not isinstance(data.get(flag, False), bool):
            raise CatalogueError(f"{where}: '{flag}' must be true or false")
    return Rule(
        id=rule_id,
        title=_str(data, "title", where),
        citation=_str(data, "citation", where),
        severity=severity,
        looks_at=_str(data, "looks_at", where),
        applies_to=frozenset(applies),
        terms=terms,
        approx=bool(data.get("approx", False)),
        waivable=bool(data.get("waivable", False)),
    )


def _iccs(data: Any) -> dict[str, IccsSection]:
    if not isinstance(data, dict) or not data:
        raise CatalogueError("the [iccs] sections are missing")
    out: dict[str, IccsSection] = {}
    for code, section in sorted(data.items()):
        where = f"iccs '{code}'"
        if not (isinstance(code, str) and len(code) == 2 and code.isdigit()):
            raise CatalogueError(f"{where}: a section code is two digits")
        if not isinstance(section, dict):
            raise CatalogueError(f"{where}: must be a table")
        divisions = section.get("divisions", {})
        if not isinstance(divisions, dict) or not all(
            isinstance(k, str) and len(k) == 4 and k.startswith(code) and isinstance(v, str)
            for k, v in divisions.items()
        ):
            raise CatalogueError(f"{where}: divisions map four-digit codes under {code} to titles")
        out[code] = IccsSection(
            code,
            _str(section, "title", where),
            _terms(section.get("terms"), where),
            dict(divisions),
        )
    return out


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    """Validate the parsed TOML and build the catalogue (raises CatalogueError)."""
    version = data.get("version")
    if not isinstance(version, int):
        raise CatalogueError("'version' must be an integer")
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list):
        raise CatalogueError("the catalogue lists its rules as [[rule]] tables")
    rules: dict[str, Rule] = {}
    for i, raw in enumerate(raw_rules):
        rule = _rule(raw, i)
        if rule.id in rules:
            raise CatalogueError(f"rule '{rule.id}' is defined twice")
        rules[rule.id] = rule
    unknown = sorted(set(rules) - set(RULE_IDS))
    absent = sorted(set(RULE_IDS) - set(rules))
    if unknown or absent:
        raise CatalogueError(f"rules without code: {unknown}; rules the code needs: {absent}")
    routing = data.get("routing")
    if not isinstance(routing, dict) or set(routing) != set(SEVERITIES):
        raise CatalogueError(f"[routing] maps each severity ({', '.join(SEVERITIES)}) to a route")
    if not all(r in ROUTES for r in routing.values()):
        raise CatalogueError(f"[routing] routes are {', '.join(ROUTES)}")
    raw_thresholds = data.get("thresholds")
    if not isinstance(raw_thresholds, dict):
        raise CatalogueError("[thresholds] is missing")
    thresholds: dict[str, float] = {}
    for key in THRESHOLDS:
        value = raw_thresholds.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise CatalogueError(f"[thresholds] '{key}' must be a non-negative number")
        thresholds[key] = float(value)
    for key in ("protect_match", "duplicate_match", "record_share"):
        if thresholds[key] > 1:
            raise CatalogueError(f"[thresholds] '{key}' is a share between 0 and 1")
    return Catalogue(version, rules, dict(routing), thresholds, _iccs(data.get("iccs")))


def load_catalogue(path: Path | None = None) -> Catalogue:
    target = path or CATALOGUE_PATH
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{target.name} is not valid TOML: {exc}") from None
    return parse_catalogue(data)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return load_catalogue()
