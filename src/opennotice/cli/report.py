"""opennotice report transparency --out DIR: the public figures as files that work offline.

Writes `transparency.html` (charts as inline SVG, no script; one extra page per sort order so
that the sort links work from a folder), `transparency.json`, `transparency.csv` and the
stylesheet the pages use.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated

import typer

from opennotice.api.routers.transparency import csv_text
from opennotice.services import transparency as svc
from opennotice.web.transparency_page import render_page

from .common import console, context, run

app = typer.Typer(help="Reports built from the figures.", no_args_is_help=True)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static" / "site.css"


def _file_href(year: int | None, sort: str) -> str:
    """Offline: one page per year and sort order, named so that links need no server."""
    name = "transparency"
    if year is not None:
        name += f"-{year}"
    if sort != "member":
        name += f"-{sort}"
    return name + ".html"


def write_report(report: svc.Report, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    downloads = {"JSON": "transparency.json", "CSV": "transparency.csv"}
    for year in [None, *report.years]:
        for sort in svc.SORT_KEYS:
            html = render_page(
                report,
                year=year,
                sort=sort,
                href=_file_href,
                css_href="site.css",
                downloads=downloads,
            )
            path = out / _file_href(year, sort)
            path.write_text(html, encoding="utf-8")
            written.append(path)
    data = out / "transparency.json"
    data.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    table = out / "transparency.csv"
    table.write_text(csv_text(report), encoding="utf-8")
    shutil.copyfile(STATIC, out / "site.css")
    return [*written, data, table, out / "site.css"]


@app.command("transparency")
def transparency(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the report into")] = Path(
        "transparency-report"
    ),
) -> None:
    """Write the transparency report (HTML with charts, CSV, JSON) into a folder."""
    report = run(lambda: svc.compute(context()))
    files = write_report(report, out)
    console.print(
        f"wrote {len(files)} files to {out} (open {out / 'transparency.html'}); "
        f"{len(report.rows)} member-year rows over {len(report.years)} years"
    )
