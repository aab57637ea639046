"""A KPI seen per quarter, year or year-to-date: its periods combined, then scored (DESIGN.md §3-4).

A monthly KPI seen per quarter or year-to-date (or a quarterly KPI per year)
combines the actuals of its periods with the KPI's aggregation, and the targets with the same
aggregation: for `sum` the goal is the sum of the periods' goals and the red flag the sum of
their red flags, for `average` the averages, for `last` the target of the last period used,
for `min`/`max` the smallest/largest goal and red flag. A missing red flag is derived from the
tolerance period by period, before combining, so stated and derived red flags mix correctly.

A partly reported view (two of a quarter's three months in) combines the actuals of the
reported periods only and compares them with the targets of *those* periods only: two months
of revenue against two months of goals, not against the whole quarter's goal (which would
look alarming every month) nor against an average that hides the gap. The result carries
`periods_reported`/`periods_expected` and `complete=False`, so a screen shows it as
"2 of 3 months reported", never as a finished quarter. A reported period without a target
leaves the view without a target (no data), because comparing three months of actuals with
two months of goals would be wrong. When nothing is reported yet, the targets of all the
view's periods are combined so the view can still show what it aims for.

The combined actual and thresholds are scored by `kpis.scoring.evaluate_thresholds`, the same
path as a single period. No Django in here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from kpis import periods
from kpis.scoring import (
    DEFAULT_TOLERANCE,
    PRECISION,
    Aggregation,
    Direction,
    KpiResult,
    ScoreLike,
    Thresholds,
    View,
    as_direction,
    evaluate_thresholds,
    resolve_thresholds,
)


def view_periods(
    day: date,
    view: View | str,
    kpi_frequency: periods.Frequency | str,
    fiscal_year_start_month: int = 1,
) -> list[date]:
    """The starts of the KPI's periods that make up the view containing `day`, in order.

    A year-to-date view runs from the start of the fiscal year to the KPI period containing
    `day`. A view shorter than the KPI's own period (a yearly KPI per quarter) is refused.
    """
    view = View(view)
    kpi_frequency = periods.Frequency(kpi_frequency)
    span = periods.Frequency.QUARTERLY if view is View.QUARTER else periods.Frequency.YEARLY
    if periods.MONTHS_PER_PERIOD[kpi_frequency] > periods.MONTHS_PER_PERIOD[span]:
        raise ValueError(f"a {kpi_frequency} KPI cannot be viewed per {view.value}")
    start = periods.period_start(day, span, fiscal_year_start_month)
    if view is View.YEAR_TO_DATE:
        last = periods.period_start(day, kpi_frequency, fiscal_year_start_month)
    else:
        last = periods.shift(start, span, 1)
        last = periods.shift(last, kpi_frequency, -1)
    return periods.periods_between(start, last, kpi_frequency, fiscal_year_start_month)


def aggregate(values: Iterable[Decimal | None], aggregation: Aggregation | str) -> Decimal | None:
    """The values that are present combined with the aggregation; None when none is present."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    aggregation = Aggregation(aggregation)
    if aggregation is Aggregation.LAST:
        return present[-1]
    if aggregation is Aggregation.MIN:
        return min(present)
    if aggregation is Aggregation.MAX:
        return max(present)
    with localcontext(prec=PRECISION):
        total = sum(present, Decimal(0))
    if aggregation is Aggregation.SUM:
        return total
    return total / len(present)


def _aggregate_all(values: Sequence[Decimal | None], aggregation: Aggregation) -> Decimal | None:
    """Like `aggregate`, but None as soon as one value is missing: a red flag is all or nothing."""
    if not values or any(value is None for value in values):
        return None
    return aggregate(values, aggregation)


@dataclass(frozen=True)
class PeriodValues:
    """A KPI's actual and Target in one of the periods of a view (any of them may be missing)."""

    actual: Decimal | None = None
    goal: Decimal | None = None
    red_flag: Decimal | None = None
    goal_high: Decimal | None = None
    red_flag_high: Decimal | None = None


@dataclass(frozen=True)
class CombinedPeriod:
    """A view's actual and targets combined, with which of its periods are reported.

    `frequency` and `fiscal_year_start_month` say how to name the periods.
    """

    aggregation: Aggregation
    actual: Decimal | None
    thresholds: Thresholds | None
    periods_expected: int
    periods_reported: int
    reported: tuple[date, ...]
    without_target: tuple[date, ...] = ()
    frequency: periods.Frequency = periods.Frequency.MONTHLY
    fiscal_year_start_month: int = 1

    @property
    def complete(self) -> bool:
        return self.periods_reported == self.periods_expected

    @property
    def goal(self) -> Decimal | None:
        return self.thresholds.goal if self.thresholds else None

    @property
    def red_flag(self) -> Decimal | None:
        return self.thresholds.red_flag if self.thresholds else None


def combine_periods(
    expected: Sequence[date],
    values: Mapping[date, PeriodValues],
    aggregation: Aggregation | str,
    *,
    direction: Direction | str,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    frequency: periods.Frequency | str = periods.Frequency.MONTHLY,
    fiscal_year_start_month: int = 1,
) -> CombinedPeriod:
    """Combine the actuals and targets of the `expected` periods (see `view_periods`).

    Actuals and targets are combined over the reported periods only (the last reported one
    for `last`); see the module docstring for why. `frequency` and the fiscal year only
    name the periods (`kpis.explanations.period_note`).
    """
    aggregation = Aggregation(aggregation)
    direction = as_direction(direction)
    reported = [p for p in expected if (v := values.get(p)) is not None and v.actual is not None]
    target_periods = reported or list(expected)
    if aggregation is Aggregation.LAST:
        target_periods = target_periods[-1:]
    actual_periods = reported[-1:] if aggregation is Aggregation.LAST else reported
    actual = aggregate([values[p].actual for p in actual_periods], aggregation)

    resolved: list[Thresholds] = []
    without_target: list[date] = []
    for p in target_periods:
        v = values.get(p, PeriodValues())
        if v.goal is None:
            without_target.append(p)
        else:
            resolved.append(
                resolve_thresholds(
                    direction, v.goal, v.red_flag, v.goal_high, v.red_flag_high, tolerance
                )
            )

    thresholds: Thresholds | None = None
    goal = None if without_target else aggregate([t.goal for t in resolved], aggregation)
    if goal is not None:
        thresholds = Thresholds(
            goal=goal,
            red_flag=_aggregate_all([t.red_flag for t in resolved], aggregation),
            goal_high=_aggregate_all([t.goal_high for t in resolved], aggregation),
            red_flag_high=_aggregate_all([t.red_flag_high for t in resolved], aggregation),
            red_flag_derived=any(t.red_flag_derived for t in resolved),
            red_flag_high_derived=any(t.red_flag_high_derived for t in resolved),
        )
    return CombinedPeriod(
        aggregation=aggregation,
        actual=actual,
        thresholds=thresholds,
        periods_expected=len(expected),
        periods_reported=len(reported),
        reported=tuple(reported),
        without_target=tuple(without_target),
        frequency=periods.Frequency(frequency),
        fiscal_year_start_month=fiscal_year_start_month,
    )


def evaluate_view(
    combined: CombinedPeriod,
    *,
    direction: Direction | str,
    previous_score: ScoreLike | None = None,
) -> KpiResult:
    """Score a combined view (quarter, year, year-to-date) like a single period, with coverage.

    For a calculated KPI, combine each input over the view and evaluate the formula on the
    combined inputs (a quarter's conversion rate is won / leads of the quarter, not the
    average of three monthly rates), then pass that as the actual of a `CombinedPeriod`.
    Word it with `kpis.explanations.explain_view`. The score is `kpis.scoring.score` (or
    `range_score`) of the combined actual against the combined thresholds.
    """
    return evaluate_thresholds(
        direction=as_direction(direction),
        actual=combined.actual,
        thresholds=combined.thresholds,
        previous_score=previous_score,
        periods_expected=combined.periods_expected,
        periods_reported=combined.periods_reported,
    )


def view_points(
    values: Mapping[date, PeriodValues],
    *,
    view: View | str,
    through: date,
    shown: int,
    aggregation: Aggregation | str,
    direction: Direction | str,
    tolerance: Decimal = DEFAULT_TOLERANCE,
    frequency: periods.Frequency | str = periods.Frequency.MONTHLY,
    fiscal_year_start_month: int = 1,
) -> list[tuple[date, CombinedPeriod]]:
    """The points of a chart of the KPI in a longer view, oldest first, each the view as it
    would be scored (`combine_periods`): per quarter, the last `shown` quarters through the one
    containing `through` (leading quarters with no value at all left out); year to date, at
    each of the KPI's periods of the fiscal year through `through`, from the year's start.
    """
    view = View(view)
    frequency = periods.Frequency(frequency)
    fy = fiscal_year_start_month
    if view is View.YEAR_TO_DATE:
        year_start = periods.period_start(through, periods.Frequency.YEARLY, fy)
        days = periods.periods_between(
            year_start, periods.period_start(through, frequency, fy), frequency, fy
        )
    else:
        span = periods.Frequency.QUARTERLY if view is View.QUARTER else periods.Frequency.YEARLY
        last = periods.period_start(through, span, fy)
        days = [periods.shift(last, span, -n) for n in reversed(range(shown))]
    points = []
    for day in days:
        expected = view_periods(day, view, frequency, fy)
        points.append(
            (
                day,
                combine_periods(
                    expected,
                    values,
                    aggregation,
                    direction=direction,
                    tolerance=tolerance,
                    frequency=frequency,
                    fiscal_year_start_month=fy,
                ),
            )
        )
    if view is not View.YEAR_TO_DATE:
        while points and not any(
            p in values for p in view_periods(points[0][0], view, frequency, fy)
        ):
            points.pop(0)
    return points
