"""Targets: one target (`target_set`) and the target grid of a KPI across its plan's horizon
(saving rows, filling forward, growing, copying last year, red flags from the tolerance).

Every target is written through `target_set`, so the scoring rules, the close date and the audit
trail apply to the grid's helpers as to one cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from kpis import periods
from kpis.models import VALUE_FIELD_OPTIONS, Direction, Kpi, Target
from kpis.scoring import derive_red_flag, derive_red_flag_high
from kpis.services.closing import _refuse_closed
from kpis.services.common import Outcome


def target_set(
    *,
    kpi: Kpi,
    period: date,
    goal: Decimal,
    red_flag: Decimal | None = None,
    goal_high: Decimal | None = None,
    red_flag_high: Decimal | None = None,
) -> tuple[Target, Outcome]:
    """Create or change the KPI's target for the period, validated by the scoring rules.

    A closed period raises PeriodClosed.
    """
    with transaction.atomic():
        _refuse_closed(period, kpi.frequency)
        target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
        outcome = Outcome.UPDATED
        if target is None:
            target = Target(kpi=kpi, period=period)
            outcome = Outcome.CREATED
        new = (goal, red_flag, goal_high, red_flag_high)
        if outcome is Outcome.UPDATED and new == (
            target.goal,
            target.red_flag,
            target.goal_high,
            target.red_flag_high,
        ):
            return target, Outcome.UNCHANGED
        target.goal, target.red_flag, target.goal_high, target.red_flag_high = new
        target.full_clean()
        target.save()
        return target, outcome


TARGET_FIELDS = ("goal", "red_flag", "goal_high", "red_flag_high")
# A target's values in that order: goal, red flag, upper goal, upper red flag.
TargetValues = tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]


def horizon_periods(kpi: Kpi) -> list[date]:
    """The KPI's periods across its plan's horizon: the rows of its target grid."""
    return periods.periods_between(
        kpi.plan.start, kpi.plan.end, kpi.frequency, settings.FISCAL_YEAR_START_MONTH
    )


def fiscal_years_to_copy_into(kpi: Kpi) -> list[date]:
    """The fiscal years of the horizon (their first days) that have a year before them to copy
    from: the horizon's own previous year, or stored targets in the year before the horizon."""
    fy = settings.FISCAL_YEAR_START_MONTH
    years = sorted(
        {periods.period_start(p, periods.Frequency.YEARLY, fy) for p in horizon_periods(kpi)}
    )
    if not years:
        return []
    before_horizon = kpi.targets.filter(
        period__gte=periods.add_months(years[0], -12), period__lt=years[0]
    ).exists()
    return years[1:] if not before_horizon else years


def period_label(kpi: Kpi, period: date) -> str:
    return periods.label(period, kpi.frequency, settings.FISCAL_YEAR_START_MONTH)


def cell_name(field: str, period: date) -> str:
    """The grid's name for one cell, e.g. "goal-2026-01-01"; also the key of its errors."""
    return f"{field}-{period.isoformat()}"


@dataclass(frozen=True)
class TargetRow:
    """One row of a target grid; a row without any value clears the period's target."""

    period: date
    goal: Decimal | None
    red_flag: Decimal | None = None
    goal_high: Decimal | None = None
    red_flag_high: Decimal | None = None

    @property
    def is_blank(self) -> bool:
        return all(value is None for value in (self.goal, self.red_flag, self.goal_high))


def target_clear(*, kpi: Kpi, period: date) -> bool:
    """Remove the KPI's target for the period (recorded in the history); False if none."""
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
        if target is None:
            return False
        _refuse_closed(period, kpi.frequency)
        target.delete()
        return True


def _cell_errors(error: ValidationError, period: date) -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            where = field if field in TARGET_FIELDS else "goal"
            cells.setdefault(cell_name(where, period), []).extend(messages)
    else:
        cells[cell_name("goal", period)] = list(error.messages)
    return cells


def targets_save(*, kpi: Kpi, rows: Sequence[TargetRow]) -> int:
    """Save a target grid all or nothing; returns how many periods changed.

    A row with a goal is set with `target_set`; a blank row clears the period's target. On any
    problem nothing is saved and ValidationError is raised keyed by cell (`cell_name`), every
    bad cell at once.
    """
    horizon = set(horizon_periods(kpi))
    errors: dict[str, list[str]] = {}
    changed = 0
    with transaction.atomic():
        stored = _stored(kpi, [row.period for row in rows])
        for row in rows:
            if row.period not in horizon:
                errors[cell_name("goal", row.period)] = ["Not a period of the plan's horizon."]
                continue
            current = stored.get(row.period)
            values = (row.goal, row.red_flag, row.goal_high, row.red_flag_high)
            if (current is None and row.is_blank) or (current and _values(current) == values):
                continue  # untouched: a closed period's row may stay as it is
            try:
                if row.is_blank:
                    changed += target_clear(kpi=kpi, period=row.period)
                    continue
                if row.goal is None:
                    raise ValidationError({"goal": "Enter the goal too, or clear the row."})
                _, outcome = target_set(
                    kpi=kpi,
                    period=row.period,
                    goal=row.goal,
                    red_flag=row.red_flag,
                    goal_high=row.goal_high,
                    red_flag_high=row.red_flag_high,
                )
                changed += outcome is not Outcome.UNCHANGED
            except ValidationError as error:
                for cell, messages in _cell_errors(error, row.period).items():
                    errors.setdefault(cell, []).extend(messages)
        if errors:
            raise ValidationError(errors)  # inside the transaction: nothing stays written
        return changed


def _apply(kpi: Kpi, values: Mapping[date, TargetValues]) -> int:
    """Set each period's (goal, red flag, upper goal, upper red flag); all or nothing."""
    problems: list[str] = []
    changed = 0
    with transaction.atomic():
        for period, (goal, red_flag, goal_high, red_flag_high) in sorted(values.items()):
            try:
                _, outcome = target_set(
                    kpi=kpi,
                    period=period,
                    goal=goal,
                    red_flag=red_flag,
                    goal_high=goal_high,
                    red_flag_high=red_flag_high,
                )
                changed += outcome is not Outcome.UNCHANGED
            except ValidationError as error:
                problems.append(f"{period_label(kpi, period)}: {' '.join(error.messages)}")
        if problems:
            raise ValidationError(problems)
        return changed


def _stored(kpi: Kpi, wanted: Sequence[date]) -> dict[date, Target]:
    return {t.period: t for t in Target.objects.filter(kpi=kpi, period__in=list(wanted))}


def _values(target: Target) -> TargetValues:
    return (target.goal, target.red_flag, target.goal_high, target.red_flag_high)


def targets_fill_forward(*, kpi: Kpi) -> int:
    """Give every empty period of the horizon the target of the nearest period before it that
    has one; returns how many periods were filled."""
    horizon = horizon_periods(kpi)
    stored = _stored(kpi, horizon)
    if not stored:
        raise ValidationError(
            "Enter a target first: filling forward copies it into the empty periods after it."
        )
    filled: dict[date, TargetValues] = {}
    last: Target | None = None
    for period in horizon:
        if period in stored:
            last = stored[period]
        elif last is not None:
            filled[period] = _values(last)
    return _apply(kpi, filled)


def _round(value: Decimal | None, scale: Decimal, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return (value * scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def targets_grow(*, kpi: Kpi, start: date, percent: Decimal) -> int:
    """From the target of the period `start`, set every later period of the horizon to grow
    by `percent` per period, compounded from that target and rounded to the KPI's decimals;
    stated red flags grow alike. Returns how many periods changed."""
    horizon = horizon_periods(kpi)
    if start not in horizon:
        raise ValidationError({"start": "Choose a period of the plan's horizon."})
    if percent <= -100:
        raise ValidationError({"percent": "A decline of 100 % or more leaves nothing to aim for."})
    source = _stored(kpi, [start]).get(start)
    if source is None:
        raise ValidationError(
            {"start": f"{period_label(kpi, start)} has no target yet to grow from: enter it first."}
        )
    factor = 1 + percent / 100
    grown: dict[date, TargetValues] = {}
    for steps, period in enumerate((p for p in horizon if p > start), start=1):
        scale = factor**steps
        goal = source.goal * scale
        grown[period] = (
            goal.quantize(Decimal(1).scaleb(-kpi.decimals), rounding=ROUND_HALF_UP),
            _round(source.red_flag, scale, kpi.decimals),
            _round(source.goal_high, scale, kpi.decimals),
            _round(source.red_flag_high, scale, kpi.decimals),
        )
    return _apply(kpi, grown)


def targets_copy_last_year(*, kpi: Kpi, year: date) -> int:
    """Give each period of the fiscal year starting on `year` (within the horizon) the target
    of the same period a year before; periods without one a year before keep theirs."""
    fy = settings.FISCAL_YEAR_START_MONTH
    in_year = [
        p
        for p in horizon_periods(kpi)
        if periods.period_start(p, periods.Frequency.YEARLY, fy) == year
    ]
    if not in_year:
        raise ValidationError({"year": "Choose a fiscal year of the plan's horizon."})
    before = {periods.add_months(p, -12): p for p in in_year}
    previous = _stored(kpi, list(before))
    if not previous:
        last_year = periods.fiscal_year(periods.add_months(year, -12), fy)
        raise ValidationError({"year": f"{kpi.code} has no targets in FY{last_year} to copy."})
    return _apply(kpi, {before[period]: _values(t) for period, t in previous.items()})


def _stored_precision(value: Decimal) -> Decimal:
    """The value as a target field stores it (its decimal places), so it passes validation."""
    places = VALUE_FIELD_OPTIONS["decimal_places"]
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def targets_red_flags_from_tolerance(*, kpi: Kpi) -> int:
    """State the red flag of every target in the horizon as the KPI's tolerance implies (both
    red flags for a range KPI); refused, naming the period, where a goal is 0."""
    stored = _stored(kpi, horizon_periods(kpi))
    if not stored:
        raise ValidationError("There are no targets yet to set red flags for.")
    problems = []
    values: dict[date, TargetValues] = {}
    for period, target in stored.items():
        red_flag = derive_red_flag(target.goal, kpi.direction, kpi.tolerance)
        red_flag_high = target.red_flag_high
        if kpi.direction == Direction.RANGE and target.goal_high is not None:
            red_flag_high = derive_red_flag_high(target.goal_high, kpi.tolerance)
        if red_flag is None:
            problems.append(
                f"{period_label(kpi, period)}: a goal of 0 (or a tolerance of 0) implies no red "
                "flag; state it in the grid."
            )
            continue
        values[period] = (
            target.goal,
            _stored_precision(red_flag),
            target.goal_high,
            None if red_flag_high is None else _stored_precision(red_flag_high),
        )
    if problems:
        raise ValidationError(problems)
    return _apply(kpi, values)
