"""The Celery app of the worker tests' subprocess (`celery -A tests.kpis.celery_worker worker`).

It is the project's app with the project's tasks, on a queue (and, for the server-less broker, a
folder) of the test's own, so that it never takes another run's messages. With
`BEARING_TEST_STOP_FILE` set, a variance report stops half-way through its transaction, after
the old lines are deleted and before the new ones are written: it touches that file and waits
there to be killed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from celery.signals import task_prerun

from scorecard.celery import app
from tests.kpis.worker import broker_options

QUEUE = os.environ["BEARING_TEST_QUEUE"]
app.conf.task_default_queue = QUEUE
if os.environ.get("BEARING_TEST_BROKER_DIR"):
    app.conf.broker_transport_options = broker_options(Path(os.environ["BEARING_TEST_BROKER_DIR"]))


def _stop_half_way(*args: Any, **kwargs: Any) -> None:
    Path(os.environ["BEARING_TEST_STOP_FILE"]).touch()
    threading.Event().wait()  # until the test kills the worker


@task_prerun.connect
def _stop_reports_half_way(**kwargs: Any) -> None:
    if os.environ.get("BEARING_TEST_STOP_FILE"):
        from kpis.models import VarianceLine

        VarianceLine.objects.bulk_create = _stop_half_way  # type: ignore[method-assign]
