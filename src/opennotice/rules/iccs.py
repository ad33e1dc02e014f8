"""ICCS: which top-level sections a charge's words point to, and whether its code fits."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Catalogue
from .text import find_terms


@dataclass(frozen=True, slots=True)
class IccsFit:
    code: str | None
    known: bool  # the section exists in the classification
    indicated: dict[str, list[str]]  # section -> the words that point to it

    @property
    def fits(self) -> bool:
        if self.code is None or not self.known:
            return False
        # Words pointing nowhere cannot contradict the NCB's choice.
        return not self.indicated or self.code[:2] in self.indicated


def indicated_sections(catalogue: Catalogue, text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, section in catalogue.iccs.items():
        words = find_terms(text, section.terms)
        if words:
            out[code] = words
    return out


def fit(catalogue: Catalogue, code: str | None, text: str) -> IccsFit:
    known = code is not None and code[:2] in catalogue.iccs
    return IccsFit(code, known, indicated_sections(catalogue, text))
