"""Period locks: locking and unlocking a period, and refusing any write inside a locked one."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from kpis.models import PeriodLock
from kpis.selectors import lock_message
from kpis.services.common import Outcome


class PeriodLocked(ValidationError):
    """The period is locked: nothing in it may change until an admin unlocks it."""

    def __init__(self, period: date) -> None:
        self.period = period
        super().__init__(lock_message(period), code="period_locked")


def _refuse_locked(period: date) -> None:
    if PeriodLock.objects.filter(period=period).exists():
        raise PeriodLocked(period)


def period_lock(*, period: date, by: User | None) -> tuple[PeriodLock, Outcome]:
    """Lock the period that starts on `period` (idempotent)."""
    if period.day != 1:
        raise ValidationError({"period": "A period is identified by its first day."})
    with transaction.atomic():
        lock = PeriodLock.objects.filter(period=period).first()
        if lock is not None:
            return lock, Outcome.UNCHANGED
        lock = PeriodLock(period=period, locked_by=by)
        lock.full_clean()
        lock.save()
        return lock, Outcome.CREATED


def period_unlock(*, period: date) -> bool:
    """Unlock the period; False when it was not locked."""
    with transaction.atomic():
        lock = PeriodLock.objects.filter(period=period).first()
        if lock is None:
            return False
        lock.delete()  # through the model, so the audit trail records who unlocked it
        return True
