"""Period arithmetic for the scorecard, with no Django in it.

A period is identified by its first day. Quarters and years follow the fiscal year, which may
start in any month; a fiscal year is named after the calendar year in which it ends, so with
a January start FY2026 is the calendar year 2026 and with an April start FY2027 runs from
April 2026 to March 2027.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


def _check_month(fiscal_year_start_month: int) -> None:
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError(f"the fiscal year start month must be 1-12, not {fiscal_year_start_month}")


def _month_index(day: date) -> int:
    """Months since year 0, so that adding months is plain integer arithmetic."""
    return day.year * 12 + (day.month - 1)


def _from_month_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month of `day`."""
    return _from_month_index(_month_index(day) + months)


def period_start(day: date, frequency: Frequency | str, fiscal_year_start_month: int = 1) -> date:
    """The first day of the period of the given frequency that contains `day`."""
    _check_month(fiscal_year_start_month)
    length = MONTHS_PER_PERIOD[Frequency(frequency)]
    offset = (_month_index(day) - (fiscal_year_start_month - 1)) % length
    return _from_month_index(_month_index(day) - offset)


def is_period_start(
    day: date, frequency: Frequency | str, fiscal_year_start_month: int = 1
) -> bool:
    return period_start(day, frequency, fiscal_year_start_month) == day


def period_end(start: date, frequency: Frequency | str) -> date:
    """The last day of the period that starts on `start`."""
    next_start = add_months(start, MONTHS_PER_PERIOD[Frequency(frequency)])
    return date.fromordinal(next_start.toordinal() - 1)


def shift(start: date, frequency: Frequency | str, periods: int) -> date:
    """The period `periods` away from the period starting on `start` (negative goes back)."""
    return add_months(start, periods * MONTHS_PER_PERIOD[Frequency(frequency)])


def next_period(start: date, frequency: Frequency | str) -> date:
    return shift(start, frequency, 1)


def previous_period(start: date, frequency: Frequency | str) -> date:
    return shift(start, frequency, -1)


def periods_between(
    first: date, last: date, frequency: Frequency | str, fiscal_year_start_month: int = 1
) -> list[date]:
    """Every period start of the frequency whose period overlaps [first, last], in order."""
    current = period_start(first, frequency, fiscal_year_start_month)
    result = []
    while current <= last:
        result.append(current)
        current = next_period(current, frequency)
    return result


def fiscal_year(day: date, fiscal_year_start_month: int = 1) -> int:
    """The fiscal year containing `day`, named after the calendar year in which it ends."""
    start = period_start(day, Frequency.YEARLY, fiscal_year_start_month)
    return start.year if fiscal_year_start_month == 1 else start.year + 1


def fiscal_quarter(day: date, fiscal_year_start_month: int = 1) -> int:
    """1-4: the quarter of the fiscal year containing `day`."""
    year_start = period_start(day, Frequency.YEARLY, fiscal_year_start_month)
    return (_month_index(day) - _month_index(year_start)) // 3 + 1


def label(start: date, frequency: Frequency | str, fiscal_year_start_month: int = 1) -> str:
    """A short human label: "Mar 2026", "FY2026 Q1" or "FY2026"."""
    frequency = Frequency(frequency)
    if frequency is Frequency.MONTHLY:
        return start.strftime("%b %Y")
    year = fiscal_year(start, fiscal_year_start_month)
    if frequency is Frequency.QUARTERLY:
        return f"FY{year} Q{fiscal_quarter(start, fiscal_year_start_month)}"
    return f"FY{year}"


def last_closed_period(
    today: date, frequency: Frequency | str, fiscal_year_start_month: int = 1
) -> date:
    """The most recent period of the frequency that ended before `today`."""
    return previous_period(period_start(today, frequency, fiscal_year_start_month), frequency)


def day_label(day: date) -> str:
    """A day as people read it: "31 Oct 2026"."""
    return f"{day.day} {day:%b %Y}"


def is_month_end(day: date) -> bool:
    """Whether `day` is the last day of its month: the only days a close date may be."""
    return date.fromordinal(day.toordinal() + 1).day == 1


def is_closed(start: date, frequency: Frequency | str, closed_through: date | None) -> bool:
    """Whether the period is closed: it ends on or before the close date (None: none is)."""
    return closed_through is not None and period_end(start, frequency) <= closed_through


def last_period_closed(
    closed_through: date, frequency: Frequency | str, fiscal_year_start_month: int = 1
) -> date:
    """The latest period of the frequency that ends on or before `closed_through`."""
    day_after = date.fromordinal(closed_through.toordinal() + 1)
    return last_closed_period(day_after, frequency, fiscal_year_start_month)
