"""action-plans/: read by those who see the unit; written by the unit's managers and admins."""

import pytest

from actionplans.models import ActionPlan
from tests.api_org import client_for, ids

URL = "/api/v1/action-plans/"

pytestmark = pytest.mark.django_db


def detail(action_plan: ActionPlan) -> str:
    return f"{URL}{action_plan.pk}/"


def new_action_plan(org, **changes):  # type: ignore[no-untyped-def]
    return {
        "objective": org.objective.pk,
        "org_unit": org.sales.pk,
        "name": "Open two new markets",
        "start_date": "2026-02-01",
        "due_date": "2026-09-30",
    } | changes


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_a_viewer_reads_and_filters_action_plans(org):
    viewer = client_for(org.viewer)
    assert ids(viewer.get(URL, {"objective": org.objective.pk})) == {org.action_plan.pk}
    assert ids(viewer.get(URL, {"status": "done"})) == set()


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_them(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(org.action_plan)).status_code == 404
    assert outsider.patch(detail(org.action_plan), {"status": "done"}).status_code == 404


def test_the_manager_creates_changes_and_deletes_an_action_plan(org):
    manager = client_for(org.manager)
    response = manager.post(URL, new_action_plan(org))
    assert response.status_code == 201, response.content
    action_plan = ActionPlan.objects.get(pk=response.json()["id"])
    assert manager.patch(detail(action_plan), {"status": "on_hold"}).status_code == 200
    assert manager.delete(detail(action_plan)).status_code == 204


def test_a_due_date_before_the_start_is_refused(org):
    response = client_for(org.manager).post(URL, new_action_plan(org, due_date="2026-01-15"))
    assert response.status_code == 400
    assert "due date cannot be before the start date" in str(response.json())


def test_the_manager_cannot_hand_an_action_plan_to_another_unit(org):
    manager = client_for(org.manager)
    response = manager.patch(detail(org.action_plan), {"org_unit": org.operations.pk})
    assert response.status_code == 403
    assert manager.post(URL, new_action_plan(org, org_unit=org.operations.pk)).status_code == 403


def test_a_contributor_and_a_viewer_may_not_write_action_plans(org):
    for person in (org.contributor, org.viewer):
        client = client_for(person)
        assert client.post(URL, new_action_plan(org)).status_code == 403
        assert client.patch(detail(org.action_plan), {"status": "done"}).status_code == 403
        assert client.delete(detail(org.action_plan)).status_code == 403
    assert ActionPlan.objects.count() == 1
