"""Date-of-birth parsing and comparison (full or partial dates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

__all__ = [
    "DOB_ADJUSTMENT",
    "NO_DOB_BUCKET",
    "PartialDate",
    "compare_dob",
    "compare_parsed",
    "compatible_buckets",
    "dob_bucket",
    "parse_dob",
]

_DOB_RE: Final = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int
    month: int | None
    day: int | None

    @property
    def is_full(self) -> bool:
        return self.month is not None and self.day is not None


@lru_cache(maxsize=65536)
def parse_dob(value: str | None) -> PartialDate | None:
    """'YYYY-MM-DD' | 'YYYY-MM' | 'YYYY' -> PartialDate; anything else -> None.
    A month or day of 0 (or out of range) is treated as unknown."""
    if not value:
        return None
    m = _DOB_RE.match(value)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        month, day = None, None
    if day is not None and not 1 <= day <= 31:
        day = None
    return PartialDate(year, month, day)


#: Score adjustment added to the name score for each kind of DOB agreement.
DOB_ADJUSTMENT: Final[dict[str, float]] = {
    "exact": 0.05,
    "year-month": 0.02,
    "year-only": 0.0,
    "day-month-swap": 0.0,
    "missing": -0.02,
    "year-off-by-one": -0.10,
    "day-differs": -0.15,
    "conflict": -0.30,
}


@lru_cache(maxsize=65536)
def compare_dob(a: str | None, b: str | None) -> str:
    """Kind of agreement between two dates of birth (see :data:`DOB_ADJUSTMENT`)."""
    return compare_parsed(parse_dob(a), parse_dob(b))


def compare_parsed(da: PartialDate | None, db: PartialDate | None) -> str:
    """:func:`compare_dob` of dates already parsed (the scorer parses each record's once)."""
    if da is None or db is None:
        return "missing"
    if da.is_full and db.is_full:
        if da == db:
            return "exact"
        if da.year == db.year and da.month == db.day and da.day == db.month:
            return "day-month-swap"
        if da.year == db.year and da.month == db.month:
            return "day-differs"
        if abs(da.year - db.year) == 1 and da.month == db.month and da.day == db.day:
            return "year-off-by-one"
        return "conflict"
    if da.year != db.year:
        if abs(da.year - db.year) == 1 and (
            da.month is None or db.month is None or da.month == db.month
        ):
            return "year-off-by-one"
        return "conflict"
    if da.month is None or db.month is None:
        return "year-only"
    if da.month == db.month:
        return "year-month"
    # partial with a month on both sides: a swap is possible if one side is full
    full = da if da.is_full else db if db.is_full else None
    other = db if full is da else da
    if full is not None and full.day == other.month:
        return "day-month-swap"
    return "conflict"


# ------------------------------------------------------------------ blocking
#: Bucket of a record whose date of birth is missing or unparseable.
NO_DOB_BUCKET: Final = -1


def dob_bucket(value: str | None) -> int:
    """Index bucket of a record's date of birth: ``year * 16 + month`` (month 0
    when unknown), :data:`NO_DOB_BUCKET` when there is no usable date."""
    d = parse_dob(value)
    if d is None:
        return NO_DOB_BUCKET
    return d.year * 16 + (d.month or 0)


@lru_cache(maxsize=65536)
def compatible_buckets(value: str | None) -> frozenset[int] | None:
    """Buckets of every record date that does NOT compare as ``"conflict"`` with
    the query date ``value`` (see :func:`compare_dob`); ``None`` means every
    bucket (no usable query date).

    Exhaustively checked against :func:`compare_dob` in the tests.  Full query
    date Y-M-D: same year with month M (exact, day differs, year-month), month D
    (day/month swap) or no month (year-only); year +-1 with month M or none
    (year off by one); no date.  Partial query dates: every month of the year
    (a full record date may be a swap), year +-1 with the same or no month.
    """
    d = parse_dob(value)
    if d is None:
        return None
    y = d.year
    out = {NO_DOB_BUCKET}
    for yy in (y - 1, y + 1):
        out.add(yy * 16)
        if d.month is not None:
            out.add(yy * 16 + d.month)
        else:
            out.update(yy * 16 + m for m in range(1, 13))
    if d.is_full:
        assert d.month is not None and d.day is not None
        out.update((y * 16, y * 16 + d.month))
        if d.day <= 12:
            out.add(y * 16 + d.day)
    else:
        out.update(y * 16 + m for m in range(13))
    return frozenset(out)
