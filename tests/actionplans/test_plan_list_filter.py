"""The list of action plans filtered by its address: a value it cannot use is named in words
and left out, and the values it can use still apply."""

from __future__ import annotations

import pytest

from actionplans.models import ActionPlan
from tests.actionplans.conftest import client
from tests.factories import ActionPlanFactory, ObjectiveFactory, StrategicPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(world, settings):  # type: ignore[no-untyped-def]
    """Operations' plan (active) and a done one there; a plan of Finance, which only the
    outsider sees once transparency is off."""
    settings.SCORECARD_TRANSPARENCY = False
    people, objective, _, active, _ = world
    active.status = ActionPlan.Status.ACTIVE
    active.owner = people["head"]
    active.save()
    done = ActionPlanFactory(
        objective=objective, name="Shipped", status=ActionPlan.Status.DONE, owner=people["clerk"]
    )
    finance = people["outsider"].memberships.get().org_unit
    finance_objective = ObjectiveFactory(plan=StrategicPlanFactory(org_unit=finance))
    budget = ActionPlanFactory(
        objective=finance_objective, name="Budget review", status=ActionPlan.Status.DRAFT
    )
    return people, active, done, budget


def shown(response) -> set[str]:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    names = {"Shipped", "Budget review", *ActionPlan.objects.values_list("name", flat=True)}
    return {name for name in names if f">{name}</a></th>" in html}


def problems(response) -> list[str]:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    if 'id="filter-problems"' not in html:
        return []
    listed = html.split('id="filter-problems">')[1].split("</ul>")[0]
    return [item.split("</li>")[0] for item in listed.split("<li>")[1:]]


def test_usable_filters_apply_and_say_nothing(plans):
    people, active, done, _ = plans
    query = {"org_unit": active.org_unit_id, "status": "done", "owner": people["clerk"].pk}

    response = client(people["head"]).get("/action-plans/", query)

    assert response.status_code == 200
    assert shown(response) == {done.name}
    assert problems(response) == []


def test_a_value_that_is_not_a_number_is_named_and_the_rest_still_filters(plans):
    people, _, done, _ = plans

    response = client(people["head"]).get("/action-plans/", {"org_unit": "ops", "status": "done"})

    assert response.status_code == 200
    assert problems(response) == [
        "There is no unit “ops” among the action plans you may see; showing every unit."
    ]
    assert shown(response) == {done.name}


def test_an_unknown_status_is_named_with_the_statuses_there_are(plans):
    people, active, done, _ = plans

    response = client(people["head"]).get("/action-plans/", {"status": "finished"})

    assert problems(response) == [
        "“finished” is not a status of an action plan (draft, active, on hold, done, "
        "cancelled); showing every status."
    ]
    assert shown(response) == {active.name, done.name}


def test_a_unit_owner_or_objective_the_person_may_not_see_reads_as_one_that_does_not_exist(
    plans,
):
    people, active, done, budget = plans
    head = client(people["head"])

    hidden = head.get(
        "/action-plans/",
        {
            "org_unit": budget.org_unit_id,
            "objective": budget.objective_id,
            "owner": people["outsider"].pk,
        },
    )
    missing = head.get("/action-plans/", {"org_unit": 987654, "objective": 987654, "owner": 987654})

    def refused(unit: object, objective: object, owner: object) -> list[str]:
        among = "among the action plans you may see"
        return [
            f"There is no unit “{unit}” {among}; showing every unit.",
            f"There is no objective “{objective}” {among}; showing every objective.",
            f"There is no owner “{owner}” {among}; showing every owner.",
        ]

    assert shown(hidden) == shown(missing) == {active.name, done.name}
    assert problems(hidden) == refused(
        budget.org_unit_id, budget.objective_id, people["outsider"].pk
    )
    assert problems(missing) == refused(987654, 987654, 987654)
    assert "Budget review" not in hidden.content.decode()
    assert "Finance" not in hidden.content.decode()


@pytest.mark.parametrize("person", ["head", "clerk", "sub_admin", "outsider"])
def test_each_person_filters_only_among_the_plans_they_may_see(plans, person):
    people, active, _, _ = plans

    response = client(people[person]).get("/action-plans/", {"status": "active"})

    expected = {
        "head": {active.name},
        "clerk": {active.name},
        "sub_admin": set(),  # an admin of Warehouse sees below Operations, not Operations
        "outsider": set(),  # Finance's plan is a draft
    }[person]
    assert shown(response) == expected
    assert problems(response) == []
