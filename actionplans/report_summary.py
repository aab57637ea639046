"""What action plans add to a variance report's summary (registered in actionplans/apps.py; see
kpis/reports/extensions.py): the plan's action plans that are behind or overdue."""

from __future__ import annotations

from datetime import date

from actionplans import schedule
from actionplans.models import ActionPlan
from actionplans.selectors import ACTIVE_WORK, plan_progress, plan_schedule
from kpis import periods
from kpis.reports.extensions import SummaryItem, SummarySection
from strategy.models import StrategicPlan

LATE = (schedule.Schedule.BEHIND, schedule.Schedule.OVERDUE)


def action_plans_behind(plan: StrategicPlan, period: date) -> SummarySection:
    """The plan's active or held action plans behind or overdue on the period's last day.

    They are judged on the period's last day, with their progress when the report is computed,
    so a report computed again later reads the same unless someone changed a task.
    """
    day = periods.period_end(period, "monthly")
    action_plans = (
        ActionPlan.objects.filter(objective__plan=plan, status__in=ACTIVE_WORK)
        .select_related("owner", "objective")
        .prefetch_related("tasks")
        .order_by("due_date", "name", "pk")
    )
    items = []
    for action_plan in action_plans:
        state = plan_schedule(action_plan, day)
        if state not in LATE:
            continue
        done = schedule.percent(plan_progress(action_plan))
        used = schedule.percent(schedule.elapsed(action_plan.start_date, action_plan.due_date, day))
        owner = action_plan.owner.display_name if action_plan.owner else "no owner"
        items.append(
            SummaryItem(
                label=f"{action_plan.objective.code} {action_plan.name}",
                detail=(
                    f"{state.label}: {done} % done with {used} % of its time used, "
                    f"due {action_plan.due_date.isoformat()} ({owner})"
                ),
                org_unit_id=action_plan.org_unit_id,
            )
        )
    return SummarySection(
        key="action_plans_behind",
        title="Action plans behind",
        empty="No action plan is behind.",
        items=items,
    )
