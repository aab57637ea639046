"""The corrective-action loop in a real browser: the head of Operations starts a plan from an
off-track KPI, completes what the SMART check says is missing, activates it, marks a task done
from My tasks and sees the plan's progress move."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from playwright.sync_api import Page, expect

from actionplans.models import ActionPlan
from kpis.models import Actual, Kpi, Target
from tests.e2e.signals import wait_for_page
from tests.kpis.updates_org import due_month


def put_off_track(code: str) -> Kpi:
    """The demo's KPI with its due month's actual far below its red flag and a known
    corrective action (the demo's OTD is off track already; the test states its own words)."""
    kpi = Kpi.objects.get(code=code)
    target = Target.objects.get(kpi=kpi, period=due_month())
    assert target.red_flag is not None
    Actual.objects.filter(kpi=kpi, period=due_month()).update(
        value=target.red_flag - 2 * abs(target.goal - target.red_flag),
        corrective_action="Add a second shift in dispatch.",
    )
    return kpi


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_label("Password").press("Enter")
    wait_for_page(page, "Dashboard")


def test_head_of_operations_acts_on_an_off_track_kpi_through_a_smart_plan(page, transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    kpi = put_off_track("OTD")
    sign_in(page, "head.operations")

    page.goto(f"/kpis/{kpi.pk}/")
    expect(page.get_by_text("off track", exact=True)).to_be_visible()
    page.get_by_role("link", name="Start a corrective action plan").click()
    wait_for_page(page, "New action plan")
    expect(page.get_by_label("Description")).to_have_value("Add a second shift in dispatch.")
    page.get_by_role("button", name="Create draft plan").click()

    # A draft: the SMART panel names what is missing, the KPI is linked with its goal.
    wait_for_page(page, "Bring OTD back on track")
    smart = page.locator("#smart")
    expect(smart.locator('[data-criterion="specific"]')).to_contain_text("missing an owner")
    expect(smart.locator('[data-criterion="measurable"]')).to_contain_text("passed")
    expect(smart.locator('[data-criterion="achievable"]')).to_contain_text(
        "missing the resources it takes, a planned budget"
    )
    expect(smart.locator('[data-criterion="relevant"]')).to_contain_text("missing why")

    # Activating it now is refused with the reason.
    page.get_by_label("Status", exact=True).select_option("active")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#status-error")).to_contain_text("Achievable needs")

    edit = page.get_by_role("region", name="Edit the plan")
    edit.get_by_label("Owner").select_option(label="Raj Patel")
    edit.get_by_label("Resources").fill("Two dispatchers, one forklift")
    edit.get_by_label("Budget planned").fill("12000")
    edit.get_by_label("Why").fill("Late deliveries lose repeat orders.")
    edit.get_by_role("button", name="Save plan").click()
    wait_for_page(page, "Bring OTD back on track")
    expect(smart.locator(".smart-missing")).to_have_count(0)

    page.get_by_label("Status", exact=True).select_option("active")
    page.get_by_role("button", name="Change status").click()
    wait_for_page(page, "Bring OTD back on track")
    expect(page.locator("#plan-progress")).to_contain_text("Progress: 0 %")
    expect(page.locator("#plan-progress .badge")).to_be_visible()

    tasks = page.get_by_role("form", name="Add a task")
    tasks.get_by_label("Name").fill("Hire the second shift")
    tasks.get_by_label("Owner").select_option(label="Raj Patel")
    action_plan = ActionPlan.objects.get(name="Bring OTD back on track")
    tasks.get_by_label("Due date").fill(f"{action_plan.due_date:%Y-%m-%d}")
    tasks.get_by_role("button", name="Add task").click()
    wait_for_page(page, "Bring OTD back on track")
    expect(page.get_by_role("row", name=re.compile("Hire the second shift"))).to_be_visible()

    # My tasks: Done, Enter, and the plan's progress in the row moves to 100 %.
    page.get_by_role("link", name="My tasks").click()
    wait_for_page(page, "My tasks")
    task = action_plan.tasks.get()
    row = page.locator(f"#task-{task.pk}")
    expect(row.locator(f'[data-plan-progress="{action_plan.pk}"]')).to_have_text(
        re.compile(r"^\s*0 %")
    )
    row.get_by_label("Status of Hire the second shift").select_option("done")
    row.get_by_label("% complete of Hire the second shift").press("Enter")
    expect(page.locator(f"#task-{task.pk} [data-plan-progress]")).to_contain_text("100 %")

    page.get_by_role("link", name="Bring OTD back on track").click()
    wait_for_page(page, "Bring OTD back on track")
    expect(page.locator("#plan-progress")).to_contain_text("100 %")
    assert ActionPlan.objects.get(pk=action_plan.pk).status == ActionPlan.Status.ACTIVE
