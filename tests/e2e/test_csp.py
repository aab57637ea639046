"""The Content-Security-Policy blocks nothing the app itself needs, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

# Reported by the browser for each blocked script, style, frame or form; collected from the
# first moment of every page (an init script is not itself subject to the policy).
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def violations(page: Page, settings) -> list[str]:  # type: ignore[no-untyped-def]
    """Every CSP complaint from the browser's console and the page's violation events."""
    settings.AXES_ENABLED = True  # sign in through the real stack, throttling included
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    return found


def all_violations(page: Page, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__cspViolations")


def test_signing_in_and_the_overview_break_no_content_security_rule(
    page, violations, transactional_db
):
    UserFactory(username="ceo", first_name="Casey", last_name="Morgan", password="demo-pass-1")

    page.goto("/accounts/login/")
    assert all_violations(page, violations) == []
    page.get_by_label("Username").fill("ceo")
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Casey Morgan")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("htmx.config.allowEval") is False
    assert all_violations(page, violations) == []


def test_the_admin_works_under_the_policy(page, violations, transactional_db):
    UserFactory(username="root", password="demo-pass-1", is_staff=True, is_superuser=True)

    page.goto("/admin/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    assert all_violations(page, violations) == []
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    assert all_violations(page, violations) == []

    # Pages with the admin's own scripts: prepopulated fields, autocomplete, inlines.
    for path in ["/admin/accounts/orgunit/add/", "/admin/accounts/user/add/"]:
        page.goto(path)
        page.wait_for_load_state("load")
        assert all_violations(page, violations) == [], path
    page.goto("/admin/accounts/orgunit/add/")
    # The admin fills the code as the name is typed, key by key.
    page.get_by_label("Name").press_sequentially("North Sales")
    expect(page.get_by_label("Code")).to_have_value("north-sales")
    assert all_violations(page, violations) == []


def test_the_browser_refuses_inline_code_on_the_apps_pages(page, violations, transactional_db):
    """The check above would notice a violation: the policy is enforced, not just sent."""
    page.goto("/accounts/login/")

    page.evaluate(
        """() => {
        document.head.insertAdjacentHTML("beforeend", "<style>body { color: red }</style>");
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
    }"""
    )

    expect(page.locator("body")).not_to_have_css("color", "rgb(255, 0, 0)")
    assert page.evaluate("window.inlineRan") is None
    page.wait_for_function("window.__cspViolations.length >= 2")
    found = " ".join(all_violations(page, violations))
    assert "style-src" in found
    assert "script-src" in found
