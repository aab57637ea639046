"""Import batches: storing an uploaded file's preview (`import_batch_create`) and committing it
(`import_commit`), which checks the rows again and writes them through the actual services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import Channel, recording_channel
from accounts.models import User
from kpis import imports
from kpis.models import ImportBatch
from kpis.services.actuals import ActualRow, actuals_bulk_record
from kpis.services.targets import target_set
from strategy.models import StrategicPlan


class ImportChanged(ValidationError):
    """The data changed since the preview: the rows would now do something else."""


@dataclass(frozen=True)
class ImportSummary:
    created: int
    changed: int
    unchanged: int
    skipped: int
    refused: int


def import_commit(*, batch: ImportBatch, by: User, expected: str | None = None) -> ImportSummary:
    """Write the batch's accepted rows, all in one transaction or none of them.

    The rows are checked again first, against the data as it is now; `expected` is the
    preview's digest (`imports.outcome_digest`): when the rows would now do something else,
    ImportChanged is raised and nothing is written, so people commit what they saw.
    """
    with transaction.atomic(), recording_channel(Channel.IMPORT):
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.committed_at is not None:
            raise ValidationError("This file was imported already.")
        rows = imports.check_rows(batch.rows, user=by, plan=batch.plan, scored=False)
        if expected is not None and imports.outcome_digest(rows) != expected:
            raise ImportChanged(
                "Something changed since the preview: check the rows again before importing."
            )
        actual_rows = [
            ActualRow(
                kpi=row.kpi,
                period=row.period,
                value=row.value,
                analysis=row.analysis,
                corrective_action=row.corrective_action,
            )
            for row in rows
            if row.writes and row.kpi and row.period and row.value is not None
        ]
        if actual_rows:
            actuals_bulk_record(rows=actual_rows, by=by)
        for row in rows:
            if row.writes and row.kpi and row.period and row.target:
                goal, red_flag, goal_high, red_flag_high = row.target
                target_set(
                    kpi=row.kpi,
                    period=row.period,
                    goal=goal,
                    red_flag=red_flag,
                    goal_high=goal_high,
                    red_flag_high=red_flag_high,
                )
        batch.committed_at = timezone.now()
        batch.save(update_fields=["committed_at"])
        statuses = [row.status for row in rows]
        return ImportSummary(
            created=statuses.count(imports.RowStatus.CREATE),
            changed=statuses.count(imports.RowStatus.CHANGE),
            unchanged=statuses.count(imports.RowStatus.UNCHANGED),
            skipped=statuses.count(imports.RowStatus.SKIPPED),
            refused=statuses.count(imports.RowStatus.REFUSED),
        )


def import_batch_create(
    *,
    user: User,
    plan: StrategicPlan | None,
    filename: str,
    rows: list[dict[str, Any]],
    notes: list[str],
) -> ImportBatch:
    """Keep a read file until its preview is committed; the person's stale batches go."""
    with transaction.atomic():
        ImportBatch.objects.filter(
            created_by=user, created_at__lt=timezone.now() - timedelta(days=1)
        ).delete()
        batch = ImportBatch(
            created_by=user, plan=plan, filename=filename[:255], rows=rows, notes=notes
        )
        batch.full_clean()
        batch.save()
        return batch
