"""An admin manages people and roles in the People section, in a real browser."""

from __future__ import annotations

from playwright.sync_api import Dialog, Page, expect

from accounts.models import Membership, Role
from tests.e2e.signals import wait_for_page
from tests.factories import (
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    StrategicPlanFactory,
    UserFactory,
)

# Collected from the first moment of every page, so a blocked script or style would show.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def sign_in(page: Page, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    wait_for_page(page, "Dashboard")


def test_admin_gives_a_viewer_the_manager_role_in_sales_without_a_page_reload(
    page, transactional_db
):
    acme = OrgUnitFactory(name="ACME", code="acme")
    sales = OrgUnitFactory(name="Sales", code="sales", parent=acme)
    admin = UserFactory(username="admin", first_name="Alex", last_name="Admin", password="pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    viewer = UserFactory(username="vic", first_name="Vic", last_name="Viewer")
    MembershipFactory(user=viewer, org_unit=acme, role=Role.VIEWER)
    page.add_init_script(COLLECT_VIOLATIONS)

    sign_in(page, "admin", "pass-1")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    wait_for_page(page, "People")

    # The search narrows the list as one types (htmx), then the person's page opens.
    page.get_by_label("Search").fill("vic")
    expect(page.get_by_role("link", name="Alex Admin")).to_have_count(0)
    page.get_by_role("link", name="Vic Viewer").click()
    wait_for_page(page, "Vic Viewer")

    # A marker that a full page load would wipe out.
    page.evaluate("window.__stillTheSamePage = true")
    page.get_by_label("Unit", exact=True).select_option(label="Sales")
    page.get_by_label("Role", exact=True).select_option(label="Manager")
    page.get_by_role("button", name="Give role").focus()
    page.keyboard.press("Enter")

    memberships = page.locator("#memberships")
    expect(memberships.get_by_role("status")).to_have_text(
        "Vic Viewer is now Manager of the unit Sales."
    )
    expect(memberships.get_by_role("row", name="Sales")).to_be_visible()
    expect(memberships.get_by_label("Role in Sales")).to_have_value(Role.MANAGER)
    assert page.evaluate("window.__stillTheSamePage") is True
    assert Membership.objects.filter(user=viewer, org_unit=sales, role=Role.MANAGER).exists()
    assert page.evaluate("window.__cspViolations") == []


def test_a_new_manager_sees_the_units_kpis_on_my_updates_until_the_role_is_taken_back(
    page, transactional_db
):
    acme = OrgUnitFactory(name="ACME", code="acme")
    sales = OrgUnitFactory(name="Sales", code="sales", parent=acme)
    admin = UserFactory(username="admin", first_name="Alex", last_name="Admin", password="pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    viewer = UserFactory(username="vic", first_name="Vic", last_name="Viewer", password="pass-2")
    MembershipFactory(user=viewer, org_unit=acme, role=Role.VIEWER)
    plan = StrategicPlanFactory(org_unit=acme)
    objective = ObjectiveFactory(plan=plan, perspective__plan=plan, org_unit=sales)
    KpiFactory(objective=objective, code="WINRATE", name="Win rate")

    sign_in(page, "vic", "pass-2")
    page.goto("/updates/")
    expect(page.get_by_text("There are no KPIs for you to update.")).to_be_visible()

    sign_in(page, "admin", "pass-1")
    page.goto(f"/people/{viewer.pk}/")
    page.get_by_label("Unit", exact=True).select_option(label="Sales")
    page.get_by_label("Role", exact=True).select_option(label="Manager")
    page.get_by_role("button", name="Give role").click()
    expect(page.locator("#memberships").get_by_role("status")).to_have_text(
        "Vic Viewer is now Manager of the unit Sales."
    )

    sign_in(page, "vic", "pass-2")
    page.goto("/updates/")
    expect(page.get_by_text("Win rate")).to_be_visible()

    sign_in(page, "admin", "pass-1")
    page.goto(f"/people/{viewer.pk}/")
    # The browser asks before the role goes (hx-confirm).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Manager of Sales").click()
    expect(page.locator("#memberships").get_by_role("row", name="Sales")).to_have_count(0)

    sign_in(page, "vic", "pass-2")
    page.goto("/updates/")
    expect(page.get_by_text("Win rate")).to_have_count(0)
    expect(page.get_by_text("There are no KPIs for you to update.")).to_be_visible()


def test_a_refused_change_shows_its_reason_in_place(page, transactional_db):
    acme = OrgUnitFactory(name="ACME", code="acme")
    admin = UserFactory(username="admin", first_name="Alex", last_name="Admin", password="pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)

    sign_in(page, "admin", "pass-1")
    page.goto(f"/people/{admin.pk}/")
    page.evaluate("window.__stillTheSamePage = true")
    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Remove Admin of ACME").click()

    expect(page.get_by_role("alert")).to_contain_text("Alex Admin is the last admin of ACME.")
    assert asked == ["Remove the role Admin of the unit ACME from Alex Admin?"]
    assert page.evaluate("window.__stillTheSamePage") is True
    assert Membership.objects.filter(user=admin, role=Role.ADMIN).exists()


def test_dismissing_the_question_keeps_the_role(page, transactional_db):
    acme = OrgUnitFactory(name="ACME", code="acme")
    admin = UserFactory(username="admin", first_name="Alex", last_name="Admin", password="pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    viewer = UserFactory(username="vic", first_name="Vic", last_name="Viewer")
    MembershipFactory(user=viewer, org_unit=acme, role=Role.VIEWER)

    sign_in(page, "admin", "pass-1")
    page.goto(f"/people/{viewer.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Remove Viewer of ACME").click()
    page.reload()

    expect(page.locator("#memberships").get_by_role("row", name="ACME")).to_be_visible()
    assert Membership.objects.filter(user=viewer, role=Role.VIEWER).exists()
