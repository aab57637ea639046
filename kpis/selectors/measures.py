"""A KPI's values, measured before they are scored: targets and actuals read as plain tuples
(calculated KPIs computed from their inputs), a period or a combined view measured, and its
score evaluated with the pure engine. `scorecard.py` builds plans' scorecards from these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from kpis import combined_periods, formulas, scoring
from kpis.models import VALUE_FIELD_OPTIONS, Actual, ActualStatus, Kpi, Target
from kpis.scoring import KpiResult

VALUE_QUANTUM = Decimal(1).scaleb(-VALUE_FIELD_OPTIONS["decimal_places"])


def as_value(value: Decimal | None) -> Decimal | None:
    """A calculated value with the precision of a stored one, so both read the same."""
    return None if value is None else value.quantize(VALUE_QUANTUM)


TargetRow = tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]


class Values:
    """Targets (goal, red flag, upper goal, upper red flag) and actuals by KPI id and period,
    read as plain tuples, with calculated KPIs' actuals filled in."""

    def __init__(self, kpis: list[Kpi], period_set: set[date], of_kpis: Q) -> None:
        # `of_kpis` selects the rows of `kpis` (a join on the plan rather than thousands of ids).
        # Both reads are unordered (`order_by()`): the models' default order joins the plans
        # and sorts every row by plan and code, which cost the database more than the read.
        targets = Target.objects.filter(of_kpis, period__in=period_set).order_by()
        self.targets: dict[tuple[int, date], TargetRow] = {
            (kpi_id, period): (goal, red_flag, goal_high, red_flag_high)
            for kpi_id, period, goal, red_flag, goal_high, red_flag_high in targets.values_list(
                "kpi_id", "period", "goal", "red_flag", "goal_high", "red_flag_high"
            )
        }
        stored = Actual.objects.filter(of_kpis, period__in=period_set).order_by()
        if settings.SCORECARD_APPROVAL:
            # With approval on, a submitted or returned value does not count yet.
            stored = stored.filter(status=ActualStatus.APPROVED)
        self.actuals: dict[tuple[int, date], Decimal] = {
            (kpi_id, period): value
            for kpi_id, period, value in stored.values_list("kpi_id", "period", "value")
        }
        self._fill_calculated(kpis, period_set)

    def _fill_calculated(self, kpis: list[Kpi], period_set: set[date]) -> None:
        # Calculated KPIs are never stored: they are computed here from their inputs, so a
        # changed input changes every dependant on the next read.
        for plan_id in {kpi.plan_id for kpi in kpis if kpi.is_calculated}:
            by_code = {kpi.code: kpi for kpi in kpis if kpi.plan_id == plan_id}
            dependencies = {
                kpi.code: formulas.formula_codes(kpi.formula)
                for kpi in by_code.values()
                if kpi.is_calculated
            }
            for code in formulas.evaluation_order(dependencies):
                kpi = by_code[code]
                for period in period_set:
                    inputs = {
                        used: self.actuals.get((by_code[used].pk, period))
                        if used in by_code
                        else None
                        for used in dependencies[code]
                    }
                    value = as_value(formulas.evaluate_formula(kpi.formula, inputs))
                    if value is not None:
                        self.actuals[(kpi.pk, period)] = value

    def period_values(self, kpi: Kpi, period: date) -> combined_periods.PeriodValues:
        target = self.targets.get((kpi.pk, period))
        actual = self.actuals.get((kpi.pk, period))
        if target is None:
            return combined_periods.PeriodValues(actual=actual)
        return combined_periods.PeriodValues(actual, *target)

    def thresholds(self, kpi: Kpi, period: date) -> scoring.Thresholds | None:
        """The period's Target resolved, its missing red flags derived; None without one."""
        target = self.targets.get((kpi.pk, period))
        if target is None:
            return None
        return scoring.resolve_thresholds(kpi.direction, *target, kpi.tolerance)


def period_values(target: Target | None, actual: Decimal | None) -> combined_periods.PeriodValues:
    """A period's Target and actual value as the combining of periods takes them."""
    return combined_periods.PeriodValues(
        actual=actual,
        goal=target.goal if target else None,
        red_flag=target.red_flag if target else None,
        goal_high=target.goal_high if target else None,
        red_flag_high=target.red_flag_high if target else None,
    )


@dataclass(frozen=True)
class Measured:
    """A KPI's actual and thresholds in a period or view, before they are scored: what a
    `KpiScore` needs to explain itself later."""

    actual: Decimal | None
    thresholds: scoring.Thresholds | None
    combined: combined_periods.CombinedPeriod | None = None
    inputs: dict[str, Decimal | None] | None = None


def measure(
    kpi: Kpi,
    kpi_periods_: list[date],
    values: Values,
    by_code: dict[str, Kpi],
    fiscal_year_start_month: int,
    *,
    with_inputs: bool,
) -> Measured:
    """The KPI's actual and thresholds over its periods: one period as it is, several
    combined (`kpis.combined_periods`), a calculated KPI's formula applied to combined inputs."""
    if len(kpi_periods_) == 1:
        period = kpi_periods_[0]
        inputs = None
        if with_inputs and kpi.is_calculated:
            inputs = {
                code: values.actuals.get((by_code[code].pk, period)) if code in by_code else None
                for code in formulas.formula_codes(kpi.formula)
            }
        return Measured(
            values.actuals.get((kpi.pk, period)), values.thresholds(kpi, period), inputs=inputs
        )
    combined = combined_periods.combine_periods(
        kpi_periods_,
        {p: values.period_values(kpi, p) for p in kpi_periods_},
        kpi.aggregation,
        direction=kpi.direction,
        tolerance=kpi.tolerance,
        frequency=kpi.frequency,
        fiscal_year_start_month=fiscal_year_start_month,
    )
    if kpi.is_calculated and combined.reported:
        # A quarter's rate is won / leads of the quarter, not the average of monthly rates:
        # combine each input over the reported periods, then apply the formula.
        inputs = {}
        for code in formulas.formula_codes(kpi.formula):
            used = by_code.get(code)
            inputs[code] = (
                None
                if used is None
                else combined_periods.aggregate(
                    [values.actuals.get((used.pk, p)) for p in combined.reported], used.aggregation
                )
            )
        combined = replace(
            combined, actual=as_value(formulas.evaluate_formula(kpi.formula, inputs))
        )
    return Measured(combined.actual, combined.thresholds, combined)


def evaluate(kpi: Kpi, current: Measured, previous: Callable[[], Measured] | None) -> KpiResult:
    """Score the KPI's period or view; of the previous one (None: it has no actual, so no
    score) only the score is computed, for the trend."""
    direction = scoring.as_direction(kpi.direction)
    previous_score = None
    if previous is not None:
        before = previous()
        previous_score = scoring.thresholds_score(direction, before.actual, before.thresholds)
    if current.combined is None:
        return scoring.evaluate_thresholds(
            direction=direction,
            actual=current.actual,
            thresholds=current.thresholds,
            previous_score=previous_score,
        )
    return combined_periods.evaluate_view(
        current.combined, direction=direction, previous_score=previous_score
    )
