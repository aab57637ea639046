"""Bulk writes of actuals are set-based: one upsert per batch whatever the number of rows, and
one audit entry per row changed (none for a row unchanged), as a single save records it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from kpis.models import Actual, ActualStatus, Kpi
from kpis.services import ActualRow, ActualWritten, Outcome, actual_record, actuals_bulk_record
from kpis.services.common import Source
from tests.factories import ActualFactory, KpiFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)


def actual_entries(actual: Actual | ActualWritten) -> list[LogEntry]:
    entries = LogEntry.objects.get_for_model(Actual).filter(object_id=actual.id)
    return list(entries.order_by("pk"))


def test_a_bulk_write_records_one_entry_per_row_changed_and_none_for_unchanged_rows():
    new, changed, unchanged = KpiFactory(), KpiFactory(), KpiFactory()
    ActualFactory(kpi=changed, period=JAN, value=Decimal(3))
    ActualFactory(kpi=unchanged, period=JAN, value=Decimal(5))
    LogEntry.objects.all().delete()
    by = UserFactory()

    results = actuals_bulk_record(
        rows=[
            ActualRow(kpi=new, period=JAN, value=Decimal(1)),
            ActualRow(kpi=changed, period=JAN, value=Decimal(4)),
            ActualRow(kpi=unchanged, period=JAN, value=Decimal(5)),
        ],
        by=by,
    )

    created, updated, kept = results
    assert [written.outcome for written in results] == [
        Outcome.CREATED,
        Outcome.UPDATED,
        Outcome.UNCHANGED,
    ]
    assert LogEntry.objects.get_for_model(Actual).count() == 2
    (creation,) = actual_entries(created)
    (update,) = actual_entries(updated)
    assert actual_entries(kept) == []
    assert (creation.action, update.action) == (LogEntry.Action.CREATE, LogEntry.Action.UPDATE)
    assert update.changes_dict["value"][1] == "4"
    assert (creation.actor, update.actor) == (by, by)
    assert update.additional_data == {"kpi_id": changed.pk}


def test_a_bulk_entry_holds_what_a_single_save_records():
    one, many = KpiFactory(), KpiFactory()
    by = UserFactory()
    for kpi in (one, many):
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(3), analysis="")

    single, _ = actual_record(kpi=one, period=JAN, value=Decimal(4), by=by, analysis="Better.")
    (bulk,) = actuals_bulk_record(
        rows=[ActualRow(kpi=many, period=JAN, value=Decimal(4), analysis="Better.")], by=by
    )

    single_entry = actual_entries(single)[-1]
    bulk_entry = actual_entries(bulk)[-1]
    # The time of the save differs; every field named and every other value is the same.
    assert single_entry.changes_dict.keys() == bulk_entry.changes_dict.keys()
    for field in single_entry.changes_dict.keys() - {"entered_at"}:
        assert single_entry.changes_dict[field] == bulk_entry.changes_dict[field], field
    assert single_entry.object_repr.split(" ", 1)[1] == bulk_entry.object_repr.split(" ", 1)[1]


def test_a_changed_row_gets_the_next_version_a_new_submission_and_keeps_its_id():
    kpi, by = KpiFactory(), UserFactory()
    stored = ActualFactory(kpi=kpi, period=JAN, value=Decimal(3), version=4)

    (written,) = actuals_bulk_record(rows=[ActualRow(kpi=kpi, period=JAN, value=Decimal(7))], by=by)

    stored.refresh_from_db()
    assert (written.outcome, written.id, written.version) == (Outcome.UPDATED, stored.pk, 5)
    assert (stored.value, stored.version, stored.entered_by) == (Decimal(7), 5, by)
    assert stored.status == ActualStatus.APPROVED
    assert (stored.reviewed_by, stored.reviewed_at) == (None, None)


@pytest.fixture
def sqlite_own_parameter_limit(monkeypatch):
    """SQLite takes 32,766 parameters a statement since 3.32, but Django batches its inserts
    for 999: on SQLite the batches, not the write, would grow with the rows."""
    if connection.vendor == "sqlite":
        monkeypatch.setattr(connection.features, "max_query_params", 32_766)


def bulk_queries(kpis: list[Kpi], value: Decimal, by: User) -> int:
    rows = [ActualRow(kpi=kpi, period=FEB, value=value) for kpi in kpis]
    with CaptureQueriesContext(connection) as queries:
        actuals_bulk_record(rows=rows, by=by, source=Source.INTEGRATION)
    return len(queries)


@pytest.mark.usefixtures("sqlite_own_parameter_limit")
def test_a_bulk_write_of_200_rows_takes_as_many_queries_as_one_of_10():
    objective = ObjectiveFactory()
    kpis = Kpi.objects.bulk_create(
        KpiFactory.build(objective=objective, plan=objective.plan, code=f"B{n:03}")
        for n in range(210)
    )
    few, many = kpis[:10], kpis[10:]
    by = UserFactory()

    created = (bulk_queries(few, Decimal(1), by), bulk_queries(many, Decimal(1), by))
    changed = (bulk_queries(few, Decimal(2), by), bulk_queries(many, Decimal(2), by))

    assert created[0] == created[1]
    assert changed[0] == changed[1]
    assert Actual.objects.filter(period=FEB, value=2).count() == 210


def test_one_refused_row_writes_nothing_of_new_changed_or_unchanged_rows():
    new, changed, unchanged, retired = KpiFactory(), KpiFactory(), KpiFactory(), KpiFactory()
    ActualFactory(kpi=changed, period=JAN, value=Decimal(3))
    ActualFactory(kpi=unchanged, period=JAN, value=Decimal(5))
    Kpi.objects.filter(pk=retired.pk).update(is_retired=True)
    retired.refresh_from_db()
    LogEntry.objects.all().delete()
    rows = [
        ActualRow(kpi=new, period=JAN, value=Decimal(1)),
        ActualRow(kpi=changed, period=JAN, value=Decimal(4)),
        ActualRow(kpi=unchanged, period=JAN, value=Decimal(5)),
        ActualRow(kpi=retired, period=JAN, value=Decimal(2)),
    ]

    with pytest.raises(ValidationError) as refused:
        actuals_bulk_record(rows=rows, by=None, source=Source.INTEGRATION)

    assert list(refused.value.error_dict) == ["3"]
    assert "retired" in refused.value.error_dict["3"][0].messages[0]
    stored = dict(Actual.objects.values_list("kpi_id", "value"))
    assert stored == {changed.pk: Decimal(3), unchanged.pk: Decimal(5)}
    assert not LogEntry.objects.exists()

    results = actuals_bulk_record(rows=rows[:3], by=None, source=Source.INTEGRATION)

    assert [(w.kpi_id, w.outcome, w.version) for w in results] == [
        (new.pk, Outcome.CREATED, 1),
        (changed.pk, Outcome.UPDATED, 2),
        (unchanged.pk, Outcome.UNCHANGED, 1),
    ]
    stored = dict(Actual.objects.values_list("kpi_id", "value"))
    assert stored == {new.pk: Decimal(1), changed.pk: Decimal(4), unchanged.pk: Decimal(5)}
    assert [w.id for w in results] == [
        Actual.objects.get(kpi=kpi).pk for kpi in (new, changed, unchanged)
    ]
    assert LogEntry.objects.count() == 2


def test_a_value_with_more_digits_than_stored_is_refused_with_the_fields_message():
    kpi = KpiFactory()

    with pytest.raises(ValidationError) as refused:
        actuals_bulk_record(
            rows=[ActualRow(kpi=kpi, period=JAN, value=Decimal("1.1234567"))], by=None
        )

    assert refused.value.message_dict == {
        "0": ["Ensure that there are no more than 6 decimal places."]
    }
    assert not Actual.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY into a staging table is PostgreSQL's"
)
def test_on_postgresql_rows_go_through_a_staging_table_with_their_text_intact():
    kpis = [KpiFactory(), KpiFactory()]
    ActualFactory(kpi=kpis[1], period=JAN, value=Decimal(3), review_comment="Checked.")
    words = 'Tabs\there, a newline\nthen a backslash \\ and "quotes", \\N not null'
    rows = [ActualRow(kpi=kpi, period=JAN, value=Decimal("-12.5"), analysis=words) for kpi in kpis]

    with CaptureQueriesContext(connection) as queries:
        actuals_bulk_record(rows=rows, by=None, source=Source.INTEGRATION)
        # A second bulk write in the same transaction makes its staging table again.
        actuals_bulk_record(
            rows=[ActualRow(kpi=kpis[0], period=FEB, value=Decimal(7))],
            by=None,
            source=Source.INTEGRATION,
        )

    statements = [query["sql"] for query in queries]
    assert sum("INSERT INTO kpis_actual" in sql for sql in statements) == 2
    assert all("actuals_written" in sql for sql in statements if "INTO kpis_actual" in sql)
    stored = Actual.objects.filter(period=JAN).order_by("kpi_id")
    assert [(a.value, a.analysis, a.version) for a in stored] == [
        (Decimal("-12.5"), words, 1),
        (Decimal("-12.5"), words, 2),
    ]
    assert stored[1].review_comment == "Checked."
    assert Actual.objects.get(period=FEB).value == 7
