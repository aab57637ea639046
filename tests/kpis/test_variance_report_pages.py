"""The variance report pages and API: filters, downloads, "changed since", recompute, and the
lines a reader may see with transparency off."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from kpis.models import Actual, VarianceReport
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


@pytest.fixture
def world(settings):
    """A Sales plan with a KPI on track and one off track, and a cascaded Finance objective."""
    settings.SCORECARD_TRANSPARENCY = False
    units = unit_tree(
        ("org", "Org", None), ("sales", "Sales", "org"), ("finance", "Finance", "org")
    )
    root, sales, finance = units["org"], units["sales"], units["finance"]
    plan = StrategicPlanFactory(org_unit=sales, name="Sales plan")
    perspective = PerspectiveFactory(plan=plan, name="Customer")
    objective = ObjectiveFactory(plan=plan, perspective=perspective, org_unit=sales, code="C1")
    child_plan = StrategicPlanFactory(org_unit=finance, parent=plan, name="Finance cascade")
    child = ObjectiveFactory(
        plan=child_plan,
        perspective=PerspectiveFactory(plan=child_plan),
        org_unit=finance,
        code="C1.1",
        parent=objective,
    )
    good = KpiFactory(objective=objective, code="NPS", name="Net promoter score")
    bad = KpiFactory(objective=objective, code="CHURN", name='=HYPERLINK("x")')
    hidden = KpiFactory(objective=child, code="COST")
    for kpi, value in ((good, 105), (bad, 50), (hidden, 99)):
        TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(value), analysis="@SUM(A1)")
    made = people(
        {
            "root-admin": [(root, Role.ADMIN)],
            "sales-manager": [(sales, Role.MANAGER)],
            "finance-viewer": [(finance, Role.VIEWER)],
        }
    )
    users = {
        "admin": made["root-admin"],
        "manager": made["sales-manager"],
        "outsider": made["finance-viewer"],
    }
    report = variance_report_compute(plan=plan, period=JAN)
    return {"report": report, "users": users, "kpis": (good, bad, hidden), "sales": sales}


def test_a_reader_sees_only_the_lines_of_kpis_they_may_see(client, world):
    client.force_login(world["users"]["manager"])
    page = client.get(reverse("reports:report", args=[world["report"].pk])).content.decode()
    assert "NPS" in page
    assert "CHURN" in page
    assert "COST" not in page

    client.force_login(world["users"]["admin"])
    page = client.get(reverse("reports:report", args=[world["report"].pk])).content.decode()
    assert "COST" in page


def test_the_api_gives_the_report_with_the_lines_the_caller_may_see(client, world):
    client.force_login(world["users"]["manager"])
    report = world["report"]
    listed = client.get(
        "/api/v1/variance-reports/", {"plan": report.plan_id, "period": "2026-01-01"}
    )
    assert [item["id"] for item in listed.json()["results"]] == [report.pk]

    detail = client.get(f"/api/v1/variance-reports/{report.pk}/").json()
    assert sorted(line["kpi_code"] for line in detail["lines"]) == ["CHURN", "NPS"]
    nps = next(line for line in detail["lines"] if line["kpi_code"] == "NPS")
    assert nps["status"] == "on_track"
    assert (Decimal(nps["actual"]), Decimal(nps["goal"])) == (105, 100)


def test_the_api_is_read_only_and_refuses_unknown_parameters(client, world):
    client.force_login(world["users"]["admin"])
    report = world["report"]
    assert client.delete(f"/api/v1/variance-reports/{report.pk}/").status_code == 405
    assert client.get("/api/v1/variance-reports/", {"colour": "red"}).status_code == 400


def test_an_outsider_does_not_find_the_report(client, world):
    client.force_login(world["users"]["outsider"])
    assert client.get(reverse("reports:report", args=[world["report"].pk])).status_code == 404
    assert client.get(f"/api/v1/variance-reports/{world['report'].pk}/").status_code == 404
    assert client.get("/api/v1/variance-reports/").json()["results"] == []


def test_filtering_by_status_with_htmx_answers_the_lines_only(client, world):
    client.force_login(world["users"]["admin"])
    url = reverse("reports:report", args=[world["report"].pk])
    response = client.get(url, {"status": "off_track"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="lines">')
    assert "CHURN" in fragment
    assert "NPS" not in fragment
    # The same address without htmx is the whole page, filtered (bookmarkable).
    page = client.get(url, {"status": "off_track"}).content.decode()
    assert "<h1>" in page
    assert "NPS Net promoter score" not in page


def test_a_bad_filter_is_ignored_rather_than_failing(client, world):
    client.force_login(world["users"]["admin"])
    url = reverse("reports:report", args=[world["report"].pk])
    assert client.get(url, {"status": "purple", "unit": "x", "sort": "?"}).status_code == 200


def test_the_csv_neutralises_formulas_and_keeps_the_filter(client, world):
    client.force_login(world["users"]["admin"])
    url = reverse("reports:report_csv", args=[world["report"].pk])
    response = client.get(url, {"status": "off_track"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"].startswith("attachment;")
    assert len(rows) == 2
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["KPI"] == '\'=HYPERLINK("x")'
    assert line["Analysis"] == "'@SUM(A1)"
    assert Decimal(line["Variance"]) == -50  # a number we wrote stays a number


def test_the_xlsx_holds_numbers_as_numbers_and_no_formula(client, world):
    client.force_login(world["users"]["admin"])
    response = client.get(reverse("reports:report_xlsx", args=[world["report"].pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    lines = [dict(zip(header, row, strict=True)) for row in rows[2:]]
    churn = next(line for line in lines if line["KPI code"] == "CHURN")
    assert churn["KPI"] == '\'=HYPERLINK("x")'
    assert churn["Actual"] == 50
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_page_says_when_the_data_changed_and_an_admin_recomputes(client, world):
    report = world["report"]
    good = world["kpis"][0]
    client.force_login(world["users"]["admin"])
    url = reverse("reports:report", args=[report.pk])
    assert "The data has not changed since." in client.get(url).content.decode()

    Actual.objects.filter(kpi=good, period=JAN).update(value=Decimal(70))
    page = client.get(url).content.decode()
    assert "The data has changed since" in page
    assert "Recompute from the current data" in page

    response = client.post(reverse("reports:report_recompute", args=[report.pk]))
    fresh = VarianceReport.objects.get(plan=report.plan, period=JAN)
    assert response["Location"] == reverse("reports:report", args=[fresh.pk])
    assert fresh.lines.get(kpi=good).actual == Decimal(70)


def test_recomputing_from_htmx_answers_the_new_report_in_place_at_its_address(client, world):
    report = world["report"]
    client.force_login(world["users"]["admin"])

    response = client.post(
        reverse("reports:report_recompute", args=[report.pk]), HTTP_HX_REQUEST="true"
    )

    fresh = VarianceReport.objects.get(plan=report.plan, period=JAN)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("reports:report", args=[fresh.pk])
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="report">')
    assert "The report was computed again from the current data." in page
    assert "<html" not in page


def test_a_manager_may_read_but_not_recompute(client, world):
    client.force_login(world["users"]["manager"])
    report = world["report"]
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Recompute" not in page
    assert client.post(reverse("reports:report_recompute", args=[report.pk])).status_code == 403


def test_the_list_filters_by_plan_and_period_and_explains_a_bad_period(client, world):
    client.force_login(world["users"]["manager"])
    url = reverse("reports:reports")
    page = client.get(url, {"plan": world["report"].plan_id, "period": "2026-01"})
    assert "January 2026" in page.content.decode()
    assert "No report yet" in client.get(url, {"period": "2026-02"}).content.decode()
    bad = client.get(url, {"period": "soon"})
    assert bad.status_code == 400
    assert "Choose the period as a month" in bad.content.decode()
