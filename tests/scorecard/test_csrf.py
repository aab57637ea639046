"""Writes need the CSRF token, from a form field or from htmx's X-CSRFToken header."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

STALE = b"Your session expired or the form was stale; reload the page and try again."


@pytest.fixture
def browser(user) -> Client:  # type: ignore[no-untyped-def]
    """A signed-in client that, unlike Django's test client by default, checks CSRF."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def csrf_token(browser: Client) -> str:
    """The token the overview page hands out, as htmx would send it."""
    browser.get(reverse("home"))
    return browser.cookies["csrftoken"].value


def is_signed_in(browser: Client) -> bool:
    return browser.get(reverse("home")).status_code == 200


def test_sign_out_without_the_token_is_refused_with_a_friendly_page(browser):
    response = browser.post(reverse("logout"))

    assert response.status_code == 403
    assert STALE in response.content
    assert is_signed_in(browser)


def test_an_htmx_request_without_the_token_header_is_refused(browser):
    csrf_token(browser)  # the cookie alone is not enough

    response = browser.post(reverse("logout"), headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert is_signed_in(browser)


def test_an_htmx_request_with_the_token_header_is_accepted(browser):
    token = csrf_token(browser)

    response = browser.post(reverse("logout"), headers={"HX-Request": "true", "X-CSRFToken": token})

    assert response.status_code == 302
    assert not is_signed_in(browser)


def test_a_form_with_the_token_field_is_accepted(browser):
    token = csrf_token(browser)

    response = browser.post(reverse("logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert not is_signed_in(browser)


def test_a_wrong_token_is_refused(browser):
    csrf_token(browser)

    response = browser.post(reverse("logout"), headers={"X-CSRFToken": "x" * 32})

    assert response.status_code == 403


def test_signing_in_without_the_token_is_refused(user):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("login"), {"username": user.username, "password": "correct horse battery"}
    )

    assert response.status_code == 403
    assert STALE in response.content
    assert not is_signed_in(browser)


def test_every_page_hands_htmx_the_token_on_body(browser):
    response = browser.get(reverse("home"))

    assert b'<body hx-headers=\'{"X-CSRFToken": "' in response.content
