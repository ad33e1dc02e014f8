"""The staff request form's pure parts: reading dotted fields, errors beside fields, marking
evidence, reading findings."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from opennotice.web.staff import forms
from opennotice.web.staff.common import highlight
from opennotice.web.staff.findings import by_field, read_findings

BASE: dict[str, Any] = {
    "type": "red",
    "subject.family_name": "Marchetti",
    "subject.given_names": "Lorenzo",
}


def test_dotted_fields_become_a_request_and_come_back_the_same() -> None:
    values = BASE | {
        "subject.nationalities": "it; fr",
        "subject.aliases": "Lorenzo M.\nL. Marchetti",
        "subject.eye_colours": ["BRO"],
        "charges.0.legal_provision": "CP 221-1",
        "charges.0.description": "Murder",
        "charges.0.max_penalty_years": "30,5",
        "charges.1.legal_provision": "",
        "visibility.public_extract": "on",
        "visibility.restricted_from": "US, CN",
    }
    parsed = forms.parse(values, {}, ["type", "subject", "charges", "visibility"])
    assert parsed.ok and parsed.content is not None
    c = parsed.content
    assert c.subject.nationalities == ["IT", "FR"]
    assert c.subject.aliases == ["Lorenzo M.", "L. Marchetti"]
    assert len(c.charges) == 1 and c.charges[0].max_penalty_years == 30.5
    assert c.visibility.public_extract and c.visibility.restricted_from == ["US", "CN"]
    flat = forms.flatten(c.model_dump(mode="json"))
    assert flat["subject.nationalities"] == "IT, FR"
    assert flat["charges.0.max_penalty_years"] == "30.5"
    assert flat["visibility.public_extract"] == "on"


def test_errors_are_keyed_by_the_field_at_fault() -> None:
    values = BASE | {
        "subject.date_of_birth": "1979-02-31",
        "subject.nationalities": "IT, XX",
        "charges.0.legal_provision": "CP",
        "charges.0.iccs_code": "12a",
        "warrant.authority": "Court",
    }
    parsed = forms.parse(values, {}, ["type", "subject", "charges", "warrant"])
    assert not parsed.ok
    assert set(parsed.errors) >= {
        "subject.date_of_birth",
        "subject.nationalities",
        "charges.0.iccs_code",
        "charges.0.description",
        "warrant.date",
        "warrant.reference",
    }
    assert parsed.errors["charges.0.description"] == "This is required."
    # A subject without any name: the message sits by the family name.
    nameless = forms.parse({"type": "red"}, {}, ["type", "subject"])
    assert "subject.family_name" in nameless.errors or "subject" in nameless.errors


def test_the_stored_parts_survive_a_step() -> None:
    stored = {"type": "red", "subject": {"family_name": "Marchetti"}, "summary": "kept"}
    parsed = forms.parse({"visibility.restricted_from": "US"}, stored, ["visibility"])
    assert parsed.content is not None and parsed.content.summary == "kept"
    assert parsed.content.subject.family_name == "Marchetti"


@given(st.text(max_size=200), st.lists(st.text(min_size=1, max_size=12), max_size=5))
def test_highlight_never_lets_markup_through(text: str, terms: list[str]) -> None:
    out = str(highlight(text, terms))
    # Removing the marks leaves exactly the escaped text: nothing lost, nothing unescaped.
    assert out.replace("<mark>", "").replace("</mark>", "") == str(escape(text))


def test_highlight_marks_every_occurrence_case_insensitively() -> None:
    out = str(highlight("Secession and SECESSIONIST <b>", ["secession"]))
    assert out == "<mark>Secession</mark> and <mark>SECESSION</mark>IST &lt;b&gt;"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda kids: (
            st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_findings_of_any_shape_are_read_without_error(evidence: Any) -> None:
    views = read_findings([{"rule": "r", "severity": "high", "evidence": evidence}, "junk"])
    assert len(views) == 1 and views[0].rule == "r"
    by_field(views)


def test_findings_point_at_their_fields() -> None:
    views = read_findings(
        [
            {"rule": "art3_offence", "severity": "high",
             "evidence": {"terms": {"charge 2": {"political": ["secession", "secession"]},
                                    "summary": {"political": ["subversion"]}}}},
            {"rule": "excluded_category", "severity": "info",
             "evidence": {"charge": 1, "categories": {"private_dispute": ["debt"]}}},
            {"rule": "art3_profile", "severity": "high",
             "evidence": {"stated_in_request": ["journalist"]}},
        ]
    )  # fmt: skip
    first = views[0]
    assert first.terms == ["secession", "subversion"]
    assert first.places == ["charge 2", "summary"]
    fields = by_field(views)
    assert [v.rule for v in fields["charges.1.*"]] == ["art3_offence"]
    assert [v.rule for v in fields["charges.0.*"]] == ["excluded_category"]
    assert [v.rule for v in fields["subject"]] == ["art3_profile"]
    # Most serious first.
    assert views[-1].severity == "info"
