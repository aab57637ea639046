from decimal import Decimal

from playwright.sync_api import expect

from accounts.models import Role
from kpis.models import Actual
from tests.factories import (
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    TargetFactory,
    UserFactory,
)
from tests.kpis.updates_org import due_month


def test_head_of_sales_enters_an_off_track_value_gives_a_corrective_action_and_sees_the_status(
    page, transactional_db
):
    sales = OrgUnitFactory(name="Sales", code="sales")
    head = UserFactory(username="head.sales", first_name="Sofia", password="demo-pass-1")
    MembershipFactory(user=head, org_unit=sales, role=Role.MANAGER)
    objective = ObjectiveFactory(org_unit=sales, plan__org_unit=sales, code="C1")
    revenue = KpiFactory(objective=objective, code="REV", name="Revenue")
    deals = KpiFactory(objective=objective, code="WIN", name="Deals won")
    for kpi in (revenue, deals):
        TargetFactory(kpi=kpi, period=due_month(), goal=Decimal(100), red_flag=Decimal(90))

    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("head.sales")
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_label("Password").press("Enter")
    page.get_by_role("link", name="My updates").click()
    expect(page.get_by_role("heading", name="My updates")).to_be_visible()
    page.evaluate("window.__marker = 1")

    # Enter saves the row and moves on to the next row's actual.
    page.locator(f"#value-{revenue.pk}").fill("105")
    page.locator(f"#value-{revenue.pk}").press("Enter")
    expect(page.locator(f"#row-{revenue.pk} .badge")).to_have_text("on track")
    expect(page.locator(f"#value-{deals.pk}")).to_be_focused()

    # A value that puts the KPI off track asks for a corrective action first.
    page.keyboard.type("70")
    page.keyboard.press("Enter")
    action = page.locator(f"#corrective_action-{deals.pk}")
    expect(page.locator(f"#corrective_action-{deals.pk}-error")).to_have_text(
        "Off track: say what you will do about it."
    )
    expect(action).to_be_focused()
    assert not Actual.objects.filter(kpi=deals).exists()

    action.fill("Two more sales reps from next month.")
    page.get_by_role("button", name="Save WIN").click()

    expect(page.locator(f"#row-{deals.pk} .badge")).to_have_text("off track")
    expect(page.locator(f"#row-{deals.pk}")).to_contain_text("Saved.")
    assert page.evaluate("window.__marker") == 1  # no page load happened
    assert blocked == []  # nothing inline, nothing the Content-Security-Policy refuses
    saved = Actual.objects.get(kpi=deals)
    assert (saved.value, saved.corrective_action) == (70, "Two more sales reps from next month.")
