"""Code lists of the public notices format: clients validate against them, so emit no other."""

from __future__ import annotations

from functools import cache

import pycountry

EYE_COLOURS = {
    "BLA": "black", "BLU": "blue", "BLUL": "light blue", "BRO": "brown", "BROD": "dark brown",
    "BROH": "hazel", "BROL": "light brown", "GRE": "green", "GRY": "grey",
    "OTHC": "eyes of different colours", "OTHD": "dark", "OTHL": "light",
}  # fmt: skip
HAIR_COLOURS = {
    "BLA": "black", "BRO": "brown", "BROF": "fair", "GRY": "grey", "GRYG": "greying",
    "HAIB": "bald", "HAID": "dyed", "OTHD": "dark", "RED": "red", "REDA": "auburn",
    "WHI": "white", "YELB": "blond",
}  # fmt: skip


@cache
def language_codes() -> dict[str, str]:
    """Upper-case ISO 639-2 bibliographic codes (ALB not SQI, CHI not ZHO) to names."""
    codes: dict[str, str] = {}
    for lang in pycountry.languages:
        alpha3 = getattr(lang, "alpha_3", None)
        if not alpha3 or not hasattr(lang, "alpha_2"):
            continue
        code = getattr(lang, "bibliographic", None) or alpha3
        codes[code.upper()] = lang.name
    return codes
