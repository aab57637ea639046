"""Every field of a variance report's lines as stored, and the digest that says whether a stored
report is still current.

The report builds its lines from the scorecard's values in the model's column order and reads
only the actuals that have words; these tests state each field of each line outright, so a
value landing in the wrong column, or words read from the wrong period or plan, fails here.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

import pytest

from kpis.models import Direction, Frequency, ScoreStatus, VarianceLine
from kpis.reports.services import variance_report_compute
from tests.factories import (
    ActualFactory,
    KpiFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
)
from tests.org import people, unit_tree

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)

# The fields every line is compared on: all the model's columns but its ids.
SHOWN = [
    field.attname
    for field in VarianceLine._meta.concrete_fields
    if field.attname not in {"id", "report_id"}
]


def words_plan():
    """A plan whose KPIs have words in various periods, one of them in a cascaded plan."""
    units = unit_tree(("group", "Group", None), ("sales", "Sales", "group"))
    owner = people({"ann_lee": []})["ann_lee"]
    plan = StrategicPlanFactory(org_unit=units["group"])
    customer = PerspectiveFactory(plan=plan, name="Customer", order=1)
    objective = ObjectiveFactory(plan=plan, perspective=customer, code="C1", name="Happy customers")
    child_plan = StrategicPlanFactory(parent=plan, org_unit=units["sales"])
    child = ObjectiveFactory(
        plan=child_plan,
        perspective=PerspectiveFactory(plan=child_plan, name="Customer", order=1),
        parent=objective,
        code="C1.1",
        name="Happy buyers",
    )
    kpis = {
        "A": KpiFactory(objective=objective, code="A", name="Answered", owner=owner),
        "B": KpiFactory(objective=objective, code="B", name="Backlog", measure_unit="days"),
        "N": KpiFactory(objective=objective, code="N", name="Nothing yet"),
        "Q": KpiFactory(
            objective=objective,
            code="Q",
            name="Quarterly survey",
            frequency=Frequency.QUARTERLY,
            direction=Direction.DECREASE,
        ),
        "S": KpiFactory(objective=child, code="S", name="Sales calls"),
    }
    for code in "ABNS":
        TargetFactory(kpi=kpis[code], period=FEB, goal=Decimal(100), red_flag=Decimal(90))
    TargetFactory(kpi=kpis["Q"], period=JAN, goal=Decimal(10), red_flag=Decimal(20))
    # January's words are not February's: they must not show.
    ActualFactory(kpi=kpis["A"], period=JAN, value=Decimal(90), analysis="January words")
    ActualFactory(
        kpi=kpis["A"],
        period=FEB,
        value=Decimal(95),
        analysis="Slow month",
        corrective_action="Call back",
    )
    ActualFactory(kpi=kpis["B"], period=FEB, value=Decimal(110), corrective_action="Hire two")
    # A quarterly KPI's own period in February is the quarter from January.
    ActualFactory(kpi=kpis["Q"], period=JAN, value=Decimal(12), analysis="Quarter words")
    ActualFactory(kpi=kpis["S"], period=FEB, value=Decimal(100), analysis="Child words")
    return plan, units, kpis


def test_each_line_holds_its_kpis_names_numbers_and_the_words_of_its_own_period():
    plan, units, kpis = words_plan()

    report = variance_report_compute(plan=plan, period=FEB)

    got = [{name: getattr(line, name) for name in SHOWN} for line in report.lines.all()]
    common = {
        "perspective_name": "Customer",
        "objective_code": "C1",
        "objective_name": "Happy customers",
        "owner_name": "",
        "org_unit_id": units["group"].pk,
        "org_unit_name": "Group",
        "measure_unit": "%",
        "goal": Decimal(100),
        "red_flag": Decimal(90),
        "previous_score": None,
        "trend": "",
        "analysis": "",
        "corrective_action": "",
    }
    assert got == [
        {
            **common,
            "kpi_id": kpis["A"].pk,
            "position": 0,
            "kpi_code": "A",
            "kpi_name": "Answered",
            "owner_name": "Ann Lee",
            "actual": Decimal(95),
            "score": Decimal("5.000"),
            "status": ScoreStatus.AT_RISK,
            "variance": Decimal(-5),
            "variance_pct": Decimal("-0.0500"),
            "favourable": False,
            "analysis": "Slow month",
            "corrective_action": "Call back",
        },
        {
            **common,
            "kpi_id": kpis["B"].pk,
            "position": 1,
            "kpi_code": "B",
            "kpi_name": "Backlog",
            "measure_unit": "days",
            "actual": Decimal(110),
            "score": Decimal("10.000"),
            "status": ScoreStatus.ON_TRACK,
            "variance": Decimal(10),
            "variance_pct": Decimal("0.1000"),
            "favourable": True,
            "corrective_action": "Hire two",
        },
        {
            **common,
            "kpi_id": kpis["N"].pk,
            "position": 2,
            "kpi_code": "N",
            "kpi_name": "Nothing yet",
            "actual": None,
            "score": None,
            "status": ScoreStatus.NO_DATA,
            "variance": None,
            "variance_pct": None,
            "favourable": None,
        },
        {
            **common,
            "kpi_id": kpis["Q"].pk,
            "position": 3,
            "kpi_code": "Q",
            "kpi_name": "Quarterly survey",
            "actual": Decimal(12),
            "goal": Decimal(10),
            "red_flag": Decimal(20),
            "score": Decimal("6.000"),
            "status": ScoreStatus.AT_RISK,
            "variance": Decimal(2),
            "variance_pct": Decimal("0.2000"),
            "favourable": False,
            # Its period before is the last quarter, which has no actual (the month before
            # lies in the same quarter: compared with itself it would always be flat).
            "analysis": "Quarter words",
        },
        {
            **common,
            "kpi_id": kpis["S"].pk,
            "position": 4,
            "objective_code": "C1.1",
            "objective_name": "Happy buyers",
            "org_unit_id": units["sales"].pk,
            "org_unit_name": "Sales",
            "kpi_code": "S",
            "kpi_name": "Sales calls",
            "actual": Decimal(100),
            "score": Decimal("6.667"),
            "status": ScoreStatus.ON_TRACK,
            "variance": Decimal(0),
            "variance_pct": Decimal("0.0000"),
            "favourable": True,
            "analysis": "Child words",
        },
    ]


def test_the_fingerprint_digests_the_lines_and_summary_as_every_stored_report_was_digested():
    """The digest's form is fixed: changing it would call every stored report out of date."""
    plan, _, _ = words_plan()

    report = variance_report_compute(plan=plan, period=FEB)

    # The line's fields in the digest's order, each as text (None stays None).
    fields = ["kpi_id", "perspective_name", "objective_code", "objective_name", "kpi_code"]
    fields += ["kpi_name", "measure_unit", "owner_name", "org_unit_id", "org_unit_name"]
    fields += ["actual", "goal", "red_flag", "score", "status", "variance", "variance_pct"]
    fields += ["favourable", "previous_score", "trend", "analysis", "corrective_action"]
    rows = [
        [None if getattr(line, name) is None else str(getattr(line, name)) for name in fields]
        for line in report.lines.all()
    ]
    payload = json.dumps([rows, report.summary], sort_keys=True)
    assert report.fingerprint == hashlib.sha256(payload.encode()).hexdigest()
