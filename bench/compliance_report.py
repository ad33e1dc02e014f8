"""Compliance routing on the labelled fictional requests: the share of each class routed
correctly, and of the abuse cases flagged with the right rule.

    .venv/bin/python bench/compliance_report.py [--data tests/data/compliance_labelled.toml]
        [--show-misses]

Each case runs in a fresh SQLite database, through the HTTP API (create, submit; setup steps
as the data file describes). Targets (issue 4): every abuse case flagged with the right rule;
at most 1 in 10 ordinary requests routed high risk.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from opennotice.api.app import create_app  # noqa: E402
from opennotice.bootstrap import build_context  # noqa: E402
from opennotice.config import Settings  # noqa: E402
from opennotice.store.migrate import upgrade  # noqa: E402
from tests.functional.compliance_support import DATA, Outcome, Runner, load_cases  # noqa: E402


def run(data: Path) -> list[Outcome]:
    defaults, cases = load_cases(data)
    out: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.sqlite3"
        upgrade(f"sqlite:///{template}")
        for i, case in enumerate(cases):
            db = Path(tmp) / f"case{i}.sqlite3"
            shutil.copy(template, db)
            settings = Settings(database_url=f"sqlite:///{db}", secret_key="bench-" + "k" * 32)
            ctx = build_context(settings)
            try:
                with TestClient(create_app(ctx)) as client:
                    out.append(Runner(client, ctx, defaults).run(case))
            finally:
                ctx.engine.dispose()
    return out


def report(outcomes: list[Outcome], show_misses: bool) -> str:
    by_label: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_label[o.label].append(o)
    lines = [
        "| class | requests | routed as labelled | right rules flagged | routed high risk |",
        "|---|---|---|---|---|",
    ]
    for label in ("ordinary", "abuse", "data"):
        group = by_label.get(label, [])
        if not group:
            continue
        n = len(group)
        routed = sum(o.route_ok for o in group)
        ruled = sum(o.rules_ok for o in group)
        high = sum(o.route in ("high", "must_refuse") for o in group)
        lines.append(
            f"| {label} | {n} | {routed}/{n} ({routed / n:.0%}) | {ruled}/{n} ({ruled / n:.0%}) "
            f"| {high}/{n} ({high / n:.0%}) |"
        )
    held = [o for o in outcomes if o.heldout]
    if held:
        flagged = sum(o.route in ("high", "must_refuse") for o in held)
        n = len(held)
        lines.append(
            f"| ordinary, held out | {n} | {n - flagged}/{n} ({(n - flagged) / n:.0%}) | - "
            f"| {flagged}/{n} ({flagged / n:.0%}) |"
        )
    by_route: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_route[o.expect_route].append(o)
    lines += ["", "| expected route | requests | routed so |", "|---|---|---|"]
    for r in ("routine", "high", "must_refuse"):
        group = by_route.get(r, [])
        if group:
            ok = sum(o.route_ok for o in group)
            lines.append(f"| {r} | {len(group)} | {ok}/{len(group)} ({ok / len(group):.0%}) |")
    rules: dict[str, list[bool]] = defaultdict(list)
    for o in outcomes:
        for rule in o.expect_rules:
            rules[rule].append(rule in o.rules)
    lines += ["", "| rule | cases expecting it | flagged |", "|---|---|---|"]
    for rule in sorted(rules):
        hits = rules[rule]
        lines.append(f"| {rule} | {len(hits)} | {sum(hits)}/{len(hits)} |")
    if show_misses:
        misses = [o for o in outcomes if not o.ok]
        lines += ["", f"misses: {len(misses)}"]
        for o in misses:
            lines.append(
                f"- {o.case_id}: route {o.route} (expected {o.expect_route}); rules {o.rules}"
                f" (expected {o.expect_rules}, absent {o.absent_rules})"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    outcomes = run(args.data)
    print(f"{len(outcomes)} labelled requests from {args.data.relative_to(ROOT)}\n")
    print(report(outcomes, args.show_misses))


if __name__ == "__main__":
    main()
