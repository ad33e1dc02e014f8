"""opennotice member list | prior-review"""

from __future__ import annotations

import typer

from opennotice.services import members as svc

from .common import console, context, operator, run

app = typer.Typer(help="Member countries.", no_args_is_help=True)


@app.command("list")
def list_members() -> None:
    """Members, with those under prior review marked."""
    for m in run(lambda: svc.list_members(context(), operator())):
        flag = "  [yellow]prior review[/yellow]" if m.prior_review else ""
        console.print(f"{m.code:<4}{m.name}{flag}")


@app.command("prior-review")
def prior_review(
    code: str,
    reason: str | None = typer.Option(None, "--reason", help="why (needed to put it on)"),
    off: bool = typer.Option(False, "--off", help="lift prior review"),
) -> None:
    """Hold a member's diffusions until the secretariat has reviewed them."""
    m = run(
        lambda: svc.update_member(context(), operator(), code, prior_review=not off, reason=reason)
    )
    console.print(f"{m.code}: prior review {'on' if m.prior_review else 'off'}")
