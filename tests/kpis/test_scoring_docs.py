"""The worked examples in docs/scoring.md are checked against the code, row by row.

Each row goes through `evaluate_kpi` then `explain_kpi`, the path `plan_scorecard` takes for
a KPI in one period (tests/kpis/test_plan_scorecard.py shows it scores through `score`).
"""

from decimal import Decimal
from pathlib import Path

import pytest

from kpis.explanations import explain_kpi
from kpis.scoring import DEFAULT_TOLERANCE, Direction, display_score, evaluate_kpi

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"
DIRECTIONS = {
    "higher is better": Direction.INCREASE,
    "lower is better": Direction.DECREASE,
    "range": Direction.RANGE,
}
COLUMNS = [
    "direction",
    "actual",
    "goal",
    "red flag",
    "goal high",
    "red flag high",
    "tolerance",
    "score",
    "status",
]


def worked_examples() -> list[dict[str, str]]:
    """The rows of the table under "## Worked examples", as {column: cell}."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Worked examples")
    table = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, rule, *rows = table
    assert set(rule) == {"---"}
    return [dict(zip(header, row, strict=True)) for row in rows]


def number(cell: str) -> Decimal | None:
    return None if cell in ("", "—") else Decimal(cell)


def tolerance(cell: str) -> Decimal:
    return DEFAULT_TOLERANCE if not cell else Decimal(cell.removesuffix("%").strip()) / 100


def test_the_table_has_the_expected_columns_and_enough_rows():
    rows = worked_examples()
    assert list(rows[0])[: len(COLUMNS)] == COLUMNS
    assert len(rows) >= 10
    assert {row["direction"] for row in rows} == set(DIRECTIONS)
    assert {row["status"] for row in rows} == {"on track", "at risk", "off track", "no data"}


@pytest.mark.parametrize("row", worked_examples(), ids=lambda row: " ".join(row.values())[:60])
def test_a_worked_example_in_the_docs_matches_the_code(row):
    result = evaluate_kpi(
        direction=DIRECTIONS[row["direction"]],
        actual=number(row["actual"]),
        goal=number(row["goal"]),
        red_flag=number(row["red flag"]),
        goal_high=number(row["goal high"]),
        red_flag_high=number(row["red flag high"]),
        tolerance=tolerance(row["tolerance"]),
    )
    result = explain_kpi(result, tolerance=tolerance(row["tolerance"]))
    assert display_score(result.score) == row["score"]
    assert result.status.label == row["status"]
