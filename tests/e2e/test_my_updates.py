"""A department head enters the month's actuals on My updates, by keyboard, in a real browser."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Dialog, Page, expect

from accounts.models import Role
from kpis.models import Actual, Kpi
from tests.e2e.signals import wait_for_page
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    TargetFactory,
    UserFactory,
)
from tests.kpis.updates_org import due_month


def sales_kpis(*names: tuple[str, str]) -> list[Kpi]:
    """KPIs of Sales (code, name) with the due month's targets, and its head (head.sales)."""
    sales = OrgUnitFactory(name="Sales", code="sales")
    head = UserFactory(username="head.sales", first_name="Sofia", password="demo-pass-1")
    MembershipFactory(user=head, org_unit=sales, role=Role.MANAGER)
    objective = ObjectiveFactory(org_unit=sales, plan__org_unit=sales, code="C1")
    kpis = [KpiFactory(objective=objective, code=code, name=name) for code, name in names]
    for kpi in kpis:
        TargetFactory(kpi=kpi, period=due_month(), goal=Decimal(100), red_flag=Decimal(90))
    return kpis


def open_my_updates(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("head.sales")
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_label("Password").press("Enter")
    wait_for_page(page, "Dashboard")
    page.get_by_role("link", name="My updates", exact=True).click()
    wait_for_page(page, "My updates")


def expect_saved(page: Page, kpi: Kpi) -> None:
    """The row's answer is in place: marked saved, and saying so."""
    row = page.locator(f"#row-{kpi.pk}")
    expect(row).to_have_attribute("data-saved", "")
    expect(row.get_by_role("status")).to_have_text("Saved.")


def test_head_of_sales_enters_an_off_track_value_gives_a_corrective_action_and_sees_the_status(
    page, transactional_db
):
    revenue, deals = sales_kpis(("REV", "Revenue"), ("WIN", "Deals won"))
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    open_my_updates(page)
    page.evaluate("window.__marker = 1")

    # Enter saves the row and moves on to the next row's actual.
    page.locator(f"#value-{revenue.pk}").fill("105")
    page.locator(f"#value-{revenue.pk}").press("Enter")
    expect_saved(page, revenue)
    expect(page.locator(f"#row-{revenue.pk} .badge")).to_have_text("on track")
    expect(page.locator(f"#value-{deals.pk}")).to_be_focused()

    # A value that puts the KPI off track asks for a corrective action first.
    page.keyboard.type("70")
    page.keyboard.press("Enter")
    action = page.locator(f"#corrective_action-{deals.pk}")
    expect(page.locator(f"#corrective_action-{deals.pk}-error")).to_have_text(
        "Off track: say what you will do about it."
    )
    expect(page.locator(f"#row-{deals.pk}")).not_to_have_attribute("data-saved", "")
    expect(action).to_be_focused()
    # The row says it is not saved, not what its status would be.
    expect(page.locator(f"#row-{deals.pk} .row-unsaved")).to_have_text(
        "Not saved — add a corrective action"
    )
    expect(page.locator(f"#row-{deals.pk} .badge")).to_have_text("Not saved")
    assert not Actual.objects.filter(kpi=deals).exists()

    action.fill("Two more sales reps from next month.")
    page.get_by_role("button", name="Save WIN").click()

    expect_saved(page, deals)
    expect(page.locator(f"#row-{deals.pk} .badge")).to_have_text("off track")
    expect(page.locator(f"#row-{deals.pk}")).not_to_contain_text("Not saved")
    assert page.evaluate("window.__marker") == 1  # no page load happened
    assert blocked == []  # nothing inline, nothing the Content-Security-Policy refuses
    saved = Actual.objects.get(kpi=deals)
    assert (saved.value, saved.corrective_action) == (70, "Two more sales reps from next month.")


def test_saving_with_a_rows_save_button_moves_on_to_the_next_rows_actual_as_enter_does(
    page, transactional_db
):
    # Rows come in the order of their codes.
    leads, revenue, deals = sales_kpis(("LEAD", "Leads"), ("REV", "Revenue"), ("WIN", "Deals won"))
    open_my_updates(page)

    page.locator(f"#value-{leads.pk}").fill("120")
    page.get_by_role("button", name="Save LEAD").click()

    expect_saved(page, leads)
    expect(page.locator(f"#value-{revenue.pk}")).to_be_focused()

    # By keyboard too: Enter on the Save button itself.
    page.keyboard.type("101")
    page.get_by_role("button", name="Save REV").focus()
    page.keyboard.press("Enter")

    expect_saved(page, revenue)
    expect(page.locator(f"#value-{deals.pk}")).to_be_focused()
    assert Actual.objects.get(kpi=revenue).value == 101


def test_the_first_tab_reaches_a_link_to_the_first_empty_actual(page, transactional_db):
    leads, revenue, _ = sales_kpis(("LEAD", "Leads"), ("REV", "Revenue"), ("WIN", "Deals won"))
    ActualFactory(kpi=leads, period=due_month(), value=Decimal(120))
    open_my_updates(page)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the first empty actual")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator(f"#value-{revenue.pk}")).to_be_focused()


def test_leaving_with_a_row_not_saved_asks_first_and_once_saved_leaves_freely(
    page, transactional_db
):
    revenue, deals = sales_kpis(("REV", "Revenue"), ("WIN", "Deals won"))
    open_my_updates(page)
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)

    # Typed, not yet saved.
    page.locator(f"#value-{revenue.pk}").fill("105")
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", level=1, name="My updates")).to_be_visible()
    assert asked == ["beforeunload"]

    page.locator(f"#value-{revenue.pk}").press("Enter")
    expect_saved(page, revenue)
    # Focus moves on once the answer has settled: typing before that would go nowhere.
    expect(page.locator(f"#value-{deals.pk}")).to_be_focused()
    # Refused: still not saved.
    page.keyboard.type("70")
    page.keyboard.press("Enter")
    expect(page.locator(f"#row-{deals.pk} .row-unsaved")).to_contain_text("Not saved")
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", level=1, name="My updates")).to_be_visible()
    assert asked == ["beforeunload", "beforeunload"]

    page.locator(f"#corrective_action-{deals.pk}").fill("Call every lost lead back.")
    page.get_by_role("button", name="Save WIN").click()
    expect_saved(page, deals)
    page.get_by_role("link", name="Overview").click()
    wait_for_page(page, "Dashboard")
    assert asked == ["beforeunload", "beforeunload"]


def test_the_counter_of_entered_rows_follows_each_save(page, transactional_db):
    leads, revenue, _ = sales_kpis(("LEAD", "Leads"), ("REV", "Revenue"), ("WIN", "Deals won"))
    ActualFactory(kpi=leads, period=due_month(), value=Decimal(120))
    open_my_updates(page)
    counter = page.locator("#updates-progress")
    month = f"{due_month():%b %Y}"
    expect(counter).to_have_text(f"1 of 3 entered for {month}")

    page.locator(f"#value-{revenue.pk}").fill("101")
    page.get_by_role("button", name="Save REV").click()

    expect_saved(page, revenue)
    expect(counter).to_have_text(f"2 of 3 entered for {month}")
    expect(page.locator("#updates-progress")).to_have_count(1)


def test_save_all_with_refused_rows_leads_with_an_error_summary_linking_to_each_row(
    page, transactional_db
):
    leads, revenue, deals = sales_kpis(("LEAD", "Leads"), ("REV", "Revenue"), ("WIN", "Deals won"))
    open_my_updates(page)

    page.locator(f"#value-{leads.pk}").fill("70")  # off track, no corrective action
    page.locator(f"#value-{revenue.pk}").fill("101")
    page.locator(f"#value-{deals.pk}").fill("many")  # not a number
    page.get_by_role("button", name="Save all").first.click()

    wait_for_page(page, "My updates")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("2 rows could not be saved; 1 other saved.")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    assert Actual.objects.get(kpi=revenue).value == 101

    off_track = "LEAD Leads: Off track: say what you will do about it."
    summary.get_by_role("link", name=off_track).click()
    expect(page.locator(f"#corrective_action-{leads.pk}")).to_be_focused()
    summary.get_by_role("link", name="WIN Deals won", exact=False).click()
    expect(page.locator(f"#value-{deals.pk}")).to_be_focused()
    expect(page.locator(f"#value-{deals.pk}")).to_have_value("many")
