"""Importing actuals and targets from CSV and XLSX: reading a file, then checking its rows.

Reading turns a file into rows of text (or refuses the whole file, saying why); checking
decides for every row whether it will create, change, leave unchanged or be refused, and why.
Nothing here writes: `kpis.services.import_commit` checks the rows again and writes them.

Reading is bounded before and while it happens (DESIGN §11): bytes, rows, columns and cells
for every file; for a workbook, which is a zip archive of XML parts, also what the archive
unpacks to and how many XML elements its parts hold, counted by a streaming pass that stops
at the first bound it passes, before openpyxl reads anything. openpyxl then reads the first
sheet in read-only (streaming) mode, only as far as the bounds.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, NoReturn, cast
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import User
from core.numbers import parse_number, parse_required_number
from kpis import periods, scoring
from kpis.forms import parse_period
from kpis.models import Actual, Kpi, Target
from kpis.rules import actuals_refusal
from kpis.selectors import (
    OFF_TRACK_NEEDS_ACTION,
    KpiCodes,
    future_message,
    kpis_updatable_among,
    lock_message,
    locked_periods,
    needs_corrective_action,
    plain_number,
)
from strategy.models import StrategicPlan

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


class _Bounds:
    """The rows, columns and cells of a file read so far; refuses it at the first bound passed.

    The same bounds for CSV and XLSX (settings IMPORT_MAX_ROWS, _COLUMNS and _CELLS): a row's
    width runs to its last non-empty cell, and the header row counts as a row of cells but not
    as one of the rows to import.
    """

    def __init__(self) -> None:
        self.max_rows: int = settings.IMPORT_MAX_ROWS
        self.max_columns: int = settings.IMPORT_MAX_COLUMNS
        self.max_cells: int = settings.IMPORT_MAX_CELLS
        self.rows = 0
        self.cells = 0

    def count(self, number: int, width: int) -> None:
        """Count one non-blank row, numbered `number` in the file, `width` cells wide."""
        if width > self.max_columns:
            raise ImportFileError(
                f"Row {number} has values in more than {self.max_columns} columns; "
                f"a file to import has at most {self.max_columns}."
            )
        self.rows += 1
        self.cells += width
        if self.rows > self.max_rows + 1:
            raise ImportFileError(
                f"The file has more than {self.max_rows} rows; import at most {self.max_rows} "
                "at a time: split it into smaller files."
            )
        if self.cells > self.max_cells:
            raise ImportFileError(
                f"The file has more than {self.max_cells} cells; import at most "
                f"{self.max_cells} at a time: split it into smaller files."
            )


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


def _width(texts: Sequence[str]) -> int:
    """How many cells a row spans, up to its last non-empty one."""
    return next((len(texts) - i for i, text in enumerate(reversed(texts)) if text), 0)


def _read_csv(content: bytes) -> tuple[list[str], Rows, list[str]]:
    text, notes = _decode(content)
    if "\x00" in text:
        raise ImportFileError("This does not look like a CSV file.")
    first_line = text.lstrip().split("\n", 1)[0]
    # Spreadsheets in many countries write CSV with semicolons; a few with tabs.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    bounds = _Bounds()
    header: list[str] | None = None
    rows: Rows = []
    try:
        for number, line in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            cells = [cell.strip() for cell in line]
            width = _width(cells)
            if not width:
                continue
            bounds.count(number, width)
            if header is None:
                header = line
            else:
                rows.append((number, cells, ""))
    except csv.Error as error:
        raise ImportFileError(f"The CSV file cannot be read: {error}.") from None
    if header is None:
        raise ImportFileError("The file is empty.")
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


# --- Reading a workbook ------------------------------------------------------------------------

_UNREADABLE = "This is not a readable .xlsx workbook: open it in a spreadsheet and save it again."
_TOO_BIG = "copy the rows to import into a new workbook, or save the sheet as CSV, and upload that"
# Only entries larger than this have their compression ratio checked: a small part that
# compresses well costs nothing to unpack.
_RATIO_CHECKED_FROM = 1024 * 1024
# The widest sheet a spreadsheet can hold (column XFD): a row with more cells is not a sheet's.
_CELLS_IN_A_ROW = 16_384
# Failures of openpyxl on a damaged workbook, all meaning "cannot be read": bad zip data, bad
# or unexpected XML (ParseError is a SyntaxError), defusedxml's refusals (ValueError).
_WORKBOOK_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
    OSError,
    EOFError,
    RecursionError,
    NotImplementedError,
)


def _open_archive(content: bytes) -> zipfile.ZipFile:
    """The workbook's zip archive, refused when it unpacks to more than the settings allow.

    The sizes come from the archive's directory; reading an entry never yields more than its
    stated size (zipfile stops there and checks the CRC), so they bound the unpacking.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ImportFileError(_UNREADABLE) from None
    if len(entries) > settings.IMPORT_XLSX_MAX_PARTS:
        raise ImportFileError(
            f"The workbook is made of {len(entries)} parts, more than the "
            f"{settings.IMPORT_XLSX_MAX_PARTS} accepted: {_TOO_BIG}."
        )
    part_limit = settings.IMPORT_XLSX_MAX_PART_BYTES
    total_limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
    ratio_limit = settings.IMPORT_XLSX_MAX_RATIO
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > part_limit:
            raise ImportFileError(
                f"The workbook's part {entry.filename} unpacks to {_size(entry.file_size)}, "
                f"more than the {_size(part_limit)} accepted: {_TOO_BIG}."
            )
        if total > total_limit:
            raise ImportFileError(
                f"The workbook unpacks to more than {_size(total_limit)}: {_TOO_BIG}."
            )
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > _RATIO_CHECKED_FROM and ratio > ratio_limit:
            raise ImportFileError(
                f"The workbook's part {entry.filename} is packed {ratio:.0f} times smaller "
                f"than it unpacks, more than a spreadsheet is ({ratio_limit} times): {_TOO_BIG}."
            )
    return archive


@dataclass
class _Extent:
    """How far a sheet part holds values: its last row and last column with one."""

    rows: int = 0
    columns: int = 0


class _PartScan:
    """Counts the XML elements of a workbook's parts, refusing it at the first bound passed.

    Runs before openpyxl reads anything, with expat and no tree, so it costs little and stops
    early: at most IMPORT_MAX_CELLS cells (`c` elements, empty or not, in any sheet), no row
    wider than a sheet, at most IMPORT_XLSX_MAX_SHEETS sheets and a few elements per cell in
    all. Like defusedxml, it refuses entity declarations, which spreadsheets never use.

    It also notes, per part, what the streaming reader cannot see or would have to trust the
    sheet for: merged cells, and how far the values reach (a sheet's declared size may lie).
    """

    def __init__(self) -> None:
        self.max_cells: int = settings.IMPORT_MAX_CELLS
        self.max_sheets: int = settings.IMPORT_XLSX_MAX_SHEETS
        # A cell takes two or three elements (c, v; c, is, t), a shared string two or more.
        self.max_elements = 6 * self.max_cells + 50_000
        self.elements = 0
        self.cells = 0
        self.sheets = 0
        self.merged: dict[str, list[str]] = defaultdict(list)
        self.extents: dict[str, _Extent] = defaultdict(_Extent)
        self._part = ""
        self._row = 0
        self._column = 0
        self._cells_in_row = 0

    def scan(self, archive: zipfile.ZipFile) -> None:
        for entry in archive.infolist():
            self._part, self._row, self._column = entry.filename, 0, 0
            parser = expat.ParserCreate()
            parser.StartElementHandler = self._start
            parser.EntityDeclHandler = self._entity
            parser.UnparsedEntityDeclHandler = self._entity
            parser.ExternalEntityRefHandler = self._entity
            try:
                with archive.open(entry) as stream:
                    parser.ParseFile(stream)
            except expat.ExpatError:
                # Pictures and other binary parts are not XML; an XML part must be.
                if entry.filename.lower().endswith((".xml", ".rels")):
                    raise ImportFileError(_UNREADABLE) from None
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
                # ValueError: a row or cell reference that is no number or column name.
                raise ImportFileError(_UNREADABLE) from None

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            raise ImportFileError(f"The workbook is too complex to import: {_TOO_BIG}.")
        local = name.rpartition(":")[2]
        if local == "c":
            self._cell(attributes.get("r"))
        elif local in ("v", "is", "f"):  # the value, inline text or formula of the cell
            extent = self.extents[self._part]
            extent.rows = max(extent.rows, self._row)
            extent.columns = max(extent.columns, self._column)
        elif local == "row":
            reference = attributes.get("r")
            self._row = _whole_number(reference) if reference else self._row + 1
            self._column = self._cells_in_row = 0
        elif local == "sheet":
            self.sheets += 1
            if self.sheets > self.max_sheets:
                raise ImportFileError(
                    f"The workbook has more than {self.max_sheets} sheets: {_TOO_BIG}."
                )
        elif local == "mergeCell":
            self.merged[self._part].append(attributes.get("ref", "?"))

    def _cell(self, reference: str | None) -> None:
        self.cells += 1
        self._cells_in_row += 1
        if self.cells > self.max_cells:
            raise ImportFileError(
                f"The workbook holds more than {self.max_cells} cells (empty formatted "
                f"cells and other sheets count too): {_TOO_BIG}."
            )
        if self._cells_in_row > _CELLS_IN_A_ROW:
            raise ImportFileError(_UNREADABLE)
        if reference:
            self._column = column_index_from_string(reference.rstrip("0123456789"))
        else:
            self._column += 1

    def _entity(self, *_: object) -> NoReturn:
        raise ImportFileError(
            "The workbook declares XML entities, which spreadsheets never do: it is refused. "
            "Open it in a spreadsheet and save it again."
        )


def _whole_number(text: str) -> int:
    number = float(text)  # as openpyxl reads a row number: "7" or "7.0"
    if not number.is_integer():
        raise ValueError(text)
    return int(number)


def _read_xlsx(content: bytes) -> tuple[list[str], Rows, list[str]]:
    scan = _PartScan()
    with _open_archive(content) as archive:
        scan.scan(archive)
    try:
        # data_only=False: a formula arrives as its text ("=B2*2"), so it can be refused.
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=False)
        reader.read()
        try:
            return _read_first_sheet(reader, scan)
        finally:
            reader.wb.close()
    except _WORKBOOK_ERRORS:
        raise ImportFileError(_UNREADABLE) from None


def _read_first_sheet(reader: ExcelReader, scan: _PartScan) -> tuple[list[str], Rows, list[str]]:
    workbook = reader.wb
    sheets = reader.parser.find_sheets()
    first = next(((s, r) for s, r in sheets if r.target in reader.valid_files), None)
    if first is None:
        raise ImportFileError("The workbook has no sheet to read.")
    sheet_entry, rel = first
    sheet = workbook[sheet_entry.name]
    if not isinstance(sheet, ReadOnlyWorksheet):
        raise ImportFileError(
            f"The first sheet, “{sheet_entry.name}”, is a chart: move the sheet with the rows "
            "to the front, or save that sheet as CSV."
        )
    notes = []
    if len(workbook.sheetnames) > 1:
        notes.append(f"Read the first sheet, “{sheet.title}”; the other sheets were left out.")
    ranges = sorted(scan.merged.get(rel.target, []))
    if ranges:
        raise ImportFileError(
            f"The sheet “{sheet.title}” has merged cells ({', '.join(ranges)}): "
            "unmerge them and upload it again."
        )
    header, rows = _read_sheet_rows(sheet, scan.extents.get(rel.target, _Extent()))
    return header, rows, notes


def _read_sheet_rows(sheet: ReadOnlyWorksheet, extent: _Extent) -> tuple[list[str], Rows]:
    """The sheet's header and rows, streamed only as far as its values reach."""
    bounds = _Bounds()
    # Blank rows above and between the rows may take as many again.
    last_row = 2 * (bounds.max_rows + 1)
    if extent.rows > last_row:
        raise ImportFileError(
            f"The sheet has values down to row {extent.rows}; import at most "
            f"{bounds.max_rows} rows at a time: split it into smaller files."
        )
    if extent.columns > bounds.max_columns:
        raise ImportFileError(
            f"The sheet has values in column {get_column_letter(extent.columns)}; a file to "
            f"import has at most {bounds.max_columns} columns."
        )
    # Read as far as the values reach, not as far as the sheet's declared size says.
    sheet.reset_dimensions()
    # The read-only sheet borrows Worksheet.iter_rows, which the type stubs bind to Worksheet.
    rows_of = cast(Worksheet, sheet).iter_rows
    stream = rows_of(min_row=1, max_row=max(extent.rows, 1), max_col=max(extent.columns, 1))
    header: list[str] = []
    rows: Rows = []
    for number, cells in enumerate(stream, start=1):
        texts = []
        formulas = []
        last_formula = 0
        for column, cell in enumerate(cells, start=1):
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                formula = str(getattr(value, "text", value))
                formulas.append(f"{get_column_letter(column)}{number} ({formula[:40]})")
                texts.append("")
                last_formula = column
            else:
                texts.append(_cell_text(value))
        width = max(_width(texts), last_formula)
        if not width:
            continue
        bounds.count(number, width)
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
        rows.append((number, texts, error))
    if not header:
        raise ImportFileError("The file is empty.")
    return header, rows


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
    corrective_action: str | None = None
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
    """Finds KPIs by code for the person (`KpiCodes`): in the plan chosen, or else uniquely
    across the current plans they can see."""

    def __init__(self, codes: Iterable[str], *, user: User, plan: StrategicPlan | None) -> None:
        self.plan_id = plan.pk if plan is not None else None
        self.user = user
        self.codes = KpiCodes(user, ((self.plan_id, code) for code in codes))
        self._updatable: set[int] | None = None
        self._may_edit: dict[int, bool] = {}

    def kpi(self, code: str) -> Kpi:
        found = self.codes.find(code, self.plan_id)
        if isinstance(found, str):
            raise _Refused(found)
        return found

    def actuals_refusal(self, kpi: Kpi) -> str | None:
        """`kpis.update_actuals` for every KPI of the file at once, on the first question."""
        if self._updatable is None:
            found = [*self.codes.by_plan_code.values()]
            found += [kpi for kpis in self.codes.by_code.values() for kpi in kpis]
            self._updatable = kpis_updatable_among(self.user, (kpi.pk for kpi in found))
        return actuals_refusal(self.user, kpi, is_updater=kpi.pk in self._updatable)

    def may_edit(self, kpi: Kpi) -> bool:
        if kpi.pk not in self._may_edit:
            self._may_edit[kpi.pk] = self.user.has_perm("kpis.change_kpi", kpi)
        return self._may_edit[kpi.pk]


def _number(cells: dict[str, str], column: str, kpi: Kpi, *, required: bool) -> Decimal | None:
    text = cells.get(column, "")
    try:
        if required:
            return parse_required_number(text, percent=kpi.is_percentage)
        return parse_number(text, percent=kpi.is_percentage)
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
            _compare_actual(row, row.value, actuals.get(stored), targets.get(stored))
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
        refusal = resolver.actuals_refusal(kpi)
        if refusal is not None:
            raise _Refused(refusal)
        stray = [column for column in TARGET_COLUMNS if cells.get(column, "").strip()]
        if stray:
            raise _Refused(
                "An actual row takes value, analysis and corrective_action, "
                f"not {', '.join(stray)}."
            )
        if period > timezone.localdate():
            raise _Refused(future_message(period))
        row.value = _number(cells, "value", kpi, required=True)
        # An empty analysis or corrective action keeps the stored one.
        row.analysis = cells.get("analysis", "").strip() or None
        row.corrective_action = cells.get("corrective_action", "").strip() or None
        return kind, kpi, period
    if not resolver.may_edit(kpi):
        raise _Refused(f"No permission: you may not set the targets of {kpi.code}.")
    stray = [column for column in ACTUAL_COLUMNS if cells.get(column, "").strip()]
    if stray:
        raise _Refused(
            "A target row takes goal, red_flag, goal_high and red_flag_high, "
            f"not {', '.join(stray)}."
        )
    goal = _number(cells, "goal", kpi, required=True) or Decimal(0)  # required: never None
    values = (
        goal,
        _number(cells, "red_flag", kpi, required=False),
        _number(cells, "goal_high", kpi, required=False),
        _number(cells, "red_flag_high", kpi, required=False),
    )
    errors = scoring.validate_target(kpi.direction, *values, tolerance=kpi.tolerance)
    if errors:
        raise _Refused(" ".join(errors.values()))
    row.target = values
    return kind, kpi, period


def _compare_actual(
    row: CheckedRow, value: Decimal, current: Actual | None, target: Target | None
) -> None:
    row.after = plain_number(value)
    texts = (current.analysis, current.corrective_action) if current is not None else ("", "")
    analysis = texts[0] if row.analysis is None else row.analysis
    action = texts[1] if row.corrective_action is None else row.corrective_action
    if current is not None and (current.value, *texts) == (value, analysis, action):
        row.status = RowStatus.UNCHANGED
        row.before = plain_number(current.value)
    elif row.kpi is not None and needs_corrective_action(row.kpi, target, value, action):
        row.status, row.reason = RowStatus.REFUSED, OFF_TRACK_IN_IMPORT
    elif current is None:
        row.status = RowStatus.CREATE
    else:
        row.status = RowStatus.CHANGE
        row.before = plain_number(current.value)
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


def _xlsx_text(text: str) -> str:
    """Text without the control characters an XLSX cell cannot hold (openpyxl refuses them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def template_xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.create_sheet("Import", 0)
    workbook.remove(workbook.worksheets[1])
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_xlsx_text(cell) for cell in row])
    widths = (8, 10, 30, 12, 12, 12, 12, 12, 14, 40, 40)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
