"""Another unit's id in a body: the permission is asked about where the object would end up."""

import pytest

from accounts.models import Membership, Role
from actionplans.models import ActionPlan, Task
from strategy.models import Objective, StrategicPlan
from tests.api_org import client_for, ids
from tests.factories import (
    ActionPlanFactory,
    MembershipFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _operations_objective(org):  # type: ignore[no-untyped-def]
    plan = StrategicPlanFactory(org_unit=org.operations, name="Operations 2026")
    perspective = PerspectiveFactory(plan=plan, name="Process")
    return ObjectiveFactory(perspective=perspective, org_unit=org.operations, code="P1")


# --- people ------------------------------------------------------------------------------------


def test_a_unit_admin_cannot_change_a_person_without_roles_in_their_units(org):
    sales_admin = UserFactory(username="sales_admin", password=None)
    MembershipFactory(user=sales_admin, org_unit=org.sales, role=Role.ADMIN)
    root = UserFactory(username="root", email="root@example.com", is_superuser=True)

    response = client_for(sales_admin).patch(
        f"/api/v1/users/{root.pk}/", {"email": "attacker@example.com"}
    )
    assert response.status_code == 403, response.content
    root.refresh_from_db()
    assert root.email == "root@example.com"
    # A lesser role is refused as well; so is the organisation's admin, since a superuser's
    # account is changed by a superuser only.
    viewer = client_for(org.viewer)
    assert viewer.patch(f"/api/v1/users/{root.pk}/", {"last_name": "X"}).status_code == 403
    response = client_for(org.admin).patch(f"/api/v1/users/{root.pk}/", {"last_name": "Root"})
    assert response.status_code == 403, response.content
    other_superuser = UserFactory(username="other_root", is_superuser=True)
    response = client_for(other_superuser).patch(f"/api/v1/users/{root.pk}/", {"last_name": "Root"})
    assert response.status_code == 200, response.content


def test_a_unit_admin_cannot_give_a_role_to_someone_outside_their_units(org):
    sales_admin = UserFactory(username="sales_admin", password=None)
    MembershipFactory(user=sales_admin, org_unit=org.sales, role=Role.ADMIN)
    root = UserFactory(username="root", email="root@example.com", is_superuser=True)
    body = {"user": root.pk, "org_unit": org.sales.pk, "role": Role.VIEWER}

    # Else the person would then count as one of theirs (see the test above).
    response = client_for(sales_admin).post("/api/v1/memberships/", body)
    assert response.status_code == 403, response.content
    assert not Membership.objects.filter(user=root).exists()
    # Someone already holding a role in their units is theirs to give another role to.
    response = client_for(sales_admin).post(
        "/api/v1/memberships/", {**body, "user": org.viewer.pk, "role": Role.CONTRIBUTOR}
    )
    assert response.status_code == 201, response.content
    assert client_for(org.manager).post("/api/v1/memberships/", body).status_code == 403
    assert client_for(org.admin).post("/api/v1/memberships/", body).status_code == 201


@pytest.mark.usefixtures("transparency_off")
def test_filtering_people_by_a_unit_one_may_not_see_reveals_nothing(org):
    MembershipFactory(user=org.viewer, org_unit=org.operations, role=Role.VIEWER)
    response = client_for(org.manager).get("/api/v1/users/", {"org_unit": org.operations.pk})
    assert ids(response) == set()
    response = client_for(org.manager).get("/api/v1/users/", {"org_unit": org.sales.pk})
    assert org.viewer.pk in ids(response)


# --- action plans and tasks --------------------------------------------------------------------


def test_a_manager_cannot_move_an_action_plan_to_another_units_objective(org):
    foreign = _operations_objective(org)
    url = f"/api/v1/action-plans/{org.action_plan.pk}/"

    response = client_for(org.manager).patch(url, {"objective": foreign.pk})
    assert response.status_code == 403, response.content
    assert ActionPlan.objects.get(pk=org.action_plan.pk).objective_id == org.objective.pk
    assert client_for(org.viewer).patch(url, {"objective": foreign.pk}).status_code == 403
    # The admin of both units may.
    response = client_for(org.admin).patch(url, {"objective": foreign.pk})
    assert response.status_code == 200, response.content


def test_a_contributor_cannot_move_their_task_to_another_action_plan(org):
    MembershipFactory(user=org.contributor, org_unit=org.operations, role=Role.CONTRIBUTOR)
    elsewhere = ActionPlanFactory(objective=_operations_objective(org), org_unit=org.operations)
    url = f"/api/v1/tasks/{org.task.pk}/"

    response = client_for(org.contributor).patch(url, {"action_plan": elsewhere.pk})
    assert response.status_code == 403, response.content
    assert Task.objects.get(pk=org.task.pk).action_plan_id == org.action_plan.pk
    # Changing their task otherwise stays theirs to do.
    response = client_for(org.contributor).patch(url, {"status": "done"})
    assert response.status_code == 200, response.content
    # The manager moves tasks between the unit's action plans.
    sales_plan = ActionPlanFactory(objective=org.objective, org_unit=org.sales)
    response = client_for(org.manager).patch(url, {"action_plan": sales_plan.pk})
    assert response.status_code == 200, response.content


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_cannot_move_a_task_into_a_plan_they_cannot_see(org):
    outsider_task_plan = ActionPlanFactory(
        objective=_operations_objective(org), org_unit=org.operations
    )
    MembershipFactory(user=org.outsider, org_unit=org.operations, role=Role.MANAGER)
    task = Task.objects.create(action_plan=outsider_task_plan, name="Ours", due_date="2026-03-31")
    response = client_for(org.outsider).patch(
        f"/api/v1/tasks/{task.pk}/", {"action_plan": org.action_plan.pk}
    )
    assert response.status_code == 400, response.content  # "does not exist" for them
    assert Task.objects.get(pk=task.pk).action_plan_id == outsider_task_plan.pk


# --- plans and objectives ----------------------------------------------------------------------


def test_a_manager_cannot_start_a_plan_that_does_not_cascade(org):
    body = {"name": "Ours", "org_unit": org.sales.pk, "start": "2026-01-01", "end": "2026-12-31"}

    response = client_for(org.manager).post("/api/v1/plans/", body)
    assert response.status_code == 403, response.content
    assert not StrategicPlan.objects.filter(name="Ours").exists()
    # Cascading from the plan above, as on the page, is theirs to do; the admin starts either.
    acme_plan = StrategicPlanFactory(org_unit=org.acme, name="ACME 2026")
    response = client_for(org.manager).post("/api/v1/plans/", {**body, "parent": acme_plan.pk})
    assert response.status_code == 201, response.content
    assert client_for(org.admin).post("/api/v1/plans/", body).status_code == 201
    assert client_for(org.viewer).post("/api/v1/plans/", body).status_code == 403


def test_an_objective_of_a_plan_that_does_not_cascade_has_no_parent_objective(org):
    foreign = _operations_objective(org)
    admin = client_for(org.admin)

    response = admin.post(
        "/api/v1/objectives/",
        {
            "plan": org.plan.pk,
            "perspective": org.perspective.pk,
            "code": "F9",
            "name": "Borrowed",
            "parent": foreign.pk,
        },
    )
    assert response.status_code == 400, response.content
    assert "parent" in response.json()
    assert not Objective.objects.filter(code="F9").exists()
    response = admin.patch(f"/api/v1/objectives/{org.objective.pk}/", {"parent": foreign.pk})
    assert response.status_code == 400, response.content
    assert Objective.objects.get(pk=org.objective.pk).parent_id is None
