"""Existing period locks become the close date: the last day of the month of the latest lock,
set by whoever took that lock (kpis/migrations/0010_period_close.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory

BEFORE = [("kpis", "0009_sent_digest")]
AFTER = [("kpis", "0010_period_close")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_close_date() -> Iterator[Apps]:
    """The models as they were with period locks; the latest schema again afterwards."""
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())


def test_the_latest_lock_becomes_the_close_date(before_close_date):
    first, latest = UserFactory(), UserFactory()
    PeriodLock = before_close_date.get_model("kpis", "PeriodLock")
    PeriodLock.objects.create(period=datetime.date(2026, 2, 1), locked_by_id=latest.pk)
    PeriodLock.objects.create(period=datetime.date(2025, 12, 1), locked_by_id=first.pk)

    apps = migrate(AFTER)

    close = apps.get_model("kpis", "PeriodClose").objects.get()
    assert (close.closed_through, close.closed_by_id) == (datetime.date(2026, 2, 28), latest.pk)


def test_without_locks_nothing_is_closed(before_close_date):
    apps = migrate(AFTER)

    assert not apps.get_model("kpis", "PeriodClose").objects.exists()


def test_going_back_turns_the_close_date_into_a_lock_on_its_last_month(before_close_date):
    apps = migrate(AFTER)
    apps.get_model("kpis", "PeriodClose").objects.create(
        id=1, closed_through=datetime.date(2025, 12, 31)
    )

    old = migrate(BEFORE)

    locks = old.get_model("kpis", "PeriodLock").objects.values_list("period", flat=True)
    assert list(locks) == [datetime.date(2025, 12, 1)]
