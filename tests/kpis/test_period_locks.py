"""Period locks: an admin locks a period; nothing in it changes, whoever or whatever tries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from kpis.models import Actual, PeriodLock, Target
from kpis.services import (
    ActualRow,
    PeriodLocked,
    actual_record,
    actuals_bulk_record,
    period_lock,
    period_unlock,
    target_set,
)
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    OrgUnitFactory,
    UserFactory,
)
from tests.kpis.updates_org import HTMX, Org, build_org, client_for, row_data

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)
URL = "/updates/locks/"


def test_an_admin_locks_and_unlocks_a_period_from_the_locks_page():
    org = build_org()
    client = client_for(org.admin)

    locked = client.post(URL, {"period": "2026-01"})

    assert locked.status_code == 302
    lock = PeriodLock.objects.get()
    assert (lock.period, lock.locked_by) == (JAN, org.admin)
    page = client.get(URL).content.decode()
    assert "Jan 2026 is locked now." in page
    assert "Jan 2026" in page

    unlocked = client.post("/updates/locks/unlock/", {"period": "2026-01-01"})

    assert unlocked.status_code == 302
    assert not PeriodLock.objects.exists()


def test_a_month_that_is_not_a_month_is_refused_on_the_locks_page():
    org = build_org()

    response = client_for(org.admin).post(URL, {"period": "January"})

    assert response.status_code == 400
    assert "Enter a month as YYYY-MM" in response.content.decode()
    assert not PeriodLock.objects.exists()


def test_only_admins_may_lock_periods_managers_and_outsiders_may_not():
    org = build_org()

    assert client_for(org.admin).get(URL).status_code == 200
    for person in (org.manager, org.executive, org.outsider):
        client = client_for(person)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"period": "2026-01"}).status_code == 403
    period_lock(period=JAN, by=org.admin)
    assert (
        client_for(org.manager).post("/updates/locks/unlock/", {"period": "2026-01-01"}).status_code
        == 403
    )
    assert PeriodLock.objects.count() == 1


def department_admins(org: Org) -> list[User]:
    """An admin of Sales and an admin of a unit below Sales: neither runs the organisation."""
    emea = OrgUnitFactory(name="Sales EMEA", code="sales-emea", parent=org.sales)
    return [
        MembershipFactory(org_unit=org.sales, role=Role.ADMIN).user,
        MembershipFactory(org_unit=emea, role=Role.ADMIN).user,
    ]


def test_an_admin_of_a_department_may_neither_lock_nor_unlock_the_organisations_periods():
    org = build_org()
    period_lock(period=FEB, by=org.admin)

    for admin in department_admins(org):
        client = client_for(admin)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"period": "2026-01"}).status_code == 403
        assert client.post("/updates/locks/unlock/", {"period": "2026-02-01"}).status_code == 403
        assert "Period locks</a>" not in client.get("/updates/").content.decode()

    assert list(PeriodLock.objects.values_list("period", flat=True)) == [FEB]


def test_an_admin_of_the_root_unit_and_a_superuser_see_the_locks_in_the_navigation():
    org = build_org()
    superuser = UserFactory(is_superuser=True, password=None)

    for person in (org.admin, superuser):
        assert "Period locks</a>" in client_for(person).get("/updates/").content.decode()
    assert client_for(superuser).post(URL, {"period": "2026-01"}).status_code == 302
    assert PeriodLock.objects.get().period == JAN


def test_a_locked_period_refuses_actuals_with_a_message_saying_so():
    kpi = KpiFactory()
    ActualFactory(kpi=kpi, period=JAN, value=Decimal(5))
    period_lock(period=JAN, by=None)

    with pytest.raises(PeriodLocked) as refusal:
        actual_record(kpi=kpi, period=JAN, value=Decimal(6), by=None)

    assert refusal.value.messages == ["Jan 2026 is locked; ask an admin to unlock it."]
    assert Actual.objects.get().value == 5


def test_a_locked_period_refuses_targets():
    kpi = KpiFactory()
    period_lock(period=JAN, by=None)

    with pytest.raises(PeriodLocked, match="Jan 2026 is locked"):
        target_set(kpi=kpi, period=JAN, goal=Decimal(10), red_flag=Decimal(8))

    assert not Target.objects.exists()


def test_a_bulk_write_with_a_row_in_a_locked_period_writes_nothing():
    first, second = KpiFactory(), KpiFactory()
    period_lock(period=JAN, by=None)
    rows = [
        ActualRow(kpi=first, period=FEB, value=Decimal(1)),
        ActualRow(kpi=second, period=JAN, value=Decimal(2)),
    ]

    with pytest.raises(ValidationError) as refusal:
        actuals_bulk_record(rows=rows, by=None)

    assert list(refusal.value.error_dict) == ["1"]
    assert "Jan 2026 is locked" in refusal.value.error_dict["1"][0].messages[0]
    assert not Actual.objects.exists()


def test_a_lock_on_a_month_locks_the_quarter_starting_then_but_not_the_next_month():
    quarterly = KpiFactory(frequency="quarterly")
    monthly = KpiFactory()
    period_lock(period=JAN, by=None)

    with pytest.raises(PeriodLocked):
        actual_record(kpi=quarterly, period=JAN, value=Decimal(1), by=None)
    actual_record(kpi=monthly, period=FEB, value=Decimal(1), by=None)

    assert list(Actual.objects.values_list("kpi", flat=True)) == [monthly.pk]


def test_after_unlocking_the_period_takes_changes_again():
    kpi = KpiFactory()
    period_lock(period=JAN, by=None)
    assert period_unlock(period=JAN) is True
    assert period_unlock(period=JAN) is False

    actual_record(kpi=kpi, period=JAN, value=Decimal(1), by=None)

    assert Actual.objects.count() == 1


def test_locking_twice_keeps_one_lock():
    period_lock(period=JAN, by=None)
    period_lock(period=JAN, by=None)

    assert PeriodLock.objects.count() == 1


def test_a_locked_period_shows_its_rows_read_only_and_refuses_a_save_from_the_page():
    org = build_org()
    period_lock(period=org.month, by=org.admin)
    client = client_for(org.manager)

    html = client.get("/updates/").content.decode()
    response = client.post(f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "100"), **HTMX)

    assert f'id="value-{org.rev.pk}" name="value-{org.rev.pk}" value="" disabled' in html
    assert f"{org.month:%b %Y} is locked; ask an admin to unlock it." in html
    assert response.status_code == 400
    assert "is locked; ask an admin to unlock it." in response.content.decode()
    assert not Actual.objects.exists()


def test_the_lock_is_recorded_in_the_audit_trail():
    org = build_org()

    client_for(org.admin).post(URL, {"period": "2026-01"})

    entry = LogEntry.objects.filter(content_type__model="periodlock").get()
    assert entry.actor == org.admin
