"""`/health/`: whether this process can reach the database, the cache and the Celery broker.

For load balancers, container health checks and monitoring: no sign-in, and an answer that
names only the component that failed, never the error (it could name hosts or accounts); the
error itself goes to the log. Not the plan health checklist, which is `scorecard/health.py`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scorecard.celery import app as celery_app

logger = logging.getLogger(__name__)

# Seconds a broker may take to accept a connection before it counts as unavailable; the
# container health check gives the whole answer a few seconds more.
BROKER_TIMEOUT_SECONDS = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    token = secrets.token_hex(8)
    cache.set("service-health", token, timeout=10)
    if cache.get("service-health") != token:
        raise RuntimeError("the cache did not return the value just stored")


def _broker() -> None:
    # The broker the settings name now, so a changed setting is what is checked; one attempt,
    # no waiting between retries.
    with celery_app.connection_for_write(
        url=settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
}


def service_checks() -> dict[str, str]:
    """Each component's state, "ok" or "unavailable"; the reason of a failure is logged."""
    states = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # Any failure of a component means it is unavailable; which one is in the log.
            logger.exception("Health check: the %s is unavailable.", name)
            states[name] = "unavailable"
        else:
            states[name] = "ok"
    return states


@require_GET
@never_cache
def service_health(request: HttpRequest) -> JsonResponse:
    """200 with every component "ok", else 503 naming the components that are unavailable."""
    checks = service_checks()
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
