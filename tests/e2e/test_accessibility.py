"""Every main page passes axe-core's WCAG 2 A and AA rules and is usable by keyboard.

axe-core comes from npm (package.json's devDependencies), never from a CDN. It is added as an
init script, which the Content-Security-Policy does not govern, so the pages are checked with
the policy in force, exactly as people see them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from actionplans.models import ActionPlan
from kpis import periods
from kpis.models import Actual, ActualStatus, ImportBatch, Kpi
from kpis.services import period_close
from strategy.models import StrategicPlan
from tests.e2e.signals import SIGNAL_TIMEOUT_MS
from tests.factories import UserFactory

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 levels A and AA, and axe's best practices (landmarks, heading order).
# Results axe cannot decide ("incomplete") count too, e.g. an aria-describedby pointing at no
# element, except colour contrast: axe cannot measure it for SVG text (the strategy map),
# whose colours in bearing.css meet 4.5:1 by hand.
RUN_AXE = """
async () => {
  const results = await axe.run(document, {
    runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
  });
  const undecided = results.incomplete.filter((result) => result.id !== "color-contrast");
  return [...results.violations, ...undecided].map((result) => ({
    id: result.id,
    help: result.help,
    targets: result.nodes.map((node) => node.target.join(" ")),
  }));
}
"""


def signed_in_context(browser: Browser, base_url: str, username: str | None) -> BrowserContext:
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(SIGNAL_TIMEOUT_MS)
    context.add_init_script(path=AXE)
    if username is not None:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("demo")
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        page.close()
    return context


def violations_on(page: Page, path: str) -> list[str]:
    page.goto(path)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [
        f"{path}: {violation['id']} ({violation['help']}) at {', '.join(violation['targets'])}"
        for violation in found
    ]


def test_every_main_page_passes_the_automated_accessibility_check(
    browser, live_server, transactional_db, settings
):
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (or `make deps`)."
    settings.SCORECARD_APPROVAL = True
    call_command("seed_demo", stdout=io.StringIO())
    plan = StrategicPlan.objects.get(parent=None)
    kpi = Kpi.objects.filter(objective__plan=plan, objective__org_unit__code="sales").first()
    assert kpi is not None
    person = User.objects.get(username="head.sales")
    # Something to review on the approvals page, and a close date with a preview moving it.
    actuals = Actual.objects.filter(kpi=kpi).order_by("period")
    latest = actuals.last()
    assert latest is not None
    Actual.objects.filter(pk=latest.pk).update(status=ActualStatus.SUBMITTED)
    first_month = actuals[0].period
    period_close(
        through=periods.period_end(first_month, "monthly"), by=User.objects.get(username="admin")
    )
    action_plan = ActionPlan.objects.get(name="On-time delivery recovery")
    # An import preview with a refused row, a row with its score and a skipped blank row.
    preview = ImportBatch.objects.create(
        created_by=person,
        plan=plan,
        filename="actuals.csv",
        rows=[
            {"_row": 2, "kind": "actual", "kpi_code": kpi.code, "period": f"{latest.period}"},
            {"_row": 3, "kind": "actual", "kpi_code": "NOPE", "period": "2026-01", "value": "1"},
            {
                "_row": 4,
                "kind": "actual",
                "kpi_code": kpi.code,
                "period": f"{latest.period}",
                "value": f"{latest.value}",
                "corrective_action": "Call them.",
            },
        ],
    )

    pages_by_role: dict[str | None, list[str]] = {
        None: ["/accounts/login/", "/accounts/password-reset/", "/accounts/password-reset/sent/"],
        "admin": [
            "/",
            f"/dashboard/?plan={plan.pk}&view=ytd",
            f"/dashboard/heat-map/?plan={plan.pk}",
            f"/objectives/{kpi.objective_id}/",
            "/updates/",
            "/updates/import/",
            f"/kpis/{kpi.pk}/",
            f"/kpis/{kpi.pk}/history/",
            "/strategy/",
            f"/strategy/plans/{plan.pk}/",
            f"/strategy/plans/{plan.pk}/kpis/",
            f"/strategy/kpis/{kpi.pk}/targets/",
            "/people/",
            "/people/new/",
            f"/people/{person.pk}/",
            f"/people/{person.pk}/edit/",
            "/people/units/",
            "/audit/",
            "/updates/approvals/",
            "/updates/close/",
            f"/updates/close/?through={periods.next_period(first_month, 'monthly'):%Y-%m}",
            "/account/security/",
            "/people/security-policy/",
        ],
        # A manager's My updates has editable rows and something waiting for approval; their
        # import preview has refused, scored and skipped rows.
        "head.sales": [
            "/",
            "/updates/",
            "/updates/approvals/",
            f"/kpis/{kpi.pk}/",
            f"/updates/import/{preview.pk}/",
        ],
        # A plan with its SMART panel, milestones and tasks, and the tasks to update inline.
        "head.operations": [
            "/action-plans/",
            f"/action-plans/{action_plan.pk}/",
            "/my-tasks/",
            f"/kpis/{action_plan.kpi_links.first().kpi_id}/",
        ],
        # A viewer sees the read-only versions, and the pages of a refusal and of nothing.
        "viewer": [
            "/updates/",
            f"/kpis/{kpi.pk}/",
            f"/strategy/plans/{plan.pk}/",
            "/people/",
            "/no-such-page/",
        ],
    }
    found: list[str] = []
    for username, paths in pages_by_role.items():
        context = signed_in_context(browser, live_server.url, username)
        page = context.new_page()
        for path in paths:
            found += violations_on(page, path)
        context.close()

    assert found == [], "axe found:\n" + "\n".join(found)


def test_the_skip_link_comes_first_and_moves_focus_to_the_main_content(page, transactional_db):
    UserFactory(username="ceo", password="demo-pass-1")
    page.goto("/accounts/login/?next=/")
    page.get_by_label("Username").fill("ceo")
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
