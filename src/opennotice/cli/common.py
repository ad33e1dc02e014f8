"""What every command shares: the context, the operator actor, clear errors."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console

from opennotice.bootstrap import build_context
from opennotice.domain.actors import Actor
from opennotice.domain.types import Role
from opennotice.errors import OpenNoticeError
from opennotice.services.context import AppContext

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")


@cache
def context() -> AppContext:
    return build_context()


def operator() -> Actor:
    """The person at the server's console: acts with the admin role, named in the audit log."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(user_id=None, username=f"operator:{name}"[:80], role=Role.ADMIN, via="cli")


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn our errors into a one-line message and a non-zero exit, never a stack trace."""
    try:
        yield
    except OpenNoticeError as exc:
        err_console.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(2) from None


def run(fn: Callable[[], T]) -> T:
    with clear_errors():
        return fn()


def read_text_file(path: Path) -> str:
    """A text file given on the command line, or a one-line error and exit 2."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        err_console.print(f"[red]error:[/red] cannot read {path} as UTF-8 text")
        raise typer.Exit(2) from None
