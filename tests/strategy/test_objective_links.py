"""Cause-effect links of the strategy map: never to itself, never across plans, never a cycle."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from strategy.models import Objective, ObjectiveLink, Perspective
from strategy.services import objective_link_create
from tests.factories import ObjectiveFactory, ObjectiveLinkFactory, PerspectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learning() -> Perspective:
    return PerspectiveFactory(name="Learning & growth", kind=Perspective.Kind.LEARNING)


def objectives(perspective: Perspective, *codes: str) -> list[Objective]:
    """Objectives with the given codes, all in the plan of `perspective`."""
    return [ObjectiveFactory(perspective=perspective, code=code) for code in codes]


def links() -> set[tuple[str, str]]:
    return set(ObjectiveLink.objects.values_list("cause__code", "effect__code"))


# --- self-links and cross-plan links ------------------------------------------------------------


def test_database_refuses_a_link_from_an_objective_to_itself(learning):
    [skills] = objectives(learning, "L1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectiveLink.objects.create(cause=skills, effect=skills)
    assert ObjectiveLink.objects.count() == 0


def test_full_clean_refuses_a_link_from_an_objective_to_itself(learning):
    [skills] = objectives(learning, "L1")
    with pytest.raises(ValidationError, match="cannot be linked to itself"):
        ObjectiveLink(cause=skills, effect=skills).full_clean()


def test_objective_link_create_refuses_a_self_link_and_writes_nothing(learning):
    [skills] = objectives(learning, "L1")
    with pytest.raises(ValidationError, match="cannot be linked to itself"):
        objective_link_create(cause=skills, effect=skills)
    assert ObjectiveLink.objects.count() == 0


def test_a_link_across_two_plans_is_refused(learning):
    [skills] = objectives(learning, "L1")
    other_plans_objective = ObjectiveFactory(code="C1")
    assert other_plans_objective.plan_id != skills.plan_id
    with pytest.raises(ValidationError, match="same plan"):
        ObjectiveLink(cause=skills, effect=other_plans_objective).full_clean()
    with pytest.raises(ValidationError, match="same plan"):
        objective_link_create(cause=skills, effect=other_plans_objective)
    assert ObjectiveLink.objects.count() == 0


def test_the_same_link_twice_is_refused(learning):
    skills, process = objectives(learning, "L1", "P1")
    objective_link_create(cause=skills, effect=process)
    with pytest.raises(ValidationError, match="already linked"):
        objective_link_create(cause=skills, effect=process)
    assert links() == {("L1", "P1")}


# --- cycles ---------------------------------------------------------------------------------------


def test_a_valid_chain_of_links_is_accepted(learning):
    skills, process, customer, finance = objectives(learning, "L1", "P1", "C1", "F1")
    objective_link_create(cause=skills, effect=process, note="Trained staff work faster")
    objective_link_create(cause=process, effect=customer)
    objective_link_create(cause=customer, effect=finance)
    # A second route to the same effect is no cycle.
    link = objective_link_create(cause=skills, effect=finance)
    assert link.pk is not None
    assert links() == {("L1", "P1"), ("P1", "C1"), ("C1", "F1"), ("L1", "F1")}
    assert ObjectiveLink.objects.get(cause=skills, effect=process).note == (
        "Trained staff work faster"
    )


def test_a_link_back_along_an_existing_link_is_refused_as_a_two_cycle(learning):
    skills, process = objectives(learning, "L1", "P1")
    objective_link_create(cause=skills, effect=process)
    with pytest.raises(ValidationError) as error:
        objective_link_create(cause=process, effect=skills)
    assert error.value.code == "cycle"
    assert "P1 → L1 → P1" in error.value.messages[0]
    assert links() == {("L1", "P1")}


def test_a_link_closing_a_four_cycle_is_refused_naming_its_path(learning):
    skills, process, customer, finance = objectives(learning, "L1", "P1", "C1", "F1")
    objective_link_create(cause=process, effect=customer)
    objective_link_create(cause=customer, effect=finance)
    objective_link_create(cause=finance, effect=skills)
    with pytest.raises(ValidationError) as error:
        objective_link_create(cause=skills, effect=process)
    assert error.value.messages == ["This link would close a cycle: L1 → P1 → C1 → F1 → L1."]
    assert links() == {("P1", "C1"), ("C1", "F1"), ("F1", "L1")}


def test_a_link_closing_a_three_cycle_names_the_path_from_the_new_cause(learning):
    skills, process, customer = objectives(learning, "L1", "P1", "C1")
    objective_link_create(cause=process, effect=customer)
    objective_link_create(cause=customer, effect=skills)
    with pytest.raises(ValidationError, match="L1 → P1 → C1 → L1"):
        objective_link_create(cause=skills, effect=process)
    assert ObjectiveLink.objects.count() == 2


def test_links_of_another_plan_do_not_count_towards_a_cycle(learning):
    skills, process = objectives(learning, "L1", "P1")
    ObjectiveLinkFactory()  # an unrelated link in another plan
    objective_link_create(cause=skills, effect=process)
    assert ObjectiveLink.objects.filter(cause__plan=skills.plan).count() == 1
    assert ObjectiveLink.objects.count() == 2
