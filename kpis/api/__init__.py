"""The API for KPIs, targets and actuals, the bulk upsert of actuals, and the scores.

Writes go through `kpis.services`: `actual_record` (honouring the actual's version),
`actuals_bulk_record` and `target_set`. Permissions are kpis/rules.py's: `kpis.view_kpi` to
read, `kpis.change_kpi` for definitions and targets, `kpis.update_actuals` for actuals.
Scores come from the scoring engine through `kpis.selectors.plan_scorecard`.

One module per resource (`kpis`, `targets`, `actuals`, `scorecard`), what they share in
`common`; this package re-exports the public names for the URLs and the other API modules.
"""

from __future__ import annotations

from kpis.api.actuals import (
    ACTUAL_CONFLICT,
    ActualFilter,
    ActualSerializer,
    ActualViewSet,
    BulkRefusalSerializer,
    BulkResultRowSerializer,
    BulkResultSerializer,
    BulkRowSerializer,
)
from kpis.api.common import (
    KPI_PART_UNITS,
    KPI_UNITS,
    MAX_BULK_ROWS,
    OBJECTIVE_UNITS,
    PeriodFilterSet,
)
from kpis.api.kpis import (
    KPI_FIELDS,
    KpiFilter,
    KpiSerializer,
    KpiViewSet,
    PerformanceQuerySerializer,
    PerformanceSerializer,
)
from kpis.api.scorecard import (
    KpiNodeSerializer,
    ObjectiveNodeSerializer,
    PerspectiveNodeSerializer,
    ScorecardQuerySerializer,
    ScorecardSerializer,
    ScorecardView,
)
from kpis.api.targets import TargetFilter, TargetSerializer, TargetViewSet

__all__ = [
    "ACTUAL_CONFLICT",
    "KPI_FIELDS",
    "KPI_PART_UNITS",
    "KPI_UNITS",
    "MAX_BULK_ROWS",
    "OBJECTIVE_UNITS",
    "ActualFilter",
    "ActualSerializer",
    "ActualViewSet",
    "BulkRefusalSerializer",
    "BulkResultRowSerializer",
    "BulkResultSerializer",
    "BulkRowSerializer",
    "KpiFilter",
    "KpiNodeSerializer",
    "KpiSerializer",
    "KpiViewSet",
    "ObjectiveNodeSerializer",
    "PerformanceQuerySerializer",
    "PerformanceSerializer",
    "PeriodFilterSet",
    "PerspectiveNodeSerializer",
    "ScorecardQuerySerializer",
    "ScorecardSerializer",
    "ScorecardView",
    "TargetFilter",
    "TargetSerializer",
    "TargetViewSet",
]
