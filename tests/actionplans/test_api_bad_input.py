"""Each bad input of an action plan or a task through the API: refused with the reason at its
field (409 with the current version for a stale edit), and nothing half-saved."""

import pytest

from actionplans.models import ActionPlan, Task
from tests.actionplans.test_api_action_plans import new_action_plan as new_plan
from tests.api_org import client_for

PLANS = "/api/v1/action-plans/"
TASKS = "/api/v1/tasks/"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"due_date": "2026-01-15"}, "due_date", "due date cannot be before the start"),
        ({"start_date": "2025-12-01"}, "start_date", "inside the strategic plan's horizon"),
        ({"due_date": "2029-01-31"}, "due_date", "inside the strategic plan's horizon"),
        ({"budget_planned": "-1.00"}, "budget_planned", "greater than or equal to 0"),
        ({"budget_spent": "-0.01"}, "budget_spent", "greater than or equal to 0"),
        ({"status": "active"}, "status", "only when it is SMART"),
    ],
)
def test_a_bad_new_action_plan_is_refused_with_the_reason(org, changes, field, reason):
    response = client_for(org.manager).post(PLANS, new_plan(org, **changes))
    assert response.status_code == 400, response.content
    assert reason in str(response.json()[field])
    assert ActionPlan.objects.count() == 1


def test_an_owner_with_no_role_in_the_unit_is_refused(org):
    response = client_for(org.manager).post(PLANS, new_plan(org, owner=org.outsider.pk))
    assert response.status_code == 400
    assert "holds no role in the unit Sales" in str(response.json()["owner"])
    assert ActionPlan.objects.count() == 1


def test_activating_a_plan_that_is_not_smart_names_what_is_missing_and_changes_nothing(org):
    url = f"{PLANS}{org.action_plan.pk}/"
    response = client_for(org.manager).patch(url, {"status": "active", "name": "Renamed"})
    assert response.status_code == 400
    assert "Measurable needs a linked KPI" in str(response.json()["status"])
    unchanged = ActionPlan.objects.get(pk=org.action_plan.pk)
    assert (unchanged.status, unchanged.name) == (ActionPlan.Status.DRAFT, org.action_plan.name)


def test_a_stale_plan_edit_answers_409_with_the_current_plan(org):
    url = f"{PLANS}{org.action_plan.pk}/"
    manager = client_for(org.manager)
    assert manager.patch(url, {"name": "First", "version": 1}).status_code == 200
    response = manager.patch(url, {"name": "Second", "version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["name"] == "First"
    assert response.json()["current"]["version"] == 2
    assert ActionPlan.objects.get(pk=org.action_plan.pk).name == "First"


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"due_date": "2026-07-31"}, "due_date", "inside the action plan's dates"),
        ({"start_date": "2025-12-31"}, "start_date", "inside the action plan's dates"),
        (
            {"start_date": "2026-03-01", "due_date": "2026-02-01"},
            "due_date",
            "due date cannot be before the start",
        ),
        ({"percent_complete": 101}, "percent_complete", "less than or equal to 100"),
        ({"percent_complete": -1}, "percent_complete", "greater than or equal to 0"),
        ({"weight": "-1"}, "weight", "greater than or equal to 0"),
    ],
)
def test_a_bad_task_is_refused_with_the_reason(org, changes, field, reason):
    task = {"action_plan": org.action_plan.pk, "name": "Hire", "due_date": "2026-04-30"}
    response = client_for(org.manager).post(TASKS, task | changes)
    assert response.status_code == 400, response.content
    assert reason in str(response.json()[field])
    assert Task.objects.count() == 1


def test_a_task_owner_with_no_role_in_the_unit_is_refused(org):
    response = client_for(org.manager).patch(
        f"{TASKS}{org.task.pk}/", {"owner": org.outsider.pk, "name": "Renamed"}
    )
    assert response.status_code == 400
    assert "holds no role in the unit Sales" in str(response.json()["owner"])
    unchanged = Task.objects.get(pk=org.task.pk)
    assert (unchanged.owner_id, unchanged.name) == (org.contributor.pk, org.task.name)


def test_a_stale_task_edit_answers_409_with_the_current_task(org):
    url = f"{TASKS}{org.task.pk}/"
    contributor = client_for(org.contributor)
    assert contributor.patch(url, {"percent_complete": 40, "version": 1}).status_code == 200
    response = contributor.patch(url, {"percent_complete": 90, "version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["percent_complete"] == 40
    assert Task.objects.get(pk=org.task.pk).percent_complete == 40
