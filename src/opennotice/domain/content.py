"""What a request says: the subject, charges, warrant and visibility.

These value objects validate themselves (with Pydantic, a pure library) so that the API, the web
forms, the importer and the demo share one definition of a valid request.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from opennotice.domain.codes import EYE_COLOURS, HAIR_COLOURS, language_codes
from opennotice.domain.countries import normalise_country
from opennotice.domain.types import NoticeType, Purpose, Sex

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]


def check_partial_date(value: str) -> str:
    """Accept 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' naming a real date in the past."""
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError("a date of birth is written YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None
    if year < 1900 or dt.date(year, month or 1, day or 1) > dt.date.today():
        raise ValueError(f"'{value}' is not a plausible date of birth")
    return value


def _countries(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        code = normalise_country(v)
        if code not in out:
            out.append(code)
    return out


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdentityDocument(Strict):
    kind: Annotated[str, Field(max_length=40)] = "passport"
    number: Annotated[str, Field(min_length=1, max_length=40)]
    issuing_country: str

    @field_validator("issuing_country")
    @classmethod
    def _country(cls, v: str) -> str:
        return normalise_country(v)


class Subject(Strict):
    family_name: ShortText | None = None
    given_names: ShortText | None = None
    original_family_name: ShortText | None = None
    original_given_names: ShortText | None = None
    original_script: Annotated[str, Field(max_length=30)] | None = None
    aliases: Annotated[list[ShortText], Field(max_length=30)] = []
    date_of_birth: str | None = None
    sex: Sex | None = None
    nationalities: Annotated[list[str], Field(max_length=5)] = []
    place_of_birth: ShortText | None = None
    country_of_birth: str | None = None
    height_m: Annotated[float, Field(gt=0.3, lt=2.8)] | None = None
    weight_kg: Annotated[float, Field(gt=1, lt=400)] | None = None
    eye_colours: Annotated[list[str], Field(max_length=3)] = []
    hair_colours: Annotated[list[str], Field(max_length=3)] = []
    languages: Annotated[list[str], Field(max_length=10)] = []
    distinguishing_marks: Annotated[str, Field(max_length=1000)] | None = None
    identity_documents: Annotated[list[IdentityDocument], Field(max_length=10)] = []
    # Stated in the request (e.g. "journalist", "opposition politician"); the compliance
    # checks read it for Art. 3 indicators.
    occupation: ShortText | None = None
    profile_notes: Annotated[str, Field(max_length=2000)] | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: str | None) -> str | None:
        return None if v is None else check_partial_date(v)

    @field_validator("nationalities")
    @classmethod
    def _nats(cls, v: list[str]) -> list[str]:
        return _countries(v)

    @field_validator("country_of_birth")
    @classmethod
    def _cob(cls, v: str | None) -> str | None:
        return None if v is None else normalise_country(v)

    @field_validator("eye_colours")
    @classmethod
    def _eyes(cls, v: list[str]) -> list[str]:
        return _codes(v, EYE_COLOURS, "eye colour")

    @field_validator("hair_colours")
    @classmethod
    def _hair(cls, v: list[str]) -> list[str]:
        return _codes(v, HAIR_COLOURS, "hair colour")

    @field_validator("languages")
    @classmethod
    def _langs(cls, v: list[str]) -> list[str]:
        return _codes(v, language_codes(), "ISO 639-2 language")

    @model_validator(mode="after")
    def _named(self) -> Subject:
        if not (self.family_name or self.given_names or self.original_family_name):
            raise ValueError("the subject needs at least a family name or given names")
        return self

    def display_name(self) -> str:
        parts = [self.family_name or self.original_family_name or "", self.given_names or ""]
        return ", ".join(p for p in parts if p)


def _codes(values: list[str], allowed: object, what: str) -> list[str]:
    out = []
    for v in values:
        code = v.strip().upper()
        if code not in allowed:  # type: ignore[operator]
            raise ValueError(f"'{v}' is not a known {what} code")
        out.append(code)
    return out


class Charge(Strict):
    legal_provision: ShortText
    description: LongText
    iccs_code: Annotated[str, Field(pattern=r"^\d{2}(\d{2}(\d{1,2})?)?$")] | None = None
    facts: Annotated[str, Field(max_length=8000)] | None = None
    place: ShortText | None = None
    country: str | None = None
    date_of_facts: dt.date | None = None
    max_penalty_years: Annotated[float, Field(ge=0, le=200)] | None = None
    life_sentence_possible: bool = False
    sentence_imposed_years: Annotated[float, Field(ge=0, le=200)] | None = None
    sentence_remaining_years: Annotated[float, Field(ge=0, le=200)] | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return None if v is None else normalise_country(v)


class Warrant(Strict):
    authority: ShortText
    date: dt.date
    reference: ShortText
    kind: Annotated[str, Field(max_length=60)] = "arrest warrant"

    @field_validator("date")
    @classmethod
    def _past(cls, v: dt.date) -> dt.date:
        if v > dt.date.today():
            raise ValueError("the warrant date cannot be in the future")
        return v


class Visibility(Strict):
    public_extract: bool = False
    restricted_from: Annotated[list[str], Field(max_length=250)] = []

    @field_validator("restricted_from")
    @classmethod
    def _members(cls, v: list[str]) -> list[str]:
        return _countries(v)


class RequestContent(Strict):
    """The body of a notice request or diffusion, as an NCB writes it."""

    type: NoticeType
    purpose: Purpose | None = None
    subject: Subject
    charges: Annotated[list[Charge], Field(max_length=50)] = []
    warrant: Warrant | None = None
    summary: Annotated[str, Field(max_length=8000)] | None = None
    visibility: Visibility = Visibility()
    # Who the requester asks recipients to contact.
    contact: Annotated[str, Field(max_length=300)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RequestContent:
        if self.type == NoticeType.RED and self.purpose is None:
            self.purpose = Purpose.PROSECUTION
        return self
