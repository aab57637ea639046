"""The Django admin cannot bypass a service rule: the strategy's and the KPIs' models are
read-only there (see each admin.py), so a cycle of objective links, an actual in a closed
period or a KPI formula cycle cannot be saved through it, while the lists still open."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from kpis.models import Actual, Kpi, PeriodClose, ReminderStage, SentReminder
from strategy.models import ObjectiveLink
from tests.factories import ActualFactory, KpiFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_link_closing_a_cycle_cannot_be_added(superuser_client):
    cause = ObjectiveFactory(code="F1")
    effect = ObjectiveFactory(plan=cause.plan, perspective=cause.perspective, code="F2")
    ObjectiveLink.objects.create(cause=cause, effect=effect)

    response = superuser_client.post(
        "/admin/strategy/objectivelink/add/", {"cause": effect.pk, "effect": cause.pk}
    )

    assert response.status_code == 403
    assert ObjectiveLink.objects.count() == 1


def test_an_actual_in_a_closed_period_cannot_change(superuser_client):
    actual = ActualFactory(period=JAN, value=Decimal(5))
    PeriodClose.objects.create(closed_through=datetime.date(2026, 1, 31))

    response = superuser_client.post(
        f"/admin/kpis/actual/{actual.pk}/change/",
        {"kpi": actual.kpi_id, "period": "2026-01-01", "value": "99", "status": "approved"},
    )

    assert response.status_code == 403
    assert Actual.objects.get(pk=actual.pk).value == 5


def test_a_kpi_formula_cycle_cannot_be_saved(superuser_client):
    won = KpiFactory(code="WON", formula="")
    rate = KpiFactory(objective=won.objective, code="RATE", formula="WON * 2")

    response = superuser_client.post(
        f"/admin/kpis/kpi/{won.pk}/change/", {"code": "WON", "formula": "RATE + 1"}
    )

    assert response.status_code == 403
    assert Kpi.objects.get(pk=won.pk).formula == ""
    assert rate.formula == "WON * 2"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/strategy/objective/",
        "/admin/strategy/objectivelink/",
        "/admin/kpis/kpi/",
        "/admin/kpis/actual/",
        "/admin/kpis/target/",
    ],
)
def test_the_lists_still_open_for_reading(superuser_client, url):
    ActualFactory(period=JAN)

    response = superuser_client.get(url)

    assert response.status_code == 200
    assert "Add " not in response.content.decode().split("<h1>", 1)[-1][:400]


def test_sent_reminders_are_listed_read_only(superuser_client):
    kpi = KpiFactory(code="REV")
    person = UserFactory(username="updater-ann")
    reminder = SentReminder.objects.create(
        kpi=kpi, period=JAN, recipient=person, stage=ReminderStage.OVERDUE
    )

    listing = superuser_client.get("/admin/kpis/sentreminder/")
    assert listing.status_code == 200
    assert str(person) in listing.content.decode()
    assert superuser_client.get("/admin/kpis/sentreminder/add/").status_code == 403
    deleting = superuser_client.post(
        f"/admin/kpis/sentreminder/{reminder.pk}/delete/", {"post": "yes"}
    )
    assert deleting.status_code == 403
    assert SentReminder.objects.filter(pk=reminder.pk).exists()
