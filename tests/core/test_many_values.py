"""Filtering by thousands of values at once reads the same rows as a plain `IN`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.many_values import many_values
from kpis.models import Actual, Kpi
from tests.factories import ActualFactory, KpiFactory

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


def test_many_values_find_the_rows_a_plain_list_finds_ids_and_days_alike():
    kpis = [KpiFactory() for _ in range(3)]
    for kpi in kpis:
        ActualFactory(kpi=kpi, period=JAN, value=Decimal(1))
        ActualFactory(kpi=kpi, period=FEB, value=Decimal(2))
    ids = [kpi.pk for kpi in kpis[:2]] + [10**9]

    with CaptureQueriesContext(connection) as queries:
        found = set(
            Actual.objects.filter(
                kpi_id__in=many_values(ids), period__in=many_values({FEB})
            ).values_list("kpi_id", "period")
        )

    assert found == {(kpis[0].pk, FEB), (kpis[1].pk, FEB)}
    if connection.vendor == "postgresql":  # one array parameter, not one per value
        assert "unnest" in queries[0]["sql"]
    assert not Actual.objects.filter(kpi_id__in=many_values([])).exists()
    codes = many_values([kpis[2].code, "NOT-A-CODE"])
    assert list(Kpi.objects.filter(code__in=codes)) == [kpis[2]]
