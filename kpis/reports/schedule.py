"""When a monthly period's report is due: pure date arithmetic, no Django."""

from __future__ import annotations

from datetime import date, timedelta

from kpis import periods


def last_closed_period(today: date, delay_days: int) -> date:
    """The latest month that ended at least `delay_days` days before `today`.

    With a delay of 3 days, the October report is due from 3 November: on 2 November the
    last closed period is still September.
    """
    if delay_days < 0:
        raise ValueError("delay_days cannot be negative")
    cutoff = today - timedelta(days=delay_days)
    # The months ending on or before the cutoff end before the month holding the day after it.
    return periods.shift(periods.period_start(cutoff + timedelta(days=1), "monthly"), "monthly", -1)
