"""Year-end forecast of a KPI from its year-to-date pace (DESIGN.md §4), with no Django in it.

Two methods, by how the KPI's periods combine into its year:

- **Cumulative KPIs** (aggregation "sum": sales, incidents) are forecast *linearly on the
  cumulative value*: the average of the reported periods so far is the pace, and each period
  left in the year adds that pace. The year's goal is the sum of the year's period goals.
- **Level KPIs** (average, last, min, max: a rate, a satisfaction score) are forecast by the
  *trend of their last values*: a least-squares line through the last `TREND_POINTS` reported
  values (by period index), extended to the year's last period; a single value is carried
  forward flat. The year's goal is the goal of the year's last period with one.

The forecast misses the year's goal when it falls short of it in the KPI's direction (below
for "higher is better", above for "lower is better"). Range KPIs are not judged: a band's two
edges have no single year-end goal. No forecast without an actual this year or without a goal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

TREND_POINTS = 3
CUMULATIVE = "linear on cumulative values"
LEVEL = "trend of the last values"


@dataclass(frozen=True)
class YearValues:
    """A KPI's year: actuals of the periods so far (None when missing), goals of every period."""

    direction: str  # "increase", "decrease" or "range"
    aggregation: str  # "sum", "average", "last", "min" or "max"
    periods_in_year: int
    actuals: Sequence[Decimal | None]
    goals: Sequence[Decimal | None]


@dataclass(frozen=True)
class Forecast:
    method: str
    value: Decimal | None
    goal: Decimal | None
    # Projected values of each period after the last reported one, to draw as a dashed line.
    projected: tuple[Decimal, ...]
    misses_goal: bool

    @property
    def has_value(self) -> bool:
        return self.value is not None


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"))


def _trend(points: list[tuple[int, Fraction]], at: int) -> Fraction:
    """The least-squares line through `points` (index, value) evaluated at index `at`."""
    if len(points) == 1:
        return points[0][1]
    n = len(points)
    mean_x = Fraction(sum(x for x, _ in points), n)
    mean_y = sum((y for _, y in points), Fraction(0)) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum(((x - mean_x) * (y - mean_y) for x, y in points), Fraction(0)) / spread
    return mean_y + slope * (at - mean_x)


def _misses(direction: str, value: Fraction, goal: Decimal) -> bool:
    if direction == "increase":
        return value < goal
    if direction == "decrease":
        return value > goal
    return False


def year_end(values: YearValues) -> Forecast:
    """The year-end forecast of one KPI from its values so far (see the module's docstring)."""
    reported = [(i, Fraction(v)) for i, v in enumerate(values.actuals) if v is not None]
    cumulative = values.aggregation == "sum"
    method = CUMULATIVE if cumulative else LEVEL
    if cumulative:
        goal = (
            None
            if any(g is None for g in values.goals) or not values.goals
            else sum((g for g in values.goals if g is not None), Decimal(0))
        )
    else:
        goal = next((g for g in reversed(values.goals) if g is not None), None)
    if not reported:
        return Forecast(method, None, goal, (), False)

    last_index = values.periods_in_year - 1
    remaining = range(len(values.actuals), values.periods_in_year)
    if cumulative:
        pace = sum((v for _, v in reported), Fraction(0)) / len(reported)
        # Missing periods so far count at the pace too: they are unreported, not zero.
        result = pace * values.periods_in_year
        projected = tuple(_decimal(pace) for _ in remaining)
    else:
        points = reported[-TREND_POINTS:]
        result = _trend(points, last_index)
        projected = tuple(_decimal(_trend(points, i)) for i in remaining)
    misses = goal is not None and _misses(values.direction, result, goal)
    return Forecast(method, _decimal(result), goal, projected, misses)
