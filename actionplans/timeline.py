"""The timeline's layout: action plans as bars along a time axis, milestones as diamonds on
them, and a line for today.

Pure and without Django: it takes plain `PlanSpan`s and returns coordinates for
`templates/actionplans/timeline.html` to draw as SVG. The axis runs from the first day of the
month of the earliest start (or today) to the first day of the month after the latest due date
(or today), so today's line is always on the chart. A day takes the width between its start
and the next day's, so a plan due on the day it starts is still a visible bar.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from actionplans.schedule import percent
from strategy.strategy_map import GLYPH_WIDTH, TextLine, wrap

WIDTH = 1040
MARGIN = 12
LABEL_WIDTH = 230
AXIS_HEIGHT = 34
ROW_HEIGHT = 44
BAR_HEIGHT = 18
FONT_SIZE = 13
DIAMOND = 7
MAX_TICK_LABELS = 12


@dataclass(frozen=True)
class MilestonePoint:
    name: str
    due: datetime.date
    state: str
    state_label: str


@dataclass(frozen=True)
class PlanSpan:
    """What the timeline shows of one plan; `schedule` is None for plans not under way."""

    plan_id: int
    name: str
    start: datetime.date
    due: datetime.date
    status: str
    status_label: str
    schedule: str | None
    schedule_label: str
    progress: Fraction
    href: str
    milestones: tuple[MilestonePoint, ...] = ()

    @property
    def percent(self) -> int:
        return percent(self.progress)


@dataclass(frozen=True)
class Diamond:
    name: str
    path: str
    state: str
    title: str


@dataclass(frozen=True)
class Bar:
    span: PlanSpan
    x: float
    y: float
    width: float
    height: float
    done_width: float
    label_lines: tuple[TextLine, ...]
    diamonds: tuple[Diamond, ...]

    @property
    def state(self) -> str:
        """What colours the bar: its schedule while under way, else its status."""
        return self.span.schedule or self.span.status

    @property
    def title(self) -> str:
        span = self.span
        words = [
            f"{span.name}: {_day(span.start)} to {_day(span.due)}",
            span.status_label,
        ]
        if span.schedule:
            words.append(span.schedule_label.lower())
        words.append(f"{span.percent} % done")
        return ", ".join(words)


@dataclass(frozen=True)
class Tick:
    label: str
    x: float


@dataclass(frozen=True)
class Timeline:
    width: float
    height: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    today: datetime.date
    today_x: float
    axis_top: float
    axis_bottom: float

    @property
    def tick_y(self) -> float:
        return self.axis_top - 8

    @property
    def today_label_y(self) -> float:
        return self.height - 2

    @property
    def is_empty(self) -> bool:
        return not self.bars

    @property
    def summary(self) -> str:
        """One sentence for screen readers: what the chart shows."""
        plans = _plural(len(self.bars), "action plan")
        milestones = _plural(sum(len(bar.diamonds) for bar in self.bars), "milestone")
        return f"Timeline of {plans} and {milestones}, with today, {_day(self.today)}, marked."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def layout(spans: list[PlanSpan], *, today: datetime.date, width: float = WIDTH) -> Timeline:
    """Lay out one row per plan, in the order given, on a shared time axis."""
    first = _month_start(min([today, *(span.start for span in spans)]))
    last = _next_month(max([today, *(span.due for span in spans)]))
    area_x = MARGIN + LABEL_WIDTH
    area = width - area_x - MARGIN
    scale = area / (last - first).days

    def x(day: datetime.date) -> float:
        return round(area_x + (day - first).days * scale, 1)

    one_day = datetime.timedelta(days=1)
    chars = int((LABEL_WIDTH - 12) / (FONT_SIZE * GLYPH_WIDTH))
    top = MARGIN + AXIS_HEIGHT
    bars: list[Bar] = []
    for row, span in enumerate(spans):
        y = top + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        left, right = x(span.start), x(span.due + one_day)
        lines = wrap(span.name, chars, 2)
        first_line = y + BAR_HEIGHT / 2 + FONT_SIZE / 3 - (len(lines) - 1) * FONT_SIZE * 0.6
        mid = y + BAR_HEIGHT / 2
        bars.append(
            Bar(
                span=span,
                x=left,
                y=round(y, 1),
                width=round(right - left, 1),
                height=BAR_HEIGHT,
                done_width=round((right - left) * float(span.progress), 1),
                label_lines=tuple(
                    TextLine(text, MARGIN, round(first_line + n * FONT_SIZE * 1.2, 1))
                    for n, text in enumerate(lines)
                ),
                diamonds=tuple(
                    Diamond(
                        name=milestone.name,
                        path=_diamond(x(milestone.due) + scale / 2, mid),
                        state=milestone.state,
                        title=(
                            f"Milestone {milestone.name}: due {_day(milestone.due)}, "
                            f"{milestone.state_label.lower()}"
                        ),
                    )
                    for milestone in span.milestones
                ),
            )
        )
    bottom = top + len(spans) * ROW_HEIGHT
    return Timeline(
        width=width,
        height=round(bottom + MARGIN + 10, 1),
        bars=tuple(bars),
        ticks=_ticks(first, last, x),
        today=today,
        today_x=round(x(today) + scale / 2, 1),
        axis_top=MARGIN + AXIS_HEIGHT - 6,
        axis_bottom=bottom,
    )


def _diamond(cx: float, cy: float) -> str:
    a, b = round(cx, 1), round(cy, 1)
    return f"M {a} {b - DIAMOND} L {a + DIAMOND} {b} L {a} {b + DIAMOND} L {a - DIAMOND} {b} Z"


def _ticks(
    first: datetime.date, last: datetime.date, x: Callable[[datetime.date], float]
) -> tuple[Tick, ...]:
    """A tick at the start of every month, or of every few months on a long axis."""
    months: list[datetime.date] = []
    month = first
    while month < last:
        months.append(month)
        month = _next_month(month)
    step = math.ceil(len(months) / MAX_TICK_LABELS)
    return tuple(Tick(f"{month:%b %Y}", x(month)) for month in months[::step])
