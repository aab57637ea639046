"""Audit entries of a bulk write hold what django-auditlog records for single saves of the
same rows, so the history tab reads them alike."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from accounts.audit import audit_rows, history_for, record_with_actor
from accounts.audit_bulk import BulkEntry, _encoders, bulk_changes, record_bulk_entries
from kpis.models import Actual
from kpis.services import ActualRow, ActualWritten, actual_record, actuals_bulk_record
from tests.factories import ActualFactory, KpiFactory, UserFactory

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)


def recorded(actual: Actual) -> dict[str, Any]:
    """The actual's recorded fields as plain values, a foreign key by its id."""
    return {
        name: getattr(actual, Actual._meta.get_field(name).attname) for name in _encoders(Actual)
    }


def last_entry(actual: Actual | ActualWritten) -> LogEntry:
    return LogEntry.objects.get_for_model(Actual).filter(object_id=actual.id).latest("pk")


def test_the_changes_built_from_values_equal_auditlogs_for_a_created_and_an_updated_actual(
    settings,
):
    settings.SCORECARD_APPROVAL = True
    by, reviewer = UserFactory(), UserFactory()
    created, _ = actual_record(
        kpi=KpiFactory(), period=JAN, value=Decimal("12.5"), by=by, analysis="First."
    )
    reviewed = ActualFactory(
        kpi=KpiFactory(),
        period=JAN,
        value=Decimal(3),
        analysis="Old words.",
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        review_comment="Looks right.",
    )
    before = recorded(Actual.objects.get(pk=reviewed.pk))
    updated, _ = actual_record(
        kpi=reviewed.kpi, period=JAN, value=Decimal("4.25"), by=by, corrective_action="Act."
    )

    encoders = _encoders(Actual)
    created_changes = bulk_changes(encoders, None, recorded(created))
    updated_changes = bulk_changes(encoders, before, recorded(updated))

    assert created_changes == last_entry(created).changes
    assert updated_changes == last_entry(updated).changes
    # What the comparison covers: a moment, a person and a status cleared or changed.
    assert {"reviewed_at", "reviewed_by", "status", "value"} <= updated_changes.keys()
    assert updated_changes["value"] == ["3.000000", "4.25"]


def test_a_bulk_write_records_what_single_saves_record_for_new_and_changed_rows():
    by = UserFactory()
    singles, bulks = KpiFactory(code="S1"), KpiFactory(code="B1")
    for kpi in (singles, bulks):
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(3), analysis="")
    feb = datetime.date(2026, 2, 1)

    with record_with_actor(by):  # a single save's actor is the request's person
        single_new, _ = actual_record(kpi=singles, period=feb, value=Decimal(8), by=by)
        single_changed, _ = actual_record(
            kpi=singles, period=JAN, value=Decimal(4), by=by, analysis="Better."
        )
    bulk_new, bulk_changed = actuals_bulk_record(
        rows=[
            ActualRow(kpi=bulks, period=feb, value=Decimal(8)),
            ActualRow(kpi=bulks, period=JAN, value=Decimal(4), analysis="Better."),
        ],
        by=by,
    )

    for single, bulk in ((single_new, bulk_new), (single_changed, bulk_changed)):
        one, many = last_entry(single), last_entry(bulk)
        assert (one.action, one.actor, one.cid) == (many.action, by, many.cid)
        assert many.actor == by
        assert {**one.changes_dict, "kpi": None} == {**many.changes_dict, "kpi": None}
        assert one.object_repr.removeprefix("S1") == many.object_repr.removeprefix("B1")
        assert (one.additional_data, many.additional_data) == (
            {"kpi_id": singles.pk},
            {"kpi_id": bulks.pk},
        )
        assert many.object_id == bulk.id
    # The history tab words them alike (each names its own KPI).
    words = [
        [str(change) for change in row.changes if change.field != "KPI"]
        for kpi in (singles, bulks)
        for row in audit_rows(history_for(kpi, parts=[Actual]))[:2]
    ]
    assert words[:2] == words[2:]
    assert "Value: 3 → 4" in words[0]


def test_a_row_whose_recorded_fields_did_not_change_gets_no_entry():
    kpi = KpiFactory()
    actual = ActualFactory(kpi=kpi, period=JAN, value=Decimal(3))
    LogEntry.objects.all().delete()
    values = recorded(actual)

    count = record_bulk_entries(
        Actual,
        [BulkEntry(actual.pk, str(actual), values, {**values, "value": Decimal("3.000000")})],
        by=None,
    )

    assert count == 0
    assert not LogEntry.objects.exists()
