"""Import notices written in INTERPOL's public detail format (JSON lines) as issued notices.

So that users can screen against data they already hold. Besides the public format's keys
(`entity_id`, `name`, `forename`, `date_of_birth` as YYYY/MM/DD or YYYY, `sex_id`,
`nationalities`, `arrest_warrants`...), each record may carry our own optional keys:
`original_name`, `original_forename`, `original_script` (the names in their original script),
`aliases` (strings, or objects with `name` and `forename`) and `notice_type`.

Invalid records are reported with their line number and skipped; the valid ones are kept,
written in chunks (one transaction and one audit event per chunk). A record whose `entity_id`
was imported before is skipped, so a file can be imported again after it was corrected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from opennotice.domain.actors import Actor
from opennotice.domain.content import RequestContent
from opennotice.domain.lifecycle import add_years
from opennotice.domain.types import Kind, NoticeType, Status
from opennotice.errors import ValidationFailed
from opennotice.store.tables import IndexChange, Notice, utcnow
from opennotice.store.tables_screening import ImportedNotice

from .context import AppContext
from .guard import require
from .members import ensure_member
from .requests import _allocate_id, ensure_code, record_history

CHUNK = 500
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_TYPES_BY_PATH = {
    "/red/": NoticeType.RED, "/yellow/": NoticeType.YELLOW, "/un/": NoticeType.UN,
    "/blue/": NoticeType.BLUE, "/black/": NoticeType.BLACK, "/green/": NoticeType.GREEN,
    "/orange/": NoticeType.ORANGE, "/purple/": NoticeType.PURPLE,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    message: str


@dataclass(slots=True)
class ImportResult:
    imported: list[tuple[int, str]] = field(default_factory=list)  # (line, notice id)
    skipped: list[ImportProblem] = field(default_factory=list)  # already imported
    errors: list[ImportProblem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Valid:
    line: int
    source_id: str
    requester: str
    content: RequestContent


def _date(value: object) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("date_of_birth: YYYY/MM/DD or YYYY")
    text = value.strip().replace("/", "-")
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError("date_of_birth: YYYY/MM/DD or YYYY")
    return text


def _list(value: object, what: str) -> list[Any]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValueError(f"{what}: a list")
    return value


def _number(value: object, what: str) -> float | None:
    if value in (None, "", 0, 0.0):
        return None  # 0 means unknown in the public format
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what}: a number")
    return float(value)


def _aliases(record: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for item in _list(record.get("aliases"), "aliases"):
        if isinstance(item, str):
            text = item
        elif isinstance(item, dict):
            text = " ".join(
                str(item.get(k) or "") for k in ("forename", "name") if item.get(k)
            ).strip()
        else:
            raise ValueError("aliases: strings, or objects with name and forename")
        if text and text not in out:
            out.append(text)
    birth_name = record.get("birth_name")
    if isinstance(birth_name, str) and birth_name.strip():
        out.append(" ".join(p for p in (record.get("forename"), birth_name) if p))
    return out[:30]


def _type(record: dict[str, Any]) -> NoticeType:
    explicit = record.get("notice_type")
    if explicit is not None:
        try:
            return NoticeType(str(explicit).lower())
        except ValueError:
            raise ValueError(
                "notice_type: red, yellow, blue, black, green, orange, purple, un"
            ) from None
    href = str(((record.get("_links") or {}).get("self") or {}).get("href") or "")
    for fragment, kind in _TYPES_BY_PATH.items():
        if fragment in href:
            return kind
    if "un_reference" in record:
        return NoticeType.UN
    if "date_of_event" in record or "mother_name" in record:
        return NoticeType.YELLOW
    return NoticeType.RED


def _content(record: dict[str, Any], public: bool) -> RequestContent:
    notice_type = _type(record)
    warrants = _list(record.get("arrest_warrants"), "arrest_warrants")
    charges = []
    for w in warrants:
        if not isinstance(w, dict):
            raise ValueError("arrest_warrants: a list of objects")
        text = w.get("charge_translation") or w.get("charge")
        if not text:
            continue
        charges.append(
            {
                "legal_provision": "not stated in the imported record",
                "description": str(text)[:4000],
                "facts": str(w["charge"])[:8000] if w.get("charge_translation") else None,
                "country": w.get("issuing_country_id"),
            }
        )
    source = record.get("entity_id")
    summary = record.get("summary") if isinstance(record.get("summary"), str) else None
    data: dict[str, Any] = {
        "type": notice_type.value,
        "subject": {
            "family_name": record.get("name") or None,
            "given_names": record.get("forename") or None,
            "original_family_name": record.get("original_name") or None,
            "original_given_names": record.get("original_forename") or None,
            "original_script": record.get("original_script") or None,
            "aliases": _aliases(record),
            "date_of_birth": _date(record.get("date_of_birth")),
            "sex": record.get("sex_id") or None,
            "nationalities": _list(record.get("nationalities"), "nationalities"),
            "place_of_birth": record.get("place_of_birth") or None,
            "country_of_birth": record.get("country_of_birth_id") or None,
            "height_m": _number(record.get("height"), "height"),
            "weight_kg": _number(record.get("weight"), "weight"),
            "eye_colours": _list(record.get("eyes_colors_id"), "eyes_colors_id"),
            "hair_colours": _list(record.get("hairs_id"), "hairs_id"),
            "languages": _list(record.get("languages_spoken_ids"), "languages_spoken_ids"),
            "distinguishing_marks": record.get("distinguishing_marks") or None,
        },
        "charges": charges,
        "summary": (summary or f"Imported record {source}")[:8000],
        "visibility": {"public_extract": public and notice_type != NoticeType.SILVER},
    }
    return RequestContent.model_validate(data)


def _safe(exc: ValidationError) -> str:
    """Pydantic's messages, without the values our validators quote (personal data)."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "subject")
        msg = _QUOTED.sub("a value", str(err.get("msg", ""))).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def validate_record(
    record: object, *, member: str | None, public: bool
) -> tuple[str, str, RequestContent]:
    """(source id, requesting member, content) of one record; ValueError says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("each line must be a JSON object")
    source = record.get("entity_id")
    if not isinstance(source, str) or not re.fullmatch(r"[0-9A-Za-z/_-]{1,60}", source.strip()):
        raise ValueError("entity_id: the record's identifier (e.g. 2020/34084) is missing")
    requester = member
    if requester is None:
        warrants = record.get("arrest_warrants") or []
        first = warrants[0] if isinstance(warrants, list) and warrants else None
        requester = first.get("issuing_country_id") if isinstance(first, dict) else None
    if not requester:
        raise ValueError("no requesting member: give --member or arrest_warrants[0]")
    try:
        code = ensure_code(str(requester))
    except ValidationFailed:
        raise ValueError("the requesting member is not an ISO 3166-1 country code") from None
    try:
        content = _content(record, public)
    except ValidationError as exc:
        raise ValueError(_safe(exc)) from None
    return source.strip(), code, content


def read_jsonl(lines: Iterable[str]) -> Iterator[tuple[int, object | ImportProblem]]:
    for number, raw in enumerate(lines, start=1):
        text = raw.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            value = json.loads(text)
        except ValueError:
            yield number, ImportProblem(number, "not valid JSON")
            continue
        except RecursionError:  # a hostile line nested thousands deep
            yield number, ImportProblem(number, "nested too deeply to be a notice record")
            continue
        yield number, value


def import_notices(
    ctx: AppContext,
    actor: Actor,
    lines: Iterable[str],
    *,
    member: str | None = None,
    public: bool = False,
    on_line: Callable[[int], None] | None = None,
) -> ImportResult:
    """Load the records of a JSON lines file as issued notices of their requesting member."""
    require(actor, "notice:record:import")
    fixed = ensure_code(member) if member else None
    result = ImportResult()
    pending: list[_Valid] = []
    seen: set[str] = set()
    for number, record in read_jsonl(lines):
        if on_line is not None:
            on_line(number)
        if isinstance(record, ImportProblem):
            result.errors.append(record)
            continue
        try:
            source, requester, content = validate_record(record, member=fixed, public=public)
        except ValueError as exc:
            result.errors.append(ImportProblem(number, str(exc)))
            continue
        if source in seen:
            result.errors.append(ImportProblem(number, "entity_id: repeated in this file"))
            continue
        seen.add(source)
        pending.append(_Valid(number, source, requester, content))
        if len(pending) >= CHUNK:
            _write(ctx, actor, pending, result)
            pending = []
    if pending:
        _write(ctx, actor, pending, result)
    return result


def _write(ctx: AppContext, actor: Actor, chunk: list[_Valid], result: ImportResult) -> None:
    with ctx.uow() as uow:
        session = uow.session
        known = dict(
            session.execute(
                select(ImportedNotice.source_id, ImportedNotice.notice_id).where(
                    ImportedNotice.source_id.in_([v.source_id for v in chunk])
                )
            ).all()
        )
        created: list[tuple[int, str]] = []
        now = utcnow()
        for item in chunk:
            if item.source_id in known:
                result.skipped.append(
                    ImportProblem(item.line, f"already imported as {known[item.source_id]}")
                )
                continue
            ensure_member(session, item.requester)
            content = item.content
            notice = Notice(
                id=_allocate_id(session, now.year),
                kind=Kind.NOTICE.value,
                type=content.type.value,
                requester=item.requester,
                status=Status.ISSUED.value,
                content=content.model_dump(mode="json", exclude={"visibility"}),
                public_extract=content.visibility.public_extract or content.type == NoticeType.UN,
                restricted_from=[],
                recipients=[],
                findings=[],
                created_by=actor.user_id,
                created_at=now,
                updated_at=now,
                submitted_at=now,
                decided_at=now,
                issued_on=now.date(),
                valid_until=add_years(now.date(), ctx.settings.validity_years),
            )
            session.add(notice)
            session.flush()
            session.add(ImportedNotice(notice_id=notice.id, source_id=item.source_id))
            record_history(
                uow, actor, notice, "import", "imported from a file by the operator",
                {"source_id": item.source_id},
            )  # fmt: skip
            session.add(IndexChange(notice_id=notice.id))
            ctx.notify_changed(uow, notice.id)
            created.append((item.line, notice.id))
        if created:
            uow.audit(
                actor,
                "notice:record:imported",
                "notice",
                None,
                {"count": len(created), "ids": [nid for _, nid in created]},
            )
        uow.commit()
    result.imported.extend(created)
