"""Writing actuals: one at a time (`actual_record`), many at once (`actuals_bulk_record`), and
reviewing them (`actual_review`, with the self-approval refusal; `review_refusal` says why a
queue offers no review).

An actual is refused for a closed period, a period that has not started, a KPI that takes no
actuals and a stale version; a value saved unchanged writes nothing. A value that puts its KPI
off track for the period (it was not off track before, or had no actual) is told to the
off-track webhooks once the write commits (`kpis.services.webhooks.went_off_track`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import record_bulk_changes
from accounts.models import User
from core import data_version
from core.numbers import plain_number
from kpis import periods
from kpis.models import Actual, ActualStatus, Kpi, Target
from kpis.rules import actuals_closed
from kpis.selectors import (
    OFF_TRACK_NEEDS_ACTION,
    closed_message,
    closed_through,
    future_message,
    needs_corrective_action,
)
from kpis.services.closing import PeriodClosed, refuse_closed
from kpis.services.common import Outcome, Source
from kpis.services.webhooks import OffTrack, kpis_off_track_record, went_off_track


class ActualVersionConflict(ValidationError):
    """The actual was changed by someone else since the version the change was based on."""

    def __init__(self, current: Actual) -> None:
        self.current = current
        who = current.entered_by or "someone else"
        super().__init__(
            f"{who} saved {plain_number(current.value)} for this period in the meantime "
            f"(version {current.version}); reload to see it before changing it.",
            code="version_conflict",
        )


def _refuse_unwritable(kpi: Kpi, period: date) -> None:
    """Refuse a KPI that takes no actuals, and a period that has not started yet."""
    refusal = actuals_closed(kpi)
    if refusal is not None:
        raise ValidationError(refusal)
    if period > timezone.localdate():
        raise ValidationError(future_message(period), code="future_period")


def _unchanged(existing: Actual, value: Decimal, analysis: str, corrective_action: str) -> bool:
    """Whether saving these values writes nothing: an approved actual saved unchanged stays
    approved (nothing new for an approver to review). Only a returned actual saved again
    unchanged is written, as a new submission: its updater confirms the value."""
    same = (existing.value, existing.analysis, existing.corrective_action) == (
        value,
        analysis,
        corrective_action,
    )
    resubmitted = settings.SCORECARD_APPROVAL and existing.status == ActualStatus.RETURNED
    return same and not resubmitted


def _new_status() -> str:
    return ActualStatus.SUBMITTED if settings.SCORECARD_APPROVAL else ActualStatus.APPROVED


def actual_record(
    *,
    kpi: Kpi,
    period: date,
    value: Decimal,
    by: User | None,
    analysis: str = "",
    corrective_action: str = "",
    expected_version: int | None = None,
    source: Source = Source.PERSON,
) -> tuple[Actual, Outcome]:
    """Create or change the KPI's actual for the period.

    `expected_version` is the version the change was based on (0 for "there was none"); a
    different current version raises ActualVersionConflict and nothing is written. A save
    that changes nothing keeps the version (`_unchanged`). A closed period raises PeriodClosed,
    a future one ValidationError. From a person (`Source`), a change that puts the KPI off
    track needs a corrective action (ValidationError on "corrective_action"). With approval
    on, a change is submitted anew.
    """
    _refuse_unwritable(kpi, period)
    with transaction.atomic():
        refuse_closed(period, kpi.frequency)
        existing = (
            # Lock the actual's row only: PostgreSQL cannot lock the nullable side of a join.
            Actual.objects.select_for_update(of=("self",))
            .select_related("entered_by")
            .filter(kpi=kpi, period=period)
            .first()
        )
        current_version = existing.version if existing else 0
        if expected_version is not None and expected_version != current_version:
            if existing is None:
                raise ValidationError("This actual was deleted in the meantime; reload the page.")
            raise ActualVersionConflict(existing)
        if existing is not None and _unchanged(existing, value, analysis, corrective_action):
            return existing, Outcome.UNCHANGED
        target = Target.objects.filter(kpi=kpi, period=period).first()
        if source is Source.PERSON and needs_corrective_action(
            kpi, target, value, corrective_action
        ):
            raise ValidationError({"corrective_action": OFF_TRACK_NEEDS_ACTION})
        off_track = went_off_track(
            kpi=kpi,
            target=target,
            period=period,
            before=existing.value if existing else None,
            after=value,
        )
        if existing is None:
            actual = Actual(
                kpi=kpi,
                period=period,
                value=value,
                analysis=analysis,
                corrective_action=corrective_action,
                entered_by=by,
                status=_new_status(),
            )
            outcome = Outcome.CREATED
        else:
            actual = existing
            actual.value = value
            actual.analysis = analysis
            actual.corrective_action = corrective_action
            actual.entered_by = by
            actual.version = current_version + 1
            actual.status = _new_status()
            actual.reviewed_by = None
            actual.reviewed_at = None
            outcome = Outcome.UPDATED
        actual.full_clean()
        actual.save()
        if off_track is not None:
            kpis_off_track_record(changes=[off_track])
        return actual, outcome


@dataclass(frozen=True)
class ActualRow:
    """One row of a bulk write: the KPI, its period and the value; an analysis or corrective
    action left out (None) keeps the stored one."""

    kpi: Kpi
    period: date
    value: Decimal
    analysis: str | None = None
    corrective_action: str | None = None


def _given_or_kept(given: str | None, current: Actual | None, field: str) -> str:
    """A bulk row's text, or the stored one when the row leaves it out."""
    if given is not None:
        return given
    return str(getattr(current, field)) if current is not None else ""


# Rows per INSERT of a bulk write: SQLite allows at most 32,766 parameters in one statement.
BULK_BATCH = 2000
# What a bulk write sets on an actual that already exists; the rest (the KPI, the period) is
# its identity, and a review is cleared because the changed value is a new submission.
UPSERTED_FIELDS = [
    "value",
    "analysis",
    "corrective_action",
    "entered_by",
    "entered_at",
    "version",
    "status",
    "reviewed_by",
    "reviewed_at",
]


def actuals_bulk_record(
    *, rows: Sequence[ActualRow], by: User | None, source: Source = Source.PERSON
) -> list[tuple[Actual, Outcome]]:
    """Upsert many actuals at once, all or nothing, answering per row (set-based).

    Each row is validated like `actual_record` (closed and future periods, and from a person
    the corrective action of an off-track value, included); unchanged rows are decided as
    there (`_unchanged`). The same (KPI, period) twice in one call is refused. Raises
    ValidationError with `error_dict` keyed by row index ("0", "1", ...) listing every bad row.
    """
    errors: dict[str, list[ValidationError]] = {}
    seen: dict[tuple[int, date], int] = {}
    through = closed_through()
    for index, row in enumerate(rows):
        key = (row.kpi.pk, row.period)
        try:
            _refuse_unwritable(row.kpi, row.period)
            if key in seen:
                raise ValidationError(
                    f"Row {seen[key]} already sets {row.kpi.code} for {row.period}."
                )
            if periods.is_closed(row.period, row.kpi.frequency, through):
                raise PeriodClosed(row.period, row.kpi.frequency)
            candidate = Actual(kpi=row.kpi, period=row.period, value=row.value)
            candidate.clean_fields(exclude=["kpi", "entered_by", "reviewed_by"])
            candidate.clean()
        except ValidationError as error:
            errors[str(index)] = [error]
        seen.setdefault(key, index)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        kpi_ids = {row.kpi.pk for row in rows}
        period_list = {row.period for row in rows}
        # Again inside the transaction: a close made since the check above wins.
        if (now_through := closed_through()) != through:
            for row in rows:
                if periods.is_closed(row.period, row.kpi.frequency, now_through):
                    raise PeriodClosed(row.period, row.kpi.frequency)
        existing = {
            (a.kpi_id, a.period): a
            for a in Actual.objects.select_for_update().filter(
                kpi_id__in=kpi_ids, period__in=period_list
            )
        }
        targets = {
            (t.kpi_id, t.period): t
            for t in Target.objects.filter(kpi_id__in=kpi_ids, period__in=period_list)
        }
        status = _new_status()
        results: list[tuple[Actual, Outcome]] = []
        off_track: list[OffTrack] = []
        written: list[Actual] = []
        changes: list[tuple[Actual | None, Actual]] = []
        for index, row in enumerate(rows):
            current = existing.get((row.kpi.pk, row.period))
            analysis = _given_or_kept(row.analysis, current, "analysis")
            action = _given_or_kept(row.corrective_action, current, "corrective_action")
            if current is not None and _unchanged(current, row.value, analysis, action):
                results.append((current, Outcome.UNCHANGED))
                continue
            if source is Source.PERSON and needs_corrective_action(
                row.kpi, targets.get((row.kpi.pk, row.period)), row.value, action
            ):
                errors[str(index)] = [ValidationError(OFF_TRACK_NEEDS_ACTION)]
                continue
            went = went_off_track(
                kpi=row.kpi,
                target=targets.get((row.kpi.pk, row.period)),
                period=row.period,
                before=current.value if current is not None else None,
                after=row.value,
            )
            if went is not None:
                off_track.append(went)
            actual = Actual(
                kpi=row.kpi,
                period=row.period,
                value=row.value,
                analysis=analysis,
                corrective_action=action,
                entered_by=by,
                status=status,
                # The row is locked above, so its next version is decided here.
                version=current.version + 1 if current is not None else 1,
                review_comment=current.review_comment if current is not None else "",
            )
            written.append(actual)
            if current is not None:
                current.kpi = row.kpi  # named in the audit trail without a query per row
            changes.append((current, actual))
            results.append((actual, Outcome.CREATED if current is None else Outcome.UPDATED))
        if errors:
            raise ValidationError(errors)
        # One INSERT ... ON CONFLICT (kpi_id, period) DO UPDATE per batch, created and changed
        # rows alike (a CASE per field per row, as bulk_update writes, costs several times
        # more); the ids come back by RETURNING, for the answer and the audit trail.
        Actual.objects.bulk_create(
            written,
            batch_size=BULK_BATCH,
            update_conflicts=True,
            unique_fields=["kpi", "period"],
            update_fields=UPSERTED_FIELDS,
        )
        data_version.bump()  # a bulk insert sends no signals
        record_bulk_changes(changes, by=by)
        kpis_off_track_record(changes=off_track)
        return results


# --- Approval ----------------------------------------------------------------------------------

SELF_APPROVAL = "You entered this value; another approver must approve it."


def approval_refusal(*, actual: Actual, by: User) -> str | None:
    """Why the person may not approve the actual whatever their role, or None.

    The person who recorded its current version never approves it (four eyes).
    """
    if actual.entered_by_id is not None and actual.entered_by_id == by.pk:
        return SELF_APPROVAL
    return None


def review_refusal(*, actual: Actual, by: User, closed_through: date | None) -> str | None:
    """Why the person is offered no review of the actual, or None: its period is closed
    (`actual_review` would refuse approving and returning alike; `closed_through` is the close
    date, read once for a whole queue) or they entered it themselves (`approval_refusal`)."""
    kpi = actual.kpi
    if periods.is_closed(actual.period, kpi.frequency, closed_through):
        return closed_message(actual.period, kpi.frequency)
    return approval_refusal(actual=actual, by=by)


def actual_review(
    *,
    actual: Actual,
    by: User,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> Actual:
    """Approve the actual, or return it to its updater with a comment saying why.

    `expected_version` is the version the reviewer saw: a value changed since then is refused
    (ActualVersionConflict), so nobody approves a number they have not seen. Reviewing does
    not change the version. A closed period refuses reviews too, and nobody approves a value
    they entered themselves (`approval_refusal`).
    """
    with transaction.atomic():
        refuse_closed(actual.period, actual.kpi.frequency)
        current = (
            Actual.objects.select_for_update(of=("self",))
            .select_related("entered_by", "kpi")
            .get(pk=actual.pk)
        )
        if expected_version is not None and expected_version != current.version:
            raise ActualVersionConflict(current)
        if not approve and not comment.strip():
            raise ValidationError({"review_comment": "Say why you return it."})
        refusal = approval_refusal(actual=current, by=by) if approve else None
        if refusal is not None:
            raise ValidationError(refusal, code="self_approval")
        current.status = ActualStatus.APPROVED if approve else ActualStatus.RETURNED
        current.review_comment = comment.strip()
        current.reviewed_by = by
        current.reviewed_at = timezone.now()
        current.full_clean()
        current.save()
        return current
