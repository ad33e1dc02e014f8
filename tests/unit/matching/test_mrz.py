from __future__ import annotations

import datetime as dt

import pytest

from opennotice.matching import MrzError, parse_mrz
from opennotice.matching.mrz import mrz_check_digit

# ICAO Doc 9303 specimen (fictional holder, fictional state "Utopia").
L1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
L2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


def test_check_digit() -> None:
    assert mrz_check_digit("L898902C3") == "6"
    assert mrz_check_digit("740812") == "2"
    assert mrz_check_digit("<<<<<<") == "0"


def test_parse_specimen() -> None:
    q = parse_mrz(L1, L2, today=dt.date(2024, 1, 1))
    assert q.family_name == "ERIKSSON"
    assert q.given_names == "ANNA MARIA"
    assert q.date_of_birth == "1974-08-12"
    assert q.sex == "F"
    assert q.document_number == "L898902C3"
    assert q.nationalities == ()  # UTO is not a real state


def test_parse_real_country_code() -> None:
    l1 = "P<DEUMUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<"
    body = (
        "C01X00T47"
        + mrz_check_digit("C01X00T47")
        + "D<<"
        + "640812"
        + mrz_check_digit("640812")
        + "F"
        + "270101"
        + mrz_check_digit("270101")
    )
    opt = "<" * 14
    body += opt + "<"
    comp = body[0:10] + body[13:20] + body[21:43]
    l2 = body + mrz_check_digit(comp)
    q = parse_mrz(l1, l2, today=dt.date(2024, 1, 1))
    assert q.nationalities == ("DE",)
    assert q.family_name == "MUSTERMANN" and q.given_names == "ERIKA"


@pytest.mark.parametrize(
    ("l1", "l2", "message"),
    [
        (L1, L2.replace("L898902C36", "L898902C37"), "document number"),
        (L1, L2.replace("7408122", "7408123"), "date of birth"),
        (L1, L2[:-1] + "9", "composite"),
        (L1[:-1], L2, "44 characters"),
        ("I" + L1[1:], L2, "passport"),
        (L1, L2.replace("F1204159", "Q1204159"), "sex"),
    ],
)
def test_errors(l1: str, l2: str, message: str) -> None:
    with pytest.raises(MrzError, match=message):
        parse_mrz(l1, l2)
    assert issubclass(MrzError, ValueError)
