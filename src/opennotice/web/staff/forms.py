"""The request form: flat, dotted field names (`subject.family_name`, `charges.0.iccs_code`)
turned into a RequestContent, and validation errors turned back into messages beside the field
at fault. What the officer typed is kept as typed when something is wrong."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from opennotice.domain.codes import EYE_COLOURS, HAIR_COLOURS
from opennotice.domain.content import RequestContent
from opennotice.domain.types import NoticeType, Purpose, Sex

# Steps of the request form, in order, and the parts of the request each one edits.
STEPS: list[tuple[str, str]] = [
    ("subject", "The person"),
    ("charges", "Charges and warrant"),
    ("photos", "Photos"),
    ("visibility", "Visibility"),
    ("check", "Check and submit"),
]
STEP_NAMES = [s for s, _ in STEPS]
STEP_KEYS = {
    "subject": ("type", "purpose", "subject"),
    "charges": ("charges", "warrant", "summary"),
    "visibility": ("visibility", "contact"),
}

# Fields typed as a list in a single box (comma or line separated).
LIST_FIELDS = {
    "subject.nationalities",
    "subject.languages",
    "visibility.restricted_from",
    "recipients",
}
LINE_FIELDS = {"subject.aliases"}  # one per line: names may contain commas
MULTI_FIELDS = {"subject.eye_colours", "subject.hair_colours"}
CHECKBOXES = {"visibility.public_extract"}
CHARGE_CHECKBOXES = {"life_sentence_possible"}

SUBJECT_FIELDS = [
    "family_name", "given_names", "original_family_name", "original_given_names",
    "original_script", "aliases", "date_of_birth", "sex", "nationalities", "place_of_birth",
    "country_of_birth", "height_m", "weight_kg", "eye_colours", "hair_colours", "languages",
    "distinguishing_marks", "occupation", "profile_notes",
]  # fmt: skip
DOC_FIELDS = ["kind", "number", "issuing_country"]
CHARGE_FIELDS = [
    "legal_provision", "description", "iccs_code", "facts", "place", "country", "date_of_facts",
    "max_penalty_years", "life_sentence_possible", "sentence_imposed_years",
    "sentence_remaining_years",
]  # fmt: skip
WARRANT_FIELDS = ["authority", "date", "reference", "kind"]
MAX_CHARGES = 20

SCRIPTS = ["Latin", "Han", "Cyrillic", "Arabic", "Greek", "Hangul", "Hebrew", "Devanagari",
           "Thai", "Georgian", "Armenian", "other"]  # fmt: skip
TYPE_LABELS = {
    NoticeType.RED: "Red: arrest for extradition",
    NoticeType.YELLOW: "Yellow: missing person",
    NoticeType.BLUE: "Blue: more information on a person",
    NoticeType.BLACK: "Black: unidentified body",
    NoticeType.GREEN: "Green: warning about a person",
    NoticeType.ORANGE: "Orange: imminent threat",
    NoticeType.PURPLE: "Purple: modus operandi",
    NoticeType.UN: "UN Security Council Special",
    NoticeType.SILVER: "Silver: criminal assets",
}
PURPOSE_LABELS = {Purpose.PROSECUTION: "to prosecute", Purpose.SENTENCE: "to serve a sentence"}
SEX_LABELS = {Sex.M: "male", Sex.F: "female", Sex.U: "unknown"}
CHOICES = {
    "eye": EYE_COLOURS,
    "hair": HAIR_COLOURS,
    "types": {t.value: label for t, label in TYPE_LABELS.items()},
    "purposes": {p.value: label for p, label in PURPOSE_LABELS.items()},
    "sexes": {s.value: label for s, label in SEX_LABELS.items()},
    "scripts": SCRIPTS,
}

_SPLIT = re.compile(r"[,;\n]+")


@dataclass
class Parsed:
    """The outcome of reading a form: content if valid, else errors per field."""

    values: dict[str, Any]
    content: RequestContent | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.content is not None and not self.errors


def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-").replace("_", "-")


def raw_values(form: FormData) -> dict[str, Any]:
    """The form as typed, keyed by field name (lists for multi-selects)."""
    out: dict[str, Any] = {}
    for key in set(form.keys()):
        if key == "csrf" or not isinstance(key, str):
            continue
        if key in MULTI_FIELDS:
            out[key] = [v for v in form.getlist(key) if isinstance(v, str) and v]
        else:
            value = form.get(key)
            if isinstance(value, str):
                out[key] = value[:10000]
    return out


def _set(tree: dict[str, Any], path: list[str], value: Any) -> None:
    # Numbered parts stay dict keys here; _lists() turns them into lists, in order.
    node = tree
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return
        node = child
    node[path[-1]] = value


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    if isinstance(value, list):
        return not value
    return value in (None, "", False)


def _convert(name: str, value: Any) -> Any:
    leaf = name.rsplit(".", 1)[-1]
    if name in MULTI_FIELDS:
        return list(value) if isinstance(value, list) else [value]
    if name in CHECKBOXES or leaf in CHARGE_CHECKBOXES:
        return value in ("on", "true", "1", True)
    if not isinstance(value, str):
        return value
    value = value.strip()
    if name in LIST_FIELDS:
        return [v.strip() for v in _SPLIT.split(value) if v.strip()]
    if name in LINE_FIELDS:
        return [v.strip() for v in value.splitlines() if v.strip()]
    if value == "":
        return None
    return value.replace(",", ".") if leaf.endswith(("_m", "_kg", "_years")) else value


def tree_from(values: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The nested request body for the given top-level keys, blanks dropped."""
    wanted = set(keys)
    tree: dict[str, Any] = {}
    for name, value in values.items():
        top = name.split(".", 1)[0]
        if top not in wanted:
            continue
        converted = _convert(name, value)
        if converted is None:
            continue
        _set(tree, name.split("."), converted)
    tree = _lists(tree)
    # Empty rows (a blank charge, an empty document line) are not part of the request.
    for key in ("charges",):
        if isinstance(tree.get(key), list):
            tree[key] = [row for row in tree[key] if not _blank(row)]
    subject = tree.get("subject")
    if isinstance(subject, dict) and isinstance(subject.get("identity_documents"), list):
        docs = [d for d in subject["identity_documents"] if not _blank(d)]
        subject["identity_documents"] = docs
    if "warrant" in tree and _blank(tree["warrant"]):
        tree.pop("warrant")
    if "visibility" in wanted:
        vis = tree.setdefault("visibility", {})
        vis.setdefault("public_extract", False)
        vis.setdefault("restricted_from", [])
    return tree


def flatten(content: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored request as form values (the inverse of tree_from, for showing it again)."""
    out: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(node, list) and prefix in MULTI_FIELDS:
            out[prefix] = [str(v) for v in node]
        elif isinstance(node, list) and prefix in LINE_FIELDS:
            out[prefix] = "\n".join(str(v) for v in node)
        elif isinstance(node, list) and prefix in LIST_FIELDS:
            out[prefix] = ", ".join(str(v) for v in node)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(f"{prefix}.{i}", v)
        elif isinstance(node, bool):
            out[prefix] = "on" if node else ""
        elif node is None:
            out[prefix] = ""
        elif isinstance(node, float) and node.is_integer():
            out[prefix] = str(int(node))
        else:
            out[prefix] = str(node)

    walk("", dict(content or {}))
    return out


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
    kind = str(err.get("type", ""))
    if kind == "missing":
        return "This is required."
    if kind in ("float_parsing", "int_parsing"):
        return "Write a number (e.g. 1.75)."
    if kind.startswith("date"):
        return "Write a date as YYYY-MM-DD."
    if kind == "string_pattern_mismatch":
        return "Not in the expected form (an ICCS code is 2, 4, 5 or 6 digits, e.g. 0101)."
    if kind == "enum":
        return "Choose one of the options."
    return msg[:1].upper() + msg[1:] if msg else "Not valid."


# Errors of a whole object are shown beside the field that best answers them.
_OBJECT_FIELD = {
    "subject": "subject.family_name",
    "warrant": "warrant.authority",
    "visibility": "visibility.public_extract",
}


def error_map(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        # A list element's own error (e.g. a bad country code) belongs to the list field.
        while loc and loc[-1].isdigit() and ".".join(loc[:-1]) in LIST_FIELDS | MULTI_FIELDS:
            loc = loc[:-1]
        name = ".".join(loc) or "form"
        name = _OBJECT_FIELD.get(name, name)
        errors.setdefault(name, _message(err))
    return errors


def parse(values: dict[str, Any], base: Mapping[str, Any], keys: Iterable[str]) -> Parsed:
    """Validate `base` (the stored request) with the parts in `keys` replaced from the form."""
    keys = list(keys)
    body = {k: v for k, v in base.items() if k not in keys}
    body.update(tree_from(values, keys))
    try:
        content = RequestContent.model_validate(body)
    except ValidationError as exc:
        return Parsed(values, None, error_map(exc))
    return Parsed(values, content)


def stored_body(
    content: Mapping[str, Any] | None, public: bool, restricted: list[str]
) -> dict[str, Any]:
    body = dict(content or {})
    body["visibility"] = {"public_extract": public, "restricted_from": list(restricted)}
    return body


def charge_rows(values: Mapping[str, Any], extra: int = 1) -> list[int]:
    """The charge rows to show: those typed or stored, plus `extra` blank ones."""
    indexes = set()
    for name in values:
        parts = name.split(".")
        if parts[0] == "charges" and len(parts) > 1 and parts[1].isdigit():
            indexes.add(int(parts[1]))
    count = (max(indexes) + 1) if indexes else 0
    return list(range(min(count + extra, MAX_CHARGES)))
