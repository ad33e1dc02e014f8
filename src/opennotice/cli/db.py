"""opennotice db upgrade | check"""

from __future__ import annotations

import typer

from opennotice.store.migrate import current_matches_models, upgrade

from .common import console, context, err_console

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Create or migrate the database to the current schema."""
    ctx = context()
    upgrade(ctx.settings.database_url)
    console.print("database is at the current schema")


@app.command("check")
def check_cmd() -> None:
    """Fail if the models would need a migration that does not exist."""
    diffs = current_matches_models(context().settings.database_url)
    if diffs:
        for d in diffs:
            err_console.print(f"[red]differs:[/red] {d}")
        raise typer.Exit(1)
    console.print("the migrations match the models")
