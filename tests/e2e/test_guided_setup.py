"""An admin sets up a new plan with the guided setup and sees it on the plan's strategy map."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def add_objective(page: Page, perspective: str, code: str, name: str) -> None:
    section = page.locator("section.perspective").filter(
        has=page.get_by_role("heading", name=perspective)
    )
    section.get_by_label("Code").fill(code)
    section.get_by_label("Name").fill(name)
    section.get_by_role("button", name=f"Add to {perspective}").click()
    # htmx swaps the workspace in place: the objective is listed and drawn on the map.
    expect(page.locator("svg.strategy-map-svg")).to_contain_text(code)


def test_an_admin_sets_up_a_plan_step_by_step_and_sees_its_objectives_and_link_on_the_map(
    page: Page, transactional_db
):
    acme = OrgUnitFactory(name="ACME", code="acme")
    admin = UserFactory(
        username="admin", first_name="Ada", last_name="Admin", password="demo-pass-1"
    )
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    # Every page and swap on the way must keep to the Content-Security-Policy (no inline code).
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    sign_in(page, "admin", "demo-pass-1")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Strategy").click()
    page.get_by_role("link", name="New plan").click()

    # 1. Plan basics
    page.get_by_label("Name").fill("ACME 2026")
    page.get_by_label("Unit").select_option(label="ACME")
    page.get_by_label("Start", exact=True).fill("2026-01-01")
    page.get_by_label("End", exact=True).fill("2026-12-31")
    page.get_by_role("button", name="Create the plan and continue").click()

    # 2. Vision and mission
    expect(page.get_by_role("heading", name="Vision and mission")).to_be_visible()
    page.get_by_label("Vision", exact=True).fill("The most trusted partner in our market.")
    page.get_by_label("Mission", exact=True).fill("We help our customers grow.")
    page.get_by_role("button", name="Save and continue").click()

    # 3. Objectives in two perspectives
    expect(page.get_by_role("link", name="3. Objectives")).to_have_attribute("aria-current", "step")
    add_objective(page, "Financial", "F1", "Grow revenue")
    add_objective(page, "Customer", "C1", "Delight customers")
    page.get_by_role("link", name="Continue to the next step").click()

    # 4. Cause and effect
    page.get_by_label("Cause", exact=True).select_option(label="C1 Delight customers")
    page.get_by_label("Effect", exact=True).select_option(label="F1 Grow revenue")
    page.get_by_role("button", name="Add link").click()
    expect(page.locator("svg.strategy-map-svg path.map-link")).to_have_count(1)
    page.get_by_role("link", name="Continue to the next step").click()

    # 5. A KPI with a year of monthly targets, filled forward from January
    page.get_by_role("link", name="New KPI for F1").click()
    page.get_by_label("Code").fill("REV")
    page.get_by_label("Name").fill("Revenue")
    page.get_by_role("button", name="Define KPI").click()
    page.get_by_label("Goal, Jan 2026").fill("100")
    page.get_by_label("Red flag, Jan 2026").fill("90")
    page.get_by_role("button", name="Fill forward").click()
    expect(page.get_by_text("12 periods changed.")).to_be_visible()
    expect(page.get_by_label("Goal, Dec 2026")).to_have_value("100")
    page.get_by_role("link", name="Back to the KPIs step").click()
    page.get_by_role("link", name="Continue to the next step").click()

    # 6. Action plans, then the plan's page
    expect(page.get_by_role("heading", name="Action plans")).to_be_visible()
    page.get_by_role("link", name="Finish: open the plan").click()

    expect(page.get_by_role("heading", name="ACME 2026")).to_be_visible()
    expect(page.locator("#basics dd").first).to_have_text("ACME")
    expect(page.locator("#basics dl")).to_contain_text("The most trusted partner in our market.")
    strategy_map = page.locator("figure.strategy-map svg")
    expect(strategy_map.locator("text", has_text="F1")).to_have_count(1)
    expect(strategy_map.locator("text", has_text="C1")).to_have_count(1)
    expect(strategy_map.locator("path.map-link")).to_have_count(1)
    expect(strategy_map.locator("path.map-link title")).to_have_text("C1 → F1")
    assert blocked == []
