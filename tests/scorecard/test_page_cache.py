"""The dashboard, its parts and the objective page come from the cache when nothing changed:
per person, without the work, and never when the answer must not be kept."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import UserFactory
from tests.page_cache import HIT_QUERIES, from_cache, queries_of, reader, settle
from tests.scorecard.test_dashboard import add_kpis
from tests.strategy.workspace import HTMX, build_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("scorecard.views._today", lambda: datetime.date(2026, 5, 15))


def pages(plan_id: int) -> list[str]:
    query = f"plan={plan_id}&period=2026-04&view=month"
    return [
        f"/dashboard/?{query}",
        f"/dashboard/heat-map/?{query}",
        f"/dashboard/forecasts/?{query}",
        f"/dashboard/attention/?{query}",
    ]


@pytest.mark.parametrize("kpis", [3, 30])
def test_a_cached_page_costs_the_same_few_queries_whatever_the_plan_holds(kpis):
    ws = build_workspace()
    objectives, _ = add_kpis(ws, kpis)
    browser = reader(ws.org.root_admin)
    settle()

    for url in [*pages(ws.plan.pk), f"/objectives/{objectives[0].pk}/?period=2026-04"]:
        _, rendered = queries_of(browser, url)
        cached, queries = queries_of(browser, url)

        assert cached.status_code == 200
        assert queries == HIT_QUERIES, url  # the session and the person, nothing of the plan
        assert rendered > HIT_QUERIES + 5, url


def test_the_dashboard_and_its_htmx_fragment_are_cached_apart():
    ws = build_workspace()
    add_kpis(ws, 3)
    browser = reader(ws.org.root_admin)
    url = pages(ws.plan.pk)[0]

    page = from_cache(browser, url).content.decode()
    fragment = from_cache(browser, url, **HTMX).content.decode()

    assert "<html" in page
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="dashboard"')


def test_each_person_is_answered_their_own_page():
    ws = build_workspace()
    add_kpis(ws, 3)
    url = pages(ws.plan.pk)[0]
    admin_page = from_cache(reader(ws.org.root_admin), url).content.decode()

    viewer_page = reader(ws.org.viewer).get(url).content.decode()

    assert "<span>Root Admin</span>" in admin_page
    assert "<span>Viewer</span>" in viewer_page
    assert "Root Admin" not in viewer_page


def test_a_message_is_shown_once_and_its_page_is_not_kept():
    ws = build_workspace()
    objectives, _ = add_kpis(ws, 3)
    browser = reader(ws.org.root_admin)
    page = f"/objectives/{objectives[0].pk}/?period=2026-04&view=month"
    from_cache(browser, page)
    browser.post(
        f"/objectives/{objectives[0].pk}/commentary/",
        {"period": "2026-04", "view": "month", "text": "On plan."},
    )
    settle()

    with_message = browser.get(page).content.decode()
    after, queries = queries_of(browser, page)

    assert "Commentary for Apr 2026 saved." in with_message
    assert "Commentary for Apr 2026 saved." not in after.content.decode()
    assert "On plan." in after.content.decode()
    assert queries > HIT_QUERIES  # the page that showed the message was not stored


@pytest.mark.parametrize("which", ["dashboard", "objective"])
def test_a_page_answered_404_is_not_kept(which, settings):
    settings.SCORECARD_TRANSPARENCY = False
    ws = build_workspace()
    objectives, _ = add_kpis(ws, 3)
    url = pages(ws.plan.pk)[0] if which == "dashboard" else f"/objectives/{objectives[0].pk}/"
    browser = reader(UserFactory(username="stranger", password=None))
    settle()

    first = browser.get(url)
    again, queries = queries_of(browser, url)

    assert (first.status_code, again.status_code) == (404, 404)
    assert queries > HIT_QUERIES


def test_a_cached_page_carries_the_same_content_security_policy_and_needs_no_nonce():
    ws = build_workspace()
    add_kpis(ws, 3)
    browser = reader(ws.org.root_admin)
    url = pages(ws.plan.pk)[0]
    rendered = browser.get(url)

    cached = from_cache(browser, url)

    policy = cached["Content-Security-Policy"]
    assert policy == rendered["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    # No page of the site carries a nonce; one that did would not be stored
    # (tests/core/test_page_cache.py), since the next answer's header would allow another.
    assert "nonce" not in policy
    assert "nonce" not in cached.content.decode()
