"""One Jinja2 environment for every page, with filters for how people read dates and countries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from opennotice.domain.countries import country_name

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _date(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%d %b %Y, %H:%M UTC")
    if isinstance(value, dt.date):
        return value.strftime("%d %b %Y")
    return str(value)


def _country(code: Any) -> str:
    return country_name(str(code)) if code else "—"


templates.env.filters["date"] = _date
templates.env.filters["country"] = _country
templates.env.autoescape = True
