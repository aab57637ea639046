"""The webhooks page: only admins of the whole organisation register, list, switch off and
delete webhooks; the secret is shown once; each change is in the audit trail."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import Client

from accounts.models import Role, User
from kpis.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from tests.api_org import Org
from tests.factories import MembershipFactory, OrgUnitFactory, WebhookDeliveryFactory

URL = "/webhooks/"
HOOK = "https://hooks.example.com/bearing"


def client_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def webhook(org: Org) -> Webhook:
    return WebhookDeliveryFactory(
        webhook__url=HOOK,
        status=DeliveryStatus.FAILED,
        attempts=5,
        response_code=502,
        error="The receiver answered 502.",
    ).webhook


def sub_unit_admins(org: Org) -> list[User]:
    """An admin of Sales and of a unit below it: neither runs the whole organisation."""
    emea = OrgUnitFactory(name="Sales EMEA", code="sales-emea", parent=org.sales)
    return [
        MembershipFactory(org_unit=org.sales, role=Role.ADMIN).user,
        MembershipFactory(org_unit=emea, role=Role.ADMIN).user,
    ]


def test_an_organisation_admin_sees_the_webhooks_and_their_deliveries(org, webhook):
    response = client_as(org.admin).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert HOOK in page
    assert "502" in page
    assert "The receiver answered 502." in page
    assert "s" * 64 not in page  # the secret is shown once, at registration


def test_registering_shows_the_secret_once_and_is_audited(org):
    client = client_as(org.admin)

    response = client.post(URL, {"url": HOOK, "event": WebhookEvent.KPI_OFF_TRACK}, follow=True)

    webhook = Webhook.objects.get()
    assert response.redirect_chain == [(URL, 302)]
    assert (webhook.url, webhook.event, webhook.created_by) == (HOOK, "kpi.off_track", org.admin)
    assert webhook.secret in response.content.decode()
    assert webhook.secret not in client.get(URL).content.decode()  # reloaded: not again
    assert Webhook.objects.count() == 1
    entry = LogEntry.objects.get_for_object(webhook).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == org.admin
    assert "secret" not in entry.changes_dict


def test_a_refused_address_is_explained_at_its_field(org, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    response = client_as(org.admin).post(
        URL, {"url": "https://169.254.169.254/latest/", "event": WebhookEvent.REPORT_READY}
    )

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert "loopback, private or link-local" in response.content.decode()
    assert not Webhook.objects.exists()


def test_switching_off_and_on_and_deleting_with_htmx(org, webhook):
    client = client_as(org.admin)
    htmx = {"HTTP_HX_REQUEST": "true"}

    off = client.post(f"/webhooks/{webhook.pk}/active/", {"active": "0"}, **htmx)
    webhook.refresh_from_db()
    assert off.status_code == 200
    assert not webhook.is_active
    assert off.content.decode().lstrip().startswith('<div id="webhooks-registered">')
    assert "Switch on" in off.content.decode()

    client.post(f"/webhooks/{webhook.pk}/active/", {"active": "1"})
    webhook.refresh_from_db()
    assert webhook.is_active

    deleted = client.post(f"/webhooks/{webhook.pk}/delete/")
    assert deleted.status_code == 302
    assert not Webhook.objects.exists()
    assert not WebhookDelivery.objects.exists()
    actions = list(
        LogEntry.objects.filter(content_type__model="webhook")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]


def test_only_admins_of_the_whole_organisation_may_manage_webhooks(org, webhook):
    for person in (org.manager, org.viewer, org.outsider, *sub_unit_admins(org)):
        client = client_as(person)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"url": HOOK, "event": "report.ready"}).status_code == 403
        assert client.post(f"/webhooks/{webhook.pk}/active/", {"active": "0"}).status_code == 403
        assert client.post(f"/webhooks/{webhook.pk}/delete/").status_code == 403

    webhook.refresh_from_db()
    assert webhook.is_active
    assert list(Webhook.objects.all()) == [webhook]


def test_the_people_section_links_the_page_for_organisation_admins_only(org):
    assert 'href="/webhooks/"' in client_as(org.admin).get("/people/").content.decode()
    for person in sub_unit_admins(org):
        page = client_as(person).get("/people/")
        assert page.status_code == 200
        assert 'href="/webhooks/"' not in page.content.decode()
