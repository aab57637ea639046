"""Pages: another plan's or unit's id posted in a form is refused and nothing is written."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, OrgUnit, Role
from strategy.models import Objective, ObjectiveLink, Stakeholder
from tests.factories import MembershipFactory, ObjectiveFactory, UserFactory
from tests.scorecard.test_permission_matrix import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def finance_objective(world: World) -> Objective:
    # Another unit's plan, which the Sales plan's editors have no business touching.
    finance = OrgUnit.objects.get(code="finance")
    return ObjectiveFactory(
        perspective__plan__org_unit=finance, perspective__name="Finance", code="X1"
    )


def signed_in(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_an_objective_cannot_be_added_in_another_plans_perspective_or_unit(
    world: World, finance_objective: Objective
) -> None:
    url = reverse("strategy:objective_add", args=[world.plan.pk])
    prefix = f"new-{world.perspective.pk}"
    body = {f"{prefix}-code": "Z1", f"{prefix}-name": "Tampered", f"{prefix}-weight": "1"}
    admin = signed_in(world, "admin")

    foreign_perspective = {**body, "perspective_id": finance_objective.perspective_id}
    assert admin.post(url, foreign_perspective).status_code == 400
    foreign_unit = {
        **body,
        "perspective_id": world.perspective.pk,
        f"{prefix}-perspective": world.perspective.pk,
        f"{prefix}-org_unit": finance_objective.org_unit_id,
    }
    assert admin.post(url, foreign_unit).status_code == 400
    assert not Objective.objects.filter(code="Z1").exists()
    # Lesser roles may not add at all.
    assert signed_in(world, "manager").post(url, foreign_unit).status_code == 403


def test_a_cascaded_objective_cannot_support_an_objective_outside_the_parent_plan(
    world: World, finance_objective: Objective
) -> None:
    child = ObjectiveFactory(
        perspective__plan=world.child_plan, org_unit=world.child_plan.org_unit, code="K1"
    )
    prefix = f"objective-{child.pk}"
    body = {
        f"{prefix}-perspective": child.perspective_id,
        f"{prefix}-code": "K1",
        f"{prefix}-name": "Child",
        f"{prefix}-org_unit": child.org_unit_id,
        f"{prefix}-weight": "1",
        f"{prefix}-parent": finance_objective.pk,
    }
    url = reverse("strategy:objective_edit", args=[child.pk])
    assert signed_in(world, "manager").post(url, body).status_code == 400
    child.refresh_from_db()
    assert child.parent_id is None


def test_links_and_stakeholders_cannot_name_another_plans_objective(
    world: World, finance_objective: Objective
) -> None:
    admin = signed_in(world, "admin")
    link = {"cause": world.objective.pk, "effect": finance_objective.pk}
    assert admin.post(reverse("strategy:link_add", args=[world.plan.pk]), link).status_code == 400
    assert not ObjectiveLink.objects.filter(effect=finance_objective).exists()

    stakeholder = {
        "stakeholder-user": world.users["viewer"].pk,
        "stakeholder-involvement": Stakeholder.Involvement.CONSULTED,
        "stakeholder-subject": str(finance_objective.pk),
    }
    url = reverse("strategy:stakeholder_add", args=[world.plan.pk])
    assert admin.post(url, stakeholder).status_code == 400
    assert not Stakeholder.objects.filter(objective=finance_objective).exists()


def test_a_unit_admin_cannot_give_a_role_in_a_unit_outside_their_subtree(world: World) -> None:
    sales_admin = UserFactory(username="sales_admin", password=None)
    MembershipFactory(user=sales_admin, org_unit=world.plan.org_unit, role=Role.ADMIN)
    client = Client()
    client.force_login(sales_admin)
    viewer = world.users["viewer"]
    finance = OrgUnit.objects.get(code="finance")
    url = reverse("people:membership_add", args=[viewer.pk])

    response = client.post(url, {"org_unit": finance.pk, "role": Role.ADMIN})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=viewer, org_unit=finance).exists()
    # Nor make themselves an admin above their unit.
    url = reverse("people:membership_add", args=[sales_admin.pk])
    root = OrgUnit.objects.get(code="org")
    assert client.post(url, {"org_unit": root.pk, "role": Role.ADMIN}).status_code == 400
    assert not Membership.objects.filter(user=sales_admin, org_unit=root).exists()
