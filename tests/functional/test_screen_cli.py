"""`opennotice import` and `opennotice screen` end to end, through the command line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from opennotice.cli import common
from opennotice.cli.main import app
from opennotice.config import Settings
from opennotice.matching import PersonQuery
from opennotice.services.context import AppContext
from opennotice.services.screening import screen_one
from opennotice.services.screening_workers import CHUNK_ROWS, can_fork
from opennotice.store.tables import AuditEvent, Notice, Notification
from opennotice.store.tables_screening import ImportedNotice
from tests.conftest import Who
from tests.factories import red_notice
from tests.integration.screening_support import issue, subject, td3

RECORDS = [
    {
        "entity_id": "2019/11111", "name": "MARCHETTI", "forename": "LORENZO ALDO",
        "date_of_birth": "1979/04/12", "place_of_birth": "Bari", "country_of_birth_id": "IT",
        "sex_id": "M", "nationalities": ["IT"], "height": 1.8, "weight": 0,
        "eyes_colors_id": ["BRO"], "hairs_id": ["BLA"], "languages_spoken_ids": ["ITA"],
        "distinguishing_marks": None, "_embedded": {"links": []},
        "arrest_warrants": [
            {"charge": "Meurtre", "charge_translation": "Murder", "issuing_country_id": "FR"}
        ],
        "_links": {"self": {"href": "https://example.org/notices/v1/red/2019-11111"}},
    },
    {
        "entity_id": "2019/22222", "name": "ZHANG", "forename": "WEIMING",
        "original_name": "张", "original_forename": "伟明", "original_script": "Hani",
        "aliases": ["Chang Wei-ming", {"name": "CHEUNG", "forename": "WAI MING"}],
        "date_of_birth": "1982", "sex_id": "M", "nationalities": ["CN"],
        "arrest_warrants": [{"charge": "Fraud", "issuing_country_id": "DE"}],
    },
    "not json",
    {"entity_id": "2019/33333", "name": "PETROVA", "date_of_birth": "1979/13/40",
     "arrest_warrants": [{"charge": "Theft", "issuing_country_id": "RU"}]},
    {"entity_id": "2019/44444", "name": "NOBODY-KNOWN", "forename": "X"},
    {"entity_id": "2019/55555", "name": "OKAFOR", "eyes_colors_id": ["PURPLE"],
     "arrest_warrants": [{"charge": "Theft", "issuing_country_id": "NG"}]},
]  # fmt: skip


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("OPENNOTICE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("OPENNOTICE_SECRET_KEY", settings.secret_key or "")
    common.context.cache_clear()
    yield CliRunner()
    common.context().engine.dispose()
    common.context.cache_clear()


def _write_jsonl(path: Path, records: list[object]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_keeps_valid_records_and_reports_bad_lines(
    cli: CliRunner, ctx: AppContext, people: dict[str, Who], tmp_path: Path
) -> None:
    source = _write_jsonl(tmp_path / "notices.jsonl", RECORDS)
    result = cli.invoke(app, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert "imported 2 notices" in result.output and "4 invalid" in result.output
    for line in (3, 4, 5, 6):
        assert f"line {line}:" in result.output
    assert "eye colour" in result.output and "requesting member" in result.output
    assert "PETROVA" not in result.output and "PURPLE" not in result.output
    with ctx.read_session_factory() as session:
        mapping = dict(
            session.execute(select(ImportedNotice.source_id, ImportedNotice.notice_id)).all()
        )
        assert set(mapping) == {"2019/11111", "2019/22222"}
        red = session.get(Notice, mapping["2019/11111"])
        zhang = session.get(Notice, mapping["2019/22222"])
        assert red is not None and zhang is not None
        assert (red.status, red.type, red.requester) == ("issued", "red", "FR")
        assert red.valid_until is not None and zhang.requester == "DE"
        assert red.content is not None and red.content["subject"]["date_of_birth"] == "1979-04-12"
        assert red.content["charges"][0]["description"] == "Murder"
        assert zhang.content is not None
        assert zhang.content["subject"]["original_family_name"] == "张"
        assert "CHEUNG" in " ".join(zhang.content["subject"]["aliases"])
    # Imported notices are screened like any other, in every script and spelling.
    screener = people["screen_de"].actor
    found = screen_one(ctx, screener, PersonQuery("Chang", "Wei Ming", date_of_birth="1982"))
    assert [h.notice_id for h in found.hits] == [mapping["2019/22222"]]
    found = screen_one(ctx, screener, PersonQuery("张", "伟明"))
    assert [h.notice_id for h in found.hits] == [mapping["2019/22222"]]
    # Importing the same file again changes nothing.
    again = cli.invoke(app, ["import", str(source)])
    assert "imported 0 notices, 2 already there" in again.output


def test_import_with_a_chosen_member(cli: CliRunner, ctx: AppContext, tmp_path: Path) -> None:
    source = _write_jsonl(tmp_path / "n.jsonl", [RECORDS[4]])
    result = cli.invoke(app, ["import", str(source), "--member", "be"])
    assert "imported 1 notices" in result.output, result.output
    with ctx.read_session_factory() as session:
        assert session.scalars(select(Notice.requester)).all() == ["BE"]


def test_screen_csv_writes_hits_and_skips_bad_rows(
    cli: CliRunner, ctx: AppContext, people: dict[str, Who], tmp_path: Path
) -> None:
    nid = issue(ctx, people)
    rows = tmp_path / "passengers.csv"
    rows.write_text(
        "Seat,Surname,Given names,Date of birth,Nationality,Sex,Document number\n"
        "1A,Marchetti,Lorenzo,1979-04-12,ITA,M,YA1234567\n"
        "1B,Brandt,Hella,1962-02-30,DE,F,\n"
        "1C,Nakamura-Berg,Ingrid,1985,SE,F,\n"
        "1D,,,,,,\n"
        "1E,Marchetti,Lorenzo,1991-11-03,IT,M,\n",
        encoding="utf-8",
    )
    out = tmp_path / "hits.csv"
    result = cli.invoke(app, ["screen", str(rows), "--out", str(out), "--where", "Gate 4"])
    assert result.exit_code == 0, result.output
    assert "line 3:" in result.output and "date_of_birth" in result.output
    assert "line 5:" in result.output and "screened 3 people" in result.output
    assert "Brandt" not in result.output
    with out.open(encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    assert [(w["line"], w["notice"]) for w in written] == [("2", nid)]
    assert float(written[0]["score"]) >= 0.8
    assert json.loads(written[0]["explanation"])["date_of_birth"]["kind"] == "exact"
    with ctx.read_session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("screen:%"))).all()
        assert [e.action for e in events] == ["screen:file:made"]
        assert events[0].details["screened"] == 3 and events[0].details["rejected"] == 2
        notes = session.scalars(select(Notification).where(Notification.kind == "hit")).all()
        assert [(n.member, n.notice_id, n.details["where"]) for n in notes] == [
            ("FR", nid, "Gate 4")
        ]


def test_screen_jsonl_with_mrz_and_member_rules(
    cli: CliRunner, ctx: AppContext, people: dict[str, Who], tmp_path: Path
) -> None:
    restricted = issue(
        ctx, people, red_notice(
            subject=subject(family_name="Okonkwo-Reyes"),
            visibility={"public_extract": False, "restricted_from": ["US"]},
        ),
    )  # fmt: skip
    nid = issue(ctx, people)
    mrz1, mrz2 = td3("MARCHETTI", "LORENZO ALDO")
    source = _write_jsonl(
        tmp_path / "p.jsonl",
        [
            {"mrz1": mrz1, "mrz2": mrz2, "ref": "pax-1"},
            {"mrz": [mrz1, mrz2[:-1] + "0"]},
            {"surname": "Okonkwo-Reyes", "given_names": "Lorenzo Aldo", "dob": "1979-04-12"},
        ],
    )
    out = tmp_path / "hits.jsonl"
    result = cli.invoke(app, ["screen", str(source), "--out", str(out), "--member", "US"])
    assert result.exit_code == 0, result.output
    assert "line 2:" in result.output and "mrz" in result.output
    hits = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(h["line"], h["ref"], h["notice"]) for h in hits] == [(1, "pax-1", nid)]
    # Without a member only notices that no member is restricted from can hit.
    cli.invoke(app, ["screen", str(source), "--out", str(out)])
    hits = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [h["notice"] for h in hits] == [nid]
    cli.invoke(app, ["screen", str(source), "--out", str(out), "--member", "DE"])
    hits = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(h["notice"] for h in hits) == sorted([nid, restricted])


def test_screen_bad_invocations(cli: CliRunner, tmp_path: Path) -> None:
    rows = tmp_path / "p.csv"
    rows.write_text("surname\nDoe\n", encoding="utf-8")
    assert cli.invoke(app, ["screen", str(tmp_path / "missing.csv")]).exit_code != 0
    r = cli.invoke(app, ["screen", str(rows), "--threshold", "2"])
    assert r.exit_code != 0
    r = cli.invoke(app, ["screen", str(rows), "--member", "XQ"])
    assert r.exit_code == 2 and "country code" in r.output


@pytest.mark.skipif(not can_fork(), reason="this system has no fork()")
def test_screen_with_workers_writes_what_one_process_writes(
    cli: CliRunner, ctx: AppContext, people: dict[str, Who], tmp_path: Path
) -> None:
    nid = issue(ctx, people)
    lines = ["Surname,Given names,Date of birth,Nationality,Sex"]
    hit_lines, bad_lines = {3, CHUNK_ROWS + 1, 2 * CHUNK_ROWS + 5}, {4, CHUNK_ROWS + 2}
    for line in range(2, 2 * CHUNK_ROWS + 40):
        if line in hit_lines:
            lines.append("Marchetti,Lorenzo,1979-04-12,IT,M")
        elif line in bad_lines:
            lines.append("Brandt,Hella,1962-02-30,DE,F")
        else:
            lines.append(f"Traveller{line:05d},Ines,1990-01-0{line % 9 + 1},SE,F")
    rows = tmp_path / "passengers.csv"
    rows.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written = {}
    for workers in ("1", "2"):
        out = tmp_path / f"hits-{workers}.csv"
        result = cli.invoke(app, ["screen", str(rows), "--out", str(out), "--workers", workers])
        assert result.exit_code == 0, result.output
        assert f"screened {len(lines) - 1 - len(bad_lines)} people" in result.output
        assert all(f"line {b}:" in result.output for b in bad_lines)
        written[workers] = out.read_text(encoding="utf-8")
    assert written["1"] == written["2"]
    with io.StringIO(written["2"]) as f:
        assert [(int(w["line"]), w["notice"]) for w in csv.DictReader(f)] == [
            (line, nid) for line in sorted(hit_lines)
        ]
    with ctx.read_session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("screen:%"))).all()
        assert [e.details["hits"] for e in events] == [3, 3]
        assert events[0].details["rejected"] == events[1].details["rejected"] == 2
    bad = cli.invoke(app, ["screen", str(rows), "--workers", "0"])
    assert bad.exit_code == 2
