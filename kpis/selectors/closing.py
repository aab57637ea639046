"""The close date: which periods it closes, the words refusing a closed period on every
channel, and what moving it would close or reopen (the preview on the close page).

A period is closed when it ends on or before the close date (`periods.is_closed`): closing
through 31 October closes October, the quarter ending in September and the fiscal years
before, while the quarter and the year that contain October stay open until they end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count

from kpis import periods
from kpis.models import Kpi, PeriodClose
from kpis.periods import Frequency

_NOUN = {Frequency.MONTHLY: "month", Frequency.QUARTERLY: "quarter", Frequency.YEARLY: "year"}


def closed_through() -> date | None:
    """The organisation's close date, None when no period is closed (one query)."""
    day: date | None = (
        PeriodClose.objects.filter(pk=1).values_list("closed_through", flat=True).first()
    )
    return day


def closed_message(period: date, frequency: Frequency | str) -> str:
    """Why the period takes no changes, naming the period itself: "FY2026 Q3 is closed; …"."""
    name = periods.label(period, frequency, settings.FISCAL_YEAR_START_MONTH)
    return f"{name} is closed; ask an admin to reopen it."


@dataclass(frozen=True)
class CloseChange:
    """The periods of one frequency that a new close date closes or reopens."""

    frequency: Frequency
    periods: str  # "Oct 2026", "Sep 2026 and Oct 2026", "every month through Oct 2026"
    kpi_count: int  # KPIs of that frequency that take actuals

    @property
    def kpis(self) -> str:
        noun = "KPI" if self.kpi_count == 1 else "KPIs"
        return f"{self.kpi_count or 'no'} {self.frequency} {noun}"


@dataclass(frozen=True)
class ClosePreview:
    """What setting the close date to `through` would do, from `current`."""

    current: date | None
    through: date | None
    changes: list[CloseChange]

    @property
    def closes(self) -> bool:
        """Whether the new date closes periods (rather than reopening them)."""
        return self.through is not None and (self.current is None or self.through > self.current)

    @property
    def sentence(self) -> str:
        if not self.changes:
            if self.through is None:
                return "No period is closed: this changes nothing."
            return f"The periods are closed through {periods.day_label(self.through)} already."
        parts = _and([f"{change.periods} ({change.kpis})" for change in self.changes])
        if self.through is None:
            return f"Reopening every period reopens {parts}."
        day = periods.day_label(self.through)
        if self.closes:
            return f"Closing through {day} closes {parts}."
        return f"Moving the close date back to {day} reopens {parts}."


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _span(after: date | None, through: date, frequency: Frequency) -> str | None:
    """The periods of the frequency ending after `after` (None: any) and on or before
    `through`, in words; None when there are none."""
    fy = settings.FISCAL_YEAR_START_MONTH
    last = periods.last_period_closed(through, frequency, fy)
    if after is None:
        return f"every {_NOUN[frequency]} through {periods.label(last, frequency, fy)}"
    first = periods.next_period(periods.last_period_closed(after, frequency, fy), frequency)
    if first > last:
        return None
    if first == last:
        return periods.label(last, frequency, fy)
    joiner = " and " if periods.next_period(first, frequency) == last else " to "
    return f"{periods.label(first, frequency, fy)}{joiner}{periods.label(last, frequency, fy)}"


def close_preview(*, through: date | None, current: date | None) -> ClosePreview:
    """What moving the close date from `current` to `through` closes or reopens, per
    frequency, with how many KPIs that take actuals each concerns (one query)."""
    if through is None or (current is not None and through < current):
        after, until = through, current  # reopening
    else:
        after, until = current, through  # closing
    if until is None or until == after:
        return ClosePreview(current, through, [])
    counts = dict(
        Kpi.objects.filter(is_retired=False, formula="")
        .values("frequency")
        .annotate(n=Count("pk"))
        .values_list("frequency", "n")
    )
    changes = []
    for frequency in Frequency:
        words = _span(after, until, frequency)
        if words is not None:
            changes.append(CloseChange(frequency, words, counts.get(frequency.value, 0)))
    return ClosePreview(current, through, changes)
