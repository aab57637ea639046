"""Perspectives: renamed, weighted, reordered, custom ones added and removed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from strategy.models import Perspective
from strategy.services import (
    objective_create,
    perspective_create,
    perspective_delete,
    perspective_reorder,
    perspective_update,
)
from tests.strategy.workspace import build_workspace

pytestmark = pytest.mark.django_db


def names(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return list(ws.plan.perspectives.order_by("order").values_list("name", flat=True))


def test_a_custom_perspective_is_added_after_the_others():
    ws = build_workspace()

    added = perspective_create(plan=ws.plan, name="Sustainability", weight=Decimal("0.5"))

    assert (added.kind, added.order, added.weight) == ("custom", 4, Decimal("0.5"))
    assert names(ws)[-1] == "Sustainability"


def test_a_second_perspective_with_the_same_name_is_refused_at_the_name():
    ws = build_workspace()

    with pytest.raises(ValidationError) as refused:
        perspective_create(plan=ws.plan, name="Customer")

    assert refused.value.message_dict == {
        "name": ["This plan already has a perspective with this name."]
    }
    assert ws.plan.perspectives.count() == 4


def test_a_negative_weight_is_refused_at_the_weight_and_nothing_changes():
    ws = build_workspace()

    with pytest.raises(ValidationError) as refused:
        perspective_update(perspective=ws.customer, name="Clients", weight=Decimal("-0.1"))

    assert refused.value.message_dict == {
        "weight": ["A weight cannot be negative: use 0 to leave this perspective out of the score."]
    }
    ws.customer.refresh_from_db()
    assert (ws.customer.name, ws.customer.weight) == ("Customer", Decimal(1))


def test_a_negative_weight_is_refused_for_a_new_perspective_too():
    ws = build_workspace()

    with pytest.raises(ValidationError, match="cannot be negative"):
        perspective_create(plan=ws.plan, name="Risk", weight=Decimal(-1))

    assert not Perspective.objects.filter(name="Risk").exists()


def test_a_perspective_is_renamed_and_weighted():
    ws = build_workspace()

    saved = perspective_update(perspective=ws.customer, name=" Clients ", weight=Decimal("0.3"))

    assert (saved.name, saved.weight) == ("Clients", Decimal("0.3"))


def test_moving_a_perspective_renumbers_the_plans_perspectives():
    ws = build_workspace()

    perspective_reorder(perspective=ws.learning, position=0)

    assert names(ws) == ["Learning & growth", "Financial", "Customer", "Internal processes"]
    assert list(ws.plan.perspectives.order_by("order").values_list("order", flat=True)) == [
        0,
        1,
        2,
        3,
    ]


def test_a_position_beyond_the_ends_moves_the_perspective_to_the_end():
    ws = build_workspace()

    perspective_reorder(perspective=ws.financial, position=99)

    assert names(ws)[-1] == "Financial"


def test_an_empty_custom_perspective_can_be_removed():
    ws = build_workspace()
    risk = perspective_create(plan=ws.plan, name="Risk")

    perspective_delete(perspective=risk)

    assert "Risk" not in names(ws)


def test_a_standard_perspective_cannot_be_removed():
    ws = build_workspace()

    with pytest.raises(ValidationError, match="one of the four standard perspectives"):
        perspective_delete(perspective=ws.customer)

    assert ws.plan.perspectives.count() == 4


def test_a_perspective_with_objectives_cannot_be_removed():
    ws = build_workspace()
    risk = perspective_create(plan=ws.plan, name="Risk")
    objective_create(plan=ws.plan, perspective=risk, code="R1", name="Contain risk")

    with pytest.raises(ValidationError, match="still has the objectives R1"):
        perspective_delete(perspective=risk)

    assert Perspective.objects.filter(pk=risk.pk).exists()
