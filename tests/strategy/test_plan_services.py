"""Plans: started with the four standard perspectives, cascaded, updated, archived, copied."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis.models import Actual, Kpi, Target
from kpis.services import kpi_create, plan_copy, target_set
from strategy.models import Objective, ObjectiveLink, Perspective, StrategicPlan
from strategy.services import (
    objective_create,
    objective_link_create,
    plan_archive,
    plan_copy_structure,
    plan_create,
    plan_update,
)
from tests.factories import ActualFactory, OrgUnitFactory
from tests.strategy.workspace import END, START, build_workspace

pytestmark = pytest.mark.django_db


def test_a_new_plan_is_a_draft_with_the_four_standard_perspectives_in_map_order():
    ws = build_workspace()

    assert ws.plan.status == StrategicPlan.Status.DRAFT
    assert list(ws.plan.perspectives.values_list("name", "kind", "order")) == [
        ("Financial", "financial", 0),
        ("Customer", "customer", 1),
        ("Internal processes", "internal", 2),
        ("Learning & growth", "learning", 3),
    ]


def test_a_plan_that_ends_before_it_starts_is_refused_at_the_end_and_nothing_is_saved():
    ws = build_workspace()

    with pytest.raises(ValidationError) as refused:
        plan_create(org_unit=ws.org.sales, name="Backwards", start=END, end=START)

    assert refused.value.message_dict == {"end": ["The plan must end after it starts."]}
    assert not StrategicPlan.objects.filter(name="Backwards").exists()


def test_a_plan_for_an_archived_unit_is_refused_at_the_unit():
    ws = build_workspace()
    closed = OrgUnitFactory(name="Closed", parent=ws.org.acme, is_archived=True)

    with pytest.raises(ValidationError) as refused:
        plan_create(org_unit=closed, name="Closed 2026", start=START, end=END)

    assert "Closed is archived" in refused.value.message_dict["org_unit"][0]


def test_a_cascaded_plan_supports_the_chosen_parent_objectives_in_the_same_perspectives():
    ws = build_workspace()
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    objective_create(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight")

    sales_plan = plan_create(
        org_unit=ws.org.sales,
        name="Sales 2026",
        start=START,
        end=END,
        parent=ws.plan,
        supports=[growth],
    )

    [supporting] = sales_plan.objectives.all()
    assert (supporting.code, supporting.parent, supporting.org_unit) == ("F1", growth, ws.org.sales)
    assert supporting.perspective.kind == Perspective.Kind.FINANCIAL
    assert supporting.perspective.plan == sales_plan


def test_a_plan_cascades_only_from_the_plan_of_a_unit_above_it():
    ws = build_workspace()
    sales_plan = plan_create(org_unit=ws.org.sales, name="Sales", start=START, end=END)

    with pytest.raises(ValidationError) as refused:
        plan_create(org_unit=ws.org.operations, name="Ops", start=START, end=END, parent=sales_plan)

    assert "not above Operations" in refused.value.message_dict["parent"][0]
    assert not StrategicPlan.objects.filter(name="Ops").exists()


def test_supporting_objectives_of_another_plan_is_refused_and_nothing_is_saved():
    ws = build_workspace()
    other = plan_create(org_unit=ws.org.operations, name="Ops", start=START, end=END)
    stray = objective_create(
        plan=other, perspective=other.perspectives.first(), code="O1", name="X"
    )

    with pytest.raises(ValidationError) as refused:
        plan_create(
            org_unit=ws.org.sales,
            name="Sales",
            start=START,
            end=END,
            parent=ws.plan,
            supports=[stray],
        )

    assert "Choose objectives of ACME 2026" in refused.value.message_dict["supports"][0]
    assert not StrategicPlan.objects.filter(name="Sales").exists()


def test_plan_update_writes_the_vision_and_mission_and_keeps_the_rest():
    ws = build_workspace()

    updated = plan_update(plan=ws.plan, vision=" Lead the market. ", mission="Serve well.")

    ws.plan.refresh_from_db()
    assert (ws.plan.vision, ws.plan.mission, ws.plan.name) == (
        "Lead the market.",
        "Serve well.",
        "ACME 2026",
    )
    assert updated.start == START


def test_archiving_a_plan_with_an_active_child_plan_is_refused_naming_the_child():
    ws = build_workspace()
    child = plan_create(
        org_unit=ws.org.sales, name="Sales 2026", start=START, end=END, parent=ws.plan
    )
    plan_update(plan=child, status=StrategicPlan.Status.ACTIVE)

    with pytest.raises(ValidationError) as refused:
        plan_archive(plan=ws.plan)

    assert refused.value.message_dict == {
        "status": [
            "ACME 2026 has the active child plan Sales 2026: archive or cascade them "
            "elsewhere first."
        ]
    }
    ws.plan.refresh_from_db()
    assert ws.plan.status == StrategicPlan.Status.DRAFT


def test_a_plan_whose_children_are_drafts_or_archived_can_be_archived():
    ws = build_workspace()
    plan_create(org_unit=ws.org.sales, name="Sales draft", start=START, end=END, parent=ws.plan)

    archived = plan_archive(plan=ws.plan)

    assert archived.status == StrategicPlan.Status.ARCHIVED


def test_a_plan_cascading_from_an_archived_plan_cannot_be_activated():
    ws = build_workspace()
    child = plan_create(
        org_unit=ws.org.sales, name="Sales 2026", start=START, end=END, parent=ws.plan
    )
    plan_archive(plan=ws.plan)

    with pytest.raises(ValidationError) as refused:
        plan_update(plan=child, status=StrategicPlan.Status.ACTIVE)

    assert "cascades from ACME 2026, which is archived" in refused.value.message_dict["status"][0]


def test_copying_a_plans_structure_copies_perspectives_objectives_and_links():
    ws = build_workspace()
    ws.plan = plan_update(plan=ws.plan, vision="Lead.")
    growth = objective_create(
        plan=ws.plan,
        perspective=ws.financial,
        code="F1",
        name="Grow",
        owner=ws.org.manager,
        org_unit=ws.org.sales,
    )
    skills = objective_create(plan=ws.plan, perspective=ws.learning, code="L1", name="Skills")
    objective_link_create(cause=skills, effect=growth)

    copy = plan_copy_structure(
        source=ws.plan,
        org_unit=ws.org.acme,
        name="ACME 2027",
        start=datetime.date(2027, 1, 1),
        end=datetime.date(2027, 12, 31),
    )

    assert copy.status == StrategicPlan.Status.DRAFT
    assert copy.vision == "Lead."
    assert list(copy.perspectives.values_list("name", flat=True)) == list(
        ws.plan.perspectives.values_list("name", flat=True)
    )
    f1 = copy.objectives.get(code="F1")
    assert (f1.owner, f1.org_unit, f1.perspective.plan) == (ws.org.manager, ws.org.sales, copy)
    assert list(
        ObjectiveLink.objects.filter(cause__plan=copy).values_list("cause__code", "effect__code")
    ) == [("L1", "F1")]


def test_a_copy_for_another_unit_drops_owners_without_access_there():
    ws = build_workspace()
    objective_create(
        plan=ws.plan,
        perspective=ws.financial,
        code="F1",
        name="Grow",
        owner=ws.org.manager,
        org_unit=ws.org.sales,
    )

    copy = plan_copy_structure(
        source=ws.plan,
        org_unit=ws.org.operations,
        name="Ops",
        start=START,
        end=END,
    )

    f1 = copy.objectives.get(code="F1")
    assert (f1.owner, f1.org_unit) == (None, ws.org.operations)


def test_copying_a_plan_with_its_kpis_moves_targets_by_whole_years_and_never_copies_actuals():
    ws = build_workspace()
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    revenue = kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue")
    kpi_create(plan=ws.plan, objective=growth, code="DOUBLE", name="Twice", formula="2 * REV")
    target_set(kpi=revenue, period=datetime.date(2026, 3, 1), goal=Decimal(100))
    ActualFactory(kpi=revenue, period=datetime.date(2026, 3, 1), value=Decimal(90))

    copy = plan_copy(
        source=ws.plan,
        org_unit=ws.org.acme,
        name="ACME 2027",
        start=datetime.date(2027, 1, 1),
        end=datetime.date(2027, 12, 31),
        include_targets=True,
    )

    assert sorted(copy.kpis.values_list("code", "formula")) == [("DOUBLE", "2 * REV"), ("REV", "")]
    copied = copy.kpis.get(code="REV")
    assert list(copied.targets.values_list("period", "goal")) == [
        (datetime.date(2027, 3, 1), Decimal(100))
    ]
    assert not Actual.objects.filter(kpi__plan=copy).exists()
    assert Kpi.objects.filter(plan=ws.plan).count() == 2


def test_copying_without_targets_copies_the_kpis_only():
    ws = build_workspace()
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    revenue = kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue")
    target_set(kpi=revenue, period=START, goal=Decimal(100))

    copy = plan_copy(source=ws.plan, org_unit=ws.org.acme, name="Copy", start=START, end=END)

    assert copy.kpis.get().code == "REV"
    assert not Target.objects.filter(kpi__plan=copy).exists()
    assert Objective.objects.filter(plan=copy).count() == 1
