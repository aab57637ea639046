"""Importing actuals and targets from CSV and XLSX: reading a file, then checking its rows.

`reading` turns a file into rows of text (or refuses the whole file, saying why), within the
bounds of DESIGN §11; `checking` decides for every row whether it will create, change, leave
unchanged, skip (a blank row) or refuse it, and why, and how it will score; `template` builds
the file a person downloads to fill in; `columns` names the columns they share. Nothing here
writes: `kpis.services.import_commit` checks the rows again and writes them. Callers import
from `kpis.imports`, which re-exports the public names.
"""

from __future__ import annotations

from kpis.imports.checking import (
    CheckedRow,
    Kind,
    RowStatus,
    TargetValues,
    check_rows,
    outcome_digest,
    preview_order,
)
from kpis.imports.columns import (
    ACTUAL_COLUMNS,
    BLANK_ROW,
    COLUMNS,
    ERROR_KEY,
    INFORMATIONAL_COLUMNS,
    OFF_TRACK_IN_IMPORT,
    REQUIRED_COLUMNS,
    ROW_KEY,
    TARGET_COLUMNS,
    VALUE_COLUMNS,
)
from kpis.imports.reading import ImportFileError, ReadFile, Rows, read_upload
from kpis.imports.template import template_csv, template_rows, template_xlsx

__all__ = [
    "ACTUAL_COLUMNS",
    "BLANK_ROW",
    "COLUMNS",
    "ERROR_KEY",
    "INFORMATIONAL_COLUMNS",
    "OFF_TRACK_IN_IMPORT",
    "REQUIRED_COLUMNS",
    "ROW_KEY",
    "TARGET_COLUMNS",
    "VALUE_COLUMNS",
    "CheckedRow",
    "ImportFileError",
    "Kind",
    "ReadFile",
    "RowStatus",
    "Rows",
    "TargetValues",
    "check_rows",
    "outcome_digest",
    "preview_order",
    "read_upload",
    "template_csv",
    "template_rows",
    "template_xlsx",
]
