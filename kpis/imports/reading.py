"""Reading an uploaded CSV or XLSX file into rows of text, or refusing the whole file, saying why.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, cast
from xml.parsers import expat

from django.conf import settings
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from kpis.imports.columns import COLUMNS, ERROR_KEY, REQUIRED_COLUMNS, ROW_KEY


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
