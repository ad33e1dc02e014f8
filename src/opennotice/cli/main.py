"""The `opennotice` command."""

from __future__ import annotations

import gc

import typer

from . import assembly as assembly_cli
from . import audit, db, demo, members, users
from . import backup as backup_cli
from . import importer as import_cli
from . import report as report_cli
from . import screen as screen_cli
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
app.command("screen")(screen_cli.screen)
app.command("import")(import_cli.import_notices)
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore)
app.add_typer(assembly_cli.app, name="assembly")
app.add_typer(report_cli.app, name="report")
app.command("demo")(demo.demo)


def main() -> None:
    """The console script: the command, then the end of the process."""
    try:
        app()
    finally:
        # The process ends here and the system takes its memory back. Frozen, what is still
        # alive is left out of the interpreter's last collections, which would otherwise walk
        # all of it: 15 of the 34 s of `opennotice screen` on 100,000 notices and 10 rows.
        # (Commands unfreeze what they froze: they also run inside longer processes, tests.)
        gc.freeze()


if __name__ == "__main__":
    main()
