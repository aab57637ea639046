"""When a monthly period's report is due: pure date arithmetic, no Django."""

from __future__ import annotations

from datetime import date, timedelta

from kpis import periods


def last_closed_period(today: date, delay_days: int) -> date:
    """The latest month whose report is due by `today`: `delay_days` days after it ended.

    A month ends when the next begins; with a delay of 3 days the October report is due from
    4 November (on 3 November the last closed period is still September), with no delay
    from 1 November.
    """
    if delay_days < 0:
        raise ValueError("delay_days cannot be negative")
    cutoff = today - timedelta(days=delay_days)
    return periods.shift(periods.period_start(cutoff, "monthly"), "monthly", -1)
