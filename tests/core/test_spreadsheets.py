"""The one way downloads are written: formulas neutralised, control characters left out."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.spreadsheets import csv_bytes, safe_row, safe_text, xlsx_bytes


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_starts_with_an_apostrophe(text):
    assert safe_text(text) == "'" + text


def test_other_text_and_numbers_are_left_as_they_are():
    assert safe_row(["Revenue", Decimal("-5"), None, 3]) == ["Revenue", Decimal("-5"), None, 3]


def test_the_csv_has_a_byte_order_mark_the_header_and_empty_cells_for_none():
    body = csv_bytes(("a", "b"), [["x", None]]).decode("utf-8")
    assert body == "\ufeffa,b\r\nx,\r\n"


def test_the_xlsx_holds_the_heading_header_and_rows_without_control_characters():
    body = xlsx_bytes(("a", "b"), [["bell\x07", Decimal("1.5")]], sheet="S\x0bheet", heading="T")
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Sheet"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["T", None],
        ["a", "b"],
        ["bell", 1.5],
    ]
