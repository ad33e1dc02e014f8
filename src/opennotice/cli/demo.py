"""opennotice demo"""

from __future__ import annotations

import random

import typer
from rich.progress import Progress

from opennotice.services import assembly, ccf, public, register, screening
from opennotice.services.context import AppContext
from opennotice.services.demo import DEMO_PASSWORD, run_demo
from opennotice.store.migrate import upgrade

from .common import console, context, err_console, run


def demo(
    count: int = typer.Option(300, help="how many fictional requests to make"),
    seed: int = typer.Option(2021, help="random seed"),
) -> None:
    """Load demo data (fictional people only) into an empty database and print the logins."""
    ctx = context()
    upgrade(ctx.settings.database_url)
    from sqlalchemy import func, select

    from opennotice.store.tables import User

    with ctx.read_session_factory() as session:
        if session.scalar(select(func.count()).select_from(User)):
            err_console.print(
                "[red]error:[/red] the database already has users; demo data go "
                "into an empty database (remove it or point "
                "OPENNOTICE_DATABASE_URL elsewhere)"
            )
            raise typer.Exit(2)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("making fictional requests", total=count)
        result = run(
            lambda: run_demo(
                ctx, seed=seed, count=count, progress=lambda n: bar.update(task, completed=n)
            )
        )
    _seed_areas(ctx, seed)
    print(f"Demo logins: the password of every account is {DEMO_PASSWORD}")
    print(f"{'user':<12} {'role':<12} {'member':<7} API token (Authorization: Bearer ...)")
    for user, role, where, token in result.logins:
        print(f"{user:<12} {role:<12} {where:<7} {token}")
    console.print(f"{result.notices} fictional requests loaded into {ctx.settings.database_url}")


def _seed_areas(ctx: AppContext, seed: int) -> None:
    """Each area adds its own demo content: register entries, photos of public notices,
    screening hits, commission cases, an Assembly election."""
    for seeder in (
        register.seed_demo,
        public.seed_demo,
        screening.seed_demo,
        ccf.seed_demo,
        assembly.seed_demo,
    ):
        seeder(ctx, random.Random(seed))  # noqa: S311  (fictional data, not secrets)
