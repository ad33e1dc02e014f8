"""Fictional requests for tests (never a real person as a subject)."""

from __future__ import annotations

from typing import Any


def red_notice(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "red",
        "purpose": "prosecution",
        "subject": {
            "family_name": "Marchetti",
            "given_names": "Lorenzo Aldo",
            "date_of_birth": "1979-04-12",
            "sex": "M",
            "nationalities": ["IT"],
            "place_of_birth": "Bari",
            "country_of_birth": "IT",
            "eye_colours": ["BRO"],
            "hair_colours": ["BLA"],
            "languages": ["ITA", "FRE"],
        },
        "charges": [
            {
                "legal_provision": "Code pénal art. 221-1",
                "description": "Murder of a shopkeeper during an armed robbery",
                "iccs_code": "0101",
                "facts": "On 3 March 2023 in Lyon the subject shot the owner of a jewellery shop.",
                "place": "Lyon",
                "country": "FR",
                "date_of_facts": "2023-03-03",
                "max_penalty_years": 30,
            }
        ],
        "warrant": {
            "authority": "Tribunal judiciaire de Lyon",
            "date": "2023-04-01",
            "reference": "MA-2023-0042",
        },
        "visibility": {"public_extract": False, "restricted_from": []},
    }
    for key, value in overrides.items():
        body[key] = value
    return body
