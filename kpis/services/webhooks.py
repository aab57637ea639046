"""Webhooks: registering, switching off and deleting them (organisation admins; the callers
check), recording the events they are told of, and delivering one attempt at a time.

An event becomes one `WebhookDelivery` per active webhook of that event, written in the
transaction of the change it reports and queued once that commits (`kpis.queue`): a change
rolled back sends nothing, and a broker that is down never fails the change (the delivery
stays pending). The HTTP side is kpis/webhooks.py.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from kpis import scoring, webhooks
from kpis.models import (
    DeliveryStatus,
    Kpi,
    VarianceReport,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from kpis.queue import queue_on_commit
from kpis.selectors import TargetValues, target_score, target_thresholds

DELIVER_TASK = "kpis.tasks.deliver_webhook"
# Attempts in all before a delivery is marked failed; the task waits longer between each.
MAX_ATTEMPTS = 5


def webhook_create(*, url: str, event: str, by: User | None) -> Webhook:
    """Register an address for an event, with a new secret (returned on the webhook; the
    page shows it once). Refuses an address that may not be called (kpis/webhooks.py)."""
    url = url.strip()
    webhook = Webhook(url=url, event=event, secret=webhooks.new_secret(), created_by=by)
    webhook.full_clean()
    refusal = webhooks.url_refusal(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE)
    if refusal is not None:
        raise ValidationError({"url": refusal})
    webhook.save()
    return webhook


def webhook_set_active(*, webhook: Webhook, active: bool) -> Webhook:
    """Switch deliveries to the webhook on or off; a switched-off webhook gets no new ones."""
    if webhook.is_active != active:
        webhook.is_active = active
        webhook.save(update_fields=["is_active"])  # through the model: the trail records it
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    """Delete the webhook and its delivery log."""
    webhook.delete()


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def events_record(
    *, event: WebhookEvent, payloads: Sequence[dict[str, object]]
) -> list[WebhookDelivery]:
    """Record each event for every active webhook of its kind and queue each delivery on
    commit (two queries whatever the number, none more when nobody listens)."""
    if not payloads:
        return []
    targets = list(Webhook.objects.filter(event=event, is_active=True).values_list("pk", flat=True))
    if not targets:
        return []
    occurred_at = timezone.now().isoformat()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            webhook_id=pk,
            event=event,
            payload={"event": event.value, "occurred_at": occurred_at, **payload},
        )
        for payload in payloads
        for pk in targets
    )
    for delivery in deliveries:
        queue_on_commit(DELIVER_TASK, delivery.pk)
    return deliveries


@dataclass(frozen=True)
class OffTrack:
    """A value that put a KPI off track for a period, scored by the one scoring path."""

    kpi: Kpi
    period: date
    value: Decimal
    result: scoring.KpiResult


def went_off_track(
    *, kpi: Kpi, target: TargetValues | None, period: date, before: Decimal | None, after: Decimal
) -> OffTrack | None:
    """The transition to off track when the KPI's value for the period changes from `before`
    (None: no actual) to `after`, or None: a value that leaves the KPI off track, or that is
    not off track, is no event. Scored as every page scores it (the thresholds and score of
    `target_score`); a bulk write asks this for every row, so the whole result is built only
    for an event."""
    direction = scoring.as_direction(kpi.direction)
    thresholds = target_thresholds(kpi, target)

    def status(value: Decimal) -> scoring.ScoreStatus:
        return scoring.status_for(scoring.thresholds_score(direction, value, thresholds))

    if status(after) is not scoring.ScoreStatus.OFF_TRACK:
        return None
    if before is not None and status(before) is scoring.ScoreStatus.OFF_TRACK:
        return None
    return OffTrack(kpi=kpi, period=period, value=after, result=target_score(kpi, target, after))


def kpis_off_track_record(*, changes: Sequence[OffTrack]) -> list[WebhookDelivery]:
    """Tell the off-track webhooks which KPIs these values put off track."""
    return events_record(
        event=WebhookEvent.KPI_OFF_TRACK,
        payloads=[
            {
                "kpi": {"id": c.kpi.pk, "code": c.kpi.code, "name": c.kpi.name},
                "plan": {"id": c.kpi.plan_id},
                "period": c.period.isoformat(),
                "value": str(c.value),
                "goal": _plain(c.result.goal),
                "red_flag": _plain(c.result.red_flag),
                "score": _plain(scoring.score_to_decimal(c.result.score)),
                "status": c.result.status.value,
            }
            for c in changes
        ],
    )


def report_ready_record(*, report: VarianceReport, url: str) -> list[WebhookDelivery]:
    """Tell the report-ready webhooks that the plan's report for the period is stored."""
    return events_record(
        event=WebhookEvent.REPORT_READY,
        payloads=[
            {
                "report": {
                    "id": report.pk,
                    "plan": {"id": report.plan_id, "name": report.plan.name},
                    "period": report.period.isoformat(),
                    "score": _plain(report.score),
                    "kpis_reported": report.kpis_reported,
                    "kpis_total": report.kpis_total,
                    "url": url,
                }
            }
        ],
    )


class Attempt(Enum):
    DONE = "done"  # delivered, failed for good, or nothing left to do
    RETRY = "retry"


def delivery_attempt(*, delivery_id: int) -> Attempt:
    """Make one attempt at the delivery and record how it went (a 2xx answer delivers it).

    After `MAX_ATTEMPTS` failed attempts, or an address now refused, the delivery is marked
    failed; otherwise RETRY asks the caller to try again later. A delivery already delivered
    or failed, or gone with its webhook, is left alone, so a repeated task sends nothing twice.
    """
    delivery = (
        WebhookDelivery.objects.select_related("webhook")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:
        return Attempt.DONE
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        webhooks.SIGNATURE_HEADER: webhooks.signature(
            secret=delivery.webhook.secret, timestamp=int(time.time()), body=body
        ),
        "Bearing-Event": delivery.event,
        "Bearing-Delivery": str(delivery.pk),
    }
    delivery.attempts += 1
    delivery.attempted_at = timezone.now()
    final = False
    try:
        response = webhooks.post(
            url=delivery.webhook.url,
            body=body,
            headers=headers,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
        )
    except webhooks.WebhookRefused as refusal:
        delivery.response_code, delivery.error, final = None, str(refusal), True
    except (OSError, http.client.HTTPException) as error:
        delivery.response_code = None
        delivery.error = f"Could not reach the receiver: {error or type(error).__name__}"
    else:
        delivery.response_code = response.status
        delivery.error = "" if response.ok else f"The receiver answered {response.status}."
        if response.ok:
            delivery.status = DeliveryStatus.DELIVERED
    if delivery.status == DeliveryStatus.PENDING and (final or delivery.attempts >= MAX_ATTEMPTS):
        delivery.status = DeliveryStatus.FAILED
    delivery.error = delivery.error[:500]
    delivery.save(update_fields=["status", "attempts", "response_code", "error", "attempted_at"])
    return Attempt.RETRY if delivery.status == DeliveryStatus.PENDING else Attempt.DONE
