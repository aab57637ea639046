"""Queueing a background job once the data it needs is committed, without blocking the save.

Services queue tasks by name (Celery's `signature`), because the tasks call the services:
kpis/tasks.py imports them, so they cannot import it. A broker that is down never fails the
write that queued the job: the job is logged as not queued and the write stands (a digest
not queued goes out when the period's report is computed again; a webhook delivery stays
listed as pending).
"""

from __future__ import annotations

import logging
from functools import partial

from celery import signature
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


def queue_on_commit(task_name: str, *args: object) -> None:
    """Queue the task with these arguments when the current transaction commits (at once
    outside one); nothing when it rolls back."""
    transaction.on_commit(partial(_send, task_name, args))


def _send(task_name: str, args: tuple[object, ...]) -> None:
    try:
        signature(task_name, args=args).delay()
    except BrokerUnavailable:
        logger.exception("Could not queue %s%r: the broker is unavailable.", task_name, args)
