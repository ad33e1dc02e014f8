"""Each transliteration family, with fictional people."""

from __future__ import annotations

import pytest

from opennotice.matching import DEFAULT_THRESHOLD, PersonQuery, PersonRecord, name_forms, score_pair
from opennotice.matching._cyrillic import transliterate_cyrillic
from opennotice.matching._han import PINYIN_TO_WADE_GILES
from opennotice.matching._hangul import transliterate_hangul


def rec(
    fam: str | None, giv: str | None, ofam: str | None = None, ogiv: str | None = None, **kw: object
) -> PersonRecord:
    return PersonRecord("K1", fam, giv, ofam, ogiv, **kw)  # type: ignore[arg-type]


def test_han_forms() -> None:
    forms = name_forms("王", "小明")
    for f in (
        "wang xiaoming",
        "xiaoming wang",
        "wang xiao ming",
        "wang hsiaoming",
        "wang hsiao ming",
    ):
        assert f in forms


def test_wade_giles_table() -> None:
    assert PINYIN_TO_WADE_GILES["xiao"] == "hsiao"
    assert PINYIN_TO_WADE_GILES["zhang"] == "chang"
    assert PINYIN_TO_WADE_GILES["qing"] == "ching"
    assert PINYIN_TO_WADE_GILES["zi"] == "tzu"
    assert PINYIN_TO_WADE_GILES["rong"] == "jung"
    assert PINYIN_TO_WADE_GILES["xue"] == "hsueh"


@pytest.mark.parametrize(
    ("family", "given"),
    [
        ("Wang", "Xiaoming"),
        ("Wang", "Hsiao-ming"),
        ("Wang", "Xiao Ming"),
        ("Wang", "Xiao-ming"),
        ("Xiaoming", "Wang"),
    ],
)
def test_han_matches(family: str, given: str) -> None:
    r = rec(None, None, "王", "小明", date_of_birth="1981-02-03")
    m = score_pair(PersonQuery(family, given, "1981-02-03"), r)
    assert m.score >= 0.95, m.explanation


def test_han_latin_only_wade_giles_bridge() -> None:
    # record without original script: Wade-Giles query still reaches pinyin record
    m = score_pair(PersonQuery("Chang", "Hsiao-ming"), rec("Zhang", "Xiaoming"))
    assert m.score >= DEFAULT_THRESHOLD


def test_cyrillic_schemes() -> None:
    assert transliterate_cyrillic("щербаков", "icao") == "shcherbakov"
    assert transliterate_cyrillic("щербаков", "gost") == "ščerbakov"
    assert transliterate_cyrillic("щербаков", "german") == "schtscherbakow"
    assert transliterate_cyrillic("юлия", "bgn") == "yuliya"
    assert transliterate_cyrillic("юлия", "icao") == "iuliia"


@pytest.mark.parametrize(
    "family",
    ["Shcherbakov", "Ščerbakov", "Schtscherbakow", "Shtcherbakov", "Chtcherbakov", "Szczerbakow"],
)
def test_cyrillic_matches(family: str) -> None:
    r = rec("SHCHERBAKOV", "IGOR", "Щербаков", "Игорь", date_of_birth="1970-05-06")
    m = score_pair(PersonQuery(family, "Igor", "1970-05-06"), r)
    assert m.score >= DEFAULT_THRESHOLD, (family, m.explanation)


def test_ukrainian() -> None:
    r = rec(None, None, "Гриценко", "Олексій", date_of_birth="1985")
    assert (
        score_pair(PersonQuery("Hrytsenko", "Oleksii", "1985-01-01"), r).score >= DEFAULT_THRESHOLD
    )
    assert (
        score_pair(PersonQuery("Gritsenko", "Aleksei", "1985-01-01"), r).score >= DEFAULT_THRESHOLD
    )


def test_arabic() -> None:
    r = rec(None, None, "محمد", "عبد الرحمن", date_of_birth="1990-01-02")
    for fam, giv in [
        ("Mohamed", "Abdel Rahman"),
        ("Muhammad", "Abdulrahman"),
        ("Mohammad", "Abd al-Rahman"),
    ]:
        m = score_pair(PersonQuery(fam, giv, "1990-01-02"), r)
        assert m.score >= 0.9, (fam, giv, m.explanation)


def test_arabic_letter_level_and_article() -> None:
    r = rec(None, None, "الحكيم", "سامي", date_of_birth="1977-07-07")
    m = score_pair(PersonQuery("El-Hakim", "Sami", "1977-07-07"), r)
    assert m.score >= DEFAULT_THRESHOLD, m.explanation


def test_persian() -> None:
    r = rec(None, None, "حسینی", "محمدرضا", date_of_birth="1988-03-21")
    assert (
        score_pair(PersonQuery("Hosseini", "Mohammadreza", "1988-03-21"), r).score
        >= DEFAULT_THRESHOLD
    )
    assert (
        score_pair(PersonQuery("Husayni", "Mohammad Reza", "1988-03-21"), r).score
        >= DEFAULT_THRESHOLD
    )


def test_greek() -> None:
    r = rec(None, None, "Παπαδόπουλος", "Γεώργιος", date_of_birth="1966-06-16")
    for fam, giv in [
        ("Papadopoulos", "Georgios"),
        ("Papadopulos", "Yeoryios"),
        ("Papadopoylos", "Georgios"),
    ]:
        assert score_pair(PersonQuery(fam, giv, "1966-06-16"), r).score >= DEFAULT_THRESHOLD, (
            fam,
            giv,
        )


def test_korean() -> None:
    assert transliterate_hangul("민준", "rr", "-") == "min-jun"
    r = rec(None, None, "이", "민준", date_of_birth="1992-09-09")
    for fam in ("Lee", "Yi", "Rhee", "I"):
        for giv in ("Minjun", "Min-jun", "Min Jun", "Min-chun"):
            assert score_pair(PersonQuery(fam, giv, "1992-09-09"), r).score >= DEFAULT_THRESHOLD, (
                fam,
                giv,
            )
    r2 = rec(None, None, "박", "서연")
    assert score_pair(PersonQuery("Park", "Seo-yeon"), r2).score >= DEFAULT_THRESHOLD
    assert score_pair(PersonQuery("Pak", "So-yon"), r2).score >= DEFAULT_THRESHOLD


def test_latin_diacritics() -> None:
    r = rec("Müller", "Jörg", date_of_birth="1960-01-01")
    for fam, giv in [("Mueller", "Joerg"), ("Muller", "Jorg"), ("MÜLLER", "JÖRG")]:
        assert score_pair(PersonQuery(fam, giv, "1960-01-01"), r).score >= 0.95
    assert (
        score_pair(PersonQuery("Soerensen", "Aase"), rec("Sørensen", "Åse")).score
        >= DEFAULT_THRESHOLD
    )
    assert score_pair(PersonQuery("Strasse", "Anna"), rec("Straße", "Anna")).score >= 0.95


def test_different_people_do_not_match() -> None:
    r = rec(None, None, "Щербаков", "Игорь", date_of_birth="1970-05-06")
    assert score_pair(PersonQuery("Petrov", "Igor", "1970-05-06"), r).score < DEFAULT_THRESHOLD
    r2 = rec(None, None, "王", "小明")
    assert score_pair(PersonQuery("Li", "Xiaoming"), r2).score < DEFAULT_THRESHOLD
