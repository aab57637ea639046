"""The executive dashboard in a real browser: charts drawn under the CSP, the period changed
without a page load and the address following, back and forward, an objective's summary with
its owner's commentary, a KPI's chart switched to quarters and year to date, the drill-down
into a department's plan, the KPI table exported."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from scorecard.exports import HEADER
from tests.e2e.signals import wait_for_page

# Every CSP violation of every document the page shows, reported to the test as it happens
# (a list kept in the page would be lost with the next page load, or with a restore from
# history, which is where such a violation tends to happen).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${location.pathname}: ${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`
  );
});
"""


def wait_for_dashboard(page: Page) -> None:
    """Wait for the dashboard and the sections it loads after its first paint (a request still
    running when the test ends would hold the database the next test starts from)."""
    wait_for_page(page, "Dashboard")
    expect(page.locator("#heat-map-body")).to_be_attached()
    expect(page.locator("#forecast-misses")).to_be_attached()


@pytest.fixture
def ceo_page(page: Page, transactional_db, settings):  # type: ignore[no-untyped-def]
    call_command("seed_demo", stdout=io.StringIO())
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.expose_function("reportViolation", lambda text: problems.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ceo")
    page.get_by_label("Password").fill("demo")
    page.get_by_label("Password").press("Enter")
    wait_for_dashboard(page)
    page.problems = problems  # type: ignore[attr-defined]
    return page


def test_the_ceo_reads_the_dashboard_changes_the_period_goes_back_and_opens_an_objective(
    ceo_page,
):
    page = ceo_page
    expect(page.locator(".chart-gauge svg")).to_be_visible()
    expect(page.locator("#overall-score")).to_contain_text("KPIs reported")
    expect(page.locator(".perspective-card")).to_have_count(4)
    expect(page.locator("#dashboard-map .map-objective[class*='status-']").first).to_be_visible()
    first_url = page.url
    heading = page.locator(".dashboard-plan").inner_text()

    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Period").select_option(index=2)
    expect(page.locator(".dashboard-plan")).not_to_have_text(heading)
    expect(page).to_have_url(re.compile(r"/dashboard/\?plan=\d+&period=\d{4}-\d\d&view=month"))
    assert page.evaluate("window.__sameDocument") is True  # no page load
    expect(page.locator(".chart-gauge svg")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(first_url)
    expect(page.locator(".dashboard-plan")).to_have_text(heading)

    # F1's owner has written a commentary for the period: the summary in place shows it.
    page.locator("#dashboard-map a").filter(has_text="F1").first.click()
    summary = page.locator("#objective-summary .objective-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("#commentary")).to_contain_text("Revenue is ahead in the north")
    summary.get_by_role("link", name="Open the objective's page").click()
    wait_for_page(page, "F1 Grow revenue")
    expect(page.locator("#commentary")).to_contain_text("Revenue is ahead in the north")
    page.get_by_role("link", name="REV Revenue", exact=True).click()
    wait_for_page(page, "REV Revenue")
    expect(page.locator("#kpi-chart svg")).to_be_visible()
    expect(page.locator("#kpi-forecast")).to_be_visible()

    # The chart per quarter, then year to date, in place, the address following.
    page.evaluate("window.__sameDocument = true")
    chart_views = page.get_by_role("navigation", name="Chart view")
    chart_views.get_by_role("link", name="Quarter").click()
    expect(
        page.locator("#kpi-chart[data-view='quarter'] .chart-kpi[data-drawn='true'] svg")
    ).to_be_visible()
    expect(page.locator("#kpi-chart-points")).to_contain_text("Q")
    expect(page).to_have_url(re.compile(r"/kpis/\d+/\?period=\d{4}-\d\d&view=quarter$"))
    chart_views.get_by_role("link", name="Year to date").click()
    expect(
        page.locator("#kpi-chart[data-view='ytd'] .chart-kpi[data-drawn='true'] svg")
    ).to_be_visible()
    expect(page.locator("#kpi-chart-points")).to_contain_text("to ")
    expect(page).to_have_url(re.compile(r"view=ytd$"))
    assert page.evaluate("window.__sameDocument") is True  # no page load
    page.go_back()
    expect(page.locator("#kpi-chart[data-view='quarter'] svg")).to_be_visible()

    assert page.problems == [], page.problems  # type: ignore[attr-defined]


def test_the_ceo_exports_the_dashboards_kpi_table(ceo_page):
    page = ceo_page
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert re.fullmatch(r".+-\d{4}-\d\d-month\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.reader(exported))
    assert tuple(rows[0]) == HEADER
    assert len(rows) > 10
    assert page.problems == [], page.problems  # type: ignore[attr-defined]


def test_the_ceo_drills_from_a_group_objective_into_the_sales_plan(ceo_page):
    page = ceo_page
    page.locator("#dashboard-map a").filter(has_text="F1").first.click()
    summary = page.locator("#objective-summary .objective-summary")
    expect(summary).to_contain_text("F1-S Grow revenue in the core regions")

    summary.get_by_role("link", name="Sales plan dashboard").click()
    wait_for_dashboard(page)
    expect(page.locator(".dashboard-plan")).to_contain_text("Sales plan")
    expect(page).to_have_url(re.compile(r"/dashboard/\?plan=\d+&period=\d{4}-\d\d&view=month"))
    expect(page.locator(".chart-gauge svg")).to_be_visible()
    expect(page.locator("#needs-attention")).to_contain_text("S-REVB")
    page.get_by_role("link", name="Up to the plan it cascades from").click()
    wait_for_dashboard(page)
    expect(page.locator(".dashboard-plan")).to_contain_text("Northwind Group strategy")
    assert page.problems == [], page.problems  # type: ignore[attr-defined]
