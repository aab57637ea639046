"""period-close/: the close date is organisation-wide, so only an admin of the root unit (or a
superuser) reads it, sets it or moves it back, as on the close page."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from accounts.models import Role
from kpis.models import PeriodClose
from kpis.services import period_close
from tests.api_org import client_for
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory

URL = "/api/v1/period-close/"
JAN_END = datetime.date(2026, 1, 31)

pytestmark = pytest.mark.django_db


def test_nothing_is_closed_until_an_admin_closes(org):
    assert client_for(org.admin).get(URL).json() == {
        "closed_through": None,
        "closed_by": None,
        "closed_at": None,
    }


def test_the_root_admin_closes_moves_back_and_reopens(org):
    admin = client_for(org.admin)

    closed = admin.put(URL, {"closed_through": "2026-02-28"}, format="json")
    moved = admin.put(URL, {"closed_through": "2026-01-31"}, format="json")

    assert closed.status_code == moved.status_code == 200
    assert closed.json()["closed_through"] == "2026-02-28"
    assert admin.get(URL).json()["closed_through"] == "2026-01-31"
    assert admin.get(URL).json()["closed_by"] == org.admin.pk
    assert admin.put(URL, {"closed_through": None}, format="json").json()["closed_through"] is None
    assert PeriodClose.objects.get().closed_through is None
    assert LogEntry.objects.filter(content_type__model="periodclose", actor=org.admin).count() == 3


def test_a_closed_month_refuses_actuals_through_the_api_naming_it(org):
    client_for(org.admin).put(URL, {"closed_through": "2026-01-31"}, format="json")

    response = client_for(org.manager).patch(
        f"/api/v1/actuals/{org.actual.pk}/", {"value": "99"}, format="json"
    )

    assert response.status_code == 400
    assert "Jan 2026 is closed; ask an admin to reopen it." in str(response.json())


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-02-15", "A close date is the last day of a month, e.g. 2026-10-31."),
        ("2999-01-31", "Close a month once it has ended: choose an earlier one."),
    ],
)
def test_a_close_date_that_is_not_an_ended_months_last_day_is_refused(org, day, message):
    response = client_for(org.admin).put(URL, {"closed_through": day}, format="json")

    assert response.status_code == 400
    assert response.json() == {"closed_through": [message]}
    assert not PeriodClose.objects.exists()


@pytest.mark.parametrize("who", ["manager", "contributor", "viewer", "outsider"])
def test_other_roles_may_neither_read_nor_move_the_close_date(org, who):
    period_close(through=JAN_END, by=org.admin)
    client = client_for(getattr(org, who))

    assert client.get(URL).status_code == 403
    assert client.put(URL, {"closed_through": None}, format="json").status_code == 403
    assert PeriodClose.objects.get().closed_through == JAN_END


def test_the_admins_of_a_department_and_of_a_unit_below_it_may_not_close(org):
    emea = OrgUnitFactory(name="Sales EMEA", code="sales-emea", parent=org.sales)
    for unit in (org.sales, emea):
        admin = UserFactory(password=None)
        MembershipFactory(user=admin, org_unit=unit, role=Role.ADMIN)

        response = client_for(admin).put(URL, {"closed_through": "2026-01-31"}, format="json")

        assert response.status_code == 403
    assert not PeriodClose.objects.exists()


def test_a_superuser_closes(org):
    superuser = UserFactory(is_superuser=True, password=None)

    response = client_for(superuser).put(URL, {"closed_through": "2026-01-31"}, format="json")

    assert response.status_code == 200
    assert PeriodClose.objects.get().closed_by == superuser


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_an_unknown_query_parameter_is_refused(org):
    response = client_for(org.admin).get(URL, {"through": "2026-01-31"})

    assert response.status_code == 400
    assert "through" in response.json()
