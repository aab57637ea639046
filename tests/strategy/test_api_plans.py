"""plans/: everyone who may see a plan reads it; admins (and managers of a cascaded plan's
unit) write it."""

import pytest

from strategy.models import StrategicPlan
from tests.api_org import client_for, ids
from tests.factories import StrategicPlanFactory

URL = "/api/v1/plans/"

pytestmark = pytest.mark.django_db

NEW_PLAN = {"name": "Sales 2027", "start": "2027-01-01", "end": "2027-12-31"}


def detail(plan: StrategicPlan) -> str:
    return f"{URL}{plan.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401
    assert client_for(None).get(detail(org.plan)).status_code == 401


def test_a_viewer_reads_the_plan(org):
    response = client_for(org.viewer).get(detail(org.plan))
    assert response.status_code == 200
    assert response.json() | {"id": 0} == {
        "id": 0,
        "name": "Sales 2026",
        "org_unit": org.sales.pk,
        "vision": org.plan.vision,
        "mission": org.plan.mission,
        "values": "",
        "start": "2026-01-01",
        "end": "2028-12-31",
        "status": "active",
        "parent": None,
    }


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_neither_lists_nor_reads_the_plan(org):
    outsider = client_for(org.outsider)
    assert org.plan.pk not in ids(outsider.get(URL))
    assert outsider.get(detail(org.plan)).status_code == 404


def test_plans_filter_by_unit_and_status(org):
    other = StrategicPlanFactory(org_unit=org.operations, status=StrategicPlan.Status.DRAFT)
    viewer = client_for(org.viewer)
    assert ids(viewer.get(URL, {"org_unit": org.operations.pk})) == {other.pk}
    assert ids(viewer.get(URL, {"status": "active"})) == {org.plan.pk}


def test_an_admin_creates_a_draft_plan_with_the_standard_perspectives_and_activates_it(org):
    admin = client_for(org.admin)
    response = admin.post(URL, NEW_PLAN | {"org_unit": org.sales.pk})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    plan = StrategicPlan.objects.get(pk=response.json()["id"])
    assert plan.perspectives.count() == 4

    assert admin.patch(detail(plan), {"status": "active", "vision": "Lead"}).status_code == 200
    plan.refresh_from_db()
    assert (plan.status, plan.vision) == ("active", "Lead")


def test_plans_are_archived_not_deleted_and_keep_their_unit(org):
    admin = client_for(org.admin)
    assert admin.delete(detail(org.plan)).status_code == 405
    assert admin.patch(detail(org.plan), {"org_unit": org.operations.pk}).status_code == 400
    assert admin.patch(detail(org.plan), {"status": "archived"}).status_code == 200


def test_a_plan_cascades_only_from_the_plan_of_a_unit_above(org):
    response = client_for(org.admin).post(
        URL, NEW_PLAN | {"org_unit": org.operations.pk, "parent": org.plan.pk}
    )
    assert response.status_code == 400
    assert "not above Operations" in response.json()["parent"][0]


def test_a_plan_that_ends_before_it_starts_is_refused_with_a_message(org):
    response = client_for(org.admin).post(
        URL, NEW_PLAN | {"org_unit": org.sales.pk, "end": "2026-06-30"}
    )
    assert response.status_code == 400
    assert "must end after it starts" in str(response.json())


def test_a_viewer_may_not_change_or_create_plans(org):
    viewer = client_for(org.viewer)
    assert viewer.patch(detail(org.plan), {"name": "Mine"}).status_code == 403
    assert viewer.post(URL, NEW_PLAN | {"org_unit": org.sales.pk}).status_code == 403
    assert StrategicPlan.objects.get(pk=org.plan.pk).name == "Sales 2026"


def test_a_manager_may_not_change_the_units_own_top_plan_but_its_cascaded_one(org):
    manager = client_for(org.manager)
    assert manager.patch(detail(org.plan), {"name": "Mine"}).status_code == 403
    cascaded = StrategicPlanFactory(org_unit=org.sales, parent=org.plan)
    assert manager.patch(detail(cascaded), {"name": "Ours"}).status_code == 200


def test_a_manager_may_not_start_a_plan_for_another_unit(org):
    response = client_for(org.manager).post(URL, NEW_PLAN | {"org_unit": org.operations.pk})
    assert response.status_code == 403


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_gets_404_when_changing_and_400_when_naming_an_unseen_unit(org):
    outsider = client_for(org.outsider)
    assert outsider.patch(detail(org.plan), {"name": "Mine"}).status_code == 404
    response = outsider.post(URL, NEW_PLAN | {"org_unit": org.sales.pk})
    assert response.status_code == 400
    assert "org_unit" in response.json()
