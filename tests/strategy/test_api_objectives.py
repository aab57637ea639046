"""objectives/: read with the plan or the objective's unit; written by whoever may change the
plan."""

import pytest

from strategy.models import Objective
from tests.api_org import client_for, ids
from tests.factories import ObjectiveFactory, StrategicPlanFactory

URL = "/api/v1/objectives/"

pytestmark = pytest.mark.django_db


def detail(objective: Objective) -> str:
    return f"{URL}{objective.pk}/"


def new_objective(org, **changes):  # type: ignore[no-untyped-def]
    return {
        "plan": org.plan.pk,
        "perspective": org.perspective.pk,
        "code": "F2",
        "name": "Grow margin",
        "org_unit": org.sales.pk,
    } | changes


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(detail(org.objective)).status_code == 401


def test_a_viewer_reads_and_filters_objectives(org):
    viewer = client_for(org.viewer)
    assert ids(viewer.get(URL, {"code": "F1"})) == {org.objective.pk}
    assert ids(viewer.get(URL, {"code": "F9"})) == set()
    assert viewer.get(detail(org.objective)).json()["perspective"] == org.perspective.pk


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_them(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(org.objective)).status_code == 404
    assert outsider.patch(detail(org.objective), {"name": "X"}).status_code == 404


def test_an_admin_creates_and_changes_an_objective(org):
    admin = client_for(org.admin)
    response = admin.post(URL, new_objective(org, owner=org.manager.pk))
    assert response.status_code == 201, response.content
    objective = Objective.objects.get(pk=response.json()["id"])
    assert objective.owner == org.manager
    assert admin.patch(detail(objective), {"weight": "3"}).status_code == 200


def test_an_objective_in_a_perspective_of_another_plan_is_refused_by_field(org):
    other = StrategicPlanFactory(org_unit=org.sales)
    response = client_for(org.admin).post(URL, new_objective(org, plan=other.pk))
    assert response.status_code == 400
    assert response.json() == {"perspective": ["The perspective belongs to another plan."]}


def test_a_duplicate_code_is_refused(org):
    response = client_for(org.admin).post(URL, new_objective(org, code="F1"))
    assert response.status_code == 400
    assert response.json() == {
        "code": ["Sales 2026 already has an objective F1: choose another code."]
    }


def test_an_owner_without_access_to_the_unit_is_refused(org):
    response = client_for(org.admin).post(URL, new_objective(org, owner=org.outsider.pk))
    assert response.status_code == 400
    assert "no access to the unit Sales" in response.json()["owner"][0]


def test_objectives_are_not_deleted_through_the_api(org):
    assert client_for(org.admin).delete(detail(org.objective)).status_code == 405


def test_a_viewer_and_a_manager_may_not_write_the_top_plans_objectives(org):
    for person in (org.viewer, org.manager):
        client = client_for(person)
        assert client.post(URL, new_objective(org)).status_code == 403
        assert client.patch(detail(org.objective), {"name": "X"}).status_code == 403
    assert not Objective.objects.filter(code="F2").exists()


def test_a_manager_writes_the_objectives_of_the_units_cascaded_plan(org):
    cascaded = StrategicPlanFactory(org_unit=org.sales, parent=org.plan)
    objective = ObjectiveFactory(perspective__plan=cascaded, org_unit=org.sales)
    response = client_for(org.manager).patch(detail(objective), {"parent": org.objective.pk})
    assert response.status_code == 200, response.content
