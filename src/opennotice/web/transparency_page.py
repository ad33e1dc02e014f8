"""The transparency report as HTML with charts drawn on the server as plain SVG (no script, no
inline style: colours are SVG presentation attributes, which the security policy allows).

Used by the public page (`/transparency`) and by `opennotice report transparency`.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from opennotice.domain.countries import country_name
from opennotice.services.transparency import SORT_KEYS, Figures, Report, sort_rows

from .templating import templates

INK, MUTED, ACCENT, WARN, SOFT, OK = (
    "#1a1a1a",
    "#4a4a4a",
    "#0b4f8a",
    "#8a1c0b",
    "#c9c9c9",
    "#1d5e20",
)
Href = Callable[[int | None, str], str]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _svg_open(width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]


def bar_chart(title: str, items: list[tuple[str, float | None]], *, percent: bool) -> str:
    """Horizontal bars, one per member, with the value written at the end of each bar."""
    shown = [(label, value) for label, value in items if value is not None][:25]
    width, left, row = 640, 70, 22
    height = 30 + row * max(len(shown), 1)
    top = max((v or 0.0) for _, v in shown) if shown else 0.0
    scale = 1.0 if percent else (top or 1.0)
    parts = _svg_open(width, height, title, f"{len(shown)} members")
    parts.append(f'<text x="0" y="16" font-size="13" fill="{INK}">{escape(title)}</text>')
    if not shown:
        parts.append(f'<text x="0" y="40" font-size="12" fill="{MUTED}">No data yet.</text>')
    for i, (label, value) in enumerate(shown):
        y = 26 + i * row
        length = (width - left - 80) * (float(value or 0.0) / scale if scale else 0.0)
        text = _pct(value) if percent else f"{value:g}"
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{max(length, 1):.1f}" height="{row - 8}" '
            f'fill="{WARN if percent else ACCENT}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 14}" font-size="12" '
            f'fill="{INK}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(title: str, items: list[tuple[str, int, int]]) -> str:
    """Valid notices per member: public (light) and restricted (dark) in one bar."""
    shown = [it for it in items if it[1] + it[2] > 0][:25]
    width, left, row = 640, 70, 22
    height = 50 + row * max(len(shown), 1)
    top = max((a + b for _, a, b in shown), default=0) or 1
    parts = _svg_open(width, height, title, "public and restricted valid notices")
    parts.append(f'<text x="0" y="16" font-size="13" fill="{INK}">{escape(title)}</text>')
    parts.append(
        f'<rect x="0" y="24" width="12" height="12" fill="{OK}"/>'
        f'<text x="16" y="34" font-size="12" fill="{INK}">public extract</text>'
        f'<rect x="120" y="24" width="12" height="12" fill="{WARN}"/>'
        f'<text x="136" y="34" font-size="12" fill="{INK}">restricted to police</text>'
    )
    if not shown:
        parts.append(f'<text x="0" y="60" font-size="12" fill="{MUTED}">No data yet.</text>')
    span = width - left - 80
    for i, (label, public, restricted) in enumerate(shown):
        y = 44 + i * row
        a, b = span * public / top, span * restricted / top
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{a:.1f}" height="{row - 8}" fill="{OK}"/>'
            f'<rect x="{left + a:.1f}" y="{y + 3}" width="{b:.1f}" height="{row - 8}" '
            f'fill="{WARN}"/>'
            f'<text x="{left + a + b + 6:.1f}" y="{y + 14}" font-size="12" fill="{INK}">'
            f"{public} / {restricted}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(title: str, world: list[Figures]) -> str:
    """World totals by year: requests, issued, refused, commission requests."""
    series = [
        ("requests", ACCENT, [w.requests for w in world]),
        ("issued", OK, [w.issued for w in world]),
        ("refused", WARN, [w.refused for w in world]),
        ("commission requests", MUTED, [w.commission_requests for w in world]),
    ]
    width, height, left, bottom, top_pad = 640, 240, 50, 30, 40
    years = [w.year for w in world]
    top = max((max(vals, default=0) for _, _, vals in series), default=0) or 1
    parts = _svg_open(width, height, title, "world totals by year")
    parts.append(f'<text x="0" y="16" font-size="13" fill="{INK}">{escape(title)}</text>')
    for i, (name, colour, _vals) in enumerate(series):
        lx = i * 150
        parts.append(
            f'<rect x="{lx}" y="24" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="34" font-size="12" fill="{INK}">{escape(name)}</text>'
        )
    plot_w, plot_h = width - left - 20, height - bottom - top_pad - 10
    base_y = height - bottom
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - 20}" y2="{base_y}" stroke="{SOFT}"/>'
        f'<text x="{left - 6}" y="{top_pad + 14}" font-size="11" text-anchor="end" '
        f'fill="{MUTED}">{top}</text>'
        f'<text x="{left - 6}" y="{base_y}" font-size="11" text-anchor="end" fill="{MUTED}">0'
        "</text>"
    )

    def xy(i: int, value: int) -> tuple[float, float]:
        x = left + (plot_w * (i / (len(years) - 1)) if len(years) > 1 else plot_w / 2)
        return x, base_y - plot_h * value / top

    for i, year in enumerate(years):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{base_y + 18}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{year}</text>'
        )
    for _name, colour, vals in series:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(vals)))
        if len(vals) > 1:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for i, v in enumerate(vals):
            x, y = xy(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)


def page_href(base: str) -> Href:
    def href(year: int | None, sort: str) -> str:
        query = [f"sort={sort}"] if sort != "member" else []
        if year is not None:
            query.insert(0, f"year={year}")
        return base + ("?" + "&".join(query) if query else "")

    return href


def render_page(
    report: Report,
    *,
    year: int | None,
    sort: str,
    href: Href,
    css_href: str = "/static/site.css",
    downloads: dict[str, str] | None = None,
) -> str:
    years = report.years
    chosen = year if year in years else (years[-1] if years else None)
    sort_key = sort if sort in SORT_KEYS else "member"
    rows = sort_rows(report.for_year(chosen), sort_key) if chosen is not None else []
    totals = report.totals_by_member()
    ranking = sort_rows(totals, "refusal_rate")
    by_rate = [(r.member, r.refusal_rate) for r in sort_rows(rows, "refusal_rate")]
    stacked = [
        (r.member, r.valid_public, r.valid_restricted) for r in sort_rows(rows, "restricted_share")
    ]
    world = next((w for w in report.world if w.year == chosen), None)
    template = templates.env.get_template("transparency.html")
    return template.render(
        report=report,
        year=chosen,
        sort=sort_key,
        rows=rows,
        ranking=ranking,
        world=world,
        href=href,
        pct=_pct,
        css_href=css_href,
        country=country_name,
        downloads=downloads or {"JSON": "/transparency.json", "CSV": "/transparency.csv"},
        chart_refusals=bar_chart(
            f"Refusal rate by requesting member, {chosen}", by_rate, percent=True
        ),
        chart_restricted=stacked_chart(f"Valid notices at year end, {chosen}", stacked),
        chart_trend=trend_chart("World totals by year", report.world),
    )
