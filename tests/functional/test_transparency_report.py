"""`opennotice report transparency --out DIR`: HTML with charts, CSV and JSON, offline."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opennotice.cli import report as report_cli
from opennotice.cli.main import app
from opennotice.services import transparency
from opennotice.services.context import AppContext
from tests.conftest import Who
from tests.functional.test_transparency import build_demo


def test_report_command_writes_html_csv_json(
    ctx: AppContext, people: dict[str, Who], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_demo(ctx, people, count=16)
    monkeypatch.setattr(report_cli, "context", lambda: ctx)
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", "transparency", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "transparency.html").read_text()
    assert "<svg" in page and "<script" not in page and 'href="site.css"' in page
    data = json.loads((out / "transparency.json").read_text())
    again = json.loads(json.dumps(transparency.compute(ctx).as_json()))
    assert (data["members"], data["world"]) == (again["members"], again["world"])
    rows = list(csv.DictReader((out / "transparency.csv").open()))
    assert rows and list(rows[0]) == transparency.CSV_COLUMNS
    # Every sort link of every page resolves to a file that was written (works offline).
    for html in out.glob("*.html"):
        text = html.read_text()
        for chunk in text.split('href="')[1:]:
            target = chunk.split('"')[0]
            if target.startswith("transparency") or target == "site.css":
                assert (out / target).exists(), (html.name, target)
    assert (out / "site.css").exists()
