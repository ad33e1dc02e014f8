"""opennotice user add | password | list"""

from __future__ import annotations

import typer

from opennotice.services import users as svc

from .common import console, context, operator, run

app = typer.Typer(help="User accounts and their API tokens.", no_args_is_help=True)


@app.command("add")
def add(
    username: str = typer.Argument(..., help="login name, e.g. fr.ncb.dupont"),
    role: str = typer.Option(
        ..., "--role", help="ncb, secretariat, ccf, screening, auditor, admin"
    ),
    member: str | None = typer.Option(
        None, "--member", help="ISO code of the member (ncb, screening)"
    ),
    nationality: str | None = typer.Option(None, "--nationality", help="ISO code (secretariat)"),
    password: bool = typer.Option(False, "--password", help="also set a website password (asked)"),
) -> None:
    """Add a user and print their API token once."""
    secret = None
    if password:
        secret = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    new = run(
        lambda: svc.bootstrap_user(
            context(),
            operator(),
            username=username,
            role=role,
            member=member,
            nationality=nationality,
            password=secret,
        )
    )
    console.print(f"user [bold]{new.user.username}[/bold] ({new.user.role}) added")
    console.print("API token (shown once, store it now):")
    print(new.token)


@app.command("password")
def password(username: str) -> None:
    """Set a user's website password (asked twice)."""
    secret = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    run(lambda: svc.set_password(context(), operator(), username, secret))
    console.print("password set")


@app.command("list")
def list_users() -> None:
    """List the accounts."""
    for u in run(lambda: svc.list_users(context(), operator())):
        state = "" if u.active else " (disabled)"
        console.print(f"{u.id:>4}  {u.username:<30} {u.role:<12} {u.member or '':<3}{state}")
