"""One value against its period and target: how it reads, how it scores, whether it needs a
corrective action, and the words refusing a future period on every channel.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from kpis import explanations, scoring
from kpis.models import Kpi, Target


class TargetValues(Protocol):
    """A target's values: a `Target`, or the same values read as a plain row (bulk writes)."""

    @property
    def goal(self) -> Decimal: ...
    @property
    def red_flag(self) -> Decimal | None: ...
    @property
    def goal_high(self) -> Decimal | None: ...
    @property
    def red_flag_high(self) -> Decimal | None: ...


def future_message(period: date) -> str:
    """Why a period that starts after today takes no actuals, on every channel."""
    return f"The period starting {period.day} {period:%b %Y} has not begun: enter its actual then."


OFF_TRACK_NEEDS_ACTION = "Off track: say what you will do about it."


def needs_corrective_action(
    kpi: Kpi, target: TargetValues | None, value: Decimal, corrective_action: str
) -> bool:
    """Whether a person saving the value must say what they will do: it puts the KPI off
    track and no corrective action is written (no query)."""
    if corrective_action.strip():
        return False
    return target_score(kpi, target, value).status is scoring.ScoreStatus.OFF_TRACK


def target_result(
    kpi: Kpi, target: TargetValues | None, value: Decimal | None
) -> scoring.KpiResult:
    """How the value scores against the target, explained (no query)."""
    return explanations.explain_kpi(target_score(kpi, target, value), tolerance=kpi.tolerance)


def target_score(kpi: Kpi, target: TargetValues | None, value: Decimal | None) -> scoring.KpiResult:
    """How the value scores against the target, without the words (no query): for deciding,
    many values at once, what a page would show."""
    return scoring.evaluate_kpi(
        direction=kpi.direction,
        actual=value,
        goal=target.goal if target else None,
        red_flag=target.red_flag if target else None,
        goal_high=target.goal_high if target else None,
        red_flag_high=target.red_flag_high if target else None,
        tolerance=kpi.tolerance,
    )


def target_thresholds(kpi: Kpi, target: TargetValues | None) -> scoring.Thresholds | None:
    """The target's goal and red flags, those it does not state derived (no query)."""
    if target is None:
        return None
    return scoring.resolve_thresholds(
        kpi.direction,
        target.goal,
        target.red_flag,
        target.goal_high,
        target.red_flag_high,
        kpi.tolerance,
    )


def value_result(*, kpi: Kpi, period: date, value: Decimal | None) -> scoring.KpiResult:
    """How the value would score against the KPI's target for the period (one query)."""
    return target_result(kpi, Target.objects.filter(kpi=kpi, period=period).first(), value)
