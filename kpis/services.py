"""Writes to KPIs, targets and actuals: every page, import, API call and task goes through here.

Permission checks stay with the callers (they decide between 404 and 403); these functions
enforce everything else: validation, versions and all-or-nothing transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from kpis.models import Actual, Kpi, Target


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class ActualVersionConflict(ValidationError):
    """The actual was changed by someone else since the version the change was based on."""

    def __init__(self, current: Actual) -> None:
        self.current = current
        who = current.entered_by or "someone else"
        super().__init__(
            f"{who} saved {current.value} for this period in the meantime (version "
            f"{current.version}); reload to see it before changing it.",
            code="version_conflict",
        )


def _refuse_unwritable(kpi: Kpi) -> None:
    if kpi.is_retired:
        raise ValidationError(f"{kpi.code} is retired; its actuals can no longer change.")
    if kpi.is_calculated:
        raise ValidationError(
            f"{kpi.code} is calculated from {kpi.formula}; enter its inputs instead."
        )


def actual_record(
    *,
    kpi: Kpi,
    period: date,
    value: Decimal,
    by: User | None,
    analysis: str = "",
    corrective_action: str = "",
    expected_version: int | None = None,
) -> tuple[Actual, Outcome]:
    """Create or change the KPI's actual for the period.

    `expected_version` is the version the change was based on (0 for "there was none"); a
    different current version raises ActualVersionConflict and nothing is written. A save
    that changes nothing keeps the version.
    """
    _refuse_unwritable(kpi)
    with transaction.atomic():
        existing = (
            Actual.objects.select_for_update()
            .select_related("entered_by")
            .filter(kpi=kpi, period=period)
            .first()
        )
        current_version = existing.version if existing else 0
        if expected_version is not None and expected_version != current_version:
            if existing is None:
                raise ValidationError("This actual was deleted in the meantime; reload the page.")
            raise ActualVersionConflict(existing)
        if existing is None:
            actual = Actual(
                kpi=kpi,
                period=period,
                value=value,
                analysis=analysis,
                corrective_action=corrective_action,
                entered_by=by,
            )
            actual.full_clean()
            actual.save()
            return actual, Outcome.CREATED
        if (existing.value, existing.analysis, existing.corrective_action) == (
            value,
            analysis,
            corrective_action,
        ):
            return existing, Outcome.UNCHANGED
        existing.value = value
        existing.analysis = analysis
        existing.corrective_action = corrective_action
        existing.entered_by = by
        existing.version = current_version + 1
        existing.full_clean()
        existing.save()
        return existing, Outcome.UPDATED


@dataclass(frozen=True)
class ActualRow:
    """One row of a bulk write: the KPI, its period and the value (analysis optional)."""

    kpi: Kpi
    period: date
    value: Decimal
    analysis: str | None = None


def actuals_bulk_record(
    *, rows: Sequence[ActualRow], by: User | None
) -> list[tuple[Actual, Outcome]]:
    """Upsert many actuals at once, all or nothing, answering per row (set-based).

    Each row is validated like `actual_record`; a row without `analysis` keeps the stored
    analysis. The same (KPI, period) twice in one call is refused. Raises ValidationError
    with `error_dict` keyed by row index ("0", "1", ...) listing every bad row.
    """
    errors: dict[str, list[ValidationError]] = {}
    seen: dict[tuple[int, date], int] = {}
    for index, row in enumerate(rows):
        key = (row.kpi.pk, row.period)
        try:
            _refuse_unwritable(row.kpi)
            if key in seen:
                raise ValidationError(
                    f"Row {seen[key]} already sets {row.kpi.code} for {row.period}."
                )
            candidate = Actual(kpi=row.kpi, period=row.period, value=row.value)
            candidate.clean_fields(exclude=["kpi", "entered_by"])
            candidate.clean()
        except ValidationError as error:
            errors[str(index)] = [error]
        seen.setdefault(key, index)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        kpi_ids = {row.kpi.pk for row in rows}
        period_list = {row.period for row in rows}
        existing = {
            (a.kpi_id, a.period): a
            for a in Actual.objects.select_for_update().filter(
                kpi_id__in=kpi_ids, period__in=period_list
            )
        }
        results: list[tuple[Actual, Outcome]] = []
        to_create: list[Actual] = []
        to_update: list[Actual] = []
        for row in rows:
            current = existing.get((row.kpi.pk, row.period))
            analysis = row.analysis
            if current is None:
                actual = Actual(
                    kpi=row.kpi,
                    period=row.period,
                    value=row.value,
                    analysis=analysis or "",
                    entered_by=by,
                )
                to_create.append(actual)
                results.append((actual, Outcome.CREATED))
                continue
            new_analysis = current.analysis if analysis is None else analysis
            if current.value == row.value and current.analysis == new_analysis:
                results.append((current, Outcome.UNCHANGED))
                continue
            current.value = row.value
            current.analysis = new_analysis
            current.entered_by = by
            current.version += 1
            to_update.append(current)
            results.append((current, Outcome.UPDATED))
        now = timezone.now()
        for actual in to_update:
            actual.entered_at = now  # auto_now does not apply to bulk_update
        Actual.objects.bulk_create(to_create, batch_size=1000)
        Actual.objects.bulk_update(
            to_update,
            ["value", "analysis", "entered_by", "version", "entered_at"],
            batch_size=1000,
        )
        return results


def target_set(
    *,
    kpi: Kpi,
    period: date,
    goal: Decimal,
    red_flag: Decimal | None = None,
    goal_high: Decimal | None = None,
    red_flag_high: Decimal | None = None,
) -> tuple[Target, Outcome]:
    """Create or change the KPI's target for the period, validated by the scoring rules."""
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(kpi=kpi, period=period).first()
        outcome = Outcome.UPDATED
        if target is None:
            target = Target(kpi=kpi, period=period)
            outcome = Outcome.CREATED
        new = (goal, red_flag, goal_high, red_flag_high)
        if outcome is Outcome.UPDATED and new == (
            target.goal,
            target.red_flag,
            target.goal_high,
            target.red_flag_high,
        ):
            return target, Outcome.UNCHANGED
        target.goal, target.red_flag, target.goal_high, target.red_flag_high = new
        target.full_clean()
        target.save()
        return target, outcome
