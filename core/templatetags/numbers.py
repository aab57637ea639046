"""How numbers read on every page: `{{ weight|plain }}` and `{{ kpi.tolerance|percent }}`.

One filter each, so a weight or a tolerance reads the same on the plan, the KPI and the
target pages (see `core.numbers`).
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from core.numbers import percent_text, plain_number

register = template.Library()


@register.filter
def plain(value: Decimal | None) -> str:
    """A stored number without its trailing zeros: 1.5 rather than 1.500; nothing for None."""
    return "" if value is None else plain_number(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """A fraction as a percentage: 0.1000 reads "10 %"; nothing for None."""
    return "" if value is None else percent_text(value)
