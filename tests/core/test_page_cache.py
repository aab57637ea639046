"""`cached_page`: what a cached page is keyed on, and what is never cached.

The views (tests/core/page_cache_urls.py) say how many times they ran: "run 1" again means
the answer came from the cache.
"""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core import data_version
from tests.core import page_cache_urls
from tests.factories import UserFactory
from tests.page_cache import reader

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.page_cache_urls")]


@pytest.fixture(autouse=True)
def _runs_counted_from_zero():  # type: ignore[no-untyped-def]
    page_cache_urls.runs.clear()


@pytest.fixture
def browser(user):  # type: ignore[no-untyped-def]
    return reader(user)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.content.decode())


def test_a_page_asked_again_comes_from_the_cache_with_the_views_headers(browser):
    first = browser.get("/page/")
    again = browser.get("/page/")

    assert text(first).startswith("page run 1")
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert "HX-Request" in again["Vary"]
    # The middleware adds its headers to an answer from the cache as to any other.
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["X-Frame-Options"] == "DENY"


def test_the_csrf_token_in_a_cached_page_is_accepted_from_the_same_browser(user):
    browser = reader(user)
    browser.handler.enforce_csrf_checks = True
    browser.get("/page/")
    cached = browser.get("/page/")
    token = re.search(r"token=(\S+)", text(cached))
    assert token
    assert text(cached).startswith("page run 1")

    assert browser.post("/accept/", HTTP_X_CSRFTOKEN=token.group(1)).status_code == 200


def test_the_page_and_each_htmx_fragment_of_it_are_kept_apart(browser):
    page = browser.get("/page/")
    summary = browser.get("/page/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="summary")
    rows = browser.get("/page/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="rows")

    assert "target=summary" in text(summary)
    assert "target=rows" in text(rows)
    assert browser.get("/page/").content == page.content
    assert browser.get("/page/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="rows").content == (
        rows.content
    )


def test_the_query_string_is_part_of_the_key(browser):
    browser.get("/page/?period=2026-04")

    assert text(browser.get("/page/?period=2026-03")).startswith("page run 2")
    assert text(browser.get("/page/?period=2026-04")).startswith("page run 1")


def test_two_people_never_share_a_cached_page(user):
    colleague = reader(UserFactory(username="sam"))
    browser = reader(user)
    # The same CSRF cookie, as if they shared a browser: only the session tells them apart.
    colleague.cookies[settings.CSRF_COOKIE_NAME] = browser.cookies[settings.CSRF_COOKIE_NAME]
    browser.get("/page/")

    assert text(colleague.get("/page/")).startswith("page run 2")


def test_a_new_sign_in_starts_with_nothing_cached(user):
    browser = reader(user)
    csrf_cookie = browser.cookies[settings.CSRF_COOKIE_NAME].value
    browser.get("/page/")
    browser.logout()
    browser.force_login(user)
    browser.cookies[settings.CSRF_COOKIE_NAME] = csrf_cookie

    assert text(browser.get("/page/")).startswith("page run 2")


def test_a_committed_write_answers_a_new_page(browser):
    browser.get("/page/")
    data_version.replace()  # what every committed write does

    assert text(browser.get("/page/")).startswith("page run 2")


def test_a_new_day_answers_a_new_page(browser, monkeypatch):
    browser.get("/page/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr("core.page_cache.timezone", SimpleNamespace(localdate=lambda: tomorrow))

    assert text(browser.get("/page/")).startswith("page run 2")


def test_a_setting_that_changes_what_pages_show_answers_a_new_page(browser, settings):
    browser.get("/page/")
    settings.SCORECARD_TRANSPARENCY = not settings.SCORECARD_TRANSPARENCY

    assert text(browser.get("/page/")).startswith("page run 2")


@pytest.mark.parametrize("code", [403, 404])
def test_answers_other_than_200_are_never_cached(browser, code):
    browser.get(f"/status/{code}/")
    again = browser.get(f"/status/{code}/")

    assert again.status_code == code
    assert text(again).startswith("status run 2")


def test_a_page_that_sets_a_cookie_is_never_cached(browser):
    browser.get("/cookie/")

    assert text(browser.get("/cookie/")).startswith("with_cookie run 2")


def test_a_page_rendered_with_a_csp_nonce_is_never_cached(browser):
    first = browser.get("/nonce/")
    again = browser.get("/nonce/")

    assert text(again).startswith("with_nonce run 2")
    nonces = {re.findall(r"nonce=(\S+)", text(answer))[0] for answer in (first, again)}
    assert len(nonces) == 2


def test_a_page_that_adds_and_shows_a_message_is_never_cached(browser):
    browser.get("/message/")  # shows its message: none is pending for the next request

    assert text(browser.get("/message/")).startswith("with_message run 2")


def test_a_request_with_a_message_pending_is_answered_a_page_rendered_for_it(browser):
    browser.get("/page/")
    browser.post("/leave-message/")  # its message waits for the next page

    shown = text(browser.get("/page/"))
    again = text(browser.get("/page/"))

    assert shown.startswith("page run 2")
    assert "messages=Saved." in shown
    # That page was not stored: the one cached before it is answered, without the message.
    assert again.startswith("page run 1")
    assert "Saved." not in again


def test_a_page_that_made_a_new_csrf_secret_is_never_cached(browser):
    old_secret = browser.cookies[settings.CSRF_COOKIE_NAME].value
    browser.get("/new-csrf-secret/")
    # A request that left before the new cookie arrived still carries the old secret: it
    # must not be answered a page whose token only the new one accepts.
    browser.cookies[settings.CSRF_COOKIE_NAME] = old_secret

    assert text(browser.get("/new-csrf-secret/")).startswith("new_csrf_secret run 2")


def test_a_browser_without_a_csrf_cookie_gets_its_first_page_rendered_for_it(user):
    browser = Client()
    browser.force_login(user)
    browser.get("/page/")  # makes the CSRF secret, sent in a cookie with this answer only

    assert text(browser.get("/page/")).startswith("page run 2")
    assert text(browser.get("/page/")).startswith("page run 2")


def test_nothing_is_cached_for_a_person_not_signed_in():
    browser = Client()
    session = browser.session  # a session of its own, as a visitor may have
    session["seen"] = True
    session.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    browser.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    browser.get("/anyone/")

    assert text(browser.get("/anyone/")).startswith("anyone run 2")


def test_no_page_is_cached_when_page_cache_seconds_is_zero(browser, settings):
    settings.PAGE_CACHE_SECONDS = 0
    browser.get("/page/")

    assert text(browser.get("/page/")).startswith("page run 2")
