"""General Assembly elections of the Executive Committee: rules, eligibility and counting.

Pure: the rules come from `assembly_rules.toml` and the continents from
`assembly_continents.toml`, both checked when loaded; counting is a function of the ballots.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .countries import country_name, is_country

HERE = Path(__file__).parent
RULES_FILE = HERE / "assembly_rules.toml"
CONTINENTS_FILE = HERE / "assembly_continents.toml"


class Majority(StrEnum):
    TWO_THIRDS = "two_thirds"  # at least two thirds of the votes cast
    ABSOLUTE = "absolute"  # more than half of the votes cast
    RELATIVE = "relative"  # the most votes
    RUNOFF = "runoff"  # the most votes, among the leaders of the previous round


MAJORITY_TEXT = {
    Majority.TWO_THIRDS: "two thirds of the votes cast",
    Majority.ABSOLUTE: "more than half of the votes cast",
    Majority.RELATIVE: "the most votes",
    Majority.RUNOFF: "the most votes, in a run-off between the leading candidates",
}


class PaperKind(StrEnum):
    CANDIDATE = "candidate"
    ABSTAIN = "abstain"  # a blank ballot
    SPOILT = "spoilt"  # a void ballot


class RulesError(ValueError):
    """The rules file is not valid: the message names what to fix."""


# ---------------------------------------------------------------------------------------------
# The rules, as data


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Model):
    until_round: int | None = Field(default=None, ge=1)
    majority: Majority


class Scheme(_Model):
    stages: list[Stage] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Scheme:
        *bounded, last = self.stages
        if last.until_round is not None:
            raise ValueError("the last stage applies to every later round: remove its until_round")
        previous = 0
        for stage in bounded:
            if stage.until_round is None:
                raise ValueError("only the last stage may leave out until_round")
            if stage.until_round <= previous:
                raise ValueError("until_round must increase from one stage to the next")
            previous = stage.until_round
        return self

    def majority_for(self, round_no: int) -> Majority:
        for stage in self.stages:
            if stage.until_round is None or round_no <= stage.until_round:
                return stage.majority
        return self.stages[-1].majority  # pragma: no cover  (the last stage is unbounded)


class PostKind(_Model):
    title: str = Field(min_length=1, max_length=80)
    scheme: str
    term_years: int = Field(ge=1, le=10)
    presidency: bool = False
    per_continent: bool = False


class Counting(_Model):
    abstentions_in_votes_cast: bool = False
    spoilt_in_votes_cast: bool = False


class Quorum(_Model):
    fraction: str = "1/2"
    enforce: bool = True

    @field_validator("fraction")
    @classmethod
    def _fraction(cls, value: str) -> str:
        try:
            f = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"'{value}' is not a fraction such as 1/2") from None
        if not 0 <= f <= 1:
            raise ValueError("the quorum is a fraction between 0 and 1")
        return value

    def needed(self, members: int) -> int:
        return math.ceil(Fraction(self.fraction) * members)


class Eligibility(_Model):
    one_seat_per_country: bool = True
    nominee_of_nominating_member: bool = True


class Limits(_Model):
    max_rounds: int = Field(default=12, ge=1, le=100)


class Rules(_Model):
    counting: Counting = Counting()
    quorum: Quorum = Quorum()
    eligibility: Eligibility = Eligibility()
    schemes: dict[str, Scheme]
    posts: dict[str, PostKind] = Field(min_length=1)
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _schemes_exist(self) -> Rules:
        for key, post in self.posts.items():
            if post.scheme not in self.schemes:
                known = ", ".join(sorted(self.schemes))
                raise ValueError(
                    f"post '{key}' uses the unknown scheme '{post.scheme}'; the schemes are {known}"
                )
        return self

    def post(self, kind: str) -> PostKind:
        try:
            return self.posts[kind]
        except KeyError:
            known = ", ".join(self.posts)
            raise RulesError(f"unknown post '{kind}'; the posts are {known}") from None

    def majority(self, kind: str, round_no: int) -> Majority:
        return self.schemes[self.post(kind).scheme].majority_for(round_no)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "file"
        parts.append(f"{where}: {str(err['msg']).removeprefix('Value error, ')}")
    return "; ".join(parts)


def parse_rules(data: Mapping[str, Any]) -> Rules:
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        raise RulesError(f"the assembly rules are not valid: {_describe(exc)}") from None


def load_rules(path: Path | None = None) -> Rules:
    target = path or RULES_FILE
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{target.name} is not valid TOML: {exc}") from None
    return parse_rules(data)


@cache
def default_rules() -> Rules:
    return load_rules()


# ---------------------------------------------------------------------------------------------
# Continents


@dataclass(frozen=True)
class Continents:
    names: Mapping[str, str]  # key -> display name
    of: Mapping[str, str]  # country code -> continent key

    def continent(self, country: str) -> str | None:
        return self.of.get(country)

    def name(self, key: str | None) -> str:
        return self.names.get(key, key) if key else "no continent on record"


def parse_continents(data: Mapping[str, Any]) -> Continents:
    names = data.get("continents")
    countries = data.get("countries")
    if not isinstance(names, dict) or not names:
        raise RulesError("the continents file needs a [continents] table of key = name")
    if not isinstance(countries, dict):
        raise RulesError("the continents file needs a [countries] table of continent = [codes]")
    of: dict[str, str] = {}
    for key, codes in countries.items():
        if key not in names:
            raise RulesError(f"[countries] names the unknown continent '{key}'")
        if not isinstance(codes, list):
            raise RulesError(f"[countries].{key} must be a list of country codes")
        for code in codes:
            if not isinstance(code, str) or not is_country(code):
                raise RulesError(f"[countries].{key}: '{code}' is not a country code")
            if code in of:
                raise RulesError(f"{code} is listed under both {of[code]} and {key}")
            of[code] = key
    return Continents(names={str(k): str(v) for k, v in names.items()}, of=of)


@cache
def default_continents() -> Continents:
    try:
        data = tomllib.loads(CONTINENTS_FILE.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{CONTINENTS_FILE.name} is not valid TOML: {exc}") from None
    return parse_continents(data)


# ---------------------------------------------------------------------------------------------
# Eligibility


@dataclass(frozen=True, slots=True)
class Seat:
    """A seat on the Committee, held by a continuing member or won earlier in the session."""

    post_kind: str
    country: str


@dataclass(frozen=True, slots=True)
class Nominee:
    post_kind: str
    nationality: str
    nominated_by: str
    seat_continent: str | None = None  # for posts reserved per continent


def ineligibility(
    rules: Rules, continents: Continents, nominee: Nominee, committee: Iterable[Seat]
) -> str | None:
    """Why the nominee cannot hold the post next to the given Committee, or None if they can."""
    post = rules.post(nominee.post_kind)
    nat = nominee.nationality
    continent = continents.continent(nat)
    if rules.eligibility.nominee_of_nominating_member and nominee.nominated_by != nat:
        return (
            f"a member nominates only its own nationals: {country_name(nominee.nominated_by)} "
            f"nominated a national of {country_name(nat)}"
        )
    if (post.presidency or post.per_continent) and continent is None:
        return f"{country_name(nat)} has no continent on record in the assembly rules"
    if post.per_continent and continent != nominee.seat_continent:
        return (
            f"this {post.title} seat is reserved for {continents.name(nominee.seat_continent)}; "
            f"{country_name(nat)} is in {continents.name(continent)}"
        )
    for seat in committee:
        holder = rules.posts.get(seat.post_kind)
        title = holder.title if holder else seat.post_kind
        if rules.eligibility.one_seat_per_country and seat.country == nat:
            return (
                f"no two members of the Committee from the same country: "
                f"{country_name(nat)} already holds a seat ({title})"
            )
        if (
            post.presidency
            and holder is not None
            and holder.presidency
            and continents.continent(seat.country) == continent
        ):
            return (
                "the President and the Vice-Presidents come from different continents: "
                f"{continents.name(continent)} already holds the post of {title}"
            )
    return None


# ---------------------------------------------------------------------------------------------
# Counting


@dataclass(frozen=True, slots=True)
class Paper:
    kind: PaperKind
    candidate: str | None = None


@dataclass(frozen=True)
class Tally:
    majority: Majority
    candidates: tuple[str, ...]
    votes: dict[str, int]
    abstentions: int
    spoilt: int
    papers: int
    votes_cast: int
    needed: int | None  # the votes needed to be elected, for two_thirds and absolute
    elected: str | None
    leaders: tuple[str, ...] = field(default=())  # who would stand in a run-off

    @property
    def outcome(self) -> str:
        return "elected" if self.elected else "no result"

    def as_dict(self) -> dict[str, Any]:
        return {
            "majority": str(self.majority),
            "majority_text": MAJORITY_TEXT[self.majority],
            "candidates": list(self.candidates),
            "votes": dict(self.votes),
            "abstentions": self.abstentions,
            "spoilt": self.spoilt,
            "papers": self.papers,
            "votes_cast": self.votes_cast,
            "needed": self.needed,
            "elected": self.elected,
            "leaders": list(self.leaders),
            "outcome": self.outcome,
        }


def needed_for(majority: Majority, votes_cast: int) -> int | None:
    if majority is Majority.TWO_THIRDS:
        return max(1, math.ceil(Fraction(2, 3) * votes_cast))
    if majority is Majority.ABSOLUTE:
        return votes_cast // 2 + 1
    return None


def leaders_of(votes: Mapping[str, int]) -> tuple[str, ...]:
    """The two leading candidates, with everyone tied with the second (or the first)."""
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ranked) <= 2:
        return tuple(c for c, _ in ranked)
    floor = ranked[1][1]
    return tuple(c for c, n in ranked if n >= floor)


def count(
    rules: Rules, majority: Majority, candidates: Sequence[str], papers: Iterable[Paper]
) -> Tally:
    """Count one round. A ballot naming someone not standing in this round is spoilt."""
    standing = tuple(dict.fromkeys(candidates))
    votes: Counter[str] = Counter({c: 0 for c in standing})
    abstentions = spoilt = total = 0
    for paper in papers:
        total += 1
        choice = paper.candidate
        if paper.kind is PaperKind.CANDIDATE and choice is not None and choice in votes:
            votes[choice] += 1
        elif paper.kind is PaperKind.ABSTAIN:
            abstentions += 1
        else:
            spoilt += 1
    cast = sum(votes.values())
    if rules.counting.abstentions_in_votes_cast:
        cast += abstentions
    if rules.counting.spoilt_in_votes_cast:
        cast += spoilt
    needed = needed_for(majority, cast)
    elected: str | None = None
    if standing and sum(votes.values()) > 0:
        top = max(votes.values())
        first = [c for c in standing if votes[c] == top]
        if majority in (Majority.TWO_THIRDS, Majority.ABSOLUTE):
            if needed is not None and top >= needed and len(first) == 1:
                elected = first[0]
        elif len(first) == 1:
            elected = first[0]
    as_dict = {c: votes[c] for c in standing}
    return Tally(
        majority=majority,
        candidates=standing,
        votes=as_dict,
        abstentions=abstentions,
        spoilt=spoilt,
        papers=total,
        votes_cast=cast,
        needed=needed,
        elected=elected,
        leaders=() if elected else leaders_of(as_dict),
    )


def standing_in_round(
    majority: Majority, eligible: Sequence[str], previous: Tally | None
) -> tuple[str, ...]:
    """Who stands in a round: every eligible candidate, or in a run-off (and after a tied
    run-off) only the leaders of the previous round who are still eligible."""
    if previous is not None and majority is Majority.RUNOFF and previous.elected is None:
        kept = tuple(c for c in previous.leaders if c in eligible)
        if kept:
            return kept
    return tuple(eligible)
