"""Adding an objective in the guided setup redraws only its perspective: what is half-typed in
another perspective's form stays, and the setup pages stay clean for axe-core."""

from __future__ import annotations

import datetime
from typing import Any

from playwright.sync_api import Page, expect

from accounts.models import Role
from strategy.services import plan_create
from tests.e2e.signals import wait_for_page
from tests.e2e.test_accessibility import AXE, RUN_AXE
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory


def perspective(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator("section.perspective").filter(
        has=page.get_by_role("heading", level=3, name=name)
    )


def axe_violations(page: Page) -> list[str]:
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [f"{v['id']} ({v['help']}) at {', '.join(v['targets'])}" for v in found]


def test_adding_an_objective_keeps_what_is_half_typed_in_another_perspective(
    page: Page, transactional_db
):
    acme = OrgUnitFactory(name="ACME", code="acme")
    admin = UserFactory(username="admin", password="demo-pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    plan = plan_create(
        org_unit=acme,
        name="ACME 2026",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    page.context.add_init_script(path=AXE)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.goto(f"/strategy/plans/{plan.pk}/setup/objectives/")
    wait_for_page(page, "Set up ACME 2026")
    assert axe_violations(page) == []
    customer = perspective(page, "Customer")
    customer.get_by_label("Code").fill("C1")
    customer.get_by_label("Name").fill("Delight custo")
    financial = perspective(page, "Financial")
    financial.get_by_label("Code").fill("F1")
    financial.get_by_label("Name").fill("Grow revenue")
    financial.get_by_role("button", name="Add to Financial").click()

    expect(financial.get_by_role("status")).to_have_text("F1 Grow revenue was added to Financial.")
    expect(page.locator("svg.strategy-map-svg")).to_contain_text("F1")
    # The half-typed objective in Customer is still there, as typed.
    expect(customer.get_by_label("Code")).to_have_value("C1")
    expect(customer.get_by_label("Name")).to_have_value("Delight custo")
    # Financial has an objective now: its add form folds away behind its summary.
    expect(financial.locator("details.add-objective")).not_to_have_attribute("open", "")
    expect(financial.get_by_label("Code")).to_be_hidden()
    assert axe_violations(page) == []

    customer.get_by_label("Name").fill("Delight customers")
    customer.get_by_role("button", name="Add to Customer").click()
    expect(customer.get_by_role("status")).to_have_text(
        "C1 Delight customers was added to Customer."
    )
    expect(page.locator("svg.strategy-map-svg")).to_contain_text("C1")

    # The other setup pages stay clean too: the new-plan form and the finish with its blockers.
    page.goto("/strategy/new/")
    wait_for_page(page, "New plan")
    assert axe_violations(page) == []
    page.goto(f"/strategy/plans/{plan.pk}/setup/action-plans/")
    wait_for_page(page, "Set up ACME 2026")
    expect(page.locator("#activation-blockers")).to_contain_text("Objectives without KPIs")
    assert axe_violations(page) == []
