"""tasks/: managers write every task of the unit; contributors change the tasks assigned to them."""

import pytest

from actionplans.models import Task
from tests.api_org import client_for, ids
from tests.factories import TaskFactory

URL = "/api/v1/tasks/"

pytestmark = pytest.mark.django_db


def detail(task: Task) -> str:
    return f"{URL}{task.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_a_viewer_reads_and_filters_tasks(org):
    viewer = client_for(org.viewer)
    assert ids(viewer.get(URL, {"owner": org.contributor.pk})) == {org.task.pk}
    assert ids(viewer.get(URL, {"status": "blocked"})) == set()


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_them(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(org.task)).status_code == 404
    assert outsider.patch(detail(org.task), {"status": "done"}).status_code == 404


def test_the_manager_adds_changes_and_deletes_tasks(org):
    manager = client_for(org.manager)
    response = manager.post(
        URL, {"action_plan": org.action_plan.pk, "name": "Hire", "due_date": "2026-04-30"}
    )
    assert response.status_code == 201, response.content
    task = Task.objects.get(pk=response.json()["id"])
    assert manager.patch(detail(task), {"percent_complete": 50}).status_code == 200
    assert manager.delete(detail(task)).status_code == 204


def test_a_contributor_updates_their_own_task_but_not_others_nor_adds_any(org):
    contributor = client_for(org.contributor)
    response = contributor.patch(detail(org.task), {"status": "done", "percent_complete": 100})
    assert response.status_code == 200, response.content
    someone_elses = TaskFactory(action_plan=org.action_plan, owner=org.manager)
    assert contributor.patch(detail(someone_elses), {"status": "done"}).status_code == 403
    response = contributor.post(
        URL, {"action_plan": org.action_plan.pk, "name": "Mine", "due_date": "2026-04-30"}
    )
    assert response.status_code == 403
    assert contributor.delete(detail(org.task)).status_code == 403


def test_a_contributor_cannot_hand_their_task_to_someone_else(org):
    response = client_for(org.contributor).patch(detail(org.task), {"owner": org.manager.pk})
    assert response.status_code == 403
    assert Task.objects.get(pk=org.task.pk).owner == org.contributor


def test_more_than_100_percent_is_refused_by_field(org):
    response = client_for(org.manager).patch(detail(org.task), {"percent_complete": 101})
    assert response.status_code == 400
    assert list(response.json()) == ["percent_complete"]


def test_a_viewer_may_not_change_tasks(org):
    assert client_for(org.viewer).patch(detail(org.task), {"status": "done"}).status_code == 403
