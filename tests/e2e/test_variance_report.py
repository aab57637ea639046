"""A variance report in a real browser: an admin opens a plan's report for a period, reads its
lines, changes an actual elsewhere, recomputes the report and sees the new numbers take its
place without a page load."""

from __future__ import annotations

import datetime
from decimal import Decimal

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
