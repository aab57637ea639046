"""Objectives: created, edited and moved; codes unique per plan; owners with access to the unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from strategy.models import Objective
from strategy.services import objective_create, objective_move, objective_update, plan_create
from tests.factories import ObjectiveFactory
from tests.strategy.workspace import END, START, build_workspace

pytestmark = pytest.mark.django_db


def test_an_objective_belongs_to_the_plans_unit_unless_told_otherwise():
    ws = build_workspace()

    growth = objective_create(
        plan=ws.plan, perspective=ws.financial, code=" F1 ", name="Grow revenue"
    )

    assert (growth.code, growth.org_unit, growth.weight, growth.owner) == (
        "F1",
        ws.org.acme,
        Decimal(1),
        None,
    )


def test_a_duplicate_code_in_the_plan_is_refused_at_the_code_and_nothing_is_saved():
    ws = build_workspace()
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    with pytest.raises(ValidationError) as refused:
        objective_create(plan=ws.plan, perspective=ws.customer, code="F1", name="Again")

    assert refused.value.message_dict == {
        "code": ["ACME 2026 already has an objective F1: choose another code."]
    }
    assert ws.plan.objectives.count() == 1


def test_the_same_code_in_another_plan_is_fine():
    ws = build_workspace()
    ObjectiveFactory(code="F1")

    assert objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")


def test_an_owner_without_a_role_in_the_unit_or_above_it_is_refused_at_the_owner():
    ws = build_workspace()

    with pytest.raises(ValidationError) as refused:
        objective_create(
            plan=ws.plan,
            perspective=ws.customer,
            code="C1",
            name="Win Sales customers",
            org_unit=ws.org.sales,
            owner=ws.org.operator,  # a viewer of Operations only
        )

    [message] = refused.value.message_dict["owner"]
    assert message.startswith("Operator has no access to the unit Sales")
    assert not Objective.objects.exists()


def test_a_person_with_a_role_above_the_unit_may_own_its_objective():
    ws = build_workspace()

    owned = objective_create(
        plan=ws.plan,
        perspective=ws.customer,
        code="C1",
        name="Win customers",
        org_unit=ws.org.north,
        owner=ws.org.manager,  # manager of Sales, above Sales North
    )

    assert owned.owner == ws.org.manager


def test_a_deactivated_owner_is_refused():
    ws = build_workspace()
    ws.org.manager.is_active = False
    ws.org.manager.save()

    with pytest.raises(ValidationError, match="is deactivated"):
        objective_create(
            plan=ws.plan,
            perspective=ws.customer,
            code="C1",
            name="Win",
            org_unit=ws.org.sales,
            owner=ws.org.manager,
        )


def test_a_unit_outside_the_plans_unit_is_refused_at_the_unit():
    ws = build_workspace()
    sales_plan = plan_create(org_unit=ws.org.sales, name="Sales", start=START, end=END)
    financial = sales_plan.perspectives.get(kind="financial")

    with pytest.raises(ValidationError) as refused:
        objective_create(
            plan=sales_plan,
            perspective=financial,
            code="F1",
            name="Cut costs",
            org_unit=ws.org.operations,
        )

    assert refused.value.message_dict == {"org_unit": ["Choose Sales or a unit below it."]}


def test_a_negative_weight_and_a_duplicate_code_are_refused_together():
    ws = build_workspace()
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    with pytest.raises(ValidationError) as refused:
        objective_create(
            plan=ws.plan, perspective=ws.financial, code="F1", name="", weight=Decimal(-1)
        )

    assert set(refused.value.message_dict) == {"code", "name", "weight"}


def test_a_parent_objective_must_belong_to_the_plan_this_one_cascades_from():
    ws = build_workspace()
    sales_plan = plan_create(
        org_unit=ws.org.sales, name="Sales", start=START, end=END, parent=ws.plan
    )
    unrelated = ObjectiveFactory(code="Z9")

    with pytest.raises(ValidationError) as refused:
        objective_create(
            plan=sales_plan,
            perspective=sales_plan.perspectives.first(),
            code="F1",
            name="Sell more",
            parent=unrelated,
        )

    assert "parent" in refused.value.message_dict


def test_editing_an_objective_changes_its_fields_and_moves_it():
    ws = build_workspace()
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    saved = objective_update(
        objective=growth,
        perspective=ws.customer,
        code="C1",
        name="Win customers",
        description="New markets.",
        owner=ws.org.viewer,
        org_unit=ws.org.sales,
        weight=Decimal(2),
        parent=None,
    )

    assert (saved.perspective, saved.code, saved.owner, saved.org_unit, saved.weight) == (
        ws.customer,
        "C1",
        ws.org.viewer,
        ws.org.sales,
        Decimal(2),
    )


def test_editing_to_a_code_already_used_is_refused_and_nothing_changes():
    ws = build_workspace()
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    other = objective_create(plan=ws.plan, perspective=ws.financial, code="F2", name="Save")

    with pytest.raises(ValidationError, match="already has an objective F1"):
        objective_update(
            objective=other,
            perspective=ws.financial,
            code="F1",
            name="Save",
            description="",
            owner=None,
            org_unit=ws.org.acme,
            weight=Decimal(1),
            parent=None,
        )

    other.refresh_from_db()
    assert other.code == "F2"


def test_an_objective_moves_to_another_perspective_of_its_plan_only():
    ws = build_workspace()
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    elsewhere = plan_create(org_unit=ws.org.sales, name="Sales", start=START, end=END)

    moved = objective_move(objective=growth, perspective=ws.learning)
    with pytest.raises(ValidationError, match="another plan"):
        objective_move(objective=growth, perspective=elsewhere.perspectives.first())

    assert moved.perspective == ws.learning
    growth.refresh_from_db()
    assert growth.perspective == ws.learning
