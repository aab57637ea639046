"""A variance report in a real browser: an admin opens a plan's report for a period, reads its
lines, changes an actual elsewhere, recomputes the report and sees the new numbers take its
place without a page load; an executive opens the latest report from the dashboard, filters it
to the off-track lines and downloads them as XLSX."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts.models import Role
from kpis.models import Actual, VarianceReport
from kpis.reports.services import variance_report_compute
from tests.e2e.signals import wait_for_page
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
    UserFactory,
)

JAN = datetime.date(2026, 1, 1)
PASSWORD = "correct horse battery"


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    wait_for_page(page, "Dashboard")


def test_an_admin_reads_a_report_and_recomputes_it_in_place(page, transactional_db):
    plan = StrategicPlanFactory(name="Sales plan")
    objective = ObjectiveFactory(plan=plan, perspective=PerspectiveFactory(plan=plan), code="C1")
    churn = KpiFactory(objective=objective, code="CHURN", name="Customer churn")
    nps = KpiFactory(objective=objective, code="NPS", name="Net promoter score")
    for kpi, value in ((churn, 50), (nps, 105)):
        TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(value))
    admin = UserFactory(username="plan-admin")
    MembershipFactory(user=admin, org_unit=plan.org_unit, role=Role.ADMIN)
    report = variance_report_compute(plan=plan, period=JAN)
    sign_in(page, "plan-admin")

    page.goto(f"/reports/?plan={plan.pk}&period=2026-01")
    page.get_by_role("link", name="January 2026").first.click()
    wait_for_page(page, "Variance report: Sales plan, January 2026")
    churn_row = page.get_by_role("row", name="CHURN Customer churn")
    expect(churn_row).to_contain_text("Off track")
    expect(page.get_by_role("row", name="NPS Net promoter score")).to_contain_text("On track")
    expect(page.get_by_text("The data has not changed since.")).to_be_visible()

    # Someone corrects the churn actual: the report still shows the old number, and says so.
    Actual.objects.filter(kpi=churn, period=JAN).update(value=Decimal(101))
    page.reload()
    wait_for_page(page, "Variance report: Sales plan, January 2026")
    expect(page.get_by_text("The data has changed since:")).to_be_visible()
    page.evaluate("window.loadedOnce = true")

    page.get_by_role("button", name="Recompute from the current data").click()

    expect(page.get_by_role("status").filter(has_text="computed again")).to_be_visible()
    expect(churn_row).to_contain_text("On track")
    expect(page.get_by_text("The data has not changed since.")).to_be_visible()
    fresh = VarianceReport.objects.get(plan=plan, period=JAN)
    assert fresh.pk != report.pk
    expect(page).to_have_url(f"{page.url.split('/reports/')[0]}/reports/{fresh.pk}/")
    # The same document: the new report came in without a page load.
    assert page.evaluate("window.loadedOnce") is True


def test_an_executive_opens_the_latest_report_from_the_dashboard_filters_it_and_downloads_it(
    page, transactional_db
):
    plan = StrategicPlanFactory(name="Sales plan")
    objective = ObjectiveFactory(plan=plan, perspective=PerspectiveFactory(plan=plan), code="C1")
    values = {"CHURN": 50, "NPS": 105, "WAIT": 80}
    for code, value in values.items():
        kpi = KpiFactory(objective=objective, code=code, name=f"{code.title()} measure")
        TargetFactory(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(value))
    report = variance_report_compute(plan=plan, period=JAN)
    executive = UserFactory(username="plan-executive")
    MembershipFactory(user=executive, org_unit=plan.org_unit, role=Role.EXECUTIVE)
    sign_in(page, "plan-executive")

    page.goto(f"/dashboard/?plan={plan.pk}&period=2026-01&view=month")
    page.locator("#variance-report").get_by_role(
        "link", name="Variance report for Jan 2026"
    ).click()
    wait_for_page(page, "Variance report: Sales plan, January 2026")
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    lines = page.locator("#lines")
    for code in values:
        expect(lines.get_by_role("row", name=re.compile(code))).to_be_visible()

    page.get_by_label("Status").select_option("off_track")

    # The lines swap in place and the address follows the filter.
    expect(page).to_have_url(re.compile(r"status=off_track"))
    expect(lines.get_by_role("row", name=re.compile("NPS"))).to_have_count(0)
    expect(lines.get_by_role("row", name=re.compile("CHURN"))).to_be_visible()
    expect(lines.get_by_role("row", name=re.compile("WAIT"))).to_be_visible()

    with page.expect_download() as download_info:
        lines.get_by_role("link", name="XLSX").click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "KPI code" in row)
    column = rows[header].index("KPI code")
    assert {row[column] for row in rows[header + 1 :]} == {"CHURN", "WAIT"}
