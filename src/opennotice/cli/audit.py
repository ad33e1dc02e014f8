"""opennotice audit verify"""

from __future__ import annotations

import typer

from opennotice.services.audit import verify_log

from .common import context, err_console

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Recompute the hash chain; exit non-zero naming the first bad event."""
    result = verify_log(context())
    if result.ok:
        print(f"audit log intact: {result.checked} events, head {result.head_hash}")
        return
    err_console.print(
        f"[red]audit log damaged[/red] at event {result.first_bad_seq}: {result.problem} "
        f"({result.checked} events verified before it)"
    )
    raise typer.Exit(1)
