"""The "My updates" page: who sees which KPIs, for which period, and what each row shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import forget_access
from kpis import periods
from kpis.models import Kpi
from kpis.rules import actuals_refusal
from kpis.selectors import kpis_updatable_by
from kpis.services import period_close
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    TargetFactory,
    UserFactory,
)
from tests.kpis.updates_org import build_org, client_for

pytestmark = pytest.mark.django_db

URL = "/updates/"


def shown_codes(html: str, codes: list[str]) -> list[str]:
    return [code for code in codes if f">{code}</a>" in html]


def test_a_manager_sees_every_kpi_of_the_unit_that_takes_actuals():
    org = build_org()

    html = client_for(org.manager).get(URL).content.decode()

    assert shown_codes(html, ["REV", "WIN", "RATE", "OPS"]) == ["REV", "WIN"]
    assert "F1 Grow sales" in html


def test_a_contributor_sees_only_the_kpis_they_are_an_updater_of():
    org = build_org()

    html = client_for(org.contributor).get(URL).content.decode()

    assert shown_codes(html, ["REV", "WIN", "RATE", "OPS"]) == ["WIN"]


def test_an_admin_sees_every_unit_below_and_an_outsider_sees_none():
    org = build_org()

    admin_html = client_for(org.admin).get(URL).content.decode()
    outsider = client_for(org.outsider).get(URL)

    assert shown_codes(admin_html, ["REV", "WIN", "RATE", "OPS"]) == ["REV", "WIN", "OPS"]
    assert outsider.status_code == 200
    assert "There are no KPIs for you to update" in outsider.content.decode()


def test_a_viewer_and_an_executive_have_nothing_to_update():
    org = build_org()

    for person in (org.viewer, org.executive):
        html = client_for(person).get(URL).content.decode()
        assert shown_codes(html, ["REV", "WIN", "OPS"]) == []


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_selector_and_the_permission_agree_for_everyone_on_every_kpi():
    org = build_org()
    retired = KpiFactory(objective=org.sales_objective, code="OLD", is_retired=True)
    blank_formula = KpiFactory(objective=org.sales_objective, code="SPACE", formula="   ")
    north = MembershipFactory(
        role=Role.CONTRIBUTOR, org_unit__parent=org.sales, org_unit__code="north"
    )
    north_kpi = KpiFactory(objective__plan=org.plan, objective__org_unit=north.org_unit)
    north_kpi.updaters.add(north.user, org.contributor)
    org.ops.updaters.add(org.contributor)  # an updater outside their unit changes nothing
    superuser = UserFactory(username="root", is_superuser=True)
    inactive = MembershipFactory(role=Role.MANAGER, org_unit=org.sales, user__is_active=False).user
    people = [
        org.admin,
        org.executive,
        org.manager,
        org.contributor,
        org.viewer,
        org.outsider,
        north.user,
        superuser,
        inactive,
    ]
    kpis = list(Kpi.objects.select_related("objective"))
    assert {retired, blank_formula} <= set(kpis)

    for person in people:
        forget_access(person)
        by_predicate = {kpi.pk for kpi in kpis if actuals_refusal(person, kpi) is None}
        by_selector = set(kpis_updatable_by(person).values_list("pk", flat=True))
        assert by_selector == by_predicate, person.username
    assert north_kpi.pk in set(kpis_updatable_by(org.manager).values_list("pk", flat=True))


def test_the_page_shows_the_period_due_now_for_each_frequency():
    org = build_org()
    today = timezone.localdate()
    quarterly = KpiFactory(objective=org.sales_objective, code="NPS", frequency="quarterly")

    html = client_for(org.manager).get(URL).content.decode()

    month = periods.last_closed_period(today, "monthly")
    quarter = periods.last_closed_period(today, "quarterly")
    assert f'name="period-{org.rev.pk}" value="{month.isoformat()}"' in html
    assert f'name="period-{quarterly.pk}" value="{quarter.isoformat()}"' in html
    assert periods.label(quarter, "quarterly") in html


def test_choosing_a_month_shows_it_and_the_quarter_containing_it():
    org = build_org()
    quarterly = KpiFactory(objective=org.sales_objective, code="NPS", frequency="quarterly")

    html = client_for(org.manager).get(URL, {"period": "2025-05"}).content.decode()

    assert f'name="period-{org.rev.pk}" value="2025-05-01"' in html
    assert f'name="period-{quarterly.pk}" value="2025-04-01"' in html
    assert 'href="?period=2025-04"' in html
    assert 'href="?period=2025-06"' in html


def test_a_period_that_is_not_a_month_falls_back_to_what_is_due_with_a_message():
    org = build_org()

    response = client_for(org.manager).get(URL, {"period": "May"})

    assert response.status_code == 200
    assert "is not a month" in response.content.decode()
    assert f'value="{org.month.isoformat()}"' in response.content.decode()


def test_a_row_shows_the_goal_the_red_flag_and_says_when_it_is_derived():
    org = build_org()
    TargetFactory(
        kpi=KpiFactory(objective=org.sales_objective, code="DER"),
        period=org.month,
        goal=Decimal(200),
        red_flag=None,
    )

    html = client_for(org.manager).get(URL).content.decode()

    assert "goal 100" in html
    assert "red flag 90<" in html
    assert "goal 200" in html
    assert "red flag 180 (derived)" in html


def test_a_row_shows_the_stored_actual_its_version_score_and_a_sparkline():
    org = build_org()
    for back, value in enumerate([Decimal(80), Decimal(85), Decimal("95.5")][::-1]):
        ActualFactory(kpi=org.rev, period=periods.shift(org.month, "monthly", -back), value=value)

    html = client_for(org.manager).get(URL).content.decode()

    pk = org.rev.pk
    assert f'name="value-{pk}" value="95.5"' in html
    assert 'inputmode="decimal"' in html
    assert f'name="version-{pk}" value="1"' in html
    assert "status-at_risk" in html
    assert '<svg class="sparkline"' in html
    assert "<polyline" in html
    assert f"{org.month:%b %Y} 95.5" in html


def test_the_first_link_of_the_page_leads_to_the_first_actual_still_to_enter():
    org = build_org()
    client = client_for(org.manager)
    skip_link = '<a class="skip-link" href="#value-{}">Skip to the first empty actual</a>'

    empty = client.get(URL).content.decode()
    ActualFactory(kpi=org.rev, period=org.month)
    one_entered = client.get(URL).content.decode()
    ActualFactory(kpi=org.win, period=org.month)
    all_entered = client.get(URL).content.decode()

    body = empty.index("<body")
    assert empty.index(skip_link.format(org.rev.pk)) < empty.index('href="#main"')
    assert empty.find("<a ", body) == empty.index(skip_link.format(org.rev.pk))
    assert skip_link.format(org.win.pk) in one_entered
    assert "Skip to the first empty actual" not in all_entered


def test_the_link_to_the_first_empty_actual_passes_over_closed_rows():
    org = build_org()
    # November 2025 shows REV's month, closed, and WIN's quarter (to December), still open.
    Kpi.objects.filter(pk=org.win.pk).update(frequency="quarterly")
    TargetFactory(kpi=org.win, period=datetime.date(2025, 10, 1))
    period_close(through=datetime.date(2025, 11, 30), by=org.admin)

    html = client_for(org.manager).get(URL, {"period": "2025-11"}).content.decode()

    assert f'id="value-{org.rev.pk}" name="value-{org.rev.pk}" value="" disabled' in html
    assert f'href="#value-{org.win.pk}">Skip to the first empty actual' in html


def test_the_page_takes_as_many_queries_for_many_kpis_as_for_a_few():
    org = build_org()
    client = client_for(org.manager)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(10):
        kpi = KpiFactory(objective=org.sales_objective, code=f"X{n}")
        TargetFactory(kpi=kpi, period=org.month)
        ActualFactory(kpi=kpi, period=org.month)

    with CaptureQueriesContext(connection) as many:
        client.get(URL)

    assert len(many) == len(few)


def test_people_who_update_kpis_see_my_updates_in_the_navigation_and_viewers_do_not():
    org = build_org()

    for person in (org.contributor, org.manager, org.admin):
        html = client_for(person).get("/").content.decode()
        assert 'href="/updates/"' in html
        assert "My updates" in html

    html = client_for(org.viewer).get("/").content.decode()
    assert 'href="/updates/"' not in html
