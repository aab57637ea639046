"""Template tags of the KPI pages: sparklines drawn on the server as small inline SVGs, and
what other apps offer for an off-track KPI (kpis/page_extensions.py)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.numbers import plain_number
from kpis import page_extensions, scoring
from kpis.models import Kpi
from strategy.extensions import Link

register = template.Library()


@register.simple_tag
def sparkline(
    history: Sequence[tuple[str, Decimal | None]], width: int = 96, height: int = 24
) -> SafeString:
    """The values as a line, gaps where a period has none, the last value as a dot.

    Its accessible name lists the values, since a picture of a trend says little to a screen
    reader; people who see it get the same numbers as a tooltip.
    """
    known = [(index, value) for index, (_, value) in enumerate(history) if value is not None]
    if not known:
        return format_html('<span class="sparkline-empty">{}</span>', "no values yet")
    low = min(value for _, value in known)
    high = max(value for _, value in known)
    span = float(high - low) or 1.0
    step = (width - 4) / max(len(history) - 1, 1)

    def point(index: int, value: Decimal) -> tuple[float, float]:
        y = height - 2 - (float(value - low) / span) * (height - 4)
        if high == low:
            y = height / 2
        return 2 + index * step, y

    segments: list[list[tuple[float, float]]] = []
    previous = None
    for index, value in known:
        if previous is None or index != previous + 1:
            segments.append([])
        segments[-1].append(point(index, value))
        previous = index
    lines = format_html_join(
        "",
        '<polyline class="sparkline-line" points="{}"></polyline>',
        ((" ".join(f"{x:.1f},{y:.1f}" for x, y in segment),) for segment in segments),
    )
    last_x, last_y = point(*known[-1])
    label = ", ".join(
        f"{label} {'—' if value is None else plain_number(value)}" for label, value in history
    )
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="Recent values: {label}"><title>{label}</title>{lines}'
        '<circle class="sparkline-dot" cx="{x}" cy="{y}" r="2"></circle></svg>',
        w=width,
        h=height,
        label=label,
        lines=lines,
        x=f"{last_x:.1f}",
        y=f"{last_y:.1f}",
    )


@register.simple_tag(takes_context=True)
def off_track_actions(
    context: template.Context, kpi: Kpi, status: scoring.ScoreStatus
) -> list[Link]:
    """What the signed-in person can do about the KPI when it is off track (else nothing)."""
    request = context.get("request")
    if status is not scoring.ScoreStatus.OFF_TRACK or request is None:
        return []
    return page_extensions.actions_for_off_track(request.user, kpi)
