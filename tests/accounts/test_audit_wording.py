"""The audit trail in people's words: no internal fields, no microseconds, the app's own names
("role", "person"), and each object linked to its page while it exists."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.audit import audit_rows, history_for
from accounts.models import Membership, OrgUnit, Role, User
from kpis.models import Actual
from tests.factories import ActualFactory, KpiFactory, MembershipFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> OrgUnit:
    return OrgUnitFactory(name="Acme", code="acme")


@pytest.fixture
def admin(root: OrgUnit) -> User:
    return MembershipFactory(
        role=Role.ADMIN, org_unit=root, user__username="ada", user__first_name="Ada"
    ).user


def only_row(obj: object):  # type: ignore[no-untyped-def]
    (row,) = audit_rows([history_for(obj).first()])  # type: ignore[arg-type]
    return row


def lines(row) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(change) for change in row.changes]


def test_an_actuals_version_counter_is_not_shown(admin):
    actual = ActualFactory(value=Decimal(95))
    with set_actor(admin):
        actual.value = Decimal(97)
        actual.version += 1
        actual.save()

    assert lines(only_row(actual)) == ["Value: 95 → 97"]


def test_a_version_recorded_by_an_older_entry_is_not_shown_either(admin):
    actual = ActualFactory()
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Actual),
        object_pk=str(actual.pk),
        object_id=actual.pk,
        object_repr=str(actual),
        action=LogEntry.Action.UPDATE,
        changes={"version": ["1", "2"], "value": ["1", "2"]},
    )
    (row,) = audit_rows([entry])
    assert lines(row) == ["Value: 1 → 2"]


def test_times_are_shown_to_the_minute_in_local_time_and_dates_as_days(admin, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    actual = ActualFactory(period=datetime.date(2026, 3, 1))
    reviewed = datetime.datetime(2026, 4, 2, 8, 5, 7, 123456, tzinfo=datetime.UTC)
    with set_actor(admin):
        actual.reviewed_at = reviewed
        actual.save()
    with timezone.override("Europe/Berlin"):
        changes = lines(only_row(actual))
    assert changes == ["Reviewed at: — → 2 Apr 2026 10:05"]
    assert not any("123456" in line or ".12" in line for line in changes)

    created = audit_rows([history_for(actual).last()])[0]
    assert "Period: — → 1 Mar 2026" in lines(created)


def test_a_flag_reads_as_the_state_it_names(admin, root):
    unit = OrgUnitFactory(name="Sales", code="sales", parent=root)
    with set_actor(admin):
        services.org_unit_archive(unit=unit)
    assert lines(only_row(unit)) == ["Archived: no → yes"]


def test_a_membership_is_called_a_role_and_its_user_a_person(admin, root):
    person = MembershipFactory(
        org_unit=root, role=Role.VIEWER, user__first_name="Vic", user__last_name="Viewer"
    ).user
    membership = Membership.objects.get(user=person)
    with set_actor(admin):
        services.membership_change_role(membership=membership, role=Role.MANAGER)

    row = only_row(membership)
    assert row.object_type == "Role"
    assert lines(row) == ["Role: Viewer → Manager"]
    (created,) = audit_rows([history_for(membership).last()])
    assert "Person: — → Vic Viewer" in lines(created)
    assert only_row(person).object_type == "Person"


def test_objects_are_linked_to_their_pages_while_they_exist(admin, root):
    kpi = KpiFactory()
    actual = ActualFactory(kpi=kpi)
    person = MembershipFactory(org_unit=root).user
    membership = Membership.objects.get(user=person)

    assert only_row(kpi).url == reverse("kpis:kpi", args=[kpi.pk])
    assert only_row(actual).url == reverse("kpis:kpi", args=[kpi.pk])
    assert only_row(membership).url == reverse("people:person", args=[person.pk])
    assert only_row(root).url == reverse("people:org_units") + f"#unit-{root.pk}"
    assert only_row(kpi.objective).url == (
        reverse("strategy:plan", args=[kpi.objective.plan_id]) + f"#objective-{kpi.objective.pk}"
    )

    actual_id = actual.pk
    actual.delete()
    entries = LogEntry.objects.filter(object_id=actual_id, content_type__model="actual")
    assert {row.url for row in audit_rows(entries.select_related("content_type"))} == {""}


def test_the_audit_page_links_objects_and_names_the_channel_column(client, admin, root):
    kpi = KpiFactory(name="Customer satisfaction")
    client.force_login(admin)
    html = client.get("/audit/", {"model": "kpis.kpi"}).content.decode()
    assert '<th scope="col">Through</th>' in html
    assert f'<a href="{reverse("kpis:kpi", args=[kpi.pk])}">{kpi}</a>' in html
    assert "<td>System</td>" in html  # made by a factory, outside any request
