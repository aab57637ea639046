"""The worked examples in docs/action-plans.md are checked against the code, row by row."""

import datetime
from fractions import Fraction
from pathlib import Path

import pytest

from actionplans.schedule import Schedule, elapsed, progress, schedule

DOC = Path(__file__).resolve().parents[2] / "docs" / "action-plans.md"
COLUMNS = ["tasks", "start", "due", "today", "progress", "elapsed", "schedule"]


def worked_examples() -> list[dict[str, str]]:
    """The rows of the table under "## Worked examples", as {column: cell}."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Worked examples")
    table = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in lines[start + 1 :]
        if line.startswith("|")
    ]
    header, rule, *rows = table
    assert header == COLUMNS
    assert set(rule) == {"---"}
    return [dict(zip(header, row, strict=True)) for row in rows]


def tasks(cell: str) -> list[tuple[int, int]]:
    if cell == "none":
        return []
    return [
        (int(w), int(p))
        for w, p in (item.split("\N{MULTIPLICATION SIGN}") for item in cell.split(", "))
    ]


def day(cell: str) -> datetime.date:
    return datetime.date.fromisoformat(cell)


def test_the_table_covers_every_schedule():
    rows = worked_examples()
    assert {row["schedule"] for row in rows} == {"on schedule", "behind", "overdue"}


@pytest.mark.parametrize("row", worked_examples(), ids=lambda row: f"{row['tasks']}@{row['today']}")
def test_each_worked_example_is_what_the_code_computes(row):
    start, due, today = day(row["start"]), day(row["due"]), day(row["today"])
    done = progress(tasks(row["tasks"]))
    assert done == Fraction(row["progress"])
    assert elapsed(start, due, today) == Fraction(row["elapsed"])
    result = schedule(done=done, start=start, due=due, today=today)
    assert result is Schedule(row["schedule"].replace(" ", "_"))
