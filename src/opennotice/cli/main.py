"""The `opennotice` command."""

from __future__ import annotations

import typer

from . import audit, db, members, users
from .serve import serve

app = typer.Typer(
    help="OpenNotice: international notices, reviewed, screened and accounted for.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="user")
app.add_typer(members.app, name="member")
app.add_typer(audit.app, name="audit")
app.command("serve")(serve)


def _register_optional() -> None:
    """Command groups that later areas add (demo, screen, import, report...)."""
    from . import demo

    app.command("demo")(demo.demo)


_register_optional()

if __name__ == "__main__":
    app()
