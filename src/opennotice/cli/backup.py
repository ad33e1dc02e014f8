"""opennotice backup FILE | opennotice restore FILE"""

from __future__ import annotations

from pathlib import Path

import typer

from opennotice.config import Settings
from opennotice.services import backup as svc

from .common import console, err_console, run


def _url() -> str:
    # Settings only: building the full context would create a key file or an empty database.
    return Settings().database_url


def backup(
    file: Path = typer.Argument(..., help="where to write the backup"),
    force: bool = typer.Option(False, "--force", help="replace FILE if it exists"),
) -> None:
    """Back up the database (SQLite online backup, or pg_dump custom format) to FILE."""
    result = run(lambda: svc.backup(_url(), file, force=force))
    console.print(f"{result.backend} backup written to {result.path} ({result.size} bytes)")
    console.print("it holds personal data: keep it encrypted and access-controlled")


def restore(
    file: Path = typer.Argument(..., help="a backup made by `opennotice backup`"),
    force: bool = typer.Option(
        False, "--force", help="replace everything in a database that already holds data"
    ),
) -> None:
    """Restore FILE into the configured database, then verify the audit chain."""
    result = run(lambda: svc.restore(_url(), file, force=force))
    v = result.verify
    if v.ok:
        console.print(f"restored; audit log intact: {v.checked} events, head {v.head_hash}")
        return
    err_console.print(
        f"[red]restored, but the audit log is damaged[/red] at event {v.first_bad_seq}: "
        f"{v.problem} ({v.checked} events verified before it)"
    )
    raise typer.Exit(1)
