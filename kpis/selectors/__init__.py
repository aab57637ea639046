"""Reads of KPIs that must be fast, done in SQL and scored in memory with the pure engine.

The modules, by topic: `scorecard` (the whole scorecard of a plan for a period), `measures` (a
KPI's targets and actuals read and measured before scoring), `values` (one
value against its period and target), `updates` (who may update what, and "My updates"),
`codes` (finding KPIs by code), `closing` (the close date), `health` (the KPI items of a
plan's checklist). Callers import from `kpis.selectors`, which re-exports the public names.
"""

from __future__ import annotations

from kpis.selectors.closing import (
    CloseChange,
    ClosePreview,
    close_preview,
    closed_message,
    closed_through,
)
from kpis.selectors.codes import KpiCodes
from kpis.selectors.health import plan_kpi_health
from kpis.selectors.scorecard import (
    Reader,
    kpi_periods,
    kpi_score,
    plan_scorecard,
    plan_scorecards,
    shown_formula,
)
from kpis.selectors.scores import (
    MONTH,
    VIEWS,
    KpiScore,
    ObjectiveScore,
    PerspectiveScore,
    PlanScorecard,
)
from kpis.selectors.updates import (
    SPARKLINE_PERIODS,
    UpdateGroup,
    UpdateRow,
    UpdatesChoices,
    UpdatesFilter,
    UpdatesProgress,
    actuals_awaiting_review,
    filter_updates,
    kpis_for_updates,
    kpis_updatable_among,
    kpis_updatable_by,
    parse_updates_filter,
    update_period,
    update_rows,
    updates_choices,
    updates_progress,
)
from kpis.selectors.values import (
    OFF_TRACK_NEEDS_ACTION,
    TargetValues,
    future_message,
    needs_corrective_action,
    target_result,
    target_score,
    target_thresholds,
    value_result,
)

__all__ = [
    "MONTH",
    "OFF_TRACK_NEEDS_ACTION",
    "SPARKLINE_PERIODS",
    "VIEWS",
    "CloseChange",
    "ClosePreview",
    "KpiCodes",
    "KpiScore",
    "ObjectiveScore",
    "PerspectiveScore",
    "PlanScorecard",
    "Reader",
    "TargetValues",
    "UpdateGroup",
    "UpdateRow",
    "UpdatesChoices",
    "UpdatesFilter",
    "UpdatesProgress",
    "actuals_awaiting_review",
    "close_preview",
    "closed_message",
    "closed_through",
    "filter_updates",
    "future_message",
    "kpi_periods",
    "kpi_score",
    "kpis_for_updates",
    "kpis_updatable_among",
    "kpis_updatable_by",
    "needs_corrective_action",
    "parse_updates_filter",
    "plan_kpi_health",
    "plan_scorecard",
    "plan_scorecards",
    "shown_formula",
    "target_result",
    "target_score",
    "target_thresholds",
    "update_period",
    "update_rows",
    "updates_choices",
    "updates_progress",
    "value_result",
]
