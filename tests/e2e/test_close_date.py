"""An admin closes periods through a month on the close page, previewing what it closes; the
head of Sales then finds the month, quarter and year KPIs of My updates refused or open
accordingly, each closed row naming its own period; moving the date back reopens them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from kpis.models import Actual, Kpi, PeriodClose
from tests.e2e.signals import SIGNAL_TIMEOUT_MS, wait_for_page
from tests.e2e.test_accessibility import AXE, RUN_AXE
from tests.factories import (
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    UserFactory,
)

# November 2025 on My updates shows MON's November, QTR's FY2025 Q4 and YR's FY2025.
MY_UPDATES = "/updates/?period=2025-11"


@pytest.fixture(autouse=True)
def _calendar_fiscal_year(settings):  # type: ignore[no-untyped-def]
    settings.FISCAL_YEAR_START_MONTH = 1


def organisation() -> tuple[Kpi, Kpi, Kpi]:
    """ACME's admin, the head of Sales, and a monthly, a quarterly and a yearly Sales KPI."""
    acme = OrgUnitFactory(name="ACME", code="acme")
    sales = OrgUnitFactory(name="Sales", code="sales", parent=acme)
    admin = UserFactory(username="admin", first_name="Ada", password="demo-pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    head = UserFactory(username="head.sales", first_name="Sofia", password="demo-pass-1")
    MembershipFactory(user=head, org_unit=sales, role=Role.MANAGER)
    objective = ObjectiveFactory(org_unit=sales, plan__org_unit=acme, code="C1")
    return (
        KpiFactory(objective=objective, code="MON", name="Monthly sales"),
        KpiFactory(objective=objective, code="QTR", name="Quarterly NPS", frequency="quarterly"),
        KpiFactory(objective=objective, code="YR", name="Yearly revenue", frequency="yearly"),
    )


def signed_in(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(SIGNAL_TIMEOUT_MS)
    context.add_init_script(path=AXE)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_label("Password").press("Enter")
    wait_for_page(page, "Dashboard")
    return page


def preview_and_apply(admin: Page, month: str, preview: str, button: str) -> None:
    """Preview closing through the month, check what it says, apply it."""
    admin.goto("/updates/close/")
    wait_for_page(admin, "Closed periods")
    admin.get_by_label("Close through the end of").fill(month)
    admin.get_by_role("button", name="Preview").click()
    wait_for_page(admin, "Closed periods")
    expect(admin.locator("#close-preview p")).to_have_text(preview)
    admin.get_by_role("button", name=button).click()
    wait_for_page(admin, "Closed periods")


def expect_closed(head: Page, kpi: Kpi, message: str) -> None:
    expect(head.locator(f"#value-{kpi.pk}")).to_be_disabled()
    expect(head.locator(f"#row-{kpi.pk}")).to_contain_text(message)


def expect_open(head: Page, kpi: Kpi) -> None:
    expect(head.locator(f"#value-{kpi.pk}")).to_be_enabled()
    expect(head.locator(f"#row-{kpi.pk}")).not_to_contain_text("is closed")


def save(head: Page, kpi: Kpi, value: str) -> None:
    head.locator(f"#value-{kpi.pk}").fill(value)
    head.get_by_role("button", name=f"Save {kpi.code}").click()
    expect(head.locator(f"#row-{kpi.pk}").get_by_role("status")).to_have_text("Saved.")
    # Once the saved row has settled the page moves focus to the next row's actual: wait for
    # that signal (htmx's settling class gone), or the next keys could land where focus moved.
    expect(head.locator(".htmx-settling")).to_have_count(0)


def test_closing_through_a_month_closes_the_periods_that_ended_and_moving_back_reopens(
    browser, live_server, transactional_db
):
    monthly, quarterly, yearly = organisation()
    admin = signed_in(browser, live_server.url, "admin")
    head = signed_in(browser, live_server.url, "head.sales")

    # Through November: November has ended, the quarter and the year still run to December.
    preview_and_apply(
        admin,
        "2025-11",
        "Closing through 30 Nov 2025 closes every month through Nov 2025 (1 monthly KPI), "
        "every quarter through FY2025 Q3 (1 quarterly KPI) and every year through FY2024 "
        "(1 yearly KPI).",
        "Close through 30 Nov 2025",
    )
    expect(admin.locator("#close-status")).to_contain_text("Closed through 30 Nov 2025")
    violations: list[dict[str, Any]] = admin.evaluate(RUN_AXE)
    assert violations == []

    head.goto(MY_UPDATES)
    wait_for_page(head, "My updates")
    expect_closed(head, monthly, "Nov 2025 is closed; ask an admin to reopen it.")
    expect_open(head, quarterly)
    expect_open(head, yearly)
    save(head, quarterly, "42")

    # Through December: the quarter and the year end on that day and close with it.
    preview_and_apply(
        admin,
        "2025-12",
        "Closing through 31 Dec 2025 closes Dec 2025 (1 monthly KPI), FY2025 Q4 (1 quarterly "
        "KPI) and FY2025 (1 yearly KPI).",
        "Close through 31 Dec 2025",
    )

    head.goto(MY_UPDATES)
    wait_for_page(head, "My updates")
    expect_closed(head, monthly, "Nov 2025 is closed; ask an admin to reopen it.")
    expect_closed(head, quarterly, "FY2025 Q4 is closed; ask an admin to reopen it.")
    expect_closed(head, yearly, "FY2025 is closed; ask an admin to reopen it.")

    # Moving the date back to October reopens all three, with a preview that says so.
    admin.goto("/updates/close/?through=2025-10")
    wait_for_page(admin, "Closed periods")
    violations = admin.evaluate(RUN_AXE)
    assert violations == []
    preview_and_apply(
        admin,
        "2025-10",
        "Moving the close date back to 31 Oct 2025 reopens Nov 2025 and Dec 2025 (1 monthly "
        "KPI), FY2025 Q4 (1 quarterly KPI) and FY2025 (1 yearly KPI).",
        "Reopen: close through 31 Oct 2025 only",
    )

    head.goto(MY_UPDATES)
    wait_for_page(head, "My updates")
    for kpi in (monthly, quarterly, yearly):
        expect_open(head, kpi)
    save(head, monthly, "17")
    save(head, yearly, "900")

    assert Actual.objects.get(kpi=monthly).value == Decimal(17)
    assert Actual.objects.get(kpi=quarterly).value == Decimal(42)
    assert PeriodClose.objects.get().closed_through.isoformat() == "2025-10-31"
