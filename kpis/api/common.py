"""What the KPI API's resources share: the unit lookups that scope a query to what a person sees,
number fields shaped like the stored values, and filtering by period.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_filters import rest_framework as filters

from core.api import IdFilter, NumberField
from kpis.models import VALUE_FIELD_OPTIONS

KPI_UNITS = ("objective__plan__org_unit_id", "objective__org_unit_id")
KPI_PART_UNITS = ("kpi__objective__plan__org_unit_id", "kpi__objective__org_unit_id")
OBJECTIVE_UNITS = ("plan__org_unit_id", "org_unit_id")
MAX_BULK_ROWS = 10_000


def value_field(**kwargs: Any) -> NumberField:
    return NumberField(
        max_digits=VALUE_FIELD_OPTIONS["max_digits"],
        decimal_places=VALUE_FIELD_OPTIONS["decimal_places"],
        **kwargs,
    )


def fiscal_month() -> int:
    month: int = settings.FISCAL_YEAR_START_MONTH
    return month


class PeriodFilterSet(filters.FilterSet):
    """Filters of targets and actuals: by KPI, plan and period (exact or a range)."""

    kpi = IdFilter(field_name="kpi_id")
    plan = IdFilter(field_name="kpi__plan_id")
    period = filters.DateFilter()
    period_after = filters.DateFilter(field_name="period", lookup_expr="gte")
    period_before = filters.DateFilter(field_name="period", lookup_expr="lte")
