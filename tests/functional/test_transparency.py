"""The transparency figures: computed from events and tombstones, checked against an
independent recomputation straight from the tables, unchanged by deletions, and published as
HTML with SVG charts, JSON and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from opennotice.domain.ccf import Outcome, RequestKind
from opennotice.domain.content import RequestContent, Visibility
from opennotice.domain.lifecycle import Action
from opennotice.domain.types import RefusalGround
from opennotice.services import ccf, members, requests, reviews, transparency
from opennotice.services.context import AppContext
from opennotice.store.tables import Notice, NoticeHistory, Notification, utcnow
from opennotice.store.tables_ccf import VisibilitySnapshot
from tests.conftest import OPERATOR, Who
from tests.factories import red_notice

SYLLABLES = ["val", "dor", "mek", "sar", "tin", "oro", "bel", "kav", "lun", "pes", "rax", "quo"]
GROUNDS = list(RefusalGround)
REASONS = "Decided on the file: reasons stated for the record."


def fictional_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


def body(rng: random.Random, ntype: str, public: bool, restricted: list[str]) -> RequestContent:
    data = red_notice(
        type=ntype, visibility={"public_extract": public, "restricted_from": restricted}
    )
    data["subject"] = data["subject"] | {
        "family_name": fictional_name(rng),
        "given_names": fictional_name(rng),
        "date_of_birth": f"{rng.randint(1950, 2000)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
    }
    if ntype != "red":
        data.pop("purpose")
    return RequestContent.model_validate(data)


@dataclass
class Demo:
    """What the builder made (kept to pick notices to delete)."""

    issued: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    diffusions: list[str] = field(default_factory=list)


def decide(
    ctx: AppContext,
    people: dict[str, Who],
    nid: str,
    decision: reviews.Decision,
    ground: RefusalGround | None = None,
) -> str:
    with ctx.read_session_factory() as s:
        notice = s.get(Notice, nid)
        assert notice is not None
        cited = sorted({str(f.get("rule")) for f in notice.findings or []})
    outcome = ""
    for who in ("gs_br", "gs_ke"):
        result = reviews.decide(
            ctx, people[who].actor, nid, decision, REASONS, ground=ground, cited_rules=cited
        )
        outcome = result.outcome
        if outcome != "approval_recorded":
            break
    return outcome


def build_demo(ctx: AppContext, people: dict[str, Who], seed: int = 7, count: int = 36) -> Demo:
    """Demo-like data: four members, every outcome, diffusions (one member under prior
    review), hits, a commission deletion and a withdrawal during a commission review, spread
    over three years."""
    rng = random.Random(seed)
    demo = Demo()
    ncbs = ["ncb_fr", "ncb_de", "ncb_us", "ncb_cn"]
    for i in range(count):
        who = ncbs[i % len(ncbs)]
        actor = people[who].actor
        ntype = rng.choice(["red", "red", "blue", "green", "yellow"])
        public = ntype in ("red", "yellow") and rng.random() < 0.4
        restricted = ["US"] if who != "ncb_us" and rng.random() < 0.2 else []
        notice = requests.create_request(ctx, actor, body(rng, ntype, public, restricted))
        fate = rng.choice(["issue", "issue", "issue", "refuse", "ask", "draft", "withdraw"])
        if fate == "draft":
            continue
        requests.submit_request(ctx, actor, notice.id)
        if fate in ("issue", "withdraw"):
            if decide(ctx, people, notice.id, reviews.Decision.ISSUE) == "issued":
                demo.issued.append(notice.id)
                if fate == "withdraw":
                    requests.act_on_request(ctx, actor, notice.id, Action.WITHDRAW)
        elif fate == "refuse":
            decide(ctx, people, notice.id, reviews.Decision.REFUSE, rng.choice(GROUNDS))
            demo.refused.append(notice.id)
        else:
            decide(ctx, people, notice.id, reviews.Decision.ASK_INFO)
    members.update_member(
        ctx, OPERATOR, "CN", prior_review=True, reason="Diffusions found non-compliant repeatedly."
    )
    for i, who in enumerate(["ncb_fr", "ncb_cn", "ncb_cn", "ncb_de", "ncb_us"]):
        sent = requests.send_diffusion(
            ctx, people[who].actor, body(rng, "red", False, []), ["DE" if who != "ncb_de" else "FR"]
        )
        demo.diffusions.append(sent.id)
        if who == "ncb_cn":
            decision = reviews.Decision.RELEASE if i == 1 else reviews.Decision.REFUSE
            decide(ctx, people, sent.id, decision, RefusalGround.ART3 if i == 2 else None)
            if i == 1:
                decide(ctx, people, sent.id, reviews.Decision.RECALL)
        elif i == 0:
            decide(ctx, people, sent.id, reviews.Decision.RECALL)
    # Hits on issued notices, as screening records them.
    with ctx.uow() as uow:
        for nid in demo.issued[::2]:
            notice = uow.session.get(Notice, nid)
            assert notice is not None
            for _ in range(rng.randint(1, 3)):
                uow.session.add(
                    Notification(
                        member=notice.requester, kind="hit", notice_id=nid, message="Screening hit"
                    )
                )
        uow.commit()
    # The commission: one deletion ordered, one withdrawal during its review.
    live = [n for n in demo.issued if _status(ctx, n) == "issued"]
    for nid, withdraw in ((live[0], False), (live[1], True)):
        ref = _case_on(ctx, people, nid)
        if withdraw:
            requests.act_on_request(
                ctx, people[f"ncb_{_requester(ctx, nid).lower()}"].actor, nid, Action.WITHDRAW
            )
        ccf.decide(ctx, people["ccf"].actor, ref, Outcome.GRANTED, "Unlawful data: delete them.")
    # Spread over three years, as the demo does: each notice's steps keep their order.
    with ctx.uow() as uow:
        ids = sorted(uow.session.scalars(select(Notice.id)))
        for nid in ids:
            days = rng.choice([0, 0, 400, 800])
            if days:
                rows = uow.session.scalars(
                    select(NoticeHistory).where(NoticeHistory.notice_id == nid)
                )
                for row in rows:
                    row.at = row.at - dt.timedelta(days=days)
                uow.session.execute(
                    update(Notification)
                    .where(Notification.notice_id == nid)
                    .values(created_at=utcnow() - dt.timedelta(days=days))
                )
        uow.commit()
    return demo


def _status(ctx: AppContext, nid: str) -> str:
    with ctx.read_session_factory() as s:
        notice = s.get(Notice, nid)
        assert notice is not None
        return notice.status


def _requester(ctx: AppContext, nid: str) -> str:
    with ctx.read_session_factory() as s:
        notice = s.get(Notice, nid)
        assert notice is not None
        return notice.requester


def _case_on(ctx: AppContext, people: dict[str, Who], nid: str) -> str:
    with ctx.read_session_factory() as s:
        notice = s.get(Notice, nid)
        assert notice is not None and notice.content is not None
        subject = notice.content["subject"]
    applicant = ccf.Applicant(
        family_name=subject["family_name"],
        given_names=subject["given_names"],
        date_of_birth=subject["date_of_birth"],
        contact="x@example.org",
    )
    filed = ccf.file_request(
        ctx,
        people["ccf"].actor,
        ccf.Filing(
            kind=RequestKind.DELETION,
            applicant=applicant,
            grounds="This notice is about me and it is wrong and abusive.",
        ),
    )
    who = people["ccf"].actor
    ccf.decide_admissibility(ctx, who, filed.reference, True, "Admissible request.")
    ccf.review_match(ctx, who, filed.reference, nid, True)
    return filed.reference


# --- an independent recomputation, straight from the tables ----------------------------------


def independent(ctx: AppContext, moment: dt.datetime) -> dict[tuple[str, int], Counter[str]]:
    """Each figure counted with its own query (group by member and year), without the
    service's code."""

    def aware(v: dt.datetime) -> dt.datetime:
        return v if v.tzinfo else v.replace(tzinfo=dt.UTC)

    out: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    with ctx.read_session_factory() as s:
        rows = s.execute(
            select(
                Notice.requester,
                Notice.kind,
                Notice.type,
                Notice.refusal_ground,
                Notice.sent_under_prior_review,
                NoticeHistory.action,
                NoticeHistory.at,
                NoticeHistory.details,
                NoticeHistory.notice_id,
                NoticeHistory.id,
                NoticeHistory.to_status,
            ).join(Notice, Notice.id == NoticeHistory.notice_id)
        ).all()
        hits = s.execute(
            select(Notification.member, Notification.created_at).where(Notification.kind == "hit")
        ).all()
        notices = {n.id: n for n in s.scalars(select(Notice))}
        snaps = s.execute(
            select(
                VisibilitySnapshot.notice_id,
                VisibilitySnapshot.public_extract,
                VisibilitySnapshot.at,
            ).order_by(VisibilitySnapshot.at)
        ).all()
    rows = [r for r in rows if aware(r.at) <= moment]
    first_submit = {}
    for r in sorted(rows, key=lambda r: r.id):
        if r.action == "submit" and r.notice_id not in first_submit:
            first_submit[r.notice_id] = r
    for r in first_submit.values():
        if r.kind == "notice":
            out[(r.requester, aware(r.at).year)][f"requests_{r.type}"] += 1
    for r in rows:
        key = (r.requester, aware(r.at).year)
        if r.kind == "notice" and r.action == "issue":
            out[key]["issued"] += 1
        if r.kind == "notice" and r.action == "refuse":
            ground = (r.details or {}).get("ground") or r.refusal_ground or "other"
            out[key][f"refused_{ground}"] += 1
        if r.kind == "notice" and r.action == "ask_info":
            out[key]["information_requested"] += 1
        if r.kind == "diffusion" and r.action == "send":
            out[key]["diffusions_sent"] += 1
            if r.sent_under_prior_review:
                out[key]["diffusions_sent_under_prior_review"] += 1
        if r.kind == "diffusion" and r.action == "recall":
            out[key]["diffusions_recalled"] += 1
        if r.action == "ccf_withdrawal":
            out[key]["withdrawals_during_commission_review"] += 1
        if r.action == "ccf_case_opened":
            out[key]["commission_requests"] += 1
        if r.action == "ccf_decision":
            out[key]["commission_decisions"] += 1
            out[key]["commission_deletions_ordered"] += int(bool(r.details.get("deletion_ordered")))
    for member, at in hits:
        if aware(at) <= moment:
            out[(member, aware(at).year)]["hits"] += 1
    # Valid at the end of each year: the state after the last step before the year ended.
    steps: dict[str, list[Any]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: r.id):
        steps[r.notice_id].append(r)
    flags: dict[str, list[tuple[dt.datetime, bool]]] = defaultdict(list)
    for nid, public, at in snaps:
        flags[nid].append((aware(at), public))
    for nid, history in steps.items():
        notice = notices[nid]
        if notice.kind != "notice":
            continue
        known = flags.get(nid, [])
        for year in range(aware(history[0].at).year, moment.year + 1):
            end = min(dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC), moment)
            before = [h for h in history if aware(h.at) < end]
            if not before or before[-1].to_status != "issued":
                continue
            if not known:
                public = notice.public_extract
            elif year < moment.year:
                older = [p for at, p in known if at < end]
                public = older[-1] if older else known[0][1]
            elif notice.status == "deleted":
                public = known[-1][1]
            else:
                public = notice.public_extract
            out[(notice.requester, year)]["valid_public" if public else "valid_restricted"] += 1
    return out


def flat(report: transparency.Report) -> dict[tuple[str, int], Counter[str]]:
    out: dict[tuple[str, int], Counter[str]] = {}
    for row in report.rows:
        values = row.as_row()
        counter: Counter[str] = Counter()
        for key, value in values.items():
            if key in (
                "member",
                "year",
                "requests_total",
                "refused_total",
                "valid_total",
                "median_days_to_decision",
                "refusal_rate",
                "restricted_share",
            ):
                continue  # derived
            if value:
                counter[key] = value
        if counter:
            out[(row.member, row.year)] = counter
    return out


@pytest.fixture
def demo(ctx: AppContext, people: dict[str, Who]) -> Demo:
    return build_demo(ctx, people)


def test_figures_agree_with_an_independent_recomputation(
    ctx: AppContext, people: dict[str, Who], demo: Demo
) -> None:
    moment = utcnow()
    report = transparency.compute(ctx, now=moment)
    expected = {k: v for k, v in independent(ctx, moment).items() if sum(v.values())}
    assert flat(report) == expected
    # The demo covers every kind of figure, so the comparison is not vacuous.
    world = Counter[str]()
    for counter in expected.values():
        world.update(counter)
    for key in (
        "issued",
        "information_requested",
        "diffusions_sent",
        "diffusions_recalled",
        "diffusions_sent_under_prior_review",
        "valid_public",
        "valid_restricted",
        "withdrawals_during_commission_review",
        "commission_requests",
        "commission_decisions",
        "commission_deletions_ordered",
        "hits",
    ):
        assert world[key] > 0, key
    assert sum(v for k, v in world.items() if k.startswith("refused_")) > 0
    assert len(report.years) >= 3
    # The world rows add up the members.
    for w in report.world:
        members_rows = report.for_year(w.year)
        assert w.issued == sum(r.issued for r in members_rows)
        assert w.valid_restricted == sum(r.valid_restricted for r in members_rows)
    # Median days to decision: one value per decided request, all non-negative.
    assert any(r.median_days_to_decision is not None for r in report.rows)
    assert all((r.median_days_to_decision or 0) >= 0 for r in report.rows)


def test_deleting_notices_leaves_the_figures_unchanged(
    ctx: AppContext, people: dict[str, Who], demo: Demo
) -> None:
    moment = utcnow()
    before = transparency.compute(ctx, now=moment).as_json()
    # Delete issued (public and restricted), refused and diffused requests.
    gs = people["gs_br"].actor
    targets = [n for n in demo.issued if _status(ctx, n) != "deleted"][:6]
    targets += demo.refused[:3] + demo.diffusions[:2]
    assert any(_public(ctx, n) for n in targets), "delete at least one public notice"
    for nid in targets:
        requests.act_on_request(ctx, gs, nid, Action.DELETE, "Deleted for the test of figures.")
    after = transparency.compute(ctx, now=moment).as_json()
    assert after == before
    with ctx.read_session_factory() as s:
        assert all(s.get(Notice, n).content is None for n in targets)  # type: ignore[union-attr]


def _public(ctx: AppContext, nid: str) -> bool:
    with ctx.read_session_factory() as s:
        notice = s.get(Notice, nid)
        return bool(notice and notice.public_extract)


def test_visibility_changes_are_snapshotted(ctx: AppContext, people: dict[str, Who]) -> None:
    rng = random.Random(3)
    notice = requests.create_request(ctx, people["ncb_fr"].actor, body(rng, "red", False, []))
    requests.submit_request(ctx, people["ncb_fr"].actor, notice.id)
    decide(ctx, people, notice.id, reviews.Decision.ISSUE)
    requests.set_visibility(ctx, people["ncb_fr"].actor, notice.id, Visibility(public_extract=True))
    requests.set_visibility(ctx, people["ncb_fr"].actor, notice.id, Visibility(public_extract=True))
    with ctx.read_session_factory() as s:
        flags = list(
            s.scalars(
                select(VisibilitySnapshot.public_extract)
                .where(VisibilitySnapshot.notice_id == notice.id)
                .order_by(VisibilitySnapshot.id)
            )
        )
    assert flags == [False, True]
    figures = transparency.compute(ctx)
    (row,) = [r for r in figures.for_year(utcnow().year) if r.member == "FR"]
    assert (row.valid_public, row.valid_restricted, row.restricted_share) == (1, 0, 0.0)


def test_published_as_html_json_and_csv(
    client: TestClient, ctx: AppContext, people: dict[str, Who], demo: Demo
) -> None:
    r = client.get("/transparency.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["schema"] == "opennotice.transparency/1" and data["years"]
    row = data["members"][0]
    assert set(row) >= {
        "member",
        "year",
        "requests",
        "issued",
        "refused",
        "diffusions",
        "valid_at_year_end",
        "withdrawals_during_commission_review",
        "commission",
        "median_days_to_decision",
        "hits",
        "refusal_rate",
        "restricted_share",
    }
    assert set(row["refused"]["by_ground"]) == {
        "art2",
        "art3",
        "refugee_policy",
        "data_rules",
        "other",
    }
    # Counts only: no subject name, no notice id anywhere.
    with ctx.read_session_factory() as s:
        ids = list(s.scalars(select(Notice.id)))
    for url in ("/transparency.json", "/transparency.csv", "/transparency"):
        text = client.get(url).text
        assert not any(
            f'"{nid}"' in text or f">{nid}<" in text or f",{nid}," in text for nid in ids
        )
        for name in SYLLABLES:
            assert name.capitalize() + SYLLABLES[0] not in text
    r = client.get("/transparency.csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == transparency.CSV_COLUMNS
    by_key = {(x["member"], int(x["year"])): x for x in rows}
    for member_row in data["members"]:
        got = by_key[(member_row["member"], member_row["year"])]
        assert int(got["issued"]) == member_row["issued"]
        assert int(got["valid_restricted"]) == member_row["valid_at_year_end"]["restricted"]
    assert any(x["member"] == "ALL" for x in rows)
    # The page: charts as inline SVG, no script, sortable by query links.
    r = client.get("/transparency")
    assert r.status_code == 200 and "<script" not in r.text.lower()
    assert r.text.count("<svg") == 3 and "<title>" in r.text
    assert 'href="/transparency?year=' in r.text and "sort=refusal_rate" in r.text
    year = data["years"][-1]
    sorted_page = client.get(f"/transparency?year={year}&sort=refusal_rate").text
    table = sorted_page.split('id="members"')[1].split("</table>")[0]
    order = [chunk.split('"')[0] for chunk in table.split('data-member="')[1:]]
    rates = {m["member"]: m["refusal_rate"] for m in data["members"] if m["year"] == year}
    ranked = [m for m in order if rates[m] is not None]
    assert ranked == sorted(ranked, key=lambda m: (-rates[m], m))
    by_share = client.get(f"/transparency?year={year}&sort=restricted_share").text
    assert "<strong>restricted share</strong>" in by_share
    assert client.get("/transparency?sort=evil").status_code == 422
    assert client.get("/transparency?year=1800").status_code == 422


def test_empty_report(client: TestClient) -> None:
    r = client.get("/transparency")
    assert r.status_code == 200 and "No figures yet" in r.text
    assert client.get("/transparency.json").json()["members"] == []
    assert client.get("/transparency.csv").text.strip() == ",".join(transparency.CSV_COLUMNS)
