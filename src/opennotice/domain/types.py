"""Enumerations shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    NCB = "ncb"
    SECRETARIAT = "secretariat"
    CCF = "ccf"
    SCREENING = "screening"
    AUDITOR = "auditor"
    ADMIN = "admin"


# Roles that act for one member country and must have one.
MEMBER_ROLES = frozenset({Role.NCB, Role.SCREENING})


class Kind(StrEnum):
    NOTICE = "notice"
    DIFFUSION = "diffusion"


class NoticeType(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"
    BLACK = "black"
    GREEN = "green"
    ORANGE = "orange"
    PURPLE = "purple"
    UN = "un"  # UN Security Council Special Notice
    SILVER = "silver"


# Types whose subject is a person to be arrested: the strictest checks apply.
WANTED_TYPES = frozenset({NoticeType.RED})
# A UN Special Notice is always public; a Silver Notice never is.
ALWAYS_PUBLIC_TYPES = frozenset({NoticeType.UN})
NEVER_PUBLIC_TYPES = frozenset({NoticeType.SILVER})


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    INFO_REQUESTED = "info_requested"
    ISSUED = "issued"
    REFUSED = "refused"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DELETED = "deleted"
    # Diffusions only.
    CIRCULATING = "circulating"
    CONFIRMED = "confirmed"
    RECALLED = "recalled"


class Purpose(StrEnum):
    PROSECUTION = "prosecution"
    SENTENCE = "sentence"


class RefusalGround(StrEnum):
    ART2 = "art2"
    ART3 = "art3"
    REFUGEE_POLICY = "refugee_policy"
    DATA_RULES = "data_rules"
    OTHER = "other"


class Sex(StrEnum):
    M = "M"
    F = "F"
    U = "U"
