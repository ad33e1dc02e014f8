"""Reading people to screen: any input gives a query or a clear error, never a crash, and an
error never repeats the value it refuses (personal data)."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opennotice.matching import PersonQuery
from opennotice.services.screening_input import (
    BatchItem,
    RawRow,
    RowError,
    RowFormat,
    parse_date,
    parse_text,
    query_from_fields,
    read_row,
    split_rows,
)

from .screening_support import td3

FIELD_NAMES = st.sampled_from(
    ["surname", "given_names", "dob", "date_of_birth", "nationality", "sex", "document_number",
     "mrz", "mrz1", "mrz2", "ref", "seat", "Family Name", "first-name"]
)  # fmt: skip
VALUES = st.one_of(
    st.none(), st.text(max_size=60), st.integers(), st.floats(allow_nan=False),
    st.lists(st.text(max_size=10), max_size=6), st.booleans(),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(FIELD_NAMES, VALUES, max_size=8))
def test_any_fields_give_a_query_or_a_value_error(fields: dict[str, object]) -> None:
    try:
        query, _ = query_from_fields(fields)
    except ValueError as exc:
        message = str(exc)
        assert message
        for value in fields.values():
            if isinstance(value, str) and len(value) >= 4 and value.strip() == value:
                assert value not in message
        return
    assert isinstance(query, PersonQuery)
    assert query.family_name or query.given_names


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=12), st.sampled_from(list(RowFormat)))
def test_any_file_gives_rows_and_errors_with_line_numbers(lines: list[str], fmt: RowFormat) -> None:
    text = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines)
    rows = list(parse_text(text, fmt))
    count = max(1, text.count("\n") + 1)
    for row in rows:
        assert isinstance(row, BatchItem | RowError)
        assert 1 <= row.line <= count


def test_accepted_spellings() -> None:
    query, ref = query_from_fields(
        {"Surname": " Marchetti ", "First Name": "Lorenzo  Aldo", "DOB": "12.04.1979",
         "Nationality": "ITA; fr", "Gender": "male", "Passport": "YA1234567", "id": "7"}
    )  # fmt: skip
    assert query == PersonQuery(
        "Marchetti", "Lorenzo Aldo", "1979-04-12", "M", ("IT", "FR"), "YA1234567"
    )
    assert ref == "7"
    assert parse_date("1979/04/12") == "1979-04-12" and parse_date("1979") == "1979"
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("197904")  # six digits: ambiguous, refused
    mrz = td3("MARCHETTI", "LORENZO ALDO")
    assert query_from_fields({"mrz": "\n".join(mrz)})[0].document_number == "YA1234567"


def test_repeated_values_give_the_same_answer_or_the_same_error_each_time() -> None:
    """Dates and nationalities are remembered between rows; errors never are."""
    for _ in range(3):
        assert parse_date(" 12.04.1979 ") == "1979-04-12"
        with pytest.raises(ValueError, match="plausible"):
            parse_date("2999-01-01")
        with pytest.raises(ValueError, match="real date"):
            parse_date("1979-02-30")
        query, _ = query_from_fields({"surname": "Marchetti", "nationality": "ITA; fr"})
        assert query.nationalities == ("IT", "FR")
        with pytest.raises(ValueError, match="nationality: not an ISO"):
            query_from_fields({"surname": "Marchetti", "nationality": "ITA;XX1"})
        with pytest.raises(ValueError, match="at most 5"):
            query_from_fields({"surname": "Marchetti", "nationality": "FR DE IT ES PT NL"})


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0e", "\x1b"])
def test_control_characters_are_refused_without_the_value(char: str) -> None:
    with pytest.raises(ValueError, match="family_name: control characters") as refused:
        query_from_fields({"surname": f"Mar{char}chetti", "given_names": "Lorenzo"})
    assert "Mar" not in str(refused.value)
    # whitespace controls are spaces between words, as before
    assert query_from_fields({"surname": "Mar\tchetti"})[0].family_name == "Mar chetti"


def test_column_names_with_a_byte_order_mark_spaces_and_hyphens() -> None:
    for name in ("\ufeffSurname", " SURNAME ", "family-name", "Family  Name", "last_name"):
        assert query_from_fields({name: "Marchetti"})[0].family_name == "Marchetti"
    with pytest.raises(ValueError, match="a person needs"):
        query_from_fields({"sur name x": "Marchetti"})


def test_jsonl_and_csv_line_numbers() -> None:
    jsonl = "\n".join([json.dumps({"surname": "A-Test"}), "", "[1]", json.dumps({"x": 1})])
    rows = list(parse_text(jsonl))
    assert [(type(r).__name__, r.line) for r in rows] == [
        ("BatchItem", 1), ("RowError", 3), ("RowError", 4),
    ]  # fmt: skip
    csv_text = 'surname,given_names\n"Multi\nLine",Ana\nB-Test,Eva\n'
    rows = list(parse_text(csv_text))
    assert [(type(r).__name__, r.line) for r in rows] == [("BatchItem", 2), ("BatchItem", 4)]


COLUMNS = st.sampled_from(
    ["surname", "Surname", "last_name", "given_names", "first-name", "dob", "nationality", "sex",
     "passport", "ref", "seat", "mrz1", "mrz2"]
)  # fmt: skip
CELLS = st.sampled_from(
    ["", " ", "Marchetti", "Lorenzo Aldo", "1979-04-12", "12.04.1979", "2999-01-01", "ITA;fr",
     "XX1", "male", "Q", "YA1234567", "7", "12A", "P<ITAMARCHETTI<<LORENZO"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(COLUMNS, min_size=1, max_size=7),
    st.lists(CELLS, max_size=7),
    st.integers(min_value=2, max_value=10**6),
)
def test_a_csv_row_read_apart_from_its_file_reads_as_the_dict_of_its_header(
    header: list[str], cells: list[str], line: int
) -> None:
    """A row split from its file is read on its own, where it is searched (``opennotice
    screen --workers``), through the header's columns instead of a dict per row: the same
    person or the same error as the fields of ``dict(zip(header, cells))``, also with columns
    named twice, two spellings of one field and rows shorter than the header."""
    cells = cells[: len(header)]
    row: RawRow = (line, cells, tuple(header))
    expected: BatchItem | RowError
    try:
        query, ref = query_from_fields(dict(zip(header, cells, strict=False)))
        expected = BatchItem(line, query, ref)
    except ValueError as exc:
        expected = RowError(line, str(exc))
    assert read_row(row) == expected


def test_rows_are_split_without_being_read_then_read_alike() -> None:
    csv_text = (
        'surname,given_names,dob\n"Multi\nLine",Ana,1979\n,,\nB-Test,Eva,1979-02-30\nC,D,E,F\n'
    )
    split = list(split_rows(io.StringIO(csv_text, newline=""), RowFormat.CSV))
    header = ("surname", "given_names", "dob")
    assert split == [
        (2, ["Multi\nLine", "Ana", "1979"], header),
        (5, ["B-Test", "Eva", "1979-02-30"], header),  # read later: then refused (no such day)
        RowError(6, "4 columns where the header names 3"),
    ]
    assert [r if isinstance(r, RowError) else read_row(r) for r in split] == list(
        parse_text(csv_text)
    )
    jsonl = '{"surname": "A-Test"}\n\n[1]\n'
    assert list(split_rows(io.StringIO(jsonl), RowFormat.JSONL)) == [
        (1, '{"surname": "A-Test"}', ()),
        (3, "[1]", ()),
    ]
    assert read_row((3, "[1]", ())) == RowError(3, "each line must be a JSON object")
    assert read_row((4, "{", ())) == RowError(4, "not valid JSON")
