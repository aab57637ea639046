"""The forgot-password journey: from the sign-in page to signing in with the new password."""

import re

from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from tests.factories import UserFactory


def test_a_person_who_forgot_their_password_chooses_a_new_one_and_signs_in(page, transactional_db):
    cache.clear()  # the reset throttle counts in the cache
    UserFactory(
        username="ceo",
        first_name="Casey",
        last_name="Morgan",
        email="casey@example.com",
        password="forgotten-pass-1",
    )

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill("casey@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # The live server runs in this process: its locmem outbox is this one.
    [message] = mail.outbox
    assert message.to == ["casey@example.com"]
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/\S+/", message.body)
    assert link is not None, message.body
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("remembered-pass-2")
    page.get_by_label("New password again").fill("remembered-pass-2")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("ceo")
    page.get_by_label("Password").fill("remembered-pass-2")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Casey Morgan")).to_be_visible()
