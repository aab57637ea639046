from playwright.sync_api import expect

from tests.e2e.signals import wait_for_page
from tests.factories import UserFactory


def test_executive_signs_in_by_keyboard_and_sees_the_overview(page, transactional_db):
    UserFactory(username="ceo", first_name="Casey", last_name="Morgan", password="demo-pass-1")

    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    page.get_by_label("Username").fill("ceo")
    page.get_by_label("Password").fill("demo-pass-1")
    page.get_by_label("Password").press("Enter")

    wait_for_page(page, "Dashboard")
    expect(page.get_by_text("Casey Morgan")).to_be_visible()
    # htmx is served from the npm package, not from a CDN.
    assert page.evaluate("typeof window.htmx") == "object"


def test_wrong_password_shows_an_error_and_stays_signed_out(page, transactional_db):
    UserFactory(username="ceo", password="demo-pass-1")

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ceo")
    page.get_by_label("Password").fill("not-it")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
