"""Progress against time: one rule for every action plan (see docs/action-plans.md).

A plan's progress is the weighted average of its tasks' percent complete (weights ≥ 0; no
tasks, or only weightless ones, is 0 %). The share of its time elapsed on a day is
`(today - start) / (due - start)`, clamped to 0-1 (a plan that starts and ends on one day has
used all its time from that day on). On a day, a plan is

- **overdue** when it is past its due date and not complete;
- **behind** when its progress is below the share of its time elapsed;
- **on schedule** otherwise (a complete plan always is).

A milestone is **reached** when every task under it is done (one with no tasks once its day
has come), **missed** when its due date has passed otherwise, and **upcoming** before that.

Numbers are exact fractions, so "progress equals time elapsed" is on schedule, never an
accident of rounding. Plain Python: no Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

COMPLETE = Fraction(1)


class Schedule(StrEnum):
    ON_SCHEDULE = "on_schedule"
    BEHIND = "behind"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"on_schedule": "On schedule", "behind": "Behind", "overdue": "Overdue"}[self.value]


class MilestoneState(StrEnum):
    REACHED = "reached"
    MISSED = "missed"
    UPCOMING = "upcoming"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def milestone_state(
    *, due: datetime.date, tasks_done: Iterable[bool], today: datetime.date
) -> MilestoneState:
    """Reached when every task under the milestone is done (with no tasks, once its day has
    come); missed once its due date has passed otherwise; upcoming before that."""
    done = list(tasks_done)
    if all(done) and (done or today >= due):
        return MilestoneState.REACHED
    if today > due:
        return MilestoneState.MISSED
    return MilestoneState.UPCOMING


def progress(tasks: Iterable[tuple[Decimal | int, int]]) -> Fraction:
    """The weighted share complete (0-1) of `(weight, percent_complete)` pairs."""
    total = Fraction(0)
    done = Fraction(0)
    for weight, percent in tasks:
        total += Fraction(weight)
        done += Fraction(weight) * Fraction(percent, 100)
    return done / total if total else Fraction(0)


def elapsed(start: datetime.date, due: datetime.date, today: datetime.date) -> Fraction:
    """The share (0-1) of the time from start to due that has passed on `today`."""
    if today < start:
        return Fraction(0)
    if today >= due:
        return COMPLETE
    return Fraction((today - start).days, (due - start).days)


def schedule(
    *, done: Fraction, start: datetime.date, due: datetime.date, today: datetime.date
) -> Schedule:
    """On schedule, behind or overdue, for a plan `done` complete (0-1) on `today`."""
    if done >= COMPLETE:
        return Schedule.ON_SCHEDULE
    if today > due:
        return Schedule.OVERDUE
    if done < elapsed(start, due, today):
        return Schedule.BEHIND
    return Schedule.ON_SCHEDULE


def percent(share: Fraction) -> int:
    """A share as a whole percent for display, rounded down (99.9 % is not shown as 100 %)."""
    return int(share * 100)
