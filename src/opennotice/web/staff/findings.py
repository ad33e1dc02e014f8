"""Findings of the automatic checks, read for display: which words they point at and where.

The checker stores each finding as a JSON object with at least `rule`; usually also `title`,
`citation`, `severity`, `message` and `evidence`. Evidence may be a string, a list, or an object
naming a `field` (a path such as `charges.0.description`) and the words it matched. This module
reads all of these shapes without assuming more than it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Keys under which evidence holds the words it matched (every string below them is a word).
_TEXT_KEYS = (
    "text", "match", "matched", "words", "terms", "term", "quote", "categories",
    "stated_in_request", "terrorism", "facts_describe", "linked_to_serious_crime", "indicated",
)  # fmt: skip
_FIELD_KEYS = ("field", "path", "where", "fields")
_SEVERITY_ORDER = {"must_refuse": 0, "high": 1, "data": 2, "info": 3}


@dataclass
class FindingView:
    index: int
    rule: str
    title: str
    citation: str
    severity: str
    message: str
    terms: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    override: dict[str, Any] | None = None

    @property
    def anchor(self) -> str:
        return f"finding-{self.index}"

    @property
    def places(self) -> list[str]:
        """The fields pointed at, as people name them ("charge 1", "summary")."""
        out: list[str] = []
        for name in self.fields:
            parts = name.split(".")
            if parts[0] == "charges" and len(parts) > 1 and parts[1].isdigit():
                label = f"charge {int(parts[1]) + 1}"
                rest = " ".join(p.replace("_", " ") for p in parts[2:])
                out.append(f"{label} {rest}".strip())
            else:
                out.append(" ".join(p.replace("_", " ") for p in parts))
        return out


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)


def _strings(value: Any) -> Iterable[str]:
    """The matched words: every string under a word-holding key, at any depth."""
    if isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in _TEXT_KEYS:
                yield from (w for w in _leaves(item) if not w.startswith("ICCS "))
            elif isinstance(item, Mapping | list):
                yield from _strings(item)


def _place(label: str) -> str | None:
    """'charge 2' -> 'charges.1'; 'summary' -> 'summary' (how the checks name places)."""
    text = label.strip().lower()
    if text.startswith("charge ") and text[7:].isdigit():
        return f"charges.{int(text[7:]) - 1}"
    if text in ("summary", "warrant", "subject"):
        return text
    return None


def _fields(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for key in _FIELD_KEYS:
            got = value.get(key)
            if isinstance(got, str):
                yield _norm_path(got)
            elif isinstance(got, list):
                yield from (_norm_path(g) for g in got if isinstance(g, str))
        charge = value.get("charge")
        if isinstance(charge, int) and not isinstance(charge, bool) and charge >= 1:
            yield f"charges.{charge - 1}"
        if "stated_in_request" in value:
            yield "subject"
        for key, item in value.items():
            if isinstance(key, str) and (where := _place(key)) is not None:
                yield where
            if key in ("terms", "charges") and isinstance(item, Mapping | list):
                yield from _fields(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _fields(item)


def _norm_path(path: str) -> str:
    # "charges[0].description" and "charges.0.description" name the same field.
    return path.replace("[", ".").replace("]", "").strip(".")


def _describe(value: Any) -> list[str]:
    """Other evidence (scores, matched notice ids) as short lines a reviewer can read."""
    out: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in _TEXT_KEYS or key in _FIELD_KEYS:
                continue
            if isinstance(item, str | int | float | bool):
                out.append(f"{str(key).replace('_', ' ')}: {item}")
            elif isinstance(item, list) and all(isinstance(i, str | int | float) for i in item):
                out.append(f"{str(key).replace('_', ' ')}: {', '.join(str(i) for i in item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping):
                out.extend(_describe(item))
    return out[:12]


def read_findings(findings: Iterable[Any] | None) -> list[FindingView]:
    views: list[FindingView] = []
    for i, raw in enumerate(findings or []):
        if not isinstance(raw, Mapping):
            continue
        evidence = raw.get("evidence")
        terms = list(dict.fromkeys(t for t in _strings(evidence) if t.strip()))
        fields = list(dict.fromkeys([*_fields(evidence), *_fields(raw)]))
        views.append(
            FindingView(
                index=i,
                rule=str(raw.get("rule", "")),
                title=str(raw.get("title") or raw.get("rule") or "finding"),
                citation=str(raw.get("citation") or ""),
                severity=str(raw.get("severity") or "info"),
                message=str(raw.get("message") or raw.get("explanation") or ""),
                terms=terms[:50],
                fields=fields,
                details=_describe(evidence),
                override=raw.get("override") if isinstance(raw.get("override"), dict) else None,
            )
        )
    views.sort(key=lambda f: (_SEVERITY_ORDER.get(f.severity, 9), f.index))
    return views


def all_terms(views: Iterable[FindingView]) -> list[str]:
    return sorted({t for v in views for t in v.terms})


def by_field(views: Iterable[FindingView]) -> dict[str, list[FindingView]]:
    """Findings keyed by the field they point at, so a page can show them beside it."""
    out: dict[str, list[FindingView]] = {}
    for view in views:
        for name in view.fields:
            out.setdefault(name, []).append(view)
            # A finding on "charges.0.description" also belongs beside charge 0 as a whole.
            parts = name.split(".")
            for cut in range(1, len(parts) + 1):
                out.setdefault(".".join(parts[:cut]) + ".*", []).append(view)
    return out
