"""Importing actuals and targets from CSV and XLSX: reading a file, then checking its rows.

Reading turns a file into rows of text (or refuses the whole file, saying why); checking
decides for every row whether it will create, change, leave unchanged or be refused, and why.
Nothing here writes: `kpis.services.import_commit` checks the rows again and writes them.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from accounts.models import User
from kpis import periods, scoring
from kpis.forms import parse_optional_value, parse_period, parse_value
from kpis.models import Actual, Kpi, Target
from kpis.selectors import kpis_updatable_among, lock_message, locked_periods, plain_number
from strategy.models import StrategicPlan

REQUIRED_COLUMNS = ("kind", "kpi_code", "period")
VALUE_COLUMNS = ("value", "goal", "red_flag", "goal_high", "red_flag_high", "analysis")
# Read by people, left alone by the import: the template names each KPI.
INFORMATIONAL_COLUMNS = ("kpi_name",)
COLUMNS = (*REQUIRED_COLUMNS[:2], "kpi_name", REQUIRED_COLUMNS[2], *VALUE_COLUMNS)
TARGET_COLUMNS = ("goal", "red_flag", "goal_high", "red_flag_high")
ACTUAL_COLUMNS = ("value", "analysis")
MAX_ROWS = 5000
ROW_KEY = "_row"
ERROR_KEY = "_error"


class ImportFileError(Exception):
    """The whole file is refused; the message says why and what to do."""


@dataclass
class ReadFile:
    """A file's rows as text by column, each with its row number, and notes on how it was read."""

    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def _size(num_bytes: int) -> str:
    if num_bytes >= 1024 * 1024:
        return f"{num_bytes / (1024 * 1024):.1f} MB"
    return f"{max(1, round(num_bytes / 1024))} KB"


def read_upload(name: str, content: bytes) -> ReadFile:
    """The rows of an uploaded CSV or XLSX file; raises ImportFileError for a file refused whole."""
    limit = settings.IMPORT_MAX_BYTES
    if len(content) > limit:
        raise ImportFileError(
            f"The file is {_size(len(content))}; the limit is {_size(limit)}. "
            "Split it into smaller files."
        )
    if not content.strip():
        raise ImportFileError("The file is empty.")
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        header, rows, notes = _read_xlsx(content)
    elif lowered.endswith((".csv", ".txt")):
        header, rows, notes = _read_csv(content)
    elif lowered.endswith(".xls"):
        raise ImportFileError("Old .xls workbooks cannot be read: save it as .xlsx or as CSV.")
    else:
        raise ImportFileError("Upload a .csv or an .xlsx file.")
    columns = _check_header(header)
    if not rows:
        raise ImportFileError("The file has a header but no rows below it.")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(rows)} rows; at most {MAX_ROWS} at a time.")
    result = []
    for number, cells, error in rows:
        row: dict[str, Any] = {ROW_KEY: number}
        for column, cell in zip(columns, cells, strict=False):
            if column:
                row[column] = cell
        if any(len(cell) > 2000 for cell in cells):
            error = error or "A cell holds more than 2000 characters."
        if error:
            row[ERROR_KEY] = error
        result.append(row)
    return ReadFile(rows=result, notes=notes)


def _check_header(header: Sequence[str]) -> list[str]:
    """The column of each position ("" for an empty header cell), refusing a wrong header."""
    columns = [cell.strip().lower().replace(" ", "_") for cell in header]
    while columns and not columns[-1]:
        columns.pop()
    known = set(COLUMNS)
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    unknown = [column for column in columns if column and column not in known]
    doubled = sorted({column for column in columns if column and columns.count(column) > 1})
    problems = []
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    if doubled:
        problems.append(
            f"column{'s' if len(doubled) > 1 else ''} given twice: {', '.join(doubled)}"
        )
    if problems:
        raise ImportFileError(
            f"The first row must name the columns ({'; '.join(problems)}). "
            f"The columns are: {', '.join(COLUMNS)}; kind, kpi_code and period are required."
        )
    return columns


Rows = list[tuple[int, list[str], str]]


def _decode(content: bytes) -> tuple[str, list[str]]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), ["Read as UTF-16 text."]
        except UnicodeDecodeError:
            raise ImportFileError("The file is not readable text: save it as CSV UTF-8.") from None
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file's encoding is neither UTF-8 nor Windows-1252: save it as CSV UTF-8."
        ) from None
    return text, [
        "The file is not UTF-8, so it was read as Windows-1252 (Western European): "
        "check that names with accents look right, or save it as CSV UTF-8."
    ]


def _read_csv(content: bytes) -> tuple[list[str], Rows, list[str]]:
    text, notes = _decode(content)
    if "\x00" in text:
        raise ImportFileError("This does not look like a CSV file.")
    first_line = text.lstrip().split("\n", 1)[0]
    # Spreadsheets in many countries write CSV with semicolons; a few with tabs.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(f"The CSV file cannot be read: {error}.") from None
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if any(c.strip() for c in line)]
    if not numbered:
        raise ImportFileError("The file is empty.")
    header = numbered[0][1]
    rows = [(n, [cell.strip() for cell in line], "") for n, line in numbered[1:]]
    return header, rows, notes


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # repr: the shortest text that reads back as the same float (0.1, not 0.10000000000000001).
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()


def _read_xlsx(content: bytes) -> tuple[list[str], Rows, list[str]]:
    try:
        # data_only=False: a formula arrives as its text ("=B2*2"), so it can be refused.
        workbook = load_workbook(io.BytesIO(content), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError(
            "This is not a readable .xlsx workbook: open it in a spreadsheet and save it again."
        ) from None
    sheet = workbook.worksheets[0]
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"Read the first sheet, “{sheet.title}”; the other sheets were left out.")
    merged = sorted(str(cells) for cells in sheet.merged_cells.ranges)
    if merged:
        raise ImportFileError(
            f"The sheet “{sheet.title}” has merged cells ({', '.join(merged)}): "
            "unmerge them and upload it again."
        )
    if sheet.max_row > MAX_ROWS + 1:
        raise ImportFileError(f"The sheet has {sheet.max_row} rows; at most {MAX_ROWS} at a time.")
    header: list[str] = []
    rows: Rows = []
    for cells in sheet.iter_rows():
        texts = []
        formulas = []
        for cell in cells:
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                formula = str(getattr(value, "text", value))
                formulas.append(f"{cell.coordinate} ({formula[:40]})")
                texts.append("")
            else:
                texts.append(_cell_text(value))
        if not any(texts) and not formulas:
            continue
        if not header and not rows:
            if formulas:
                raise ImportFileError("The header row holds formulas: type the column names.")
            header = texts
            continue
        error = ""
        if formulas:
            error = (
                f"Formula in {', '.join(formulas)}: paste the values instead "
                "(Paste special → Values)."
            )
        rows.append((cells[0].row or 0, texts, error))
    if not header:
        raise ImportFileError("The file is empty.")
    return header, rows, notes


# --- Checking rows -----------------------------------------------------------------------------


class RowStatus(StrEnum):
    CREATE = "create"
    CHANGE = "change"
    UNCHANGED = "unchanged"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {
            "create": "will create",
            "change": "will change",
            "unchanged": "unchanged",
            "refused": "refused",
        }[self.value]


# A target's goal, red flag, upper goal and upper red flag.
TargetValues = tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]


class Kind(StrEnum):
    ACTUAL = "actual"
    TARGET = "target"


@dataclass
class CheckedRow:
    """One row of the file and what importing it will do."""

    number: int
    cells: dict[str, str]
    status: RowStatus = RowStatus.REFUSED
    reason: str = ""
    kind: Kind | None = None
    kpi: Kpi | None = None
    period: datetime.date | None = None
    value: Decimal | None = None
    analysis: str | None = None
    target: TargetValues | None = None
    before: str = ""
    after: str = ""

    @property
    def accepted(self) -> bool:
        return self.status is not RowStatus.REFUSED

    @property
    def writes(self) -> bool:
        return self.status in (RowStatus.CREATE, RowStatus.CHANGE)


class _Refused(Exception):
    pass


def _show(value: Decimal | None) -> str:
    return "—" if value is None else plain_number(value)


def _target_text(values: Sequence[Decimal | None]) -> str:
    goal, red_flag, goal_high, red_flag_high = values
    text = f"goal {_show(goal)}, red flag {_show(red_flag) if red_flag is not None else 'derived'}"
    if goal_high is not None:
        text += f", upper goal {_show(goal_high)}, upper red flag {_show(red_flag_high)}"
    return text


class _Resolver:
    """Finds KPIs by code for the person: within a plan, or across the plans they can see."""

    def __init__(self, codes: Iterable[str], *, user: User, plan: StrategicPlan | None) -> None:
        candidates = Kpi.objects.filter(code__in=set(codes)).select_related(
            "plan", "objective", "objective__plan"
        )
        if plan is not None:
            candidates = candidates.filter(plan=plan)
        self.plan = plan
        self.user = user
        self.by_code: dict[str, list[Kpi]] = defaultdict(list)
        for kpi in candidates:
            if user.has_perm("kpis.view_kpi", kpi):
                self.by_code[kpi.code].append(kpi)
        self._updatable: set[int] | None = None
        self._may_edit: dict[int, bool] = {}

    def kpi(self, code: str) -> Kpi:
        if not code:
            raise _Refused("No KPI code.")
        found = self.by_code.get(code, [])
        if not found:
            where = f" in {self.plan}" if self.plan is not None else ""
            raise _Refused(f"Unknown KPI code {code}{where}.")
        if len(found) > 1:
            plans = ", ".join(sorted(str(kpi.plan) for kpi in found))
            raise _Refused(
                f"KPI code {code} is used in several plans ({plans}): "
                "choose the plan to import into."
            )
        return found[0]

    def may_update(self, kpi: Kpi) -> bool:
        """`kpis.update_actuals` for every KPI of the file at once, on the first question."""
        if self._updatable is None:
            ids = [found.pk for kpis in self.by_code.values() for found in kpis]
            self._updatable = kpis_updatable_among(self.user, ids)
        return kpi.pk in self._updatable

    def may_edit(self, kpi: Kpi) -> bool:
        if kpi.pk not in self._may_edit:
            self._may_edit[kpi.pk] = self.user.has_perm("kpis.change_kpi", kpi)
        return self._may_edit[kpi.pk]


def _number(cells: dict[str, str], column: str, *, required: bool) -> Decimal | None:
    text = cells.get(column, "")
    try:
        return parse_value(text) if required else parse_optional_value(text)
    except ValidationError as error:
        if error.code == "required":
            raise _Refused(f"No {column.replace('_', ' ')}.") from None
        raise _Refused(f"{column}: {error.messages[0]}") from None


def check_rows(
    rows: Sequence[dict[str, Any]], *, user: User, plan: StrategicPlan | None
) -> list[CheckedRow]:
    """What importing each row would do now, for this person, with KPI codes of `plan`.

    A fixed number of queries: KPIs, locks, existing actuals and targets, the person's access
    and which of the KPIs they update.
    """
    fy = settings.FISCAL_YEAR_START_MONTH
    checked = [
        CheckedRow(
            number=int(row.get(ROW_KEY, 0)),
            cells={k: str(v) for k, v in row.items() if not k.startswith("_")},
        )
        for row in rows
    ]
    resolver = _Resolver((row.cells.get("kpi_code", "") for row in checked), user=user, plan=plan)
    seen: dict[tuple[Kind, int, datetime.date], int] = {}
    for row, raw in zip(checked, rows, strict=True):
        try:
            if raw.get(ERROR_KEY):
                raise _Refused(str(raw[ERROR_KEY]))
            kind, kpi, period = _check_row(row, resolver, fy)
            key = (kind, kpi.pk, period)
            if key in seen:
                raise _Refused(
                    f"Row {seen[key]} already sets the {kind} of {kpi.code} for "
                    f"{periods.label(period, kpi.frequency, fy)}."
                )
            seen[key] = row.number
            row.status = RowStatus.CREATE  # until compared with what is stored
        except _Refused as refusal:
            row.status = RowStatus.REFUSED
            row.reason = str(refusal)
    accepted = [row for row in checked if row.accepted]
    locked = locked_periods(row.period for row in accepted if row.period)
    kpi_ids = {row.kpi.pk for row in accepted if row.kpi}
    period_set = {row.period for row in accepted if row.period}
    actuals = {
        (a.kpi_id, a.period): a
        for a in Actual.objects.filter(kpi_id__in=kpi_ids, period__in=period_set)
    }
    targets = {
        (t.kpi_id, t.period): t
        for t in Target.objects.filter(kpi_id__in=kpi_ids, period__in=period_set)
    }
    for row in accepted:
        if row.kpi is None or row.period is None:
            continue
        stored = (row.kpi.pk, row.period)
        if row.period in locked:
            row.status, row.reason = RowStatus.REFUSED, lock_message(row.period)
        elif row.value is not None:
            _compare_actual(row, row.value, actuals.get(stored))
        elif row.target is not None:
            _compare_target(row, row.target, targets.get(stored))
    return checked


def _check_row(row: CheckedRow, resolver: _Resolver, fy: int) -> tuple[Kind, Kpi, datetime.date]:
    """Fill in the row's kind, KPI, period and values, or raise _Refused saying why."""
    cells = row.cells
    kind_text = cells.get("kind", "").strip().lower()
    if kind_text not in Kind.__members__.values():
        raise _Refused(f"Kind must be actual or target, not “{cells.get('kind', '')}”.")
    kind = row.kind = Kind(kind_text)
    kpi = row.kpi = resolver.kpi(cells.get("kpi_code", "").strip())
    period_text = cells.get("period", "").strip()
    period = parse_period(period_text)
    if period is None:
        raise _Refused(f"Bad period “{period_text}”: write it as YYYY-MM or YYYY-MM-DD.")
    start = periods.period_start(period, kpi.frequency, fy)
    if start != period:
        raise _Refused(
            f"Bad period {period_text}: {kpi.code} is {kpi.frequency} and its period containing "
            f"it starts on {start.isoformat()}."
        )
    row.period = period
    if row.kind is Kind.ACTUAL:
        if kpi.is_calculated:
            raise _Refused(f"{kpi.code} is a calculated KPI ({kpi.formula}): import its inputs.")
        if kpi.is_retired:
            raise _Refused(f"{kpi.code} is retired; its actuals can no longer change.")
        if not resolver.may_update(kpi):
            raise _Refused(f"No permission: you may not update the actuals of {kpi.code}.")
        stray = [column for column in TARGET_COLUMNS if cells.get(column, "").strip()]
        if stray:
            raise _Refused(f"An actual row takes value and analysis, not {', '.join(stray)}.")
        row.value = _number(cells, "value", required=True)
        analysis = cells.get("analysis", "").strip()
        row.analysis = analysis or None  # an empty analysis keeps the stored one
        return kind, kpi, period
    if not resolver.may_edit(kpi):
        raise _Refused(f"No permission: you may not set the targets of {kpi.code}.")
    stray = [column for column in ACTUAL_COLUMNS if cells.get(column, "").strip()]
    if stray:
        raise _Refused(
            "A target row takes goal, red_flag, goal_high and red_flag_high, "
            f"not {', '.join(stray)}."
        )
    goal = _number(cells, "goal", required=True) or Decimal(0)  # required: never None
    values = (
        goal,
        _number(cells, "red_flag", required=False),
        _number(cells, "goal_high", required=False),
        _number(cells, "red_flag_high", required=False),
    )
    errors = scoring.validate_target(kpi.direction, *values, tolerance=kpi.tolerance)
    if errors:
        raise _Refused(" ".join(errors.values()))
    row.target = values
    return kind, kpi, period


def _compare_actual(row: CheckedRow, value: Decimal, current: Actual | None) -> None:
    row.after = plain_number(value)
    if current is None:
        row.status = RowStatus.CREATE
        return
    row.before = plain_number(current.value)
    analysis = current.analysis if row.analysis is None else row.analysis
    if current.value == value and current.analysis == analysis:
        row.status = RowStatus.UNCHANGED
    else:
        row.status = RowStatus.CHANGE
        if current.value == value:
            row.before, row.after = "analysis", "new analysis"


def _compare_target(row: CheckedRow, target: TargetValues, current: Target | None) -> None:
    row.after = _target_text(target)
    if current is None:
        row.status = RowStatus.CREATE
        return
    stored = (current.goal, current.red_flag, current.goal_high, current.red_flag_high)
    row.before = _target_text(stored)
    row.status = RowStatus.UNCHANGED if stored == target else RowStatus.CHANGE


def outcome_digest(rows: Iterable[CheckedRow]) -> str:
    """The rows' statuses in one string, to tell whether a commit still matches its preview."""
    return "".join(row.status.value[0] for row in rows)


# --- The template ------------------------------------------------------------------------------


def _safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula when it opens the file."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def template_rows(kpis: Iterable[Kpi], *, today: datetime.date) -> list[list[str]]:
    """The template's rows: one actual to fill in per KPI, for the period due now."""
    fy = settings.FISCAL_YEAR_START_MONTH
    return [
        [
            "actual",
            kpi.code,
            _safe_cell(kpi.name),
            periods.last_closed_period(today, kpi.frequency, fy).isoformat(),
            *[""] * len(VALUE_COLUMNS),
        ]
        for kpi in kpis
    ]


def template_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    # With a byte order mark, Excel opens UTF-8 as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.create_sheet("Import", 0)
    workbook.remove(workbook.worksheets[1])
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(list(row))
    for column, width in zip("ABCDEFGHIJ", (8, 10, 30, 12, 12, 12, 12, 12, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
