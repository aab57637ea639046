"""The webhooks API: admins of the whole organisation only, reads included; the secret
answered once, at creation; refused addresses at their field; changes audited."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from accounts.models import Role, User
from kpis.models import DeliveryStatus, Webhook
from tests.api_org import Org, client_for
from tests.factories import MembershipFactory, OrgUnitFactory, WebhookDeliveryFactory

URL = "/api/v1/webhooks/"
HOOK = "https://hooks.example.com/bearing"


@pytest.fixture
def webhook(org: Org) -> Webhook:
    return WebhookDeliveryFactory(
        webhook__url=HOOK, status=DeliveryStatus.DELIVERED, attempts=2, response_code=204
    ).webhook


def sub_unit_admin(org: Org) -> User:
    emea = OrgUnitFactory(name="Sales EMEA", code="sales-emea", parent=org.sales)
    return MembershipFactory(org_unit=emea, role=Role.ADMIN).user


def test_an_organisation_admin_lists_webhooks_and_reads_their_deliveries(org, webhook):
    client = client_for(org.admin)

    listed = client.get(URL)
    one = client.get(f"{URL}{webhook.pk}/")

    assert listed.status_code == 200
    assert [w["url"] for w in listed.json()["results"]] == [HOOK]
    assert "secret" not in listed.json()["results"][0]
    assert [
        (d["status"], d["attempts"], d["response_code"]) for d in one.json()["recent_deliveries"]
    ] == [("delivered", 2, 204)]
    assert "secret" not in one.json()


def test_creating_answers_the_secret_once_and_is_audited(org):
    response = client_for(org.admin).post(
        URL, {"url": HOOK, "event": "kpi.off_track"}, format="json"
    )

    assert response.status_code == 201, response.content
    webhook = Webhook.objects.get()
    assert response.json()["secret"] == webhook.secret
    assert webhook.created_by == org.admin
    assert LogEntry.objects.get_for_object(webhook).get().actor == org.admin


def test_a_refused_address_answers_400_at_its_field(org, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    response = client_for(org.admin).post(
        URL, {"url": "https://127.0.0.1/hook", "event": "report.ready"}, format="json"
    )

    assert response.status_code == 400
    assert "loopback, private or link-local" in response.json()["url"][0]
    assert not Webhook.objects.exists()


def test_switching_off_and_deleting(org, webhook):
    client = client_for(org.admin)

    off = client.patch(f"{URL}{webhook.pk}/", {"is_active": False}, format="json")
    webhook.refresh_from_db()
    assert off.status_code == 200
    assert off.json()["is_active"] is False
    assert not webhook.is_active

    assert client.delete(f"{URL}{webhook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


def test_only_admins_of_the_whole_organisation_may_use_the_api(org, webhook):
    for person in (org.manager, org.viewer, org.outsider, sub_unit_admin(org)):
        client = client_for(person)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{webhook.pk}/").status_code == 403
        created = client.post(URL, {"url": HOOK, "event": "report.ready"}, format="json")
        assert created.status_code == 403
        changed = client.patch(f"{URL}{webhook.pk}/", {"is_active": False}, format="json")
        assert changed.status_code == 403
        assert client.delete(f"{URL}{webhook.pk}/").status_code == 403
    assert client_for(None).get(URL).status_code in (401, 403)

    webhook.refresh_from_db()
    assert webhook.is_active
    assert Webhook.objects.count() == 1
