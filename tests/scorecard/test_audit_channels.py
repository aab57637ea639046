"""The audit trail names the channel of each change: a page, an import, the API or the system."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.audit import audit_rows, history_for
from kpis.models import Actual, ImportBatch, Kpi
from kpis.services import actual_record
from tests.kpis.updates_org import Org, build_org, client_for, row_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Org:
    return build_org()


def channel_and_who(kpi: Kpi) -> tuple[str, str]:
    actual = Actual.objects.get(kpi=kpi)
    (row,) = audit_rows(history_for(actual)[:1])
    return row.channel, row.who


def test_a_value_saved_on_my_updates_was_changed_through_a_page(org):
    response = client_for(org.manager).post(
        f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "101")
    )
    assert response.status_code in (200, 302)
    assert channel_and_who(org.rev) == ("Page", "Manager")


def test_a_value_sent_to_the_api_was_changed_through_the_api(org):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=org.manager)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(
        "/api/v1/actuals/",
        {"kpi": org.rev.pk, "period": org.month.isoformat(), "value": "101"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert channel_and_who(org.rev) == ("API", "Manager")


def test_a_value_from_an_imported_file_was_changed_through_an_import(org):
    client = client_for(org.manager)
    text = "kind,kpi_code,period,value,goal,red_flag,analysis\n"
    text += f"actual,REV,{org.month:%Y-%m},101,,,\n"
    upload = SimpleUploadedFile("actuals.csv", text.encode(), content_type="text/csv")
    assert client.post("/updates/import/", {"file": upload, "plan": org.plan.pk}).status_code == 302
    batch = ImportBatch.objects.latest("created_at")
    page = client.get(f"/updates/import/{batch.pk}/").content.decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]
    assert client.post(f"/updates/import/{batch.pk}/commit/", {"digest": digest}).status_code == 302
    assert channel_and_who(org.rev) == ("Import", "Manager")


def test_a_value_saved_outside_any_request_was_changed_by_the_system(org):
    actual_record(kpi=org.rev, period=org.month, value=Decimal(101), by=None)
    assert channel_and_who(org.rev) == ("System", "system")


def test_after_a_request_the_channel_is_the_systems_again(org):
    client_for(org.manager).post(f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "101"))
    actual_record(kpi=org.win, period=org.month, value=Decimal(101), by=None)
    assert channel_and_who(org.win)[0] == "System"
