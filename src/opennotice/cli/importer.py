"""opennotice import FILE: load notices in INTERPOL's public detail format (JSON lines)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from opennotice.services import importer as svc

from .common import console, context, err_console, operator, run

MAX_SHOWN = 100


def import_notices(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="JSON lines, one notice per line, as INTERPOL's public service details them",
    ),
    member: str | None = typer.Option(
        None,
        "--member",
        help="requesting member of every record (default: arrest_warrants[0].issuing_country_id)",
    ),
    public: bool = typer.Option(False, "--public", help="publish public extracts of them"),
) -> None:
    """Import notices as issued notices, so that screening finds them."""
    ctx = context()
    actor = operator()
    with file.open("rb") as f:
        total = sum(1 for _ in f)
    progress = Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), console=err_console
    )
    with progress, file.open(encoding="utf-8", errors="replace") as source:
        task = progress.add_task("importing", total=total)
        result = run(
            lambda: svc.import_notices(
                ctx,
                actor,
                source,
                member=member,
                public=public,
                on_line=lambda n: progress.update(task, completed=n),
            )
        )
        progress.update(task, completed=total)
    for problem in result.errors[:MAX_SHOWN]:
        err_console.print(f"[yellow]line {problem.line}:[/yellow] {problem.message} (skipped)")
    if len(result.errors) > MAX_SHOWN:
        err_console.print(f"[yellow]... and {len(result.errors) - MAX_SHOWN} more[/yellow]")
    for problem in result.skipped[:MAX_SHOWN]:
        err_console.print(f"line {problem.line}: {problem.message}")
    console.print(
        f"imported {len(result.imported)} notices, {len(result.skipped)} already there, "
        f"{len(result.errors)} invalid records skipped"
    )
