"""Four eyes: the person who entered an actual never approves it (DESIGN §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from kpis.models import Actual, ActualStatus
from kpis.services import SELF_APPROVAL, actual_record, actual_review
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory
from tests.kpis.updates_org import HTMX, Org, build_org, client_for

pytestmark = pytest.mark.django_db

APPROVALS = "/updates/approvals/"
APPROVE = '<button type="submit" name="decision" value="approve">'


@pytest.fixture(autouse=True)
def approval_on(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_APPROVAL = True


def entered_by_manager(org: Org) -> Actual:
    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    return actual


def approve(user: User, actual: Actual, **extra: str):  # type: ignore[no-untyped-def]
    data = {"decision": "approve", "version": str(actual.version)}
    return client_for(user).post(f"{APPROVALS}{actual.pk}/", data, **extra)


def sub_unit_admin(org: Org) -> User:
    """An admin of Sales East, a unit below Sales (whose KPIs they do not approve)."""
    east = OrgUnitFactory(name="Sales East", code="sales-east", parent=org.sales)
    person = UserFactory(username="eastadmin")
    MembershipFactory(user=person, org_unit=east, role=Role.ADMIN)
    return person


def status_of(actual: Actual) -> str:
    actual.refresh_from_db()
    return actual.status


def test_the_service_refuses_the_person_who_entered_the_actual():
    org = build_org()
    actual = entered_by_manager(org)

    with pytest.raises(ValidationError) as refusal:
        actual_review(actual=actual, by=org.manager, approve=True)

    assert refusal.value.messages == [SELF_APPROVAL]
    assert status_of(actual) == ActualStatus.SUBMITTED


def test_the_page_refuses_the_person_who_entered_the_actual_with_one_clear_message():
    org = build_org()
    actual = entered_by_manager(org)

    fragment = approve(org.manager, actual, **HTMX)
    client = client_for(org.manager)
    page = client.post(
        f"{APPROVALS}{actual.pk}/", {"decision": "approve", "version": "1"}, follow=True
    )

    assert fragment.status_code == 400
    assert fragment.content.decode().count(SELF_APPROVAL) == 1
    assert APPROVE not in fragment.content.decode()
    assert page.redirect_chain == [(APPROVALS, 302)]
    assert f"REV: {SELF_APPROVAL}" in page.content.decode()
    assert status_of(actual) == ActualStatus.SUBMITTED


def test_the_approvals_page_shows_ones_own_entry_without_an_approve_button_and_says_why():
    org = build_org()
    own = entered_by_manager(org)
    other, _ = actual_record(
        kpi=org.win,
        period=org.month,
        value=Decimal(7),
        by=org.contributor,
        corrective_action="Ask why.",
    )

    html = client_for(org.manager).get(APPROVALS).content.decode()
    own_item = html.split(f'id="approval-{own.pk}"')[1].split("</li>")[0]
    other_item = html.split(f'id="approval-{other.pk}"')[1].split("</li>")[0]

    assert "Nobody approves a value they entered themselves" in html
    assert SELF_APPROVAL in own_item
    assert APPROVE not in own_item
    assert APPROVE in other_item
    assert SELF_APPROVAL not in other_item


@pytest.mark.parametrize("who", ["other_manager", "executive", "admin"])
def test_another_approver_of_the_unit_approves_it(who):
    org = build_org()
    other_manager = UserFactory(username="othermanager")
    MembershipFactory(user=other_manager, org_unit=org.sales, role=Role.MANAGER)
    approver = other_manager if who == "other_manager" else getattr(org, who)
    actual = entered_by_manager(org)

    html = client_for(approver).get(APPROVALS).content.decode()
    response = approve(approver, actual, **HTMX)

    assert APPROVE in html
    assert response.status_code == 200
    assert "Approved." in response.content.decode()
    assert status_of(actual) == ActualStatus.APPROVED


def test_once_someone_else_changed_the_value_its_first_updater_may_approve_it():
    org = build_org()
    actual = entered_by_manager(org)
    changed, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(95), by=org.admin)

    response = approve(org.manager, changed, **HTMX)

    assert response.status_code == 200
    assert status_of(actual) == ActualStatus.APPROVED


def test_contributors_outsiders_and_admins_of_a_sub_unit_are_refused_as_before():
    org = build_org()
    east_admin = sub_unit_admin(org)
    actual = entered_by_manager(org)

    assert approve(org.contributor, actual).status_code == 403
    assert approve(org.outsider, actual).status_code == 404
    assert approve(east_admin, actual).status_code == 403
    assert "REV</a>" not in client_for(east_admin).get(APPROVALS).content.decode()
    assert status_of(actual) == ActualStatus.SUBMITTED


def test_with_transparency_off_an_admin_of_a_sub_unit_does_not_even_find_it(settings):
    org = build_org()
    settings.SCORECARD_TRANSPARENCY = False
    east_admin = sub_unit_admin(org)
    actual = entered_by_manager(org)

    assert approve(east_admin, actual).status_code == 404
    assert status_of(actual) == ActualStatus.SUBMITTED
