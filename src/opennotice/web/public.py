"""The public website: search the public extracts, read one, know whom to tell. No JavaScript.

It renders the same public documents the `/notices/v1/` service serves (so it can never show
more), with the same filters, paging and rate limit.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from opennotice.api.deps import Ctx
from opennotice.api.routers.public import rate_limit
from opennotice.domain.codes import EYE_COLOURS, HAIR_COLOURS, language_codes
from opennotice.domain.countries import country_name, country_names
from opennotice.errors import NotFound, OpenNoticeError
from opennotice.services import public as svc

from .templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(rate_limit)])

PER_PAGE = 20
# The collections as the website names them in its URLs (`/notices/red-2024-17`).
SLUGS = {
    "red": svc.PublicKind.RED,
    "yellow": svc.PublicKind.YELLOW,
    "un-persons": svc.PublicKind.UN_PERSONS,
    "un-entities": svc.PublicKind.UN_ENTITIES,
}
SLUG_OF = {kind: slug for slug, kind in SLUGS.items()}
LABELS = {
    svc.PublicKind.RED: "Red Notices: wanted persons",
    svc.PublicKind.YELLOW: "Yellow Notices: missing persons",
    svc.PublicKind.UN_PERSONS: "UN Special Notices: persons",
    svc.PublicKind.UN_ENTITIES: "UN Special Notices: entities",
}
SEXES = {"M": "Male", "F": "Female", "U": "Unknown"}
FORM_FIELDS = ("name", "forename", "nationality", "sexId", "ageMin", "ageMax", "freeText",
               "arrestWarrantCountryId")  # fmt: skip
_REF = re.compile(r"^(red|yellow|un-persons|un-entities)-(\d{4}-\d{1,9})$")


def human_date(value: str | None) -> str | None:
    """'1979/09/28' -> '28 September 1979'; a year alone stays as it is."""
    if not value:
        return None
    parts = value.split("/")
    if len(parts) != 3:
        return value
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).strftime("%-d %B %Y")
    except ValueError:
        return value


def _countries() -> list[tuple[str, str]]:
    return sorted(country_names().items(), key=lambda item: item[1])


def notice_href(entry: svc.Entry) -> str:
    return f"/notices/{SLUG_OF[entry.kind]}-{entry.url_id}"


def _card(entry: svc.Entry, view: svc.View) -> dict[str, Any]:
    return {
        "href": notice_href(entry),
        "name": entry.name,
        "forename": entry.forename,
        "age": view.ages.get(entry.entity_id),
        "nationalities": [country_name(n) for n in entry.nationalities],
        "thumbnail": (
            f"{svc.notice_url('', entry)}/images/{entry.photos[0].id}" if entry.photos else None
        ),
        "entity_id": entry.entity_id,
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Ctx) -> Response:
    view = svc.catalogue(ctx).view()
    counts = {SLUG_OF[k]: len(v) for k, v in view.by_kind.items()}
    return templates.TemplateResponse(
        request,
        "public_home.html",
        {"counts": counts, "labels": {SLUG_OF[k]: v for k, v in LABELS.items()},
         "countries": _countries(), "sexes": SEXES, "form": {}, "slug": "red"},
    )  # fmt: skip


@router.get("/notices", response_class=HTMLResponse)
def search_page(request: Request, ctx: Ctx, type: str = "red") -> Response:
    slug = type if type in SLUGS else "red"
    kind = SLUGS[slug]
    params = {k: v for k, v in request.query_params.items() if k != "type"}
    params["resultPerPage"] = str(PER_PAGE)
    form = {k: request.query_params.get(k, "") for k in FORM_FIELDS}
    context: dict[str, Any] = {
        "slug": slug,
        "label": LABELS[kind],
        "labels": {SLUG_OF[k]: v for k, v in LABELS.items()},
        "form": form,
        "countries": _countries(),
        "sexes": SEXES,
        "error": None,
        "result": None,
    }
    status = 200
    try:
        query = svc.parse_query(params)
        result = svc.search(ctx, kind, query)
    except OpenNoticeError as exc:
        context["error"] = exc.detail
        status = exc.status
    else:
        view = svc.catalogue(ctx).view()
        kept = {k: v for k, v in form.items() if v}

        def page_href(page: int) -> str:
            return "/notices?" + urlencode({"type": slug, **kept, "page": page})

        context["result"] = {
            "total": result.total,
            "capped": result.total > svc.MAX_RESULTS,
            "cap": svc.MAX_RESULTS,
            "page": result.page,
            "last_page": result.last_page,
            "first_shown": (result.page - 1) * result.per_page + 1 if result.items else 0,
            "last_shown": (result.page - 1) * result.per_page + len(result.items),
            "cards": [_card(e, view) for e in result.items],
            "prev": page_href(result.page - 1) if result.page > 1 else None,
            "next": page_href(result.page + 1) if result.page < result.last_page else None,
            "pages": [
                (p, page_href(p))
                for p in range(max(1, result.page - 3), min(result.last_page, result.page + 3) + 1)
            ],
        }
    return templates.TemplateResponse(request, "public_search.html", context, status_code=status)


@router.get("/notices/{ref}", response_class=HTMLResponse)
def notice_page(ref: Annotated[str, "e.g. red-2024-17"], request: Request, ctx: Ctx) -> Response:
    match = _REF.match(ref)
    if not match:
        return _not_found(request)
    kind = SLUGS[match.group(1)]
    try:
        entry = svc.find(ctx, kind, match.group(2))
    except NotFound:
        return _not_found(request)
    view = svc.catalogue(ctx).view()
    d = entry.detail
    langs = language_codes()
    facts = [
        ("Date of birth", human_date(d["date_of_birth"])),
        ("Age today", view.ages.get(entry.entity_id)),
        ("Place of birth", d["place_of_birth"]),
        ("Country of birth", country_name(d["country_of_birth_id"]) if d["country_of_birth_id"]
         else None),
        ("Nationality", ", ".join(country_name(n) for n in d["nationalities"] or []) or None),
        ("Sex", SEXES.get(d["sex_id"] or "")),
        ("Height", f"{d['height']} m" if d["height"] else None),
        ("Weight", f"{d['weight']} kg" if d["weight"] else None),
        ("Eye colour", ", ".join(EYE_COLOURS.get(c, c) for c in d["eyes_colors_id"] or []) or None),
        ("Hair colour", ", ".join(HAIR_COLOURS.get(c, c) for c in d["hairs_id"] or []) or None),
        ("Languages spoken", ", ".join(langs.get(c, c) for c in d["languages_spoken_ids"] or [])
         or None),
        ("Distinguishing marks", d["distinguishing_marks"]),
    ]  # fmt: skip
    requester = next(iter(entry.warrant_countries), None)
    context = {
        "entry": entry,
        "d": d,
        "slug": SLUG_OF[kind],
        "label": LABELS[kind],
        "facts": [(k, v) for k, v in facts if v not in (None, "")],
        "photos": [f"{svc.notice_url('', entry)}/images/{p.id}" for p in entry.photos],
        "wanted_by": country_name(requester) if requester else None,
        "charges": [
            {"text": w["charge"], "country": country_name(w["issuing_country_id"])}
            for w in d["arrest_warrants"]
        ],
        "event_country": country_name(d["country"]) if d.get("country") else None,
        "event_date": human_date(d.get("date_of_event")),
        "api_href": svc.notice_url("", entry),
    }
    return templates.TemplateResponse(request, "public_notice.html", context)


def _not_found(request: Request) -> Response:
    return templates.TemplateResponse(request, "public_missing.html", {}, status_code=404)
