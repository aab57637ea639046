"""The audit trail: changes recorded with who, when, old and new value; the /audit/ page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_entries, audit_rows, history_for, record_with_actor
from accounts.models import Membership, OrgUnit, Role, User
from kpis.models import Actual, Kpi, Target
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    ObjectiveLinkFactory,
    OrgUnitFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AUDIT_URL = "/audit/"


@pytest.fixture
def root() -> OrgUnit:
    return OrgUnitFactory(name="Acme", code="acme")


@pytest.fixture
def admin(root: OrgUnit) -> User:
    return MembershipFactory(role=Role.ADMIN, org_unit=root, user__username="ada").user


@pytest.fixture
def manager(root: OrgUnit) -> User:
    sales = OrgUnitFactory(name="Sales", code="sales", parent=root)
    return MembershipFactory(role=Role.MANAGER, org_unit=sales, user__username="max").user


@pytest.fixture
def outsider() -> User:
    return UserFactory(username="otto")


def latest_entry(obj: Model) -> LogEntry:
    return history_for(obj).first()


def change_lines(entry: LogEntry) -> list[str]:
    (row,) = audit_rows([entry])
    return [str(change) for change in row.changes]


# --- recording ---------------------------------------------------------------------------------


def test_updating_a_target_records_the_actor_and_the_old_and_new_goal(admin):
    target = TargetFactory(goal=Decimal(100), red_flag=Decimal(90))

    with set_actor(admin):
        target.goal = Decimal(120)
        target.save()

    entry = latest_entry(target)
    assert entry.actor == admin
    assert entry.action == LogEntry.Action.UPDATE
    assert set(entry.changes_dict) == {"goal"}
    assert change_lines(entry) == ["Goal: 100 → 120"]


def test_updating_an_actual_records_the_old_and_new_value_but_not_the_entry_time(admin):
    actual = ActualFactory(value=Decimal("95.5"))

    with set_actor(admin):
        actual.value = Decimal(97)
        actual.analysis = "New customers in the north."
        actual.save()

    entry = latest_entry(actual)
    assert entry.actor == admin
    assert entry.action == LogEntry.Action.UPDATE
    assert "entered_at" not in entry.changes_dict
    assert sorted(change_lines(entry)) == [
        "Analysis: — → New customers in the north.",
        "Value: 95.5 → 97",
    ]


def test_redefining_a_kpi_records_its_old_and_new_definition(admin):
    kpi = KpiFactory(name="Revenue", direction="increase")

    with set_actor(admin):
        kpi.name = "Net revenue"
        kpi.direction = "decrease"
        kpi.owner = admin
        kpi.save()

    entry = latest_entry(kpi)
    assert entry.actor == admin
    assert sorted(change_lines(entry)) == [
        "Direction: Higher is better → Lower is better",
        "Name: Revenue → Net revenue",
        f"Owner: — → {admin}",
    ]


def test_changing_a_membership_role_records_the_old_and_new_role(admin, root):
    membership = MembershipFactory(org_unit=root, role=Role.VIEWER)

    with set_actor(admin):
        membership.role = Role.MANAGER
        membership.save()

    entry = latest_entry(membership)
    assert entry.actor == admin
    assert entry.action == LogEntry.Action.UPDATE
    assert change_lines(entry) == ["Role: Viewer → Manager"]


def test_adding_and_removing_a_kpis_updaters_is_recorded(admin):
    kpi = KpiFactory()
    updater = UserFactory(first_name="Una", last_name="Updater")

    with set_actor(admin):
        kpi.updaters.add(updater)
        kpi.updaters.remove(updater)

    removed, added = history_for(kpi)[:2]
    assert (added.actor, added.action) == (admin, LogEntry.Action.UPDATE)
    assert change_lines(added) == ["Updaters: added Una Updater"]
    assert change_lines(removed) == ["Updaters: removed Una Updater"]


def test_deleting_an_actual_records_a_delete_with_its_last_values(admin):
    actual = ActualFactory(value=Decimal(95))
    pk = actual.pk

    with set_actor(admin):
        actual.delete()

    entry = LogEntry.objects.get(object_id=pk, action=LogEntry.Action.DELETE)
    assert entry.actor == admin
    assert entry.content_type.model_class() is Actual
    assert "Value: 95 → —" in change_lines(entry)


def test_a_persons_password_and_last_sign_in_are_never_recorded(admin):
    person = UserFactory()

    with set_actor(admin):
        person.set_password("another horse battery")
        person.last_login = timezone.now()
        person.save()

    entries = history_for(person)
    assert all("password" not in e.changes_dict for e in entries)
    assert all("last_login" not in e.changes_dict for e in entries)
    assert entries.filter(action=LogEntry.Action.UPDATE).count() == 0


def test_a_change_made_outside_a_request_is_shown_as_made_by_the_system():
    target = TargetFactory()

    (row,) = audit_rows([latest_entry(target)])

    assert row.who == "system"
    assert row.action == "Created"


def test_a_change_made_through_a_page_names_the_signed_in_person(client, root):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.post(
        reverse("admin:accounts_orgunit_change", args=[root.pk]),
        {"name": "Acme Group", "code": "acme", "parent": ""},
    )

    assert response.status_code == 302
    entry = latest_entry(root)
    assert entry.actor == staff
    assert change_lines(entry) == ["Name: Acme → Acme Group"]


def test_record_with_actor_names_the_actor_and_hands_back_to_the_enclosing_one(admin):
    importer = UserFactory(username="importer")
    kpi = KpiFactory()

    with set_actor(admin):
        with record_with_actor(importer):
            kpi.name = "Imported"
            kpi.save()
        kpi.name = "Edited"
        kpi.save()

    edited, imported = history_for(kpi)[:2]
    assert imported.actor == importer
    assert edited.actor == admin


def test_history_for_a_kpi_returns_only_that_kpis_entries(admin):
    kpi, other = KpiFactory(), KpiFactory()
    with set_actor(admin):
        kpi.name = "Renamed"
        kpi.save()
        other.name = "Also renamed"
        other.save()
        TargetFactory(kpi=kpi)

    entries = list(history_for(kpi))

    assert [e.action for e in entries] == [LogEntry.Action.UPDATE, LogEntry.Action.CREATE]
    assert {e.content_type.model_class() for e in entries} == {Kpi}
    assert {e.object_id for e in entries} == {kpi.pk}


def test_a_kpis_history_with_its_parts_includes_its_targets_and_actuals_even_deleted(admin):
    kpi, other = KpiFactory(), KpiFactory()
    target = TargetFactory(kpi=kpi)
    actual = ActualFactory(kpi=kpi)
    ActualFactory(kpi=other)
    actual_pk = actual.pk
    with set_actor(admin):
        actual.delete()

    entries = list(history_for(kpi, parts=[Target, Actual]))

    described = {(e.content_type.model_class(), e.object_id, e.action) for e in entries}
    assert described == {
        (Kpi, kpi.pk, LogEntry.Action.CREATE),
        (Target, target.pk, LogEntry.Action.CREATE),
        (Actual, actual_pk, LogEntry.Action.CREATE),
        (Actual, actual_pk, LogEntry.Action.DELETE),
    }


def test_audit_entries_refuses_an_unknown_action():
    with pytest.raises(ValueError, match="Unknown action"):
        audit_entries(action="renamed")


# --- the page ----------------------------------------------------------------------------------


def test_an_admin_sees_the_recorded_changes(client, admin):
    target = TargetFactory(goal=Decimal(100))
    with set_actor(admin):
        target.goal = Decimal(110)
        target.save()
    client.force_login(admin)

    response = client.get(AUDIT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Audit trail</h1>" in page
    assert str(target) in page
    assert "Goal: 100 → 110" in page
    assert str(admin) in page


def test_the_audit_page_offers_every_audited_object_type(client, admin):
    client.force_login(admin)

    form = client.get(AUDIT_URL).context["form"]
    choices = dict(form.fields["model"].choices)

    assert {"accounts.orgunit", "accounts.user", "accounts.membership"} <= set(choices)
    assert {"strategy.strategicplan", "strategy.perspective", "strategy.objective"} <= set(choices)
    assert {"strategy.objectivelink", "kpis.kpi", "kpis.target", "kpis.actual"} <= set(choices)
    assert {"actionplans.actionplan", "actionplans.task"} <= set(choices)


def test_filtering_by_object_type_shows_only_that_type(client, admin):
    target = TargetFactory()
    client.force_login(admin)

    rows = client.get(AUDIT_URL, {"model": "kpis.target"}).context["rows"]

    assert [row.object for row in rows] == [str(target)]


def test_filtering_by_person_shows_only_their_changes(client, admin, manager):
    kpi = KpiFactory(name="Revenue")
    with set_actor(manager):
        kpi.name = "Revenue by manager"
        kpi.save()
    with set_actor(admin):
        kpi.name = "Revenue by admin"
        kpi.save()
    client.force_login(admin)

    rows = client.get(AUDIT_URL, {"actor": manager.pk}).context["rows"]

    assert [(row.who, row.object) for row in rows] == [
        (str(manager), f"{kpi.code} Revenue by manager")
    ]


def test_filtering_by_action_shows_only_that_action(client, admin):
    actual = ActualFactory()
    with set_actor(admin):
        actual.delete()
    client.force_login(admin)

    rows = client.get(AUDIT_URL, {"action": "deleted"}).context["rows"]

    assert [(row.action, row.object_type) for row in rows] == [("Deleted", "Actual")]


def test_filtering_by_dates_shows_only_the_changes_of_those_days(client, admin):
    old, recent = TargetFactory(), ActualFactory()
    LogEntry.objects.filter(object_id=old.pk, content_type__model="target").update(
        timestamp=datetime.datetime(2020, 1, 15, 23, 30, tzinfo=timezone.get_current_timezone())
    )
    LogEntry.objects.filter(object_id=recent.pk, content_type__model="actual").update(
        timestamp=datetime.datetime(2020, 1, 16, 0, 30, tzinfo=timezone.get_current_timezone())
    )
    client.force_login(admin)

    on_the_15th = client.get(AUDIT_URL, {"since": "2020-01-15", "until": "2020-01-15"})
    from_the_16th = client.get(AUDIT_URL, {"since": "2020-01-16", "model": "kpis.actual"})
    before_the_16th = client.get(AUDIT_URL, {"until": "2020-01-15"})

    assert [row.object for row in on_the_15th.context["rows"]] == [str(old)]
    assert [row.object for row in from_the_16th.context["rows"]] == [str(recent)]
    assert [row.object for row in before_the_16th.context["rows"]] == [str(old)]


def test_searching_by_object_name_shows_only_matching_objects(client, admin):
    KpiFactory(name="Customer satisfaction")
    KpiFactory(name="Revenue")
    client.force_login(admin)

    rows = client.get(AUDIT_URL, {"model": "kpis.kpi", "q": "satisf"}).context["rows"]

    assert [row.object.split(" ", 1)[1] for row in rows] == ["Customer satisfaction"]


def test_filters_that_match_nothing_say_so(client, admin):
    client.force_login(admin)

    response = client.get(AUDIT_URL, {"q": "no such object"})

    assert "No changes match these filters." in response.content.decode()


def test_an_invalid_filter_is_reported_and_left_out_instead_of_failing(client, admin):
    client.force_login(admin)

    response = client.get(AUDIT_URL, {"since": "2026-02-30", "until": "yesterday"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "These filters were left out" in page
    assert 'aria-describedby="id_since_error"' in page
    assert 'id="id_since_error"' in page
    assert response.context["page"].paginator.count == LogEntry.objects.count()


def test_an_end_date_before_the_start_date_is_reported(client, admin):
    client.force_login(admin)

    response = client.get(AUDIT_URL, {"since": "2026-02-01", "until": "2026-01-01"})

    assert "The end date is before the start date." in response.content.decode()


def test_an_htmx_request_gets_only_the_results(client, admin):
    TargetFactory()
    client.force_login(admin)

    response = client.get(AUDIT_URL, {"model": "kpis.target"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="audit-results"')
    assert "HX-Request" in response["Vary"]


def test_the_page_and_its_results_work_with_and_without_htmx(client, admin):
    client.force_login(admin)

    page = client.get(AUDIT_URL).content.decode()

    assert 'method="get" action="/audit/"' in page
    assert 'hx-get="/audit/"' in page
    assert 'hx-target="#audit-results"' in page
    assert 'hx-push-url="true"' in page
    for name in ("model", "actor", "action", "since", "until", "q"):
        assert f'<label for="id_{name}">' in page
    assert "<script>" not in page
    assert "style=" not in page


def test_pages_of_results_keep_the_filters(client, admin):
    kpi = KpiFactory()
    with set_actor(admin):
        for number in range(55):
            kpi.name = f"Name {number}"
            kpi.save()
    client.force_login(admin)

    first = client.get(AUDIT_URL, {"model": "kpis.kpi", "action": "updated"})
    second = client.get(AUDIT_URL, {"model": "kpis.kpi", "action": "updated", "page": 2})

    assert len(first.context["rows"]) == 50
    assert "?model=kpis.kpi&amp;action=updated&amp;page=2" in first.content.decode()
    assert len(second.context["rows"]) == 5
    assert "?model=kpis.kpi&amp;action=updated&amp;page=1" in second.content.decode()


def make_changes_naming_every_kind_of_key(admin: User) -> None:
    with set_actor(admin):
        TargetFactory(kpi__owner=admin)
        ActualFactory(entered_by=admin)
        TaskFactory(owner=admin)
        ObjectiveLinkFactory()
        MembershipFactory(org_unit=OrgUnitFactory())


def queries_to_show_the_trail(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(AUDIT_URL)
    assert response.status_code == 200
    return len(queries)


def test_the_page_takes_as_many_queries_for_fifty_changes_as_for_a_few(
    client, admin, django_assert_max_num_queries
):
    make_changes_naming_every_kind_of_key(admin)
    client.force_login(admin)
    queries_for_a_few = queries_to_show_the_trail(client)
    for _ in range(5):
        make_changes_naming_every_kind_of_key(admin)
    assert LogEntry.objects.count() > 50

    with django_assert_max_num_queries(queries_for_a_few):
        response = client.get(AUDIT_URL)

    assert len(response.context["rows"]) == 50
    # The session, the person and their roles, the root units (for the permission, asked by
    # the view and the navigation), the count, the page, one query per kind of related
    # object named in the changes, one per kind of object listed (to link those that still
    # exist: here ten kinds), the people to filter by, the refused sign-ins.
    assert queries_for_a_few <= 30


# --- who may see it ----------------------------------------------------------------------------


def test_an_admin_may_open_the_audit_trail(client, admin):
    client.force_login(admin)

    assert client.get(AUDIT_URL).status_code == 200


def test_a_manager_may_not_open_the_audit_trail(client, manager):
    client.force_login(manager)

    assert client.get(AUDIT_URL).status_code == 403


def test_a_person_without_a_role_may_not_open_the_audit_trail(client, outsider):
    client.force_login(outsider)

    assert client.get(AUDIT_URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(AUDIT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_admins_see_the_audit_trail_in_the_navigation(client, admin, manager):
    client.force_login(admin)
    assert "Audit trail</a>" in client.get("/").content.decode()

    client.force_login(manager)
    assert "Audit trail</a>" not in client.get("/").content.decode()


def test_giving_a_person_a_role_is_recorded_with_who_gave_it(admin, root):
    person = UserFactory()

    with set_actor(admin):
        membership = Membership.objects.create(user=person, org_unit=root, role=Role.EXECUTIVE)

    entry = latest_entry(membership)
    assert (entry.actor, entry.action) == (admin, LogEntry.Action.CREATE)
    assert "Role: — → Executive" in change_lines(entry)


def test_an_admin_of_one_department_may_not_read_the_whole_organisations_trail(client, root):
    sales = OrgUnitFactory(name="Sales dept", parent=root)
    department_admin = MembershipFactory(role=Role.ADMIN, org_unit=sales).user
    client.force_login(department_admin)
    assert client.get(AUDIT_URL).status_code == 403
    assert b"Audit trail" not in client.get(reverse("home")).content
