"""The close date: every period that ends on or before it refuses changes, on every channel,
each refusal naming the period itself; moving the date back reopens. Only admins of the root
unit (and superusers) move it, previewing what it closes first."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from kpis import periods
from kpis.models import Actual, ActualStatus, Kpi, PeriodClose, Target
from kpis.selectors import close_preview
from kpis.services import (
    ActualRow,
    Outcome,
    PeriodClosed,
    actual_record,
    actual_review,
    actuals_bulk_record,
    period_close,
    target_set,
)
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    OrgUnitFactory,
    TargetFactory,
    UserFactory,
)
from tests.kpis.updates_org import HTMX, Org, build_org, client_for, row_data

pytestmark = pytest.mark.django_db

URL = "/updates/close/"
# Closed through 31 October 2025: Oct 2025, FY2025 Q3 (July to September) and FY2024 close;
# Nov 2025, FY2025 Q4 and FY2025 stay open.
OCT_END = datetime.date(2025, 10, 31)
OCT, NOV = datetime.date(2025, 10, 1), datetime.date(2025, 11, 1)
Q3, Q4 = datetime.date(2025, 7, 1), datetime.date(2025, 10, 1)
FY2024, FY2025 = datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)


@pytest.fixture(autouse=True)
def _calendar_fiscal_year(settings):  # type: ignore[no-untyped-def]
    settings.FISCAL_YEAR_START_MONTH = 1


def refusal(kpi: Kpi, period: datetime.date) -> str:
    with pytest.raises(PeriodClosed) as refused:
        actual_record(kpi=kpi, period=period, value=Decimal(1), by=None)
    return str(refused.value.messages[0])


# --- The rule, through the service every channel calls ---------------------------------------


def test_the_month_ending_on_the_close_date_is_closed_and_the_next_is_open():
    kpi = KpiFactory()
    period_close(through=OCT_END, by=None)

    assert refusal(kpi, OCT) == "Oct 2025 is closed; ask an admin to reopen it."
    actual_record(kpi=kpi, period=NOV, value=Decimal(1), by=None)

    assert list(Actual.objects.values_list("period", flat=True)) == [NOV]


def test_the_quarter_that_ended_is_closed_and_the_quarter_containing_the_close_date_is_open():
    kpi = KpiFactory(frequency="quarterly")
    period_close(through=OCT_END, by=None)

    assert refusal(kpi, Q3) == "FY2025 Q3 is closed; ask an admin to reopen it."
    actual_record(kpi=kpi, period=Q4, value=Decimal(1), by=None)

    assert list(Actual.objects.values_list("period", flat=True)) == [Q4]


def test_a_quarter_ending_on_the_close_date_is_closed():
    kpi = KpiFactory(frequency="quarterly")
    period_close(through=datetime.date(2025, 9, 30), by=None)

    assert refusal(kpi, Q3) == "FY2025 Q3 is closed; ask an admin to reopen it."


def test_the_years_before_are_closed_and_the_running_year_is_open():
    kpi = KpiFactory(frequency="yearly")
    period_close(through=OCT_END, by=None)

    assert refusal(kpi, FY2024) == "FY2024 is closed; ask an admin to reopen it."
    actual_record(kpi=kpi, period=FY2025, value=Decimal(1), by=None)
    period_close(through=datetime.date(2025, 12, 31), by=None)

    assert refusal(kpi, FY2025) == "FY2025 is closed; ask an admin to reopen it."


def test_moving_the_date_back_reopens_the_periods_after_it():
    kpi = KpiFactory(frequency="quarterly")
    period_close(through=OCT_END, by=None)

    _, outcome = period_close(through=datetime.date(2025, 8, 31), by=None)
    actual_record(kpi=kpi, period=Q3, value=Decimal(1), by=None)

    assert outcome is Outcome.UPDATED
    assert Actual.objects.get().period == Q3


def test_no_close_date_reopens_every_period():
    kpi = KpiFactory(frequency="yearly")
    period_close(through=OCT_END, by=None)

    period_close(through=None, by=None)
    actual_record(kpi=kpi, period=FY2024, value=Decimal(1), by=None)

    assert PeriodClose.objects.get().closed_through is None


def test_the_same_close_date_again_changes_nothing():
    period_close(through=OCT_END, by=None)

    _, outcome = period_close(through=OCT_END, by=None)

    assert outcome is Outcome.UNCHANGED
    assert PeriodClose.objects.count() == 1


def test_a_month_that_has_not_ended_cannot_be_closed():
    month_end = periods.period_end(timezone.localdate().replace(day=1), "monthly")

    with pytest.raises(ValidationError) as refused:
        period_close(through=month_end, by=None)

    assert refused.value.message_dict == {
        "closed_through": ["Close a month once it has ended: choose an earlier one."]
    }
    assert not PeriodClose.objects.exists()


def test_a_close_date_is_the_last_day_of_a_month():
    with pytest.raises(ValidationError) as refused:
        period_close(through=datetime.date(2025, 10, 30), by=None)

    assert refused.value.message_dict == {
        "closed_through": ["A close date is the last day of a month, e.g. 2026-10-31."]
    }


def test_a_closed_period_refuses_targets_too():
    kpi = KpiFactory(frequency="quarterly")
    period_close(through=OCT_END, by=None)

    with pytest.raises(PeriodClosed, match="FY2025 Q3 is closed"):
        target_set(kpi=kpi, period=Q3, goal=Decimal(10), red_flag=Decimal(8))
    target_set(kpi=kpi, period=Q4, goal=Decimal(10), red_flag=Decimal(8))

    assert list(Target.objects.values_list("period", flat=True)) == [Q4]


def test_a_bulk_write_names_each_closed_rows_own_period_and_writes_nothing():
    monthly, quarterly, yearly = (
        KpiFactory(),
        KpiFactory(frequency="quarterly"),
        KpiFactory(frequency="yearly"),
    )
    period_close(through=OCT_END, by=None)
    rows = [
        ActualRow(kpi=monthly, period=NOV, value=Decimal(1)),
        ActualRow(kpi=monthly, period=OCT, value=Decimal(1)),
        ActualRow(kpi=quarterly, period=Q3, value=Decimal(1)),
        ActualRow(kpi=yearly, period=FY2024, value=Decimal(1)),
    ]

    with pytest.raises(ValidationError) as refused:
        actuals_bulk_record(rows=rows, by=None)

    assert {index: errors[0].messages for index, errors in refused.value.error_dict.items()} == {
        "1": ["Oct 2025 is closed; ask an admin to reopen it."],
        "2": ["FY2025 Q3 is closed; ask an admin to reopen it."],
        "3": ["FY2024 is closed; ask an admin to reopen it."],
    }
    assert not Actual.objects.exists()


def test_a_closed_period_refuses_approving_its_actuals(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_APPROVAL = True
    actual = ActualFactory(
        kpi=KpiFactory(frequency="quarterly"), period=Q3, status=ActualStatus.SUBMITTED
    )
    period_close(through=OCT_END, by=None)

    with pytest.raises(PeriodClosed, match="FY2025 Q3 is closed"):
        actual_review(actual=actual, by=UserFactory(), approve=True)

    actual.refresh_from_db()
    assert actual.status == ActualStatus.SUBMITTED


def test_moving_the_close_date_is_recorded_in_the_audit_trail():
    admin = UserFactory()
    period_close(through=datetime.date(2025, 9, 30), by=admin)
    period_close(through=OCT_END, by=admin)

    entries = LogEntry.objects.filter(content_type__model="periodclose").order_by("pk")

    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].changes_dict["closed_through"] == ["2025-09-30", "2025-10-31"]


# --- What a new close date would do ------------------------------------------------------------


def kpis_of_each_frequency() -> None:
    KpiFactory.create_batch(3)
    KpiFactory.create_batch(2, frequency="quarterly")
    KpiFactory(frequency="yearly")
    KpiFactory(frequency="yearly", is_retired=True)  # takes no actuals: not counted
    KpiFactory(formula="1 + 1")


def test_the_preview_names_what_a_first_close_closes():
    kpis_of_each_frequency()

    preview = close_preview(through=OCT_END, current=None)

    assert preview.sentence == (
        "Closing through 31 Oct 2025 closes every month through Oct 2025 (3 monthly KPIs), "
        "every quarter through FY2025 Q3 (2 quarterly KPIs) and every year through FY2024 "
        "(1 yearly KPI)."
    )


def test_the_preview_names_the_periods_a_later_date_adds():
    kpis_of_each_frequency()

    preview = close_preview(through=datetime.date(2026, 1, 31), current=OCT_END)

    assert preview.closes
    assert preview.sentence == (
        "Closing through 31 Jan 2026 closes Nov 2025 to Jan 2026 (3 monthly KPIs), "
        "FY2025 Q4 (2 quarterly KPIs) and FY2025 (1 yearly KPI)."
    )


def test_the_preview_names_the_periods_an_earlier_date_reopens():
    preview = close_preview(through=datetime.date(2025, 8, 31), current=OCT_END)

    assert not preview.closes
    assert preview.sentence == (
        "Moving the close date back to 31 Aug 2025 reopens Sep 2025 and Oct 2025 "
        "(no monthly KPIs) and FY2025 Q3 (no quarterly KPIs)."
    )


def test_the_preview_of_the_current_date_changes_nothing():
    preview = close_preview(through=OCT_END, current=OCT_END)

    assert preview.changes == []
    assert preview.sentence == "The periods are closed through 31 Oct 2025 already."


def test_the_preview_counts_kpis_in_one_query(django_assert_num_queries):  # type: ignore[no-untyped-def]
    kpis_of_each_frequency()

    with django_assert_num_queries(1):
        sentence = close_preview(through=OCT_END, current=None).sentence

    assert "(3 monthly KPIs)" in sentence


# --- The close page ----------------------------------------------------------------------------


def test_an_admin_previews_a_close_then_applies_it():
    org = build_org()
    client = client_for(org.admin)

    preview = client.get(URL, {"through": "2025-10"})

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Closing through 31 Oct 2025 closes every month through Oct 2025" in html
    assert "Close through 31 Oct 2025</button>" in html
    assert not PeriodClose.objects.exists()

    applied = client.post(URL, {"through": "2025-10"})

    assert applied.status_code == 302
    close = PeriodClose.objects.get()
    assert (close.closed_through, close.closed_by) == (OCT_END, org.admin)
    page = client.get(URL).content.decode()
    assert "The periods are closed through 31 Oct 2025 now." in page
    assert "Closed through <strong>31 Oct 2025</strong>, by Admin" in page


def test_an_admin_moves_the_date_back_from_the_page():
    org = build_org()
    period_close(through=OCT_END, by=org.admin)
    client = client_for(org.admin)

    html = client.get(URL, {"through": "2025-08"}).content.decode()
    client.post(URL, {"through": "2025-08"})

    assert "Moving the close date back to 31 Aug 2025 reopens Sep 2025 and Oct 2025" in html
    assert "Reopen: close through 31 Aug 2025 only</button>" in html
    assert PeriodClose.objects.get().closed_through == datetime.date(2025, 8, 31)


@pytest.mark.parametrize("typed", ["January", "2025-13"])
def test_a_month_that_is_not_a_month_is_refused_on_the_close_page(typed):
    org = build_org()

    for response in (
        client_for(org.admin).get(URL, {"through": typed}),
        client_for(org.admin).post(URL, {"through": typed}),
    ):
        assert response.status_code == 400
        assert "Enter a month as YYYY-MM" in response.content.decode()
    assert not PeriodClose.objects.exists()


def test_the_running_month_is_refused_before_the_preview():
    org = build_org()
    this_month = f"{timezone.localdate():%Y-%m}"

    response = client_for(org.admin).get(URL, {"through": this_month})

    assert response.status_code == 400
    assert "Close a month once it has ended" in response.content.decode()
    assert "Before you apply" not in response.content.decode()


def department_admins(org: Org) -> list[User]:
    """An admin of Sales and an admin of a unit below Sales: neither runs the organisation."""
    emea = OrgUnitFactory(name="Sales EMEA", code="sales-emea", parent=org.sales)
    return [
        MembershipFactory(org_unit=org.sales, role=Role.ADMIN).user,
        MembershipFactory(org_unit=emea, role=Role.ADMIN).user,
    ]


def test_only_admins_of_the_root_unit_may_close_periods():
    org = build_org()
    period_close(through=OCT_END, by=org.admin)

    assert client_for(org.admin).get(URL).status_code == 200
    for person in (
        org.manager,
        org.executive,
        org.contributor,
        org.outsider,
        *department_admins(org),
    ):
        client = client_for(person)
        assert client.get(URL).status_code == 403
        assert client.get(URL, {"through": "2025-08"}).status_code == 403
        assert client.post(URL, {"through": "2025-08"}).status_code == 403
        assert "Closed periods</a>" not in client.get("/updates/").content.decode()

    assert PeriodClose.objects.get().closed_through == OCT_END


def test_an_admin_of_the_root_unit_and_a_superuser_see_the_close_page_in_the_navigation():
    org = build_org()
    superuser = UserFactory(is_superuser=True, password=None)

    for person in (org.admin, superuser):
        assert "Closed periods</a>" in client_for(person).get("/updates/").content.decode()
    assert client_for(superuser).post(URL, {"through": "2025-10"}).status_code == 302
    assert PeriodClose.objects.get().closed_by == superuser


# --- Every channel names the row's own period --------------------------------------------------


@pytest.fixture
def closed_org() -> tuple[Org, Kpi, datetime.date, str]:
    """The organisation closed through the due month, with a quarterly Sales KPI (NPS) whose
    due quarter is therefore closed, and an actual in that quarter."""
    org = build_org()
    nps = KpiFactory(objective=org.sales_objective, code="NPS", frequency="quarterly")
    quarter = periods.last_closed_period(
        timezone.localdate(), "quarterly", settings.FISCAL_YEAR_START_MONTH
    )
    TargetFactory(kpi=nps, period=quarter, goal=Decimal(50), red_flag=Decimal(40))
    ActualFactory(kpi=nps, period=quarter, value=Decimal(45), status=ActualStatus.SUBMITTED)
    period_close(through=periods.period_end(org.month, "monthly"), by=org.admin)
    message = f"{periods.label(quarter, 'quarterly')} is closed; ask an admin to reopen it."
    return org, nps, quarter, message


def api_as(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_my_updates_shows_and_refuses_the_closed_quarter_by_its_name(closed_org):
    org, nps, quarter, message = closed_org
    client = client_for(org.manager)

    page = client.get("/updates/").content.decode()
    saved = client.post(f"/updates/{nps.pk}/", row_data(nps, quarter, "48", version="1"), **HTMX)

    assert message in page
    assert f"{org.month:%b %Y} is closed; ask an admin to reopen it." in page
    assert saved.status_code == 400
    assert message in saved.content.decode()


def test_the_import_refuses_the_closed_quarter_by_its_name(closed_org):
    org, _, quarter, message = closed_org
    client = client_for(org.manager)
    body = (
        f"kind,kpi_code,period,value,analysis,corrective_action\nactual,NPS,{quarter:%Y-%m},48,,\n"
    )

    uploaded = client.post(
        "/updates/import/", {"file": SimpleUploadedFile("a.csv", body.encode()), "plan": ""}
    )
    page = client.get(uploaded["Location"]).content.decode()

    assert message in page


def test_the_api_refuses_the_closed_quarter_by_its_name_one_row_or_many(closed_org):
    org, nps, quarter, message = closed_org
    actual = Actual.objects.get(kpi=nps)
    api = api_as(org.manager)

    single = api.patch(f"/api/v1/actuals/{actual.pk}/", {"value": "48"}, format="json")
    bulk = api.post(
        "/api/v1/actuals/bulk/",
        [{"kpi": nps.pk, "period": quarter.isoformat(), "value": "48"}],
        format="json",
    )

    assert single.status_code == bulk.status_code == 400
    assert message in str(single.json())
    assert message in str(bulk.json()["rows"]["0"])
    assert Actual.objects.get(kpi=nps).value == 45


def test_approvals_refuse_the_closed_quarter_by_its_name(closed_org, settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_APPROVAL = True
    org, nps, _, message = closed_org
    actual = Actual.objects.get(kpi=nps)

    response = api_as(org.executive).post(
        f"/api/v1/approvals/{actual.pk}/review/", {"decision": "approve"}, format="json"
    )

    assert response.status_code == 400
    assert message in str(response.json())
    actual.refresh_from_db()
    assert actual.status == ActualStatus.SUBMITTED
