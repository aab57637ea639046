"""The person who made a request is the actor of its changes only, never of later ones."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from auditlog.context import auditlog_value
from auditlog.models import LogEntry

from accounts.audit import record_with_actor
from kpis.models import Actual
from kpis.services import ActualRow, actuals_bulk_record
from tests.accounts.org import build_org, client_for
from tests.factories import KpiFactory

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)


def test_a_request_leaves_no_actor_behind_for_the_changes_after_it():
    org = build_org()
    assert client_for(org.root_admin).get("/").status_code == 200

    assert (auditlog_value.get(None) or {}).get("actor") is None
    kpi = KpiFactory()
    actuals_bulk_record(rows=[ActualRow(kpi=kpi, period=JAN, value=Decimal(1))], by=None)

    entry = LogEntry.objects.get_for_object(Actual.objects.get(kpi=kpi)).get()
    assert entry.actor is None  # the system's, not the admin's of the request before


def test_naming_an_actor_for_a_task_hands_back_what_was_there_before():
    org = build_org()
    with record_with_actor(org.manager):
        assert auditlog_value.get()["actor"] == org.manager
    assert (auditlog_value.get(None) or {}).get("actor") is None


def test_a_change_with_nobody_named_is_recorded_while_another_thread_names_someone():
    """auditlog's `set_actor` connects its receiver for the whole process: a save on a thread
    with nobody named (after a request, in a test) still works while another thread answers a
    request in the meantime, and is recorded as the system's."""
    org = build_org()
    named, done = threading.Event(), threading.Event()

    def answering_a_request() -> None:
        with record_with_actor(org.manager):
            named.set()
            done.wait()

    other = threading.Thread(target=answering_a_request)
    other.start()
    try:
        assert named.wait(timeout=30)
        kpi = KpiFactory()  # audited: its LogEntry passes the other thread's receiver
    finally:
        done.set()
        other.join()

    assert LogEntry.objects.get_for_object(kpi).get().actor is None
