"""The columns of an import file, and the keys a read row carries besides them."""

from __future__ import annotations

from kpis.selectors import OFF_TRACK_NEEDS_ACTION

REQUIRED_COLUMNS = ("kind", "kpi_code", "period")
VALUE_COLUMNS = (
    "value",
    "goal",
    "red_flag",
    "goal_high",
    "red_flag_high",
    "analysis",
    "corrective_action",
)
# Read by people, left alone by the import: the template names each KPI.
INFORMATIONAL_COLUMNS = ("kpi_name",)
COLUMNS = (*REQUIRED_COLUMNS[:2], "kpi_name", REQUIRED_COLUMNS[2], *VALUE_COLUMNS)
TARGET_COLUMNS = ("goal", "red_flag", "goal_high", "red_flag_high")
ACTUAL_COLUMNS = ("value", "analysis", "corrective_action")
OFF_TRACK_IN_IMPORT = f"{OFF_TRACK_NEEDS_ACTION[:-1]} in the corrective_action column."
BLANK_ROW = "Nothing to import: the row has no value."
ROW_KEY = "_row"
ERROR_KEY = "_error"
