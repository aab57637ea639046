"""The timeline of action plans and a stale edit on My tasks, in a real browser, as the head
of Operations in the demo."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from django.db.models import F
from playwright.sync_api import Page, expect

from actionplans.models import ActionPlan, Task
from tests.e2e.signals import wait_for_page
from tests.e2e.test_accessibility import signed_in_context, violations_on
from tests.e2e.test_action_plans import sign_in


def test_the_timeline_shows_the_plans_with_todays_line_and_opens_a_plan_by_keyboard(
    page: Page, browser, live_server, transactional_db
):
    call_command("seed_demo", stdout=io.StringIO())
    recovery = ActionPlan.objects.get(name="On-time delivery recovery")
    sign_in(page, "head.operations")

    page.get_by_role("link", name="Action plans", exact=True).click()
    wait_for_page(page, "Action plans")
    page.get_by_label("Unit").select_option(label="Operations")
    page.get_by_role("button", name="Filter").click()
    wait_for_page(page, "Action plans")
    page.get_by_role("link", name="See the plans on a timeline").click()
    wait_for_page(page, "Timeline of action plans")

    expect(page.get_by_label("Unit")).to_have_value(str(recovery.org_unit_id))
    expect(page.locator("#timeline svg")).to_be_visible()
    expect(page.locator("#timeline-today")).to_be_visible()
    expect(page.locator("#timeline-today")).to_contain_text("Today")
    table = page.get_by_role("table", name=re.compile("The plans and milestones"))
    row = table.get_by_role("row", name=re.compile("On-time delivery recovery"))
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("On-time delivery back at 95 %: due")
    # Sales' plans are not Operations'.
    expect(table).not_to_contain_text("Account-based marketing")

    bar = page.locator(f'#timeline a[data-plan="{recovery.pk}"]')
    bar.focus()
    page.keyboard.press("Enter")
    wait_for_page(page, "On-time delivery recovery")

    context = signed_in_context(browser, live_server.url, "head.operations")
    checker = context.new_page()
    found = violations_on(checker, f"/action-plans/timeline/?org_unit={recovery.org_unit_id}")
    found += violations_on(checker, "/action-plans/timeline/?status=cancelled")
    context.close()
    assert found == [], "axe found:\n" + "\n".join(found)


def test_a_stale_task_update_on_my_tasks_keeps_what_was_typed_until_saved_again(
    page: Page, transactional_db
):
    call_command("seed_demo", stdout=io.StringIO())
    task = Task.objects.get(name="Second carrier for the northern routes")
    sign_in(page, "head.operations")
    page.get_by_role("link", name="My tasks").click()
    wait_for_page(page, "My tasks")

    # Someone else saves the task after the page was opened.
    Task.objects.filter(pk=task.pk).update(percent_complete=70, version=F("version") + 1)

    row = page.locator(f"#task-{task.pk}")
    row.get_by_label(f"Status of {task.name}").select_option("blocked")
    row.get_by_label(f"% complete of {task.name}").fill("55")
    row.get_by_label(f"% complete of {task.name}").press("Enter")

    row = page.locator(f"#task-{task.pk}")
    expect(row.get_by_role("alert")).to_contain_text("Saved now: In progress, 70 %.")
    expect(row.get_by_label(f"% complete of {task.name}")).to_have_value("55")
    expect(row.get_by_label(f"Status of {task.name}")).to_have_value("blocked")
    assert Task.objects.get(pk=task.pk).percent_complete == 70

    # Saving again replaces the saved values with the typed ones, on purpose.
    row.get_by_label(f"% complete of {task.name}").press("Enter")
    expect(page.locator(f"#task-{task.pk} [role=alert]")).to_have_count(0)
    saved = Task.objects.get(pk=task.pk)
    assert (saved.status, saved.percent_complete) == (Task.Status.BLOCKED, 55)
