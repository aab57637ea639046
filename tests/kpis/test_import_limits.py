"""Hostile and damaged import files are refused whole, with a message, before they cost much.

Each file is built here: a workbook is a zip archive of XML parts, written part by part so a
test can make any of them as large, deep or broken as an attacker would.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from kpis.imports import ImportFileError, read_upload, reading
from kpis.models import ImportBatch
from tests.kpis.updates_org import build_org, client_for

URL = "/updates/import/"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>kind</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>kpi_code</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>period</t></is></c>'
    '<c r="D1" t="inlineStr"><is><t>value</t></is></c></row>'
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
        for n in range(1, 10)
    )
    + "]>\n"
)


def data_row(number: int, code: str = "REV", value: str = "1") -> str:
    cells = [("A", "actual"), ("B", code), ("C", "2026-01")]
    inline = "".join(
        f'<c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for column, text in cells
    )
    return f'<row r="{number}">{inline}<c r="D{number}"><v>{value}</v></c></row>'


def sheet_xml(rows: str, *, before: str = "", prolog: str = "") -> str:
    return f'{prolog}<worksheet xmlns="{MAIN}">{before}<sheetData>{rows}</sheetData></worksheet>'


def workbook_bytes(
    sheet: str | Iterator[str], *, extra: dict[str, str] | None = None, sheets: int = 1
) -> bytes:
    """A minimal workbook whose first sheet's XML is `sheet` (a string or pieces of it)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
        for n in range(1, sheets + 1)
    )
    sheet_list = "".join(
        f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, sheets + 1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml" '
        f'Type="{RELATIONSHIPS}/worksheet"/>'
        for n in range(1, sheets + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{PACKAGE}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>{overrides}'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>{sheet_list}</sheets>'
            "</workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}/relationships">{sheet_rels}</Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for piece in [sheet] if isinstance(sheet, str) else sheet:
                part.write(piece.encode())
        for n in range(2, sheets + 1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", sheet_xml(HEADER_ROW))
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def with_workbook_part(text: str) -> bytes:
    """A minimal workbook whose xl/workbook.xml is `text`."""
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(sheet_xml(HEADER_ROW))))
    with source, zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            part = text.encode() if entry.filename == "xl/workbook.xml" else source.read(entry)
            target.writestr(entry, part)
    return buffer.getvalue()


def refusal(content: bytes, name: str = "actuals.xlsx") -> str:
    with pytest.raises(ImportFileError) as refused:
        read_upload(name, content)
    return str(refused.value)


@pytest.fixture
def openpyxl_never_reads(monkeypatch):  # type: ignore[no-untyped-def]
    """Fails the test if the file reaches openpyxl's workbook reader."""

    def reached(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to read the workbook")

    monkeypatch.setattr(reading, "ExcelReader", reached)


@pytest.fixture
def rows_read(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """Counts the rows that openpyxl's streaming reader hands over, in the list's one item."""
    count = [0]
    stream = ReadOnlyWorksheet.iter_rows

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        for row in stream(self, *args, **kwargs):
            count[0] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    return count


# --- Through the page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cell_bomb_is_refused_with_a_message_before_openpyxl_reads_it(openpyxl_never_reads):
    org = build_org()
    # 10,000 rows of 300 cells: 3 million cells, about 200 KB packed and 43 MB unpacked.
    row = "<c><v>1</v></c>" * 300
    rows = (f'<row r="{n}">{row}</row>' for n in range(1, 10_001))
    bomb = workbook_bytes(iter([f'<worksheet xmlns="{MAIN}"><sheetData>', *rows, "</sheetData>"]))
    assert len(bomb) < 300 * 1024

    response = client_for(org.manager).post(
        URL, {"file": SimpleUploadedFile("bomb.xlsx", bomb), "plan": org.plan.pk}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "part xl/worksheets/sheet1.xml unpacks to 43.1 MB, more than the 20.0 MB" in html
    assert "save the sheet as CSV" in html
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_entity_expansion_is_refused_with_a_message():
    org = build_org()
    laughs = sheet_xml(
        '<row r="1"><c t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=BILLION_LAUGHS
    )

    response = client_for(org.manager).post(
        URL, {"file": SimpleUploadedFile("laughs.xlsx", workbook_bytes(laughs)), "plan": ""}
    )

    assert response.status_code == 400
    assert "declares XML entities" in response.content.decode()


# --- The archive -------------------------------------------------------------------------------


def test_a_workbook_dense_within_the_byte_limits_is_refused_at_the_cell_bound(
    settings, openpyxl_never_reads
):
    settings.IMPORT_MAX_CELLS = 1000
    rows = "".join(data_row(n) for n in range(2, 300))  # 4 cells a row: 1,196 in all

    message = refusal(workbook_bytes(sheet_xml(HEADER_ROW + rows)))

    assert message.startswith("The workbook holds more than 1000 cells")


def test_a_part_packed_far_tighter_than_a_spreadsheet_is_refused(openpyxl_never_reads):
    padded = sheet_xml(HEADER_ROW + data_row(2), before=" " * (2 * 1024 * 1024))

    message = refusal(workbook_bytes(padded))

    assert "xl/worksheets/sheet1.xml is packed" in message
    assert "more than a spreadsheet is (100 times)" in message


def test_a_workbook_unpacking_to_more_than_the_total_limit_is_refused(
    settings, openpyxl_never_reads
):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 2048
    notes = {f"docProps/note{n}.xml": f"<note>{'x' * 500}</note>" for n in range(4)}

    message = refusal(workbook_bytes(sheet_xml(HEADER_ROW + data_row(2)), extra=notes))

    assert message.startswith("The workbook unpacks to more than 2 KB")


def test_a_workbook_of_too_many_parts_or_sheets_is_refused(settings, openpyxl_never_reads):
    settings.IMPORT_XLSX_MAX_PARTS = 10
    settings.IMPORT_XLSX_MAX_SHEETS = 3
    sheet = sheet_xml(HEADER_ROW + data_row(2))
    parts = {f"customXml/item{n}.xml": "<item/>" for n in range(6)}

    assert "made of 11 parts" in refusal(workbook_bytes(sheet, extra=parts))
    assert "more than 3 sheets" in refusal(workbook_bytes(sheet, sheets=4))


def test_a_row_wider_than_any_sheet_is_refused_as_unreadable(openpyxl_never_reads):
    wide = sheet_xml(f'<row r="1">{"<c/>" * 16_385}</row>')

    assert "not a readable .xlsx workbook" in refusal(workbook_bytes(wide))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"PK\x03\x04" + b"\x00" * 200, id="garbage-after-a-zip-signature"),
        pytest.param(workbook_bytes(sheet_xml(HEADER_ROW))[:300], id="truncated-archive"),
        pytest.param(
            workbook_bytes(f'<worksheet xmlns="{MAIN}"><sheetData><row><c>'), id="bad-xml"
        ),
        pytest.param(
            workbook_bytes(sheet_xml('<row r="1"><c r="1A"><v>1</v></c></row>')),
            id="bad-cell-reference",
        ),
    ],
)
def test_a_damaged_workbook_is_refused_as_unreadable(content):
    assert refusal(content).startswith("This is not a readable .xlsx workbook")


def test_a_zip_that_is_no_workbook_is_refused_as_unreadable():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")

    assert refusal(buffer.getvalue()).startswith("This is not a readable .xlsx workbook")


def test_entity_declarations_are_refused_in_any_part():
    laughs = BILLION_LAUGHS + f'<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'

    message = refusal(workbook_bytes(sheet_xml(HEADER_ROW), extra={"xl/sharedStrings.xml": laughs}))

    assert "declares XML entities" in message


def test_openpyxl_reads_xml_through_defusedxml():
    laughs = BILLION_LAUGHS + f'<workbook xmlns="{MAIN}"><sheets/>&lol9;</workbook>'
    content = with_workbook_part(laughs)

    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(ValueError, match="Unable to read workbook") as refused:
        load_workbook(io.BytesIO(content), read_only=True)
    assert type(refused.value.__cause__).__name__ == "EntitiesForbidden"


# --- Sheets ------------------------------------------------------------------------------------


def test_a_chart_sheet_first_is_refused_naming_it():
    workbook = Workbook()
    data = workbook.active
    data.append(["kind", "kpi_code", "period", "value"])
    data.append(["actual", "REV", "2026-01", 1])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=4, min_row=1, max_row=2), titles_from_data=True)
    workbook.create_chartsheet("Revenue chart", 0).add_chart(chart)
    buffer = io.BytesIO()
    workbook.save(buffer)

    message = refusal(buffer.getvalue())

    assert message.startswith("The first sheet, “Revenue chart”, is a chart")


def test_a_workbook_without_sheets_is_refused():
    content = with_workbook_part(f'<workbook xmlns="{MAIN}"><sheets/></workbook>')

    assert refusal(content) == "The workbook has no sheet to read."


def test_reading_stops_at_the_row_bound(settings, rows_read):
    settings.IMPORT_MAX_ROWS = 5
    rows = "".join(data_row(n) for n in range(2, 12))  # 10 rows below the header

    message = refusal(workbook_bytes(sheet_xml(HEADER_ROW + rows)))

    assert message.startswith("The file has more than 5 rows")
    # The header, the five rows allowed and the one that passed the bound; no more.
    assert rows_read[0] == 7


def test_values_far_below_blank_rows_are_refused_not_left_out(settings, rows_read):
    settings.IMPORT_MAX_ROWS = 5
    rows = data_row(2) + data_row(900)

    message = refusal(workbook_bytes(sheet_xml(HEADER_ROW + rows)))

    assert message.startswith("The sheet has values down to row 900")
    assert rows_read[0] == 0


def test_a_sheets_declared_size_is_not_trusted_either_way():
    rows = "".join(data_row(n) for n in range(2, 6))
    too_small = sheet_xml(HEADER_ROW + rows, before='<dimension ref="A1:D2"/>')
    too_large = sheet_xml(HEADER_ROW + rows, before='<dimension ref="A1:XFD1048576"/>')

    assert len(read_upload("a.xlsx", workbook_bytes(too_small)).rows) == 4
    assert len(read_upload("a.xlsx", workbook_bytes(too_large)).rows) == 4


def test_values_beyond_the_column_bound_are_refused_naming_the_column():
    far = '<row r="2"><c r="BA2" t="inlineStr"><is><t>note</t></is></c></row>'

    message = refusal(workbook_bytes(sheet_xml(HEADER_ROW + far)))

    assert message == (
        "The sheet has values in column BA; a file to import has at most 50 columns."
    )


# --- CSV ---------------------------------------------------------------------------------------


def test_a_csv_over_the_row_column_or_cell_bound_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 5
    settings.IMPORT_MAX_CELLS = 30
    header = "kind,kpi_code,period,value\n"

    rows = header + "actual,REV,2026-01,1\n" * 6
    assert refusal(rows.encode(), "a.csv").startswith("The file has more than 5 rows")
    cells = header + "actual,REV,2026-01,1,,,x\n" * 4
    assert refusal(cells.encode(), "a.csv").startswith("The file has more than 30 cells")
    wide = header + "actual,REV,2026-01,1" + ",x" * 60 + "\n"
    assert refusal(wide.encode(), "a.csv") == (
        "Row 2 has values in more than 50 columns; a file to import has at most 50."
    )


def test_a_csv_within_the_bounds_reads_every_row(settings):
    settings.IMPORT_MAX_ROWS = 5
    text = "kind,kpi_code,period,value,,,\n" + "actual,REV,2026-01,1,,,\n" * 5

    assert len(read_upload("a.csv", text.encode()).rows) == 5
