"""opennotice screen FILE: screen a passenger list (CSV or JSON lines) on the server."""

from __future__ import annotations

import csv
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from opennotice.collector import collector_paused, settle_collector
from opennotice.matching import DEFAULT_THRESHOLD, IMPLEMENTATION, IMPLEMENTATION_REASON
from opennotice.services import screening as svc
from opennotice.services.screening_input import (
    RawRow,
    RowError,
    RowFormat,
    detect_format,
    split_rows,
)
from opennotice.services.screening_workers import MAX_WORKERS, check_workers

from .common import console, context, err_console, operator, run

MAX_ERRORS_SHOWN = 100
CSV_COLUMNS = [
    "line", "ref", "notice", "kind", "type", "requester", "score", "name", "original_name",
    "date_of_birth", "action", "contact", "explanation",
]  # fmt: skip


def _format(path: Path, forced: str | None) -> RowFormat:
    if forced:
        return RowFormat(forced)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return RowFormat.CSV
    if suffix in (".jsonl", ".ndjson", ".json"):
        return RowFormat.JSONL
    with path.open(encoding="utf-8", errors="replace") as f:
        return detect_format(f.read(1000))


def _count_lines(path: Path) -> int:
    count = 0
    last = b"\n"
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


class _HitWriter:
    def __init__(self, stream: IO[str], as_csv: bool) -> None:
        self.stream = stream
        self.csv = csv.DictWriter(stream, CSV_COLUMNS) if as_csv else None
        if self.csv is not None:
            self.csv.writeheader()
        self.rows = 0

    def write(self, row: svc.BatchRow) -> None:
        for hit in row.hits:
            record: dict[str, Any] = {"line": row.line, "ref": row.ref} | hit.as_dict()
            if self.csv is not None:
                record["explanation"] = json.dumps(record["explanation"], ensure_ascii=False)
                self.csv.writerow(record)
            else:
                self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.rows += 1


def screen(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="CSV with a header line, or JSON lines: surname, given_names, date_of_birth, "
        "nationality, sex, document_number (optional), or mrz1 and mrz2",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="write the hits here: .csv for CSV, else JSON lines (default: stdout)"
    ),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", min=0.5, max=1.0, help="lowest score reported"
    ),
    member: str | None = typer.Option(
        None,
        "--member",
        help="screen for this member (its restrictions and diffusions apply); without it only "
        "notices no member is restricted from can hit",
    ),
    where: str | None = typer.Option(None, "--where", help="where the people were screened"),
    fmt: str | None = typer.Option(None, "--format", help="csv or jsonl (default: by extension)"),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=MAX_WORKERS,
        help="processes that search (forked, sharing the index); the number of cores is a "
        "good choice for a large file",
    ),
) -> None:
    """Screen every person in FILE against the notices in force; write the hits."""
    ctx = context()
    actor = operator()
    row_format = run(lambda: _format(file, fmt)) if fmt in (None, "csv", "jsonl") else None
    if row_format is None:
        err_console.print("[red]error:[/red] --format is csv or jsonl")
        raise typer.Exit(2)
    run(lambda: check_workers(workers))  # before the index is built: that takes a while
    total = _count_lines(file)
    # The index lives until the command ends: keep the collector from walking it again and
    # again while the rows are screened (a third of the time on large files). Frozen before
    # the collector comes back on, or its first collections walk all of it (seconds).
    with collector_paused():
        index = run(lambda: svc.screening_index(ctx))
        gc.freeze()
    # Which engine searches: the Python sources are about 1.4 times slower (docs/matching.md).
    engine = IMPLEMENTATION + (f" ({IMPLEMENTATION_REASON})" if IMPLEMENTATION_REASON else "")
    err_console.print(f"index: {len(index)} notices in force; matching engine: {engine}")
    shown = 0
    errors = 0

    def on_error(e: RowError) -> None:
        nonlocal shown, errors
        errors += 1
        if shown < MAX_ERRORS_SHOWN:
            err_console.print(f"[yellow]line {e.line}:[/yellow] {e.message} (skipped)")
            shown += 1

    stream: IO[str] = out.open("w", encoding="utf-8", newline="") if out is not None else _stdout()
    writer = _HitWriter(stream, as_csv=out is not None and out.suffix.lower() == ".csv")
    progress = Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
    try:
        with progress, file.open(encoding="utf-8", errors="replace", newline="") as source:
            task = progress.add_task("screening", total=total)

            # Rows are split here and read (checked, made into queries) where they are
            # searched: in the worker processes, when there are some.
            def rows() -> Iterator[RawRow | RowError]:
                for count, row in enumerate(split_rows(source, row_format)):
                    if count % 500 == 0:  # the bar is cheap to draw, not free: every 500 rows
                        line = row.line if isinstance(row, RowError) else row[0]
                        progress.update(task, completed=line)
                        if workers == 1:
                            settle_collector()  # the engine's caches grew (workers do their own)
                    yield row
                progress.update(task, completed=total)

            # A search makes no reference cycles: no collection is needed while the rows
            # are screened (a twentieth of the time went to collections finding nothing);
            # the few cycles of the final transaction wait until the run ends.
            with collector_paused():
                result = run(
                    lambda: svc.screen_file(
                        ctx,
                        actor,
                        rows(),
                        member=member,
                        where=where,
                        threshold=threshold,
                        on_row=writer.write,
                        on_error=on_error,
                        workers=workers,
                    )
                )
    finally:
        gc.unfreeze()  # the command may run inside a longer process (tests, a shell)
        if out is not None:
            stream.close()
    if errors > shown:
        err_console.print(f"[yellow]... and {errors - shown} more rows skipped[/yellow]")
    target = str(out) if out is not None else "stdout"
    console_err = err_console if out is None else console
    console_err.print(
        f"screened {result.screened} people, {len(result.errors)} rows skipped, "
        f"{result.hits} hits written to {target}"
    )


def _stdout() -> IO[str]:
    import sys

    return sys.stdout
