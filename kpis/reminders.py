"""Which reminder about a period's missing actual is due on a day: pure date arithmetic.

A period's actual is due `due_days` after the period ends. Its updaters are reminded from
`notice_days` before the due day ("upcoming"), again once the due day has passed ("overdue"),
and when it is still missing `notice_days` after that, the unit's manager is told
("escalation"). Each stage goes out once; a stage missed (no run that day) is not sent late.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Stage(StrEnum):
    UPCOMING = "upcoming"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


def due_day(period_end: date, due_days: int) -> date:
    """The day by which a period's actual is due."""
    return period_end + timedelta(days=due_days)


def reminder_stage(
    today: date, period_end: date, *, due_days: int, notice_days: int
) -> Stage | None:
    """The stage of the reminders due `today` about a period that ended on `period_end`."""
    due = due_day(period_end, due_days)
    if today < due - timedelta(days=notice_days):
        return None
    if today <= due:
        return Stage.UPCOMING
    if today < due + timedelta(days=notice_days):
        return Stage.OVERDUE
    return Stage.ESCALATION
