"""Choosing another unit for a new objective redraws the owners its form offers, in place,
and the objective is added with one of them."""

from __future__ import annotations

import datetime

from playwright.sync_api import Page, expect

from accounts.models import Role
from strategy.models import Objective
from strategy.services import plan_create
from tests.e2e.signals import wait_for_page
from tests.e2e.test_guided_setup import sign_in
from tests.e2e.test_setup_keeps_typing import perspective
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory


def test_choosing_a_department_offers_its_people_as_owners(page: Page, transactional_db):
    acme = OrgUnitFactory(name="ACME", code="acme")
    sales = OrgUnitFactory(name="Sales", code="sales", parent=acme)
    admin = UserFactory(username="admin", password="demo-pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    seller = UserFactory(username="sam", first_name="Sam", last_name="Seller")
    MembershipFactory(user=seller, org_unit=sales, role=Role.MANAGER)
    plan = plan_create(
        org_unit=acme,
        name="ACME 2026",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "admin", "demo-pass-1")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.goto(f"/strategy/plans/{plan.pk}/setup/objectives/")
    wait_for_page(page, "Set up ACME 2026")
    customer = perspective(page, "Customer")
    owner = customer.get_by_label("Owner")
    expect(owner.locator("option", has_text="Sam Seller")).to_have_count(0)

    customer.get_by_label("Unit").select_option(label="Sales")
    expect(owner.locator("option", has_text="Sam Seller")).to_have_count(1)
    owner.select_option(label="Sam Seller")
    customer.get_by_label("Unit").select_option(label="ACME")
    expect(owner.locator("option", has_text="Sam Seller")).to_have_count(0)
    customer.get_by_label("Unit").select_option(label="Sales")
    expect(owner.locator("option", has_text="Sam Seller")).to_have_count(1)
    owner.select_option(label="Sam Seller")
    customer.get_by_label("Code").fill("C1")
    customer.get_by_label("Name").fill("Win Sales customers")
    customer.get_by_role("button", name="Add to Customer").click()

    expect(customer.get_by_role("status")).to_have_text(
        "C1 Win Sales customers was added to Customer."
    )
    added = Objective.objects.get(code="C1")
    assert (added.org_unit, added.owner) == (sales, seller)
    assert errors == []
