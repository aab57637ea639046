"""The rules of an actual, decided once in the service and seen alike on every channel: My
updates, the import and the API. Typed numbers, corrective actions of off-track values, saving
an approved actual unchanged, and periods that have not started."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from kpis import periods
from kpis.models import Actual, ActualStatus, ImportBatch
from kpis.services import ActualRow, actual_record, actual_review, actuals_bulk_record
from tests.kpis.updates_org import HTMX, Org, build_org, client_for, row_data

pytestmark = pytest.mark.django_db

OFF_TRACK = "Off track: say what you will do about it."


def api_for(org: Org) -> APIClient:
    api = APIClient()
    api.force_authenticate(org.manager)
    return api


def import_preview(org: Org, body: str) -> str:
    client = client_for(org.manager)
    header = "kind,kpi_code,period,value,analysis,corrective_action\n"
    response = client.post(
        "/updates/import/",
        {"file": SimpleUploadedFile("a.csv", (header + body).encode()), "plan": ""},
    )
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"]).content.decode()


def import_commit(org: Org) -> None:
    """Commit the last preview, if it offers to (a preview refusing every row does not)."""
    client = client_for(org.manager)
    batch = ImportBatch.objects.latest("created_at")
    page = client.get(f"/updates/import/{batch.pk}/").content.decode()
    if 'name="digest"' not in page:
        return
    digest = page.split('name="digest" value="')[1].split('"')[0]
    client.post(f"/updates/import/{batch.pk}/commit/", {"digest": digest})


def next_month() -> datetime.date:
    return periods.shift(periods.period_start(timezone.localdate(), "monthly"), "monthly", 1)


# --- typed numbers --------------------------------------------------------------------------------


def test_my_updates_and_the_import_read_numbers_as_people_type_them():
    org = build_org()

    page = client_for(org.manager).post(
        f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "1 250,5"), **HTMX
    )
    preview = import_preview(org, f'actual,WIN,{org.month},"1,250.5",,\n')
    import_commit(org)

    assert page.status_code == 200
    assert Actual.objects.get(kpi=org.rev).value == Decimal("1250.5")
    assert "1250.5" in preview
    assert Actual.objects.get(kpi=org.win).value == Decimal("1250.5")


def test_a_percent_sign_is_taken_for_a_percentage_kpi_and_refused_for_others():
    org = build_org()
    org.win.measure_unit = "%"
    org.win.save()
    client = client_for(org.manager)

    percentage = client.post(
        f"/updates/{org.win.pk}/", row_data(org.win, org.month, "120 %"), **HTMX
    )
    money = client.post(f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "120 %"), **HTMX)

    assert percentage.status_code == 200
    assert Actual.objects.get(kpi=org.win).value == 120
    assert money.status_code == 400
    assert "this value is not a percentage" in money.content.decode()
    assert not Actual.objects.filter(kpi=org.rev).exists()


# --- corrective actions ---------------------------------------------------------------------------


def test_the_import_asks_for_a_corrective_action_of_an_off_track_value():
    org = build_org()

    refused = import_preview(org, f"actual,REV,{org.month},50,,\n")
    import_commit(org)

    assert "Off track: say what you will do about it in the corrective_action column." in refused
    assert not Actual.objects.exists()

    import_preview(org, f"actual,REV,{org.month},50,,Call every lost client.\n")
    import_commit(org)

    assert Actual.objects.get().corrective_action == "Call every lost client."


def test_the_service_asks_a_person_in_bulk_too():
    org = build_org()

    with pytest.raises(Exception, match=OFF_TRACK):
        actuals_bulk_record(
            rows=[ActualRow(kpi=org.rev, period=org.month, value=Decimal(50))], by=org.manager
        )

    assert not Actual.objects.exists()


def test_an_integration_saves_off_track_values_and_my_updates_asks_the_owner_for_a_comment():
    org = build_org()
    api = api_for(org)

    single = api.post(
        "/api/v1/actuals/",
        {"kpi": org.rev.pk, "period": org.month.isoformat(), "value": "50"},
        format="json",
    )
    bulk = api.post(
        "/api/v1/actuals/bulk/",
        [{"kpi": org.win.pk, "period": org.month.isoformat(), "value": "50"}],
        format="json",
    )
    page = client_for(org.manager).get("/updates/").content.decode()

    assert (single.status_code, bulk.status_code) == (201, 200)
    assert Actual.objects.count() == 2
    assert page.count("Awaiting a comment") == 2

    client_for(org.manager).post(
        f"/updates/{org.rev.pk}/",
        row_data(org.rev, org.month, "50", corrective_action="Call them.", version="1"),
        **HTMX,
    )

    assert (
        client_for(org.manager).get("/updates/").content.decode().count("Awaiting a comment") == 1
    )


# --- saving an approved actual unchanged ---------------------------------------------------------


@pytest.mark.parametrize("channel", ["single", "bulk"])
def test_an_approved_actual_saved_unchanged_stays_approved(settings, channel):
    settings.SCORECARD_APPROVAL = True
    org = build_org()
    actual, _ = actual_record(
        kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager, analysis="Fine."
    )
    actual_review(actual=actual, by=org.executive, approve=True)

    if channel == "single":
        actual_record(
            kpi=org.rev, period=org.month, value=Decimal(100), by=org.admin, analysis="Fine."
        )
    else:
        actuals_bulk_record(
            rows=[ActualRow(kpi=org.rev, period=org.month, value=Decimal(100))], by=org.admin
        )

    stored = Actual.objects.get()
    assert (stored.status, stored.version, stored.entered_by) == (
        ActualStatus.APPROVED,
        1,
        org.manager,
    )


@pytest.mark.parametrize("channel", ["single", "bulk"])
def test_a_returned_actual_saved_unchanged_is_submitted_again(settings, channel):
    settings.SCORECARD_APPROVAL = True
    org = build_org()
    actual, _ = actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    actual_review(actual=actual, by=org.executive, approve=False, comment="Check it.")

    if channel == "single":
        actual_record(kpi=org.rev, period=org.month, value=Decimal(100), by=org.manager)
    else:
        actuals_bulk_record(
            rows=[ActualRow(kpi=org.rev, period=org.month, value=Decimal(100))], by=org.manager
        )

    stored = Actual.objects.get()
    assert (stored.status, stored.version) == (ActualStatus.SUBMITTED, 2)


# --- periods that have not started ----------------------------------------------------------------


def test_a_future_period_is_refused_on_every_channel():
    org = build_org()
    future = next_month()
    message = f"The period starting 1 {future:%b %Y} has not begun: enter its actual then."
    api = api_for(org)

    page = client_for(org.manager).post(
        f"/updates/{org.rev.pk}/", row_data(org.rev, future, "100"), **HTMX
    )
    preview = import_preview(org, f"actual,REV,{future},100,,\n")
    import_commit(org)
    single = api.post(
        "/api/v1/actuals/",
        {"kpi": org.rev.pk, "period": future.isoformat(), "value": "100"},
        format="json",
    )
    bulk = api.post(
        "/api/v1/actuals/bulk/",
        [{"kpi": org.rev.pk, "period": future.isoformat(), "value": "100"}],
        format="json",
    )

    assert page.status_code == 400
    assert message in page.content.decode()
    assert message in preview
    assert single.status_code == 400
    assert message in str(single.json())
    assert bulk.json()["rows"] == {"0": {"non_field_errors": [message]}}
    assert not Actual.objects.exists()


def test_the_current_period_takes_actuals():
    org = build_org()
    this_month = periods.period_start(timezone.localdate(), "monthly")

    actual, _ = actual_record(kpi=org.rev, period=this_month, value=Decimal(100), by=org.manager)

    assert actual.pk is not None
