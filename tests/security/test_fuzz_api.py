"""Schemathesis against /openapi.json of the application, in-process.

Every operation gets bounded examples, valid and invalid (schemathesis' positive and negative
generation), sent with the token of every role (and none). The promises checked on every
answer: no 5xx; every error (4xx) is application/problem+json with type, title, status and
detail; and afterwards the audit chain still verifies.

OPENNOTICE_FUZZ_EXAMPLES (default 10) sets the examples per operation and generation mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import warnings
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from opennotice.api.app import create_app
from opennotice.domain.content import RequestContent
from opennotice.services import requests as req_svc
from opennotice.services import reviews as review_svc
from opennotice.services.audit import verify_log
from opennotice.services.context import AppContext
from opennotice.services.users import bootstrap_user
from tests.conftest import OPERATOR, Who
from tests.factories import red_notice

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402

EXAMPLES = int(os.environ.get("OPENNOTICE_FUZZ_EXAMPLES", "10"))
CALLERS = ["anonymous", "ncb_fr", "ncb_de", "gs_br", "ccf", "screen_de", "auditor", "admin"]


def _send(client: TestClient, case: Any, token: str | None) -> Any:
    kw = case.as_transport_kwargs(base_url="http://testserver")
    headers = {k: v for k, v in (kw.get("headers") or {}).items() if k.lower() != "authorization"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request: dict[str, Any] = {
        "headers": headers,
        "params": kw.get("params") or None,
        "cookies": None,
    }
    if "json" in kw:
        request["json"] = kw["json"]
    data = kw.get("data")
    if isinstance(data, bytes | str):
        request["content"] = data
    elif data is not None:
        request["data"] = data
    if kw.get("files"):
        request["files"] = kw["files"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return client.request(kw["method"], kw["url"], **request)


def _problems_in(response: Any, label: str) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{label}: {status} server error: {response.text[:200]}"
    if status >= 400:
        ctype = response.headers.get("content-type", "")
        if not ctype.startswith("application/problem+json"):
            return f"{label}: {status} with content-type {ctype!r}"
        try:
            body = response.json()
        except ValueError:
            return f"{label}: {status} problem body is not JSON"
        if not {"type", "title", "status", "detail"} <= set(body) or body["status"] != status:
            return f"{label}: {status} malformed problem {body!r}"[:300]
        if "Traceback" in response.text:
            return f"{label}: a traceback in the answer"
    return None


def _runner(
    client: TestClient, tokens: dict[str, str | None], strategy: Any, label: str, found: list[str]
) -> Any:
    """A bounded hypothesis run of one operation and generation mode; problems go to `found`."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, who=st.sampled_from(CALLERS))
    def run(case: Any, who: str) -> None:
        problem = _problems_in(_send(client, case, tokens[who]), f"{label} as {who}")
        if problem and len(found) < 3:
            found.append(problem)

    return run


def _known_objects(ctx: AppContext, people: dict[str, Who]) -> dict[str, str]:
    """Real identifiers, so that some examples reach past the 404 of an unknown id."""
    fr, gs = people["ncb_fr"].actor, people["gs_br"].actor
    body = red_notice(visibility={"public_extract": True, "restricted_from": ["US"]})
    issued = req_svc.create_request(ctx, fr, RequestContent.model_validate(body)).id
    req_svc.submit_request(ctx, fr, issued)
    review_svc.decide(ctx, gs, issued, review_svc.Decision.ISSUE, "Complete and compliant.")
    diffusion = req_svc.send_diffusion(
        ctx, fr, RequestContent.model_validate(red_notice()), ["DE"]
    ).id
    throwaway = bootstrap_user(ctx, OPERATOR, username="fuzz.target", role="auditor")
    return {
        "notice_id": req_svc.url_id(issued),
        "diffusion_id": req_svc.url_id(diffusion),
        "user_id": str(throwaway.user.id),
        "code": "FR",
    }


def test_fuzz_every_operation(ctx: AppContext, people: dict[str, Who]) -> None:
    known = _known_objects(ctx, people)
    tokens: dict[str, str | None] = {"anonymous": None}
    tokens |= {name: people[name].user.token for name in CALLERS if name != "anonymous"}
    app = create_app(ctx)
    schema = schemathesis.openapi.from_dict(app.openapi())
    failures: list[str] = []
    operations = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for result in schema.get_all_operations():
            op = result.ok()
            operations += 1
            names = {p.name for p in op.iter_parameters() if p.location == "path"}
            # Account ids are always a throwaway user's: the fuzzer must not rotate the
            # tokens it fuzzes with.
            pinned = {k: v for k, v in known.items() if k in names and k == "user_id"}
            real = {k: v for k, v in known.items() if k in names}
            variants = [(GenerationMode.POSITIVE, pinned), (GenerationMode.NEGATIVE, pinned)]
            if real and real != pinned and op.method.upper() == "GET":
                variants.append((GenerationMode.POSITIVE, real))
            for mode, fixed in variants:
                strategy = op.as_strategy(generation_mode=mode, path_parameters=fixed or None)
                found: list[str] = []

                run = _runner(client, tokens, strategy, f"{op.label} ({mode.value})", found)
                try:
                    run()
                except Unsatisfiable:
                    pass  # nothing in this operation can be made invalid (e.g. a free string)
                except Exception as exc:  # generation errors are reported, not hidden
                    found.append(f"{op.label} ({mode.value}): {type(exc).__name__}: {exc}"[:300])
                failures.extend(found)
    assert operations >= 20
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    result = verify_log(ctx)
    assert result.ok, result


# --- the parsers of people to screen (CSV, JSON lines, MRZ) and of imported notices ----------

screening_input = pytest.importorskip("opennotice.services.screening_input")
importer = pytest.importorskip("opennotice.services.importer")

PARSER_SETTINGS = settings(
    max_examples=int(os.environ.get("OPENNOTICE_FUZZ_PARSER_EXAMPLES", "150")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# A marker value of a "person": it must never come back in an error message.
MARK = st.from_regex(r"\AQz[a-z]{6,10}\Z", fullmatch=True)
NAME = st.from_regex(r"\A[A-Z][a-z]{2,12}( [A-Z][a-z]{2,10})?\Z", fullmatch=True)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2010, 12, 31))


def _messages(items: list[Any]) -> list[str]:
    return [i.message for i in items if isinstance(i, screening_input.RowError)]


@PARSER_SETTINGS
@given(text=st.text(max_size=2000), fmt=st.sampled_from(["csv", "jsonl", None]))
def test_batch_parser_never_fails_on_any_text(text: str, fmt: str | None) -> None:
    chosen = screening_input.RowFormat(fmt) if fmt else None
    items = list(screening_input.parse_text(text, chosen))
    lines = max(1, len(text.splitlines()) + 1)
    for item in items:
        assert isinstance(item, screening_input.BatchItem | screening_input.RowError)
        assert 1 <= item.line <= lines + text.count("\r") + 1


@PARSER_SETTINGS
@given(
    rows=st.lists(st.tuples(NAME, NAME, DATES, st.sampled_from(["M", "F", ""])), min_size=1,
                  max_size=30),
    delimiter=st.sampled_from([",", ";", "\t"]),
)  # fmt: skip
def test_csv_and_jsonl_round_trip(
    rows: list[tuple[str, str, dt.date, str]], delimiter: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["surname", "given_names", "date_of_birth", "sex", "ref"])
    for n, (fam, giv, born, sex) in enumerate(rows):
        writer.writerow([fam, giv, born.isoformat(), sex, f"r{n}"])
    jsonl = "\n".join(
        json.dumps({"family_name": f, "given_names": g, "date_of_birth": b.isoformat(),
                    "sex": s or None, "ref": f"r{n}"})
        for n, (f, g, b, s) in enumerate(rows)
    )  # fmt: skip
    for text in (out.getvalue(), jsonl):
        items = list(screening_input.parse_text(text))
        assert not _messages(items), _messages(items)
        assert [i.ref for i in items] == [f"r{n}" for n in range(len(rows))]
        for item, (fam, giv, born, sex) in zip(items, rows, strict=True):
            assert item.query.family_name == fam and item.query.given_names == giv
            assert item.query.date_of_birth == born.isoformat()
            assert item.query.sex in ({sex} if sex else {None, "U"})


@PARSER_SETTINGS
@given(mark=MARK, junk=st.text(min_size=1, max_size=40), field=st.sampled_from(
    ["date_of_birth", "sex", "nationality", "mrz", "family_name"]))  # fmt: skip
def test_row_errors_never_quote_the_values(mark: str, junk: str, field: str) -> None:
    record: dict[str, Any] = {"family_name": mark, "given_names": mark}
    record[field] = mark + junk if field != "family_name" else mark * 30  # too long a name
    items = list(screening_input.parse_text(json.dumps(record)))
    header = f"surname,given_names,{field}\n"
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow([mark, mark, record[field]])
    items += list(screening_input.parse_text(header + row.getvalue()))
    for message in _messages(items):
        assert mark not in message, message


def _check_digit(text: str) -> str:
    values = {**{str(d): d for d in range(10)}, "<": 0,
              **{chr(c): c - 55 for c in range(ord("A"), ord("Z") + 1)}}  # fmt: skip
    return str(sum(values[ch] * (7, 3, 1)[i % 3] for i, ch in enumerate(text)) % 10)


def _td3(family: str, given: str, born: dt.date, sex: str, doc: str) -> tuple[str, str]:
    line1 = f"P<FRA{family}<<{given.replace(' ', '<')}".ljust(44, "<")[:44]
    doc9 = doc.ljust(9, "<")
    dob = born.strftime("%y%m%d")
    exp = "301231"
    opt = "<" * 14
    part = f"{doc9}{_check_digit(doc9)}FRA{dob}{_check_digit(dob)}{sex}{exp}{_check_digit(exp)}"
    part += f"{opt}{_check_digit(opt)}"
    composite = part[0:10] + part[13:20] + part[21:43]
    return line1, part + _check_digit(composite)


UPPER = st.from_regex(r"\A[A-Z]{2,12}\Z", fullmatch=True)


@PARSER_SETTINGS
@given(family=UPPER, given_=UPPER, born=DATES, sex=st.sampled_from(["M", "F"]),
       doc=st.from_regex(r"\A[A-Z0-9]{6,9}\Z", fullmatch=True))  # fmt: skip
def test_mrz_round_trip_and_damage_detected(
    family: str, given_: str, born: dt.date, sex: str, doc: str
) -> None:
    line1, line2 = _td3(family, given_, born, sex, doc)
    query, _ = screening_input.query_from_fields({"mrz1": line1, "mrz2": line2})
    assert query.family_name == family and query.given_names == given_
    assert query.sex == sex and query.nationalities == ("FR",)
    assert query.date_of_birth and query.date_of_birth.endswith(born.strftime("-%m-%d"))
    assert query.document_number == doc
    # One changed digit of the date of birth breaks a check digit: refused, value not quoted.
    pos = 13
    broken = line2[:pos] + str((int(line2[pos]) + 1) % 10) + line2[pos + 1 :]
    with pytest.raises(ValueError) as err:
        screening_input.query_from_fields({"mrz": f"{line1}\n{broken}"})
    # The fixed message, whatever the values: none of them is quoted (a substring check
    # would fail for a family name such as "MRZ" that the message itself contains).
    assert str(err.value) == "mrz: MRZ check digit mismatch for date of birth"


@PARSER_SETTINGS
@given(l1=st.text(max_size=60), l2=st.text(max_size=60))
def test_mrz_parser_refuses_garbage_cleanly(l1: str, l2: str) -> None:
    try:
        screening_input.query_from_fields({"mrz1": l1, "mrz2": l2})
    except ValueError as exc:
        assert str(exc).startswith("mrz:") or "name" in str(exc)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12,
)  # fmt: skip
IMPORT_KEYS = ["entity_id", "name", "forename", "date_of_birth", "sex_id", "nationalities",
               "arrest_warrants", "aliases", "notice_type", "original_name", "place_of_birth",
               "height", "weight", "languages_spoken_ids", "eyes_colors_id"]  # fmt: skip


@PARSER_SETTINGS
@given(
    record=st.dictionaries(st.sampled_from(IMPORT_KEYS), JSON_VALUES, max_size=10),
    mark=MARK,
    member=st.sampled_from([None, "FR"]),
)
def test_import_format_validation_is_total_and_discreet(
    record: dict[str, Any], mark: str, member: str | None
) -> None:
    record = dict(record)
    record.setdefault("name", mark)
    line = json.dumps(record)
    for number, parsed in importer.read_jsonl([line, "", "{broken"]):
        if isinstance(parsed, importer.ImportProblem):
            assert number == 3 and parsed.message == "not valid JSON"
            continue
        try:
            source, code, content = importer.validate_record(parsed, member=member, public=False)
        except ValueError as exc:
            assert mark not in str(exc), str(exc)
        else:
            assert source and len(code) == 2
            assert content.subject is not None


@pytest.mark.parametrize("depth", [100, 100_000])
def test_line_readers_survive_deep_nesting(depth: int) -> None:
    """A hostile line of deeply nested JSON is one bad line, not a crash of the whole file."""
    line = "[" * depth + "]" * depth
    text = line + "\n" + json.dumps({"family_name": "Quennell"}) + "\n"
    rows = list(screening_input.parse_text(text, screening_input.RowFormat.JSONL))
    assert len(rows) == 2 and isinstance(rows[1], screening_input.BatchItem)
    read = list(importer.read_jsonl([line, '{"entity_id": "2020/1"}']))
    assert len(read) == 2 and read[1][1] == {"entity_id": "2020/1"}
