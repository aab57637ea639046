"""Action plans and their tasks."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actionplans.models import ActionPlan, Task
from tests.factories import ActionPlanFactory, ObjectiveFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_an_action_plan_due_before_it_starts():
    objective = ObjectiveFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlanFactory(
            objective=objective, start_date=date(2026, 3, 1), due_date=date(2026, 2, 28)
        )
    assert ActionPlan.objects.count() == 0


def test_full_clean_refuses_an_action_plan_due_before_it_starts():
    action_plan = ActionPlanFactory.build(
        objective=ObjectiveFactory(), start_date=date(2026, 3, 1), due_date=date(2026, 2, 28)
    )
    with pytest.raises(ValidationError, match="due date cannot be before the start date"):
        action_plan.full_clean()


def test_an_action_plan_may_start_and_be_due_on_the_same_day():
    action_plan = ActionPlanFactory(start_date=date(2026, 3, 1), due_date=date(2026, 3, 1))
    action_plan.full_clean()


def test_database_refuses_a_task_more_than_100_percent_complete():
    action_plan = ActionPlanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(action_plan=action_plan, percent_complete=101)
    assert Task.objects.count() == 0


def test_full_clean_refuses_a_task_more_than_100_percent_complete():
    task = TaskFactory.build(action_plan=ActionPlanFactory(), percent_complete=101)
    with pytest.raises(ValidationError) as error:
        task.full_clean()
    assert "percent_complete" in error.value.message_dict
    task.percent_complete = 100
    task.full_clean()


@pytest.mark.parametrize(
    ("status", "due_date", "overdue"),
    [
        (Task.Status.TODO, date(2026, 3, 30), True),
        (Task.Status.IN_PROGRESS, date(2026, 3, 30), True),
        (Task.Status.BLOCKED, date(2026, 3, 30), True),
        (Task.Status.DONE, date(2026, 3, 30), False),
        (Task.Status.TODO, date(2026, 3, 31), False),
        (Task.Status.TODO, date(2026, 4, 1), False),
    ],
)
def test_a_task_is_overdue_when_not_done_after_its_due_date(status, due_date, overdue):
    task = TaskFactory.build(status=status, due_date=due_date)
    assert task.is_overdue(today=date(2026, 3, 31)) is overdue
