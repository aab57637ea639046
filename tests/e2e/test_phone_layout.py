"""At a phone's width (390 px) the pages fit the screen: a menu instead of the header's row of
links, and wide content scrolling inside its own container, never the page sideways."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import Page

from strategy.models import StrategicPlan
from tests.e2e.signals import wait_for_page

PHONE = {"width": 390, "height": 844}


def sign_in_as_demo_admin(page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("demo")
    page.get_by_label("Password").press("Enter")
    wait_for_page(page, "Dashboard")


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it never scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_my_updates_people_and_a_plan_page_never_scroll_sideways_on_a_phone(page, transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    plan = StrategicPlan.objects.get(parent=None)
    sign_in_as_demo_admin(page)

    for path, heading in [
        ("/updates/", "My updates"),
        ("/people/", "People"),
        (f"/strategy/plans/{plan.pk}/", plan.name),
    ]:
        page.goto(path)
        wait_for_page(page, heading)
        assert (path, sideways_overflow(page)) == (path, 0)
