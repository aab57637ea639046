"""Where the apps above kpis add to a variance report's summary, so that kpis never names them.

Dependencies point one way (docs/architecture.md): a report's summary still lists what those
apps know (the plan's action plans that are behind): each app registers a function here from
its `AppConfig.ready()`, and `report_snapshot` stores what they return in the summary, as
plain words, so a stored report reads the same whatever the apps above do later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from strategy.models import StrategicPlan


@dataclass(frozen=True)
class SummaryItem:
    """One entry of a section; `org_unit_id` is the unit through which a reader may see it."""

    label: str
    detail: str
    org_unit_id: int | None = None


@dataclass(frozen=True)
class SummarySection:
    key: str
    title: str
    empty: str
    items: list[SummaryItem] = field(default_factory=list)


# A section of the summary of the plan's report for the period (a month, from its first day).
SummarySectionMaker = Callable[[StrategicPlan, date], SummarySection]

summary_sections: list[SummarySectionMaker] = []


def sections_for_report(plan: StrategicPlan, period: date) -> list[SummarySection]:
    return [make(plan, period) for make in summary_sections]
