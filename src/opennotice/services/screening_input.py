"""Reading the people to screen: one record of fields, or many as CSV or JSON lines.

Every error message names the field and the line, never the value: the values are personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

import pycountry

from opennotice.domain.countries import is_country
from opennotice.matching import MrzError, PersonQuery, parse_mrz

MAX_NAME = 200
MAX_DOCUMENT = 40
MAX_REF = 80


class RowFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One person to screen, with the line it came from and the caller's own reference."""

    line: int
    query: PersonQuery
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


# Accepted spellings of each field (compared lower-case, with spaces and hyphens as '_').
_ALIASES: dict[str, str] = {}
for _canon, _names in {
    "family_name": ["family_name", "surname", "last_name", "lastname", "name", "family"],
    "given_names": [
        "given_names", "given_name", "forename", "forenames", "first_name", "first_names",
        "firstname", "given",
    ],
    "date_of_birth": ["date_of_birth", "dob", "birth_date", "birthdate", "born"],
    "nationalities": ["nationality", "nationalities", "citizenship"],
    "sex": ["sex", "gender", "sex_id"],
    "document_number": [
        "document_number", "document", "passport", "passport_number", "document_no",
    ],
    "mrz": ["mrz"],
    "mrz1": ["mrz1", "mrz_line1", "mrz_line_1", "mrz_1"],
    "mrz2": ["mrz2", "mrz_line2", "mrz_line_2", "mrz_2"],
    "ref": ["ref", "reference", "id", "passenger_id", "record_id"],
}.items():  # fmt: skip
    for _n in _names:
        _ALIASES[_n] = _canon


_SEPARATORS = re.compile(r"[\s\-]+")


@lru_cache(maxsize=1024)  # the same few column names on every row of a file
def canonical_field(name: str) -> str | None:
    key = _SEPARATORS.sub("_", name.strip().lstrip("\ufeff").lower())
    return _ALIASES.get(key)


_DATE_FORMS = [
    (re.compile(r"^(\d{4})$"), ("y",)),
    (re.compile(r"^(\d{4})[-/](\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),
]


def parse_date(value: str) -> str:
    """YYYY, YYYY-MM, YYYY-MM-DD (also with '/', as YYYYMMDD or DD.MM.YYYY) -> ISO form."""
    return _parse_date_text(value.strip())


# Dates of birth repeat across a file's rows (some 20,000 distinct in a million). Only answers
# are cached, never the errors; and a date once plausible stays so as the days pass.
@lru_cache(maxsize=65536)
def _parse_date_text(text: str) -> str:
    for pattern, order in _DATE_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
        year, month, day = parts["y"], parts.get("m"), parts.get("d")
        try:
            born = dt.date(year, month or 1, day or 1)
        except ValueError:
            raise ValueError("date_of_birth: not a real date") from None
        if year < 1880 or born > dt.date.today():
            raise ValueError("date_of_birth: not a plausible date of birth")
        if month is None:
            return f"{year:04d}"
        if day is None:
            return f"{year:04d}-{month:02d}"
        return born.isoformat()
    raise ValueError("date_of_birth: write it YYYY-MM-DD, YYYY-MM or YYYY")


@cache
def _alpha3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def parse_country(value: str) -> str:
    code = value.strip().upper()
    if len(code) == 3 and code in _alpha3():
        return _alpha3()[code]
    if code == "D":  # Germany in ICAO 9303 machine-readable zones
        return "DE"
    if is_country(code):
        return code
    raise ValueError("nationality: not an ISO 3166-1 country code (FR or FRA)")


_COUNTRY_SEPARATORS = re.compile(r"[;,\s|]+")


def _countries(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return _countries_of_text(value)
    if isinstance(value, list):
        return _country_codes(list(value))
    raise ValueError("nationality: a code or a list of codes")


@lru_cache(maxsize=4096)
def _countries_of_text(value: str) -> tuple[str, ...]:
    """The codes of a text such as "FR;DE" (cached: a file's rows repeat a few hundred)."""
    return _country_codes([v for v in _COUNTRY_SEPARATORS.split(value) if v])


def _country_codes(items: list[object]) -> tuple[str, ...]:
    if len(items) > 5:
        raise ValueError("nationality: at most 5")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("nationality: a code or a list of codes")
        code = parse_country(item)
        if code not in out:
            out.append(code)
    return tuple(out)


_SEXES = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F", "U": "U", "X": "U", "<": "U"}


def _sex(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("sex: M, F or U")
    sex = _SEXES.get(value.strip().upper())
    if sex is None:
        raise ValueError("sex: M, F or U")
    return sex


_CONTROL = re.compile(r"[\x00-\x1f]")


def _text(value: object, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{field}: must be text")
    text = " ".join(value.split())
    if len(text) > limit:
        raise ValueError(f"{field}: at most {limit} characters")
    if _CONTROL.search(text):
        raise ValueError(f"{field}: control characters are not allowed")
    if "\ufffd" in text:
        raise ValueError(f"{field}: not valid UTF-8 text")
    return text or None


def safe_mrz_message(exc: MrzError) -> str:
    """The matcher's MRZ message without the field values it may quote."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "", str(exc)).split(":")[0]
    return "mrz: " + " ".join(text.split())


def query_from_fields(fields: Mapping[str, object]) -> tuple[PersonQuery, str | None]:
    """Build a query from named fields (any accepted spelling); raises ValueError with a
    message that names the field and never its value."""
    return _query_from_data(_canonical(fields))


def _canonical(fields: Mapping[str, object]) -> dict[str, object]:
    """The fields under their canonical names (:func:`_present`)."""
    return _present((canonical_field(str(name)), value) for name, value in fields.items())


def _present(pairs: Iterable[tuple[str | None, object]]) -> dict[str, object]:
    """(canonical name, value) pairs as fields, unknown names (None) and empty values left
    out; of two values of one field, the later wins."""
    return {canon: value for canon, value in pairs if canon is not None and value not in (None, "")}


def _query_from_data(data: Mapping[str, object]) -> tuple[PersonQuery, str | None]:
    """:func:`query_from_fields` once the fields carry their canonical names and the empty
    ones are left out."""
    ref = _text(data.get("ref"), "ref", MAX_REF)
    mrz = data.get("mrz")
    lines: list[object] | None = None
    if mrz is not None:
        if isinstance(mrz, str):
            lines = [v for v in mrz.replace("\r", "").split("\n") if v.strip()]
        elif isinstance(mrz, list):
            lines = list(mrz)
        if lines is None or len(lines) != 2 or not all(isinstance(v, str) for v in lines):
            raise ValueError("mrz: give the two lines of the passport's machine-readable zone")
    elif "mrz1" in data or "mrz2" in data:
        lines = [data.get("mrz1"), data.get("mrz2")]
        if not all(isinstance(v, str) and v.strip() for v in lines):
            raise ValueError("mrz: give both MRZ lines (mrz1 and mrz2)")
    if lines is not None:
        try:
            return parse_mrz(str(lines[0]), str(lines[1])), ref
        except MrzError as exc:
            raise ValueError(safe_mrz_message(exc)) from None
    family = _text(data.get("family_name"), "family_name", MAX_NAME)
    given = _text(data.get("given_names"), "given_names", MAX_NAME)
    if not family and not given:
        raise ValueError("a person needs a family name or given names, or the two MRZ lines")
    dob_raw = data.get("date_of_birth")
    if dob_raw is not None and not isinstance(dob_raw, str | int):
        raise ValueError("date_of_birth: write it YYYY-MM-DD, YYYY-MM or YYYY")
    dob = parse_date(str(dob_raw)) if dob_raw is not None else None
    return (
        PersonQuery(
            family_name=family,
            given_names=given,
            date_of_birth=dob,
            sex=_sex(data.get("sex")),
            nationalities=_countries(data.get("nationalities")),
            document_number=_text(data.get("document_number"), "document_number", MAX_DOCUMENT),
        ),
        ref,
    )


def _item(line: int, data: Mapping[str, object]) -> BatchItem | RowError:
    """The row's person from its canonical fields (:func:`_canonical`), or why not."""
    try:
        query, ref = _query_from_data(data)
    except ValueError as exc:
        return RowError(line, str(exc))
    return BatchItem(line, query, ref)


#: A row as split from its file, before its fields are read and checked (:func:`read_row`):
#: ``(line, the CSV row's cells and its header, or the JSON line's text and ())``.
#: A plain tuple: ``opennotice screen --workers`` sends millions of them to the processes
#: that read and search them, and a tuple pickles five times faster than a named one.
RawRow = tuple[int, list[str] | str, tuple[str, ...]]


@lru_cache(maxsize=64)  # one header per file
def _columns(header: tuple[str, ...]) -> tuple[str | None, ...] | None:
    """The field each column holds, or None when the header names a column twice (then
    the row is read as a dict of header to cell, whose last same-named cell wins)."""
    if len(set(header)) != len(header):
        return None
    return tuple(canonical_field(h) for h in header)


def read_row(raw: RawRow) -> BatchItem | RowError:
    """The person of a row (the query, the caller's reference) or why the row is refused."""
    line, payload, header = raw
    if isinstance(payload, str):
        try:
            value = json.loads(payload)
        except (ValueError, RecursionError):
            return RowError(line, "not valid JSON")
        if not isinstance(value, dict):
            return RowError(line, "each line must be a JSON object")
        return _item(line, _canonical(value))
    columns = _columns(header)
    if columns is None:
        return _item(line, _canonical(dict(zip(header, payload, strict=False))))
    # The same fields as query_from_fields(dict(zip(header, payload))) would take, without a
    # dict of every column and a name lookup per cell.
    return _item(line, _present(zip(columns, payload, strict=False)))


def split_jsonl(lines: Iterable[str]) -> Iterator[RawRow]:
    """One JSON object per line; blank lines are skipped; lines are numbered from 1."""
    for number, raw in enumerate(lines, start=1):
        text = raw.strip().lstrip("\ufeff")
        if text:
            yield (number, text, ())


def split_csv(lines: Iterable[str]) -> Iterator[RawRow | RowError]:
    """A header line naming the columns, then one person per row (',' ';' or tab separated).

    Unknown columns are ignored, so a passenger list can keep its other columns.
    """
    iterator = iter(lines)
    header_line = ""
    header_number = 0
    for raw in iterator:
        header_number += 1
        if raw.strip():
            header_line = raw
            break
    if not header_line:
        return
    delimiter = max((",", ";", "\t"), key=header_line.count)
    try:
        header = tuple(next(csv.reader([header_line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        yield RowError(header_number, "the header line is not valid CSV")
        return
    known = [canonical_field(h) for h in header]
    if not any(k in ("family_name", "given_names", "mrz", "mrz1") for k in known):
        yield RowError(
            header_number,
            "the first line must name the columns, e.g. surname,given_names,date_of_birth,"
            "nationality,sex,document_number (or mrz1,mrz2)",
        )
        return
    reader = csv.reader(iterator, delimiter=delimiter)
    start = header_number + 1
    while True:
        number = start
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # A broken row (stray quote or line end, enormous field): reported, then skipped.
            yield RowError(number, f"not valid CSV ({_csv_reason(exc)})")
            if header_number + reader.line_num + 1 <= start:
                return  # nothing was consumed: do not loop on the same input
            start = header_number + reader.line_num + 1
            continue
        start = header_number + reader.line_num + 1
        if not "".join(row).strip():  # only blank cells (a joined string: C speed)
            continue
        if len(row) > len(header):
            yield RowError(number, f"{len(row)} columns where the header names {len(header)}")
            continue
        yield (number, row, header)


def _csv_reason(exc: csv.Error) -> str:
    """The csv module's reason, which names characters and limits, never the data."""
    reason = str(exc).split(" - ")[0]
    return reason if len(reason) <= 80 and "'" not in reason else "malformed row"


def detect_format(first_text: str) -> RowFormat:
    return RowFormat.JSONL if first_text.lstrip("\ufeff \t\r\n").startswith("{") else RowFormat.CSV


def split_rows(lines: Iterable[str], fmt: RowFormat) -> Iterator[RawRow | RowError]:
    """The rows of a file, each with its line number, not yet read (:func:`read_row`); rows
    the file's structure breaks (bad CSV, too many cells) already as errors."""
    return split_jsonl(lines) if fmt == RowFormat.JSONL else split_csv(lines)


def parse_rows(lines: Iterable[str], fmt: RowFormat) -> Iterator[BatchItem | RowError]:
    return (row if isinstance(row, RowError) else read_row(row) for row in split_rows(lines, fmt))


def parse_text(text: str, fmt: RowFormat | None = None) -> Iterator[BatchItem | RowError]:
    # newline="": lines end at \n, \r\n or a lone \r (old Mac files), as in a file opened
    # for the csv module; the line ends are left for it to read.
    return parse_rows(io.StringIO(text, newline=""), fmt or detect_format(text[:1000]))
