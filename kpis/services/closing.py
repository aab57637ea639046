"""Closing periods: setting or moving back the organisation's close date, and refusing any
write in a period that ends on or before it (`kpis.selectors.closing`)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from kpis import periods
from kpis.models import PeriodClose
from kpis.periods import Frequency
from kpis.selectors import closed_message, closed_through
from kpis.services.common import Outcome


class PeriodClosed(ValidationError):
    """The period ends on or before the close date: nothing in it may change until an admin
    moves the date back."""

    def __init__(self, period: date, frequency: Frequency | str) -> None:
        self.period = period
        super().__init__(closed_message(period, frequency), code="period_closed")


def refuse_closed(period: date, frequency: Frequency | str) -> None:
    if periods.is_closed(period, frequency, closed_through()):
        raise PeriodClosed(period, frequency)


def close_date_refusal(through: date) -> str | None:
    """Why `through` may not be the close date (a month still running), or None."""
    if through >= timezone.localdate():
        return "Close a month once it has ended: choose an earlier one."
    return None


def period_close(*, through: date | None, by: User | None) -> tuple[PeriodClose, Outcome]:
    """Close every period that ends on or before `through`, the last day of a month that
    has ended; an earlier date reopens the periods after it, None reopens every period."""
    refusal = close_date_refusal(through) if through is not None else None
    if refusal is not None:
        raise ValidationError({"closed_through": refusal})
    with transaction.atomic():
        close = PeriodClose.objects.select_for_update().filter(pk=1).first()
        if (close.closed_through if close else None) == through:
            return close or PeriodClose(), Outcome.UNCHANGED
        outcome = Outcome.CREATED if close is None else Outcome.UPDATED
        close = close or PeriodClose()
        close.closed_through = through
        close.closed_by = by
        close.full_clean()
        close.save()  # through the model, so the audit trail records the move and who made it
        return close, outcome
