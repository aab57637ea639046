"""The action-plan pages: a draft from an off-track KPI, activation, inline task updates."""

import pytest
from django.urls import reverse

from actionplans.models import ActionPlan, Task
from tests.actionplans.conftest import client

pytestmark = pytest.mark.django_db


def test_a_manager_creates_a_draft_from_a_kpi_with_its_goal_as_the_expected_value(world):
    people, objective, kpi, _, _ = world
    url = reverse("actionplans:plan_new") + f"?objective={objective.pk}&kpi={kpi.pk}"
    page = client(people["head"]).get(url)
    assert "Bring OTD back on track" in page.content.decode()
    response = client(people["head"]).post(
        url,
        {"name": "Bring OTD back on track", "start_date": "2026-02-01", "due_date": "2026-06-30"},
    )
    created = ActionPlan.objects.get(name="Bring OTD back on track")
    assert response.status_code == 302
    assert created.status == ActionPlan.Status.DRAFT
    assert created.kpi_links.get().expected_value == 95
    page = client(people["head"]).get(reverse("actionplans:plan", args=[created.pk])).content
    assert b"missing a description, an owner" in page


def test_activating_a_plan_that_is_not_smart_is_refused_with_what_is_missing(world):
    people, _, _, action_plan, _ = world
    response = client(people["head"]).post(
        reverse("actionplans:plan_status", args=[action_plan.pk]), {"status": "active"}
    )
    assert response.status_code == 400
    assert "Measurable needs a linked KPI" in response.content.decode()
    assert ActionPlan.objects.get(pk=action_plan.pk).status == ActionPlan.Status.DRAFT


def test_the_task_owner_marks_it_done_inline_and_the_plans_progress_moves(world):
    people, _, _, _, task = world
    response = client(people["clerk"]).post(
        reverse("actionplans:task_update", args=[task.pk]),
        {"status": "done", "percent_complete": "0", "version": "1", "with_plan": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "100 %" in response.content.decode()
    assert Task.objects.get(pk=task.pk).percent_complete == 100


def test_progress_over_100_is_refused_inline_with_the_reason(world):
    people, _, _, _, task = world
    response = client(people["head"]).post(
        reverse("actionplans:task_update", args=[task.pk]),
        {"status": "in_progress", "percent_complete": "120"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "less than or equal to 100" in response.content.decode()


@pytest.mark.parametrize(("who", "expected"), [("outsider", 404), ("sub_admin", 404)])
def test_people_outside_the_unit_do_not_find_the_task(world, who, expected, settings):
    settings.SCORECARD_TRANSPARENCY = False
    people, _, _, _, task = world
    url = reverse("actionplans:task_update", args=[task.pk])
    assert client(people[who]).post(url, {"status": "done"}).status_code == expected


def test_my_tasks_lists_the_persons_open_tasks_only(world):
    people, _, _, _, task = world
    assert (
        task.name in client(people["clerk"]).get(reverse("actionplans:my_tasks")).content.decode()
    )
    assert (
        task.name
        not in client(people["head"]).get(reverse("actionplans:my_tasks")).content.decode()
    )


def test_a_stale_plan_edit_answers_409_and_changes_nothing(world):
    people, _, _, action_plan, _ = world
    response = client(people["head"]).post(
        reverse("actionplans:plan_edit", args=[action_plan.pk]),
        {
            "name": "Renamed",
            "start_date": "2026-01-01",
            "due_date": "2026-06-30",
            "version": "0",
        },
    )
    assert response.status_code == 409
    assert "changed by someone else in the meantime" in response.content.decode()
    unchanged = ActionPlan.objects.get(pk=action_plan.pk)
    assert (unchanged.name, unchanged.version) == (action_plan.name, action_plan.version)


def test_a_stale_inline_task_update_answers_409_with_the_reason(world):
    people, _, _, _, task = world
    response = client(people["clerk"]).post(
        reverse("actionplans:task_update", args=[task.pk]),
        {"status": "done", "percent_complete": "100", "version": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Someone else changed this task" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == Task.Status.TODO


def test_the_manager_adds_a_milestone_and_tasks_are_grouped_under_it(world):
    people, _, _, action_plan, task = world
    head = client(people["head"])
    response = head.post(
        reverse("actionplans:milestone_add", args=[action_plan.pk]),
        {"milestone-name": "Second shift staffed", "milestone-due_date": "2026-04-30"},
    )
    assert response.status_code == 302
    milestone = action_plan.milestones.get()
    response = head.post(
        reverse("actionplans:task_add", args=[action_plan.pk]),
        {
            "task-name": "Interview dispatchers",
            "task-milestone": milestone.pk,
            "task-due_date": "2026-04-15",
        },
    )
    assert response.status_code == 302
    assert action_plan.tasks.get(name="Interview dispatchers").milestone == milestone

    html = head.get(reverse("actionplans:plan", args=[action_plan.pk])).content.decode()
    under_milestone = html.split(f'id="milestone-{milestone.pk}"')[1].split("</table>")[0]
    assert "Milestone: Second shift staffed, due 30 Apr 2026" in under_milestone
    assert "Interview dispatchers" in under_milestone
    assert task.name not in under_milestone
    assert "Tasks without a milestone" in html


def test_a_milestone_outside_the_plans_dates_is_refused_at_its_field(world):
    people, _, _, action_plan, _ = world
    response = client(people["head"]).post(
        reverse("actionplans:milestone_add", args=[action_plan.pk]),
        {"milestone-name": "Too late", "milestone-due_date": "2026-08-31"},
    )
    assert response.status_code == 400
    assert "inside the action plan&#x27;s dates" in response.content.decode()
    assert not action_plan.milestones.exists()


def test_a_contributor_cannot_add_a_milestone(world):
    people, _, _, action_plan, _ = world
    response = client(people["clerk"]).post(
        reverse("actionplans:milestone_add", args=[action_plan.pk]),
        {"milestone-name": "Mine", "milestone-due_date": "2026-04-30"},
    )
    assert response.status_code == 403
    assert not action_plan.milestones.exists()


def _tag(html: str, marker: str) -> str:
    """The attributes of the element whose opening tag holds `marker`."""
    return html.split(marker)[1].split(">")[0]


def test_a_refused_plan_field_is_marked_invalid_and_described_by_its_error(world):
    people, _, _, action_plan, _ = world
    response = client(people["head"]).post(
        reverse("actionplans:plan_edit", args=[action_plan.pk]),
        {
            "name": action_plan.name,
            "start_date": "2026-01-01",
            "due_date": "2031-01-01",
            "version": str(action_plan.version),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    control = _tag(html, 'name="due_date"')
    assert 'aria-invalid="true"' in control
    assert 'aria-describedby="id_due_date_helptext id_due_date_error"' in control
    assert 'id="id_due_date_error"' in html
    assert "strategic plan&#x27;s horizon" in html.split('id="id_due_date_error"')[1][:200]


def test_a_refused_milestone_date_is_described_by_its_error(world):
    people, _, _, action_plan, _ = world
    html = (
        client(people["head"])
        .post(
            reverse("actionplans:milestone_add", args=[action_plan.pk]),
            {"milestone-name": "Too late", "milestone-due_date": "2026-08-31"},
        )
        .content.decode()
    )
    control = _tag(html, 'name="milestone-due_date"')
    assert 'aria-invalid="true"' in control
    assert 'aria-describedby="id_milestone-due_date_error"' in control
    assert 'id="id_milestone-due_date_error"' in html


def test_a_refused_inline_update_marks_the_field_at_fault_and_describes_both(world):
    people, _, _, _, task = world
    html = (
        client(people["head"])
        .post(
            reverse("actionplans:task_update", args=[task.pk]),
            {"status": "in_progress", "percent_complete": "120", "version": "1"},
            headers={"HX-Request": "true"},
        )
        .content.decode()
    )
    percent = _tag(html, f'id="percent-{task.pk}"')
    status = _tag(html, f'id="status-{task.pk}"')
    assert f'aria-describedby="task-{task.pk}-error"' in percent
    assert 'aria-invalid="true"' in percent
    assert f'aria-describedby="task-{task.pk}-error"' in status
    assert "aria-invalid" not in status
    assert f'id="task-{task.pk}-error"' in html


def _changed_by_someone_else(task):
    Task.objects.filter(pk=task.pk).update(
        status=Task.Status.IN_PROGRESS, percent_complete=40, version=2
    )


def test_a_stale_update_on_my_tasks_keeps_what_was_typed_and_shows_the_saved_values(world):
    people, _, _, _, task = world
    _changed_by_someone_else(task)
    response = client(people["clerk"]).post(
        reverse("actionplans:task_update", args=[task.pk]),
        {"status": "blocked", "percent_complete": "15", "version": "1", "with_plan": "1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert '<option value="blocked" selected>' in html
    assert 'name="percent_complete" type="number" inputmode="numeric" value="15"' in html
    assert "Saved now: In progress, 40 %." in html
    assert "Your values are kept in the form" in html
    # Saving again is based on the version saved now, so it replaces it on purpose.
    assert 'name="version" value="2"' in html
    saved = Task.objects.get(pk=task.pk)
    assert (saved.status, saved.percent_complete) == (Task.Status.IN_PROGRESS, 40)


def test_without_javascript_a_stale_update_shows_my_tasks_with_what_was_typed(world):
    people, _, _, _, task = world
    _changed_by_someone_else(task)
    response = client(people["clerk"]).post(
        reverse("actionplans:task_update", args=[task.pk]),
        {"status": "blocked", "percent_complete": "15", "version": "1", "with_plan": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "<h1>My tasks</h1>" in html
    assert '<option value="blocked" selected>' in html
    assert 'value="15"' in html
    assert "Saved now: In progress, 40 %." in html
