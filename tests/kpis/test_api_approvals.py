"""approvals/: the queue and the review of submitted actuals, with the approval page's rules:
reviewers of the actual's unit only, never the person who entered the value, a closed period
refused and a stale version answering 409."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Role
from kpis.models import ActualStatus
from kpis.services import period_close
from tests.api_org import client_for, ids
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory

URL = "/api/v1/approvals/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(org, settings):  # type: ignore[no-untyped-def]
    """Approval on; the contributor's January actual awaits review."""
    settings.SCORECARD_APPROVAL = True
    org.actual.status = ActualStatus.SUBMITTED
    org.actual.entered_by = org.contributor
    org.actual.save()
    return org.actual


def review_url(actual) -> str:  # type: ignore[no-untyped-def]
    return f"{URL}{actual.pk}/review/"


def sub_unit_admin(org):  # type: ignore[no-untyped-def]
    """The admin of a unit below Sales: the Sales objective is not theirs."""
    north = OrgUnitFactory(name="Sales North", code="sales-north", parent=org.sales)
    admin = UserFactory(username="north_admin", password=None)
    MembershipFactory(user=admin, org_unit=north, role=Role.ADMIN)
    return admin


def test_the_manager_sees_the_queue_and_approves(org, submitted):
    manager = client_for(org.manager)
    assert ids(manager.get(URL)) == {submitted.pk}

    response = manager.post(
        review_url(submitted), {"decision": "approve", "version": 1}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewed_by) == (ActualStatus.APPROVED, org.manager)


def test_returning_needs_a_comment(org, submitted):
    response = client_for(org.manager).post(
        review_url(submitted), {"decision": "return"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"review_comment": ["Say why you return it."]}
    submitted.refresh_from_db()
    assert submitted.status == ActualStatus.SUBMITTED


def test_nobody_approves_a_value_they_entered(org, submitted):
    submitted.entered_by = org.manager
    submitted.save()

    response = client_for(org.manager).post(
        review_url(submitted), {"decision": "approve"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You entered this value; another approver must approve it."
    }
    submitted.refresh_from_db()
    assert submitted.status == ActualStatus.SUBMITTED


def test_a_stale_version_answers_409_with_the_current_actual(org, submitted):
    response = client_for(org.manager).post(
        review_url(submitted), {"decision": "approve", "version": 7}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["current"]["id"] == submitted.pk


def test_a_closed_period_refuses_the_review(org, submitted):
    period_close(through=datetime.date(2026, 1, 31), by=org.admin)

    response = client_for(org.manager).post(
        review_url(submitted), {"decision": "approve"}, format="json"
    )

    assert response.status_code == 400
    assert "Jan 2026 is closed; ask an admin to reopen it." in str(response.json())


def test_a_contributor_has_no_queue_and_may_not_review(org, submitted):
    contributor = client_for(org.contributor)

    assert contributor.get(URL).status_code == 403
    response = contributor.post(review_url(submitted), {"decision": "approve"}, format="json")
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ActualStatus.SUBMITTED


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_find_the_actual(org, submitted):
    response = client_for(org.outsider).post(
        review_url(submitted), {"decision": "approve"}, format="json"
    )

    assert response.status_code == 404


@pytest.mark.usefixtures("transparency_off")
def test_the_admin_of_a_unit_below_has_an_empty_queue_and_does_not_find_it(org, submitted):
    north_admin = client_for(sub_unit_admin(org))

    assert ids(north_admin.get(URL)) == set()
    response = north_admin.post(review_url(submitted), {"decision": "approve"}, format="json")
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == ActualStatus.SUBMITTED


def test_with_transparency_the_admin_of_a_unit_below_may_look_but_not_review(org, submitted):
    response = client_for(sub_unit_admin(org)).post(
        review_url(submitted), {"decision": "approve"}, format="json"
    )

    assert response.status_code == 403


def test_the_root_admin_approves_and_a_bad_decision_is_named(org, submitted):
    admin = client_for(org.admin)

    bad = admin.post(review_url(submitted), {"decision": "maybe"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["decision"]
    assert admin.post(review_url(submitted), {}, format="json").status_code == 400

    response = admin.post(review_url(submitted), {"decision": "approve"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_unknown_query_parameters_are_refused(org, submitted):
    response = client_for(org.manager).get(URL, {"kpi": "1"})

    assert response.status_code == 400
    assert "kpi" in response.json()
