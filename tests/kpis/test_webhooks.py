"""Outgoing webhooks: deliveries to a real server on loopback, signed, retried, logged; queued
only when the change commits; "KPI went off track" only on the transition; and the address
checks that keep webhooks away from the server's own network."""

from __future__ import annotations

import datetime
import json
import runpy
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from kpis import tasks, webhooks
from kpis.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from kpis.reports.services import variance_report_compute
from kpis.services import ActualRow, Source, actual_record, actuals_bulk_record
from kpis.services.webhooks import MAX_ATTEMPTS, webhook_create
from scorecard.celery import app as celery_app
from tests.factories import KpiFactory, TargetFactory
from tests.kpis.webhook_receiver import Receiver

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)
OFF_TRACK = Decimal(80)  # goal 100, red flag 90
AT_RISK = Decimal(95)
ON_TRACK = Decimal(105)


@pytest.fixture(autouse=True)
def _deliver_at_once(settings, monkeypatch):
    """Private addresses allowed (the receiver is on loopback); tasks run in this process as
    soon as the change commits, their retries at once."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def kpi(db):
    kpi = KpiFactory(code="REV", name="Revenue")
    for period in (JAN, FEB):
        TargetFactory(kpi=kpi, period=period, goal=Decimal(100), red_flag=Decimal(90))
    return kpi


def _hook(receiver: Receiver, event: WebhookEvent = WebhookEvent.KPI_OFF_TRACK) -> Webhook:
    return webhook_create(url=receiver.url, event=event, by=None)


def _record(kpi, value: Decimal, period: datetime.date = JAN) -> None:
    actual_record(kpi=kpi, period=period, value=value, by=None, source=Source.INTEGRATION)


def _readme_receiver() -> Callable[[str, str, bytes], bool]:
    """The receiver's check exactly as README ("Webhooks") shows it, so the docs stay true."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Webhooks", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "receiver.py"
        script.write_text(code)
        check: Callable[[str, str, bytes], bool] = runpy.run_path(str(script))["is_from_bearing"]
    return check


verify = _readme_receiver()


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(
    kpi, receiver, django_capture_on_commit_callbacks
):
    webhook = _hook(receiver)

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK)

    [request] = receiver.received
    assert request.path == "/hooks/bearing"
    assert verify(webhook.secret, request.headers["Bearing-Signature"], request.body)
    assert not verify("another secret", request.headers["Bearing-Signature"], request.body)
    assert not verify(webhook.secret, request.headers["Bearing-Signature"], request.body + b" ")
    payload = json.loads(request.body)
    assert payload["event"] == "kpi.off_track" == request.headers["Bearing-Event"]
    assert payload["kpi"] == {"id": kpi.pk, "code": "REV", "name": "Revenue"}
    assert (payload["period"], payload["value"], payload["status"]) == (
        "2026-01-01",
        "80",
        "off_track",
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_a_receiver_answering_500_is_tried_again_until_it_accepts(
    kpi, receiver, django_capture_on_commit_callbacks
):
    _hook(receiver)
    receiver.answers = [500, 503, 200]

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK)

    assert len(receiver.received) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == (
        DeliveryStatus.DELIVERED,
        3,
        200,
        "",
    )
    # Each attempt is signed afresh, all with the same body.
    assert len({r.body for r in receiver.received}) == 1


def test_a_receiver_that_keeps_failing_is_marked_failed_after_the_last_attempt(
    kpi, receiver, django_capture_on_commit_callbacks
):
    _hook(receiver)
    receiver.answers = [500]

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK)

    assert len(receiver.received) == MAX_ATTEMPTS == 5
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 5, 500)
    assert delivery.error == "The receiver answered 500."
    # Running the task again sends nothing more.
    assert tasks.deliver_webhook.apply(args=(delivery.pk,)).get() == "failed"
    assert len(receiver.received) == 5


def test_a_redirect_is_not_followed(kpi, receiver, django_capture_on_commit_callbacks):
    _hook(receiver)
    receiver.answers = [302, 200]

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK)

    assert [r.path for r in receiver.received] == ["/hooks/bearing", "/hooks/bearing"]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_receiver_that_cannot_be_reached_is_retried_then_failed(
    kpi, receiver, django_capture_on_commit_callbacks
):
    webhook = _hook(receiver)
    Webhook.objects.filter(pk=webhook.pk).update(url="http://127.0.0.1:9/nobody-listens")

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 5, None)
    assert delivery.error.startswith("Could not reach the receiver")


def _record_then_fail(kpi) -> None:
    """An off-track value recorded inside work that then fails, rolling it back."""
    try:
        with transaction.atomic():
            _record(kpi, OFF_TRACK)
            raise RuntimeError("the surrounding work failed")
    except RuntimeError:
        pass


def test_nothing_is_delivered_when_the_saving_transaction_rolls_back(
    kpi, receiver, django_capture_on_commit_callbacks
):
    _hook(receiver)

    with django_capture_on_commit_callbacks(execute=True):
        _record_then_fail(kpi)

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_off_track_is_told_only_when_a_value_puts_the_kpi_off_track(
    kpi, receiver, django_capture_on_commit_callbacks
):
    _hook(receiver)
    values = [ON_TRACK, OFF_TRACK, Decimal(70), OFF_TRACK, AT_RISK, OFF_TRACK]

    with django_capture_on_commit_callbacks(execute=True):
        for value in values:
            _record(kpi, value)

    # on track -> off (told), off -> off twice (not told), at risk -> off (told again)
    assert [json.loads(r.body)["value"] for r in receiver.received] == ["80", "80"]
    assert WebhookDelivery.objects.count() == 2


def test_a_first_value_that_is_off_track_is_told(kpi, receiver, django_capture_on_commit_callbacks):
    _hook(receiver)

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK, period=FEB)
        _record(kpi, ON_TRACK, period=JAN)

    assert [json.loads(r.body)["period"] for r in receiver.received] == ["2026-02-01"]


def test_the_bulk_write_tells_each_kpi_that_went_off_track_once(
    kpi, receiver, django_capture_on_commit_callbacks
):
    _hook(receiver)
    _record(kpi, OFF_TRACK, period=JAN)  # before the webhook's deliveries are captured
    WebhookDelivery.objects.all().delete()
    receiver.received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actuals_bulk_record(
            rows=[
                ActualRow(kpi=kpi, period=JAN, value=Decimal(70)),  # was off track already
                ActualRow(kpi=kpi, period=FEB, value=OFF_TRACK),  # goes off track
            ],
            by=None,
            source=Source.INTEGRATION,
        )

    assert [json.loads(r.body)["period"] for r in receiver.received] == ["2026-02-01"]


def test_switched_off_and_other_event_webhooks_are_not_told(
    kpi, receiver, django_capture_on_commit_callbacks
):
    _hook(receiver, WebhookEvent.REPORT_READY)
    off = _hook(receiver)
    off.is_active = False
    off.save()

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK)

    assert receiver.received == []


def test_report_ready_is_delivered_when_a_report_is_stored(
    kpi, receiver, django_capture_on_commit_callbacks
):
    webhook = _hook(receiver, WebhookEvent.REPORT_READY)
    _record(kpi, AT_RISK)

    with django_capture_on_commit_callbacks(execute=True):
        report = variance_report_compute(plan=kpi.plan, period=JAN)

    [request] = receiver.received
    assert verify(webhook.secret, request.headers["Bearing-Signature"], request.body)
    payload = json.loads(request.body)["report"]
    assert (payload["id"], payload["period"], payload["kpis_reported"]) == (
        report.pk,
        "2026-01-01",
        1,
    )
    assert payload["url"].endswith(f"/reports/{report.pk}/")


# --- Addresses a webhook may not call ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://example.com/hook",  # https only without WEBHOOKS_ALLOW_PRIVATE
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://user:pass@example.com/hook",
        "https://example.com:notaport/hook",
    ],
)
def test_an_address_that_may_not_be_called_is_refused_at_registration(url, db, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    with pytest.raises(ValidationError) as refused:
        webhook_create(url=url, event=WebhookEvent.REPORT_READY, by=None)

    assert "url" in refused.value.message_dict
    assert not Webhook.objects.exists()


def test_a_public_https_address_is_accepted(db, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    webhook = webhook_create(
        url="https://hooks.example.com/bearing", event=WebhookEvent.REPORT_READY, by=None
    )
    assert len(webhook.secret) == 64


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1"])
def test_a_name_that_resolves_to_loopback_is_refused_when_resolved(host):
    # Not an IP address as written, so only the resolved address shows where it goes.
    assert webhooks.url_refusal(f"https://{host}/hook", allow_private=False) is None
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.resolve(f"https://{host}/hook", allow_private=False)


def test_the_address_is_checked_again_at_delivery(
    kpi, receiver, settings, django_capture_on_commit_callbacks
):
    # A host name as the check at registration sees it, that resolves to loopback.
    webhook = _hook(receiver)
    Webhook.objects.filter(pk=webhook.pk).update(url="https://127.1/hooks/bearing")
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    with django_capture_on_commit_callbacks(execute=True):
        _record(kpi, OFF_TRACK)

    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "private" in delivery.error


def test_a_broker_that_is_down_never_fails_the_save(
    kpi, receiver, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    _hook(receiver)
    # A real broker client pointed at a port where nothing listens, publishing without retries.
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(celery_app.conf, "broker_transport_options", {})
    monkeypatch.setattr(celery_app.conf, "task_publish_retry", False)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)

    with django_capture_on_commit_callbacks(execute=True):
        actual, _ = actual_record(
            kpi=kpi, period=JAN, value=OFF_TRACK, by=None, source=Source.INTEGRATION
        )

    assert actual.pk is not None
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    assert "the broker is unavailable" in caplog.text
    assert receiver.received == []
