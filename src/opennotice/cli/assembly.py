"""opennotice assembly ...: the clerk's commands for General Assembly elections.

session create | session list | session show · deadline · accredit · presence · post add ·
continuing · nominate · withdraw · document add · publish · open · close · results · board ·
recount · rules
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer

from opennotice.domain.assembly import RULES_FILE, RulesError, load_rules
from opennotice.errors import ValidationFailed
from opennotice.services import assembly as svc

from .common import console, context, err_console, operator, read_text_file, run

app = typer.Typer(help="General Assembly elections (the clerk).", no_args_is_help=True)
session_app = typer.Typer(help="Assembly sessions.", no_args_is_help=True)
post_app = typer.Typer(help="Posts to fill.", no_args_is_help=True)
document_app = typer.Typer(help="Observers' documents about candidacies.", no_args_is_help=True)
app.add_typer(session_app, name="session")
app.add_typer(post_app, name="post")
app.add_typer(document_app, name="document")


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"the {what} is a date such as 2031-11-04") from None


def _moment(value: str, what: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"the {what} is a time such as 2031-10-20T12:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _emit(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@session_app.command("create")
def session_create(
    title: str = typer.Option(..., "--title"),
    place: str = typer.Option(..., "--place"),
    starts: str = typer.Option(..., "--starts", help="first day, YYYY-MM-DD"),
    ends: str = typer.Option(..., "--ends", help="last day, YYYY-MM-DD"),
    nominations_close: str = typer.Option(
        ..., "--nominations-close", help="deadline, ISO 8601 (UTC if no offset)"
    ),
    agenda: str = typer.Option("", "--agenda"),
) -> None:
    """Create an Assembly session."""
    row = run(
        lambda: svc.create_session(
            context(),
            operator(),
            title=title,
            place=place,
            starts_on=_date(starts, "start"),
            ends_on=_date(ends, "end"),
            nominations_close=_moment(nominations_close, "deadline"),
            agenda=agenda,
        )
    )
    console.print(f"session [bold]{row.id}[/bold] created: {row.title}, {row.place}")


@session_app.command("list")
def session_list() -> None:
    """Sessions, latest first."""
    for s in run(lambda: svc.list_sessions(context())):
        flag = "candidates published" if s["candidates_published"] else "nominations"
        console.print(f"{s['id']:>4}  {s['starts_on']}  {s['title']}, {s['place']}  ({flag})")


@session_app.command("show")
def session_show(session_id: int) -> None:
    """Everything public about a session, as JSON."""
    _emit(run(lambda: svc.session_overview(context(), session_id)))


@app.command("deadline")
def deadline(session_id: int, when: str = typer.Argument(..., help="ISO 8601")) -> None:
    """Move the nomination deadline (until the candidate list is published)."""
    row = run(
        lambda: svc.set_nominations_close(context(), operator(), session_id, _moment(when, "time"))
    )
    console.print(f"nominations close at {row.nominations_close:%Y-%m-%d %H:%M} UTC")


@app.command("accredit")
def accredit(
    session_id: int,
    username: str,
    credentials: str = typer.Option(..., "--credentials", help="reference of the credentials"),
    member: str | None = typer.Option(None, "--member", help="check the user acts for it"),
) -> None:
    """Accredit an NCB user as a delegate of their member."""
    row = run(
        lambda: svc.accredit(
            context(),
            operator(),
            session_id,
            username=username,
            credentials=credentials,
            member=member,
        )
    )
    console.print(f"{username} accredited for {row.member}")


@app.command("presence")
def presence(session_id: int, member: str, absent: bool = typer.Option(False, "--absent")) -> None:
    """Record a delegation present (or, with --absent, absent)."""
    row = run(lambda: svc.set_presence(context(), operator(), session_id, member, not absent))
    console.print(f"{row.member}: {'present' if row.present else 'absent'}")


@post_app.command("add")
def post_add(
    session_id: int,
    kind: str = typer.Argument(..., help="president, vice_president, delegate (see the rules)"),
    continent: str | None = typer.Option(None, "--continent", help="africa, americas, ..."),
    seats: int = typer.Option(1, "--seats"),
    title: str | None = typer.Option(None, "--title"),
) -> None:
    """Add a post to fill at the session."""
    row = run(
        lambda: svc.add_post(
            context(),
            operator(),
            session_id,
            kind=kind,
            continent=continent,
            seats=seats,
            title=title,
        )
    )
    console.print(f"post [bold]{row.id}[/bold]: {row.title} ({row.seats} seat(s))")


@app.command("continuing")
def continuing(session_id: int, post_kind: str, name: str, country: str) -> None:
    """Record a Committee member whose term continues (the eligibility rules count them)."""
    run(
        lambda: svc.add_continuing(
            context(), operator(), session_id, post_kind=post_kind, name=name, country=country
        )
    )
    console.print(f"continuing {post_kind} from {country.upper()} recorded")


@app.command("nominate")
def nominate(
    post_id: int,
    member: str = typer.Option(..., "--member", help="the nominating member"),
    name: str = typer.Option(..., "--name"),
    nationality: str = typer.Option(..., "--nationality"),
    position: str = typer.Option(..., "--position", help="current position"),
    statement: Path = typer.Option(..., "--statement", help="file with the public statement"),
) -> None:
    """Record a member's nomination (before the deadline)."""
    text = read_text_file(statement)
    row = run(
        lambda: svc.nominate(
            context(),
            operator(),
            post_id,
            member=member,
            name=name,
            nationality=nationality,
            current_position=position,
            statement=text,
        )
    )
    console.print(f"candidacy [bold]{row.id}[/bold]: {row.name} ({row.nationality})")


@app.command("withdraw")
def withdraw(candidacy_id: int) -> None:
    """Withdraw a candidacy."""
    row = run(lambda: svc.withdraw(context(), operator(), candidacy_id))
    console.print(f"candidacy {row.id} withdrawn")


@document_app.command("add")
def document_add(
    candidacy_id: int,
    kind: str = typer.Option(..., "--kind", help="objection, open_letter, support, other"),
    title: str = typer.Option(..., "--title"),
    authors: str = typer.Option(..., "--authors"),
    body: Path = typer.Option(..., "--body", help="file with the text"),
    url: str | None = typer.Option(None, "--url"),
) -> None:
    """Attach an observers' document (objection, open letter) to a candidacy."""
    text = read_text_file(body)
    row = run(
        lambda: svc.attach_document(
            context(),
            operator(),
            candidacy_id,
            kind=kind,
            title=title,
            authors=authors,
            body=text,
            url=url,
        )
    )
    console.print(f"document {row.id} attached to candidacy {candidacy_id}")


@app.command("publish")
def publish(session_id: int) -> None:
    """Publish the candidate list (this ends the nominations)."""
    run(lambda: svc.publish_candidates(context(), operator(), session_id))
    console.print("candidate list published")


@app.command("open")
def open_(post_id: int) -> None:
    """Open the next round for a post."""
    row = run(lambda: svc.open_ballot(context(), operator(), post_id))
    console.print(
        f"ballot [bold]{row.id}[/bold] open: seat {row.seat}, round {row.round}, "
        f"majority {row.majority}, candidacies {row.candidates}"
    )


@app.command("close")
def close(ballot_id: int) -> None:
    """Close a ballot and count it."""
    run(lambda: svc.close_ballot(context(), operator(), ballot_id))
    _print_ballot(run(lambda: svc.ballot_public(context(), ballot_id)))


def _print_ballot(b: dict[str, Any]) -> None:
    console.print(
        f"[bold]{b['post']}[/bold] seat {b['seat']} round {b['round']} "
        f"({b['majority_text']}): {b['status']}"
    )
    r = b["result"]
    if not r:
        return
    for row in r["votes"]:
        console.print(f"  {row['votes']:>4}  {row['name']}")
    console.print(
        f"  abstentions {r['abstentions']}, spoilt {r['spoilt']}, votes cast {r['votes_cast']}, "
        f"needed {r['needed'] if r['needed'] is not None else 'most votes'}"
    )
    console.print(f"  elected: {r['elected_name']}" if r["elected"] else "  no one elected")


@app.command("results")
def results(session_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """Results per round."""
    overview = run(lambda: svc.session_overview(context(), session_id))
    if as_json:
        _emit(overview["ballots"])
        return
    q = overview["quorum"]
    console.print(f"members present {q['present']} of {q['members']} (quorum {q['needed']})")
    for b in overview["ballots"]:
        _print_ballot(b)


@app.command("board")
def board(ballot_id: int) -> None:
    """The bulletin board of a closed ballot, as JSON."""
    _emit(run(lambda: svc.bulletin_board(context(), ballot_id)))


@app.command("recount")
def recount(ballot_id: int) -> None:
    """Recount a closed ballot from its board; exit 1 if it differs from the result."""
    got = run(lambda: svc.recount(context(), ballot_id))
    _emit(got)
    if not got["matches"]:
        raise typer.Exit(1)


@app.command("rules")
def rules(path: Path | None = typer.Argument(None, help="a rules file to check")) -> None:
    """Check a rules file (by default the one in use) and show the majorities."""
    target = path or RULES_FILE
    try:
        loaded = load_rules(target)
    except (RulesError, OSError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    console.print(f"{target}: valid")
    for kind, post in loaded.posts.items():
        stages = loaded.schemes[post.scheme].stages
        plan = ", ".join(
            f"{s.majority} up to round {s.until_round}" if s.until_round else f"then {s.majority}"
            for s in stages
        )
        console.print(f"  {kind}: {plan}")
