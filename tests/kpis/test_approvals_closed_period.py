"""The approvals queue offers no review of an actual whose period is closed, and says why: the
service would refuse approving or returning it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kpis import periods
from kpis.models import Actual, ActualStatus
from kpis.selectors import closed_message
from kpis.services import actual_record, period_close
from tests.kpis.updates_org import HTMX, build_org, client_for

pytestmark = pytest.mark.django_db

APPROVALS = "/updates/approvals/"
APPROVE = '<button type="submit" name="decision" value="approve">'
RETURN = 'name="decision" value="return"'


@pytest.fixture(autouse=True)
def approval_on(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_APPROVAL = True


def item(html: str, actual: Actual) -> str:
    return html.split(f'id="approval-{actual.pk}"')[1].split("</li>")[0]


@pytest.fixture
def queue():  # type: ignore[no-untyped-def]
    """Two submitted actuals of REV: the month due now (open) and the month before, which the
    close date then closes."""
    org = build_org()
    before = periods.shift(org.month, "monthly", -1)
    closed, _ = actual_record(kpi=org.rev, period=before, value=Decimal(95), by=org.admin)
    open_, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.admin)
    period_close(through=org.month - datetime.timedelta(days=1), by=None)
    return org, closed, open_


@pytest.mark.parametrize("approver", ["manager", "executive"])
def test_an_actual_of_a_closed_period_is_listed_without_approve_or_return_and_says_why(
    queue, approver
):
    org, closed, open_ = queue

    html = client_for(getattr(org, approver)).get(APPROVALS).content.decode()

    why = closed_message(closed.period, "monthly")
    assert why in item(html, closed)
    assert APPROVE not in item(html, closed)
    assert RETURN not in item(html, closed)
    assert APPROVE in item(html, open_)
    assert RETURN in item(html, open_)
    assert why not in item(html, open_)


def test_a_review_posted_from_an_older_page_is_refused_and_the_item_says_why_without_a_form(
    queue,
):
    org, closed, _ = queue

    response = client_for(org.manager).post(
        f"{APPROVALS}{closed.pk}/", {"decision": "approve", "version": "1"}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count(closed_message(closed.period, "monthly")) == 1
    assert APPROVE not in html
    assert "<form" not in html
    closed.refresh_from_db()
    assert closed.status == ActualStatus.SUBMITTED
