"""The two-factor journey in a browser: enrol by typing the key shown on the page into an
"authenticator" (the test computes the codes), sign out, sign in again with a code."""

from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import UserFactory


def authenticator_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key as typed in (base32, spaces ignored)."""
    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(base64.b32decode(key))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_enrols_signs_out_and_signs_in_with_a_code(page, transactional_db):
    UserFactory(username="cfo", first_name="Robin", last_name="Shah", password="demo-pass-1")
    sign_in(page, "cfo", "demo-pass-1")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Security").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#secret").inner_text()
    page.get_by_label("Code").fill(authenticator_code(secret))
    page.get_by_role("button", name="Confirm and turn on").click()

    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    expect(page.get_by_role("list", name="Backup codes").get_by_role("listitem")).to_have_count(10)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Bearing")).to_be_visible()
    sign_in(page, "cfo", "demo-pass-1")
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    # The enrolment used this period's code; a code can be used once, so take the next one.
    page.get_by_label("Code").fill(authenticator_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Robin Shah")).to_be_visible()
