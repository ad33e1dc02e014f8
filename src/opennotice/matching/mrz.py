"""ICAO Doc 9303 TD3 (passport) machine-readable zone parsing."""

from __future__ import annotations

import datetime as _dt

from .model import MrzError, PersonQuery

__all__ = ["mrz_check_digit", "parse_mrz"]

_WEIGHTS = (7, 3, 1)


def _char_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    if ch == "<":
        return 0
    raise MrzError(f"invalid MRZ character {ch!r}")


def mrz_check_digit(field: str) -> str:
    """ICAO 9303 check digit (weights 7-3-1, modulo 10)."""
    total = sum(_char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field))
    return str(total % 10)


def _verify(name: str, field: str, digit: str) -> None:
    if digit == "<" and set(field) <= {"<"}:
        return
    if not digit.isdigit() or mrz_check_digit(field) != digit:
        expected = mrz_check_digit(field)
        raise MrzError(
            f"MRZ check digit mismatch for {name}: {field!r} has check digit {digit!r}, "
            f"expected {expected!r}"
        )


def _dob(yymmdd: str, today: _dt.date) -> str | None:
    yy, mm, dd = yymmdd[0:2], yymmdd[2:4], yymmdd[4:6]
    if not yy.isdigit():
        return None
    year = 2000 + int(yy)
    if year > today.year:
        year -= 100
    if not mm.isdigit() or int(mm) == 0:
        return f"{year:04d}"
    if not 1 <= int(mm) <= 12:
        raise MrzError(f"invalid month in MRZ date of birth {yymmdd!r}")
    if not dd.isdigit() or int(dd) == 0:
        return f"{year:04d}-{int(mm):02d}"
    try:
        _dt.date(year, int(mm), int(dd))
    except ValueError as exc:
        raise MrzError(f"invalid MRZ date of birth {yymmdd!r}") from exc
    return f"{year:04d}-{int(mm):02d}-{int(dd):02d}"


def parse_mrz(line1: str, line2: str, *, today: _dt.date | None = None) -> PersonQuery:
    """Parse a TD3 MRZ (2 x 44 characters) into a :class:`PersonQuery`.

    All check digits (document number, date of birth, expiry, optional data,
    composite) are verified; :class:`MrzError` explains what is wrong.
    """
    l1 = line1.strip().upper()
    l2 = line2.strip().upper()
    if len(l1) != 44 or len(l2) != 44:
        raise MrzError(f"TD3 MRZ lines must be 44 characters, got {len(l1)} and {len(l2)}")
    for ch in l1 + l2:
        if not (ch.isdigit() or "A" <= ch <= "Z" or ch == "<"):
            raise MrzError(f"invalid MRZ character {ch!r}")
    if l1[0] != "P":
        raise MrzError(f"not a passport MRZ: document code {l1[0:2]!r} must start with 'P'")
    names = l1[5:44]
    if "<<" in names:
        fam_raw, giv_raw = names.split("<<", 1)
    else:
        fam_raw, giv_raw = names, ""
    family = " ".join(fam_raw.replace("<", " ").split())
    given = " ".join(giv_raw.replace("<", " ").split())
    if not family and not given:
        raise MrzError("MRZ has no name")

    doc, doc_cd = l2[0:9], l2[9]
    nationality = l2[10:13].replace("<", "")
    dob, dob_cd = l2[13:19], l2[19]
    sex = l2[20]
    exp, exp_cd = l2[21:27], l2[27]
    opt, opt_cd = l2[28:42], l2[42]
    composite_cd = l2[43]
    _verify("document number", doc, doc_cd)
    _verify("date of birth", dob, dob_cd)
    _verify("date of expiry", exp, exp_cd)
    _verify("optional data", opt, opt_cd)
    _verify("composite", doc + doc_cd + dob + dob_cd + exp + exp_cd + opt + opt_cd, composite_cd)
    if sex not in ("M", "F", "<", "X"):
        raise MrzError(f"invalid sex {sex!r} in MRZ")
    from ._countries import alpha3_to_alpha2

    nat2 = alpha3_to_alpha2(nationality)
    return PersonQuery(
        family_name=family or None,
        given_names=given or None,
        date_of_birth=_dob(dob, today or _dt.date.today()),
        sex=sex if sex in ("M", "F") else "U",
        nationalities=(nat2,) if nat2 else (),
        document_number=doc.replace("<", "") or None,
    )
