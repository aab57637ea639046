"""Writes to KPIs, targets and actuals: every page, import, API call and task goes through here.

Permission checks stay with the callers (they decide between 404 and 403); these functions
enforce everything else: validation, versions, the close date, the approval status and
all-or-nothing transactions. Every change is recorded in the audit trail, bulk writes too.

The modules, by topic: `actuals` (recording and reviewing actuals), `closing` (the close date),
`targets` (one target and the target grid), `definitions` (KPI definitions), `imports`
(import batches and their commit), `plans` (copying a plan with its KPIs), `reminders`
(reminders about missing actuals); `common` holds what
they all report. Callers import from `kpis.services`, which re-exports the public names.
"""

from __future__ import annotations

from kpis.services.actuals import (
    SELF_APPROVAL,
    ActualRow,
    ActualVersionConflict,
    ActualWritten,
    actual_record,
    actual_review,
    actuals_bulk_record,
    approval_refusal,
    review_refusal,
)
from kpis.services.closing import PeriodClosed, close_date_refusal, period_close
from kpis.services.common import Outcome, Source
from kpis.services.definitions import (
    KPI_CODE,
    UPDATER_ROLES,
    kpi_create,
    kpi_reinstate,
    kpi_retire,
    kpi_update,
)
from kpis.services.imports import ImportChanged, ImportSummary, import_batch_create, import_commit
from kpis.services.plans import plan_copy
from kpis.services.reminders import reminders_send
from kpis.services.targets import (
    TARGET_FIELDS,
    TargetRow,
    TargetValues,
    cell_name,
    fiscal_years_to_copy_into,
    horizon_periods,
    period_label,
    target_clear,
    target_set,
    targets_copy_last_year,
    targets_fill_forward,
    targets_grow,
    targets_red_flags_from_tolerance,
    targets_save,
)

__all__ = [
    "KPI_CODE",
    "SELF_APPROVAL",
    "TARGET_FIELDS",
    "UPDATER_ROLES",
    "ActualRow",
    "ActualVersionConflict",
    "ActualWritten",
    "ImportChanged",
    "ImportSummary",
    "Outcome",
    "PeriodClosed",
    "Source",
    "TargetRow",
    "TargetValues",
    "actual_record",
    "actual_review",
    "actuals_bulk_record",
    "approval_refusal",
    "cell_name",
    "close_date_refusal",
    "fiscal_years_to_copy_into",
    "horizon_periods",
    "import_batch_create",
    "import_commit",
    "kpi_create",
    "kpi_reinstate",
    "kpi_retire",
    "kpi_update",
    "period_close",
    "period_label",
    "plan_copy",
    "reminders_send",
    "review_refusal",
    "target_clear",
    "target_set",
    "targets_copy_last_year",
    "targets_fill_forward",
    "targets_grow",
    "targets_red_flags_from_tolerance",
    "targets_save",
]
