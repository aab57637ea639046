"""The timeline's layout, without the database: bars on a shared axis, today's line on it."""

from datetime import date
from fractions import Fraction

from actionplans.timeline import MARGIN, WIDTH, MilestonePoint, PlanSpan, layout


def span(start: date, due: date, *, progress: Fraction = Fraction(0), **kwargs) -> PlanSpan:
    return PlanSpan(
        plan_id=kwargs.pop("plan_id", 1),
        name=kwargs.pop("name", "Plan"),
        start=start,
        due=due,
        status="active",
        status_label="Active",
        schedule="on_schedule",
        schedule_label="On schedule",
        progress=progress,
        href="/action-plans/1/",
        **kwargs,
    )


def test_the_axis_runs_from_the_first_month_to_the_month_after_the_last_due_date():
    timeline = layout(
        [span(date(2026, 1, 10), date(2026, 3, 20))], today=date(2026, 2, 1), width=WIDTH
    )
    assert [tick.label for tick in timeline.ticks] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert timeline.ticks[0].x < timeline.bars[0].x
    assert timeline.bars[0].x + timeline.bars[0].width < WIDTH - MARGIN


def test_todays_line_is_on_the_chart_even_after_every_plan_ended():
    timeline = layout([span(date(2026, 1, 1), date(2026, 1, 31))], today=date(2026, 6, 15))
    bar = timeline.bars[0]
    assert bar.x + bar.width < timeline.today_x < WIDTH - MARGIN
    assert timeline.ticks[-1].label == "Jun 2026"


def test_later_plans_sit_further_right_and_lower():
    first, second = layout(
        [
            span(date(2026, 1, 1), date(2026, 2, 1)),
            span(date(2026, 3, 1), date(2026, 4, 1), plan_id=2),
        ],
        today=date(2026, 1, 1),
    ).bars
    assert second.x > first.x + first.width
    assert second.y > first.y


def test_a_plan_of_one_day_is_still_a_bar_and_progress_fills_its_share():
    bar = layout(
        [span(date(2026, 1, 5), date(2026, 1, 5), progress=Fraction(1, 2))],
        today=date(2026, 1, 5),
    ).bars[0]
    assert bar.width > 0
    assert bar.done_width == round(bar.width / 2, 1)


def test_a_long_axis_labels_every_few_months_only():
    timeline = layout([span(date(2026, 1, 1), date(2028, 12, 31))], today=date(2026, 1, 1))
    assert len(timeline.ticks) <= 12
    assert timeline.ticks[0].label == "Jan 2026"


def test_milestones_are_diamonds_on_their_plans_bar_with_their_state_in_words():
    bar = layout(
        [
            span(
                date(2026, 1, 1),
                date(2026, 3, 31),
                milestones=(MilestonePoint("Pilot", date(2026, 2, 1), "reached", "Reached"),),
            )
        ],
        today=date(2026, 2, 15),
    ).bars[0]
    (diamond,) = bar.diamonds
    assert diamond.title == "Milestone Pilot: due 1 Feb 2026, reached"
    assert diamond.state == "reached"
    assert bar.title == "Plan: 1 Jan 2026 to 31 Mar 2026, Active, on schedule, 0 % done"


def test_no_plans_is_an_empty_timeline():
    assert layout([], today=date(2026, 1, 1)).is_empty
