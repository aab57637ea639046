"""At a phone's width (390 px) the pages fit the screen: a menu instead of the header's row of
links, and wide content scrolling inside its own container, never the page sideways."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import Page, expect

from strategy.models import StrategicPlan
from tests.e2e.signals import wait_for_page
from tests.e2e.test_accessibility import RUN_AXE, signed_in_context
from tests.e2e.test_my_updates import expect_saved, sales_kpis

PHONE = {"width": 390, "height": 844}


def sign_in_on_a_phone(page: Page, username: str, password: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    wait_for_page(page, "Dashboard")


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it never scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


# What reaches beyond the window's right edge (inside scrolling boxes too), to say where to look.
BEYOND_THE_EDGE = """
() => Array.from(document.querySelectorAll("body *"))
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 8)
  .map((element) => `${element.tagName} ${element.getAttribute("class")}`)
"""


def test_my_updates_people_and_a_plan_page_never_scroll_sideways_on_a_phone(
    browser, live_server, transactional_db
):
    call_command("seed_demo", stdout=io.StringIO())
    plan = StrategicPlan.objects.get(parent=None)
    # The demo admin, with axe-core in every page as in the accessibility test.
    context = signed_in_context(browser, live_server.url, "admin")
    page = context.new_page()
    page.set_viewport_size(PHONE)

    for path, heading in [
        ("/updates/", "My updates"),
        ("/people/", "People"),
        (f"/strategy/plans/{plan.pk}/", f"{plan.name} {plan.get_status_display()}"),
    ]:
        page.goto(path)
        wait_for_page(page, heading)
        assert sideways_overflow(page) == 0, (path, page.evaluate(BEYOND_THE_EDGE))
        assert page.evaluate(RUN_AXE) == [], path

    # The strategy map keeps its text readable: it scrolls in its own box instead of shrinking.
    page.goto(f"/strategy/plans/{plan.pk}/")
    strategy_map = page.locator("svg.strategy-map-svg").first
    expect(strategy_map).to_be_visible()
    box = strategy_map.bounding_box()
    assert box is not None
    assert box["width"] >= 56 * 16
    scroller = page.locator(".strategy-map-scroll").first
    assert scroller.evaluate("(element) => element.scrollWidth > element.clientWidth")
    # Scrolling sideways by keyboard: the overflowing box takes focus.
    expect(scroller).to_have_attribute("tabindex", "0")
    context.close()


def test_on_a_phone_the_header_links_fold_behind_a_menu_button_that_works_by_keyboard(
    page, transactional_db
):
    sales_kpis(("REV", "Revenue"))
    sign_in_on_a_phone(page, "head.sales", "demo-pass-1")
    menu = page.get_by_role("button", name="Menu")
    links = page.get_by_role("navigation", name="Main")

    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(links).to_be_hidden()

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(links).to_be_visible()
    # Escape folds it again and leaves focus on the button.
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(links).to_be_hidden()
    expect(menu).to_be_focused()
    page.keyboard.press("Space")
    expect(links).to_be_visible()
    links.get_by_role("link", name="My updates").click()
    wait_for_page(page, "My updates")
    assert sideways_overflow(page) == 0

    # A wide window shows the links and no menu button.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_on_a_phone_my_updates_rows_are_cards_saved_by_keyboard_as_on_a_wide_screen(
    page, transactional_db
):
    revenue, deals = sales_kpis(("REV", "Revenue"), ("WIN", "Deals won"))
    sign_in_on_a_phone(page, "head.sales", "demo-pass-1")
    page.goto("/updates/")
    wait_for_page(page, "My updates")

    # Each row is a card as wide as the screen allows.
    for kpi in (revenue, deals):
        box = page.locator(f"#row-{kpi.pk}").bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the link to the first empty actual
    expect(page.locator(f"#value-{revenue.pk}")).to_be_focused()
    page.keyboard.type("104")
    page.keyboard.press("Enter")
    expect_saved(page, revenue)
    expect(page.locator(f"#value-{deals.pk}")).to_be_focused()
    assert sideways_overflow(page) == 0
