"""period-locks/: organisation-wide, so only an admin of the root unit (or a superuser) reads,
locks or unlocks a period, as on the locks page; a locked period then refuses actuals."""

from __future__ import annotations

import pytest

from accounts.models import Role
from kpis.models import PeriodLock
from tests.api_org import FEB, JAN, client_for
from tests.factories import MembershipFactory, UserFactory

URL = "/api/v1/period-locks/"

pytestmark = pytest.mark.django_db


def test_the_root_admin_locks_a_period_idempotently_and_unlocks_it(org):
    admin = client_for(org.admin)

    first = admin.post(URL, {"period": "2026-02-01"}, format="json")
    again = admin.post(URL, {"period": "2026-02-01"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["locked_by"] == org.admin.pk
    assert [lock["period"] for lock in admin.get(URL).json()["results"]] == ["2026-02-01"]
    assert admin.get(f"{URL}2026-02-01/").status_code == 200
    assert admin.delete(f"{URL}2026-02-01/").status_code == 204
    assert not PeriodLock.objects.exists()
    assert admin.delete(f"{URL}2026-02-01/").json() == {"detail": "Feb 2026 is not locked."}


def test_a_locked_period_refuses_actuals_through_the_api(org):
    client_for(org.admin).post(URL, {"period": "2026-01-01"}, format="json")

    response = client_for(org.manager).patch(
        f"/api/v1/actuals/{org.actual.pk}/", {"value": "99"}, format="json"
    )

    assert response.status_code == 400
    assert "Jan 2026 is locked" in str(response.json())


def test_a_period_that_does_not_start_on_the_first_is_refused(org):
    response = client_for(org.admin).post(URL, {"period": "2026-02-15"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"period": ["A period is identified by its first day."]}
    assert not PeriodLock.objects.exists()


@pytest.mark.parametrize("who", ["manager", "contributor", "viewer", "outsider"])
def test_other_roles_may_not_read_lock_or_unlock(org, who):
    PeriodLock.objects.create(period=JAN)
    client = client_for(getattr(org, who))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"period": "2026-02-01"}, format="json").status_code == 403
    assert client.delete(f"{URL}2026-01-01/").status_code == 403
    assert list(PeriodLock.objects.values_list("period", flat=True)) == [JAN]


def test_the_admin_of_a_department_may_not_lock_the_organisation(org):
    sales_admin = UserFactory(username="sales_admin", password=None)
    MembershipFactory(user=sales_admin, org_unit=org.sales, role=Role.ADMIN)

    response = client_for(sales_admin).post(URL, {"period": "2026-02-01"}, format="json")

    assert response.status_code == 403
    assert not PeriodLock.objects.filter(period=FEB).exists()


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_an_unknown_query_parameter_is_refused(org):
    response = client_for(org.admin).get(URL, {"period": "2026-01-01"})

    assert response.status_code == 400
    assert "period" in response.json()
