"""ISO 3166-1 alpha-2 codes: every country (and territory) can be a member."""

from __future__ import annotations

from functools import cache

import pycountry

# Kosovo under UN mandate, as INTERPOL's public service writes it.
EXTRA_CODES = {"UNK": "Kosovo (under UN mandate)"}
# How INTERPOL names some territories.
NAME_OVERRIDES = {
    "HK": "Hong Kong, China",
    "MO": "Macao, China",
    "TW": "Taiwan, China",
}


@cache
def country_names() -> dict[str, str]:
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(NAME_OVERRIDES)
    names.update(EXTRA_CODES)
    return names


def is_country(code: str) -> bool:
    return code in country_names()


def country_name(code: str) -> str:
    return country_names().get(code, code)


def normalise_country(code: str) -> str:
    """Upper-case and check a code; raises ValueError naming the bad code."""
    value = code.strip().upper()
    if not is_country(value):
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return value
