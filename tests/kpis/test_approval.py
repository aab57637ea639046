"""Optional approval: entries are submitted, a manager or executive approves or returns them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis.models import Actual, ActualStatus
from kpis.selectors import plan_scorecard
from kpis.services import ActualVersionConflict, actual_record, actual_review
from tests.kpis.updates_org import HTMX, build_org, client_for, row_data

pytestmark = pytest.mark.django_db

APPROVALS = "/updates/approvals/"


@pytest.fixture
def approval_on(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_APPROVAL = True


def rev_score(org):  # type: ignore[no-untyped-def]
    return plan_scorecard(plan=org.plan, period=org.month, reader=None).kpi("REV").result


def test_with_approval_off_a_saved_actual_counts_at_once():
    org = build_org()

    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)

    assert actual.status == ActualStatus.APPROVED
    assert rev_score(org).actual == 100


def test_with_approval_off_the_status_is_ignored_by_the_scores():
    org = build_org()
    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    Actual.objects.filter(pk=actual.pk).update(status=ActualStatus.RETURNED)

    assert rev_score(org).actual == 100


@pytest.mark.usefixtures("approval_on")
def test_with_approval_on_a_saved_actual_is_submitted_and_does_not_count_until_approved():
    org = build_org()

    response = client_for(org.manager).post(
        f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "100"), **HTMX
    )

    assert "Submitted for approval." in response.content.decode()
    actual = Actual.objects.get()
    assert actual.status == ActualStatus.SUBMITTED
    assert rev_score(org).actual is None

    actual_review(actual=actual, by=org.executive, approve=True)

    assert rev_score(org).actual == 100


@pytest.mark.usefixtures("approval_on")
def test_with_approval_on_a_changed_approved_actual_is_submitted_again():
    org = build_org()
    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    actual_review(actual=actual, by=org.executive, approve=True)

    changed, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(90), by=org.manager)

    assert changed.status == ActualStatus.SUBMITTED
    assert changed.reviewed_by is None
    assert rev_score(org).actual is None


@pytest.mark.usefixtures("approval_on")
def test_a_manager_approves_a_submitted_actual_from_the_approvals_page():
    org = build_org()
    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.admin)
    client = client_for(org.manager)

    page = client.get(APPROVALS).content.decode()
    response = client.post(
        f"{APPROVALS}{actual.pk}/", {"decision": "approve", "version": "1"}, **HTMX
    )

    assert "REV</a> Revenue" in page
    assert response.status_code == 200
    assert "Approved." in response.content.decode()
    actual.refresh_from_db()
    assert (actual.status, actual.reviewed_by) == (ActualStatus.APPROVED, org.manager)
    assert "Nothing is waiting" in client.get(APPROVALS).content.decode()


@pytest.mark.usefixtures("approval_on")
def test_returning_an_actual_needs_a_comment_which_its_updater_then_sees():
    org = build_org()
    actual, _ = actual_record(kpi=org.win, period=org.month, value=Decimal(100), by=org.contributor)
    client = client_for(org.executive)

    refused = client.post(f"{APPROVALS}{actual.pk}/", {"decision": "return"}, **HTMX)
    returned = client.post(
        f"{APPROVALS}{actual.pk}/",
        {"decision": "return", "comment": "Include the late contracts."},
        **HTMX,
    )

    assert refused.status_code == 400
    assert "Say why you return it." in refused.content.decode()
    assert returned.status_code == 200
    actual.refresh_from_db()
    assert actual.status == ActualStatus.RETURNED
    page = client_for(org.contributor).get("/updates/").content.decode()
    assert "Returned: Include the late contracts." in page


@pytest.mark.usefixtures("approval_on")
def test_saving_a_returned_actual_again_unchanged_submits_it_again():
    org = build_org()
    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    actual_review(actual=actual, by=org.executive, approve=False, comment="Check it.")

    again, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)

    assert again.status == ActualStatus.SUBMITTED


@pytest.mark.usefixtures("approval_on")
def test_approving_a_value_changed_since_it_was_seen_is_refused():
    org = build_org()
    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    actual_record(kpi=org.rev, period=org.month, value=Decimal(90), by=org.manager)

    with pytest.raises(ActualVersionConflict):
        actual_review(actual=actual, by=org.executive, approve=True, expected_version=1)

    assert Actual.objects.get().status == ActualStatus.SUBMITTED


@pytest.mark.usefixtures("approval_on")
def test_managers_and_executives_approve_their_units_contributors_and_outsiders_may_not():
    org = build_org()
    rev, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    ops, _ = actual_record(kpi=org.ops, period=org.month, value=Decimal(100), by=org.admin)

    manager_page = client_for(org.manager).get(APPROVALS).content.decode()
    executive_page = client_for(org.executive).get(APPROVALS).content.decode()

    assert "REV</a>" in manager_page
    assert "OPS</a>" not in manager_page
    assert "REV</a>" in executive_page
    assert "OPS</a>" in executive_page
    assert client_for(org.contributor).get(APPROVALS).status_code == 403
    assert client_for(org.outsider).get(APPROVALS).status_code == 403
    decision = {"decision": "approve"}
    assert client_for(org.manager).post(f"{APPROVALS}{ops.pk}/", decision).status_code == 403
    assert client_for(org.contributor).post(f"{APPROVALS}{rev.pk}/", decision).status_code == 403
    assert client_for(org.outsider).post(f"{APPROVALS}{rev.pk}/", decision).status_code == 404
    assert set(Actual.objects.values_list("status", flat=True)) == {ActualStatus.SUBMITTED}


def test_the_approvals_page_says_when_approval_is_switched_off():
    org = build_org()

    html = client_for(org.manager).get(APPROVALS).content.decode()

    assert "Approval is switched off" in html
