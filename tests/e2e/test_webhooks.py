"""An organisation admin finds Webhooks in the People section, registers one with the keyboard,
copies its secret shown once, switches it off and deletes it without a page load; the page
passes the automated accessibility check."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from accounts.models import Role
from kpis.models import Webhook
from tests.e2e.signals import wait_for_page
from tests.e2e.test_accessibility import RUN_AXE
from tests.e2e.test_close_date import signed_in
from tests.factories import (
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    UserFactory,
)

HOOK = "https://hooks.example.com/bearing"


@pytest.mark.django_db(transaction=True)
def test_an_admin_registers_switches_off_and_deletes_a_webhook(browser: Browser, live_server):
    acme = OrgUnitFactory(name="ACME", code="acme")
    admin = UserFactory(username="admin", first_name="Ada", password="demo-pass-1")
    MembershipFactory(user=admin, org_unit=acme, role=Role.ADMIN)
    KpiFactory(objective=ObjectiveFactory(org_unit=acme, plan__org_unit=acme, code="F1"))
    page = signed_in(browser, live_server.url, "admin")

    page.goto("/people/")
    wait_for_page(page, "People")
    page.get_by_role("navigation", name="People section").get_by_role(
        "link", name="Webhooks"
    ).press("Enter")
    wait_for_page(page, "Webhooks")

    page.get_by_label("Address (https://…)").fill(HOOK)
    page.get_by_label("Event").select_option(label="A KPI went off track")
    page.get_by_label("Address (https://…)").press("Enter")
    wait_for_page(page, "Webhooks")
    webhook = Webhook.objects.get()
    expect(page.get_by_role("textbox", name="Secret")).to_have_value(webhook.secret)
    assert page.evaluate(RUN_AXE) == []

    page.get_by_role("button", name=f"Switch off the webhook to {HOOK}").press("Enter")
    expect(page.get_by_role("button", name=f"Switch on the webhook to {HOOK}")).to_be_visible()
    # Still the page that showed the secret: the list was swapped in, not the page reloaded.
    expect(page.get_by_role("textbox", name="Secret")).to_be_visible()
    webhook.refresh_from_db()
    assert not webhook.is_active

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Delete the webhook to {HOOK}").press("Enter")
    expect(page.get_by_text("No webhook is registered.")).to_be_visible()
    assert not Webhook.objects.exists()

    page.reload()
    wait_for_page(page, "Webhooks")
    expect(page.get_by_role("textbox", name="Secret")).to_have_count(0)
    page.context.close()
