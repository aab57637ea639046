"""The timeline page: a unit's plans and milestones along a time axis with today's line, the
same in a table, only what the reader may see, filters checked on the server."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.models import ActionPlan, Milestone, Task
from tests.actionplans.conftest import client
from tests.factories import ActionPlanFactory, TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("actionplans:timeline")
TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


@pytest.fixture
def opaque(settings):
    settings.SCORECARD_TRANSPARENCY = False


def test_the_timeline_draws_each_plan_with_its_milestones_and_todays_line(world):
    people, _, _, action_plan, task = world
    ActionPlan.objects.filter(pk=action_plan.pk).update(status=ActionPlan.Status.ACTIVE)
    milestone = Milestone.objects.create(
        action_plan=action_plan, name="Carrier signed", due_date=date(2026, 2, 27)
    )
    Task.objects.filter(pk=task.pk).update(milestone=milestone)

    response = client(people["head"]).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert f'href="{reverse("actionplans:plan", args=[action_plan.pk])}"' in svg
    assert 'id="timeline-today"' in svg
    assert "Timeline of 1 action plan and 1 milestone, with today, 16 Mar 2026, marked." in svg
    # Its task is not done, and the milestone's day has passed: missed (and drawn so).
    assert "Milestone Carrier signed: due 27 Feb 2026, missed" in svg
    assert "milestone-missed" in svg
    table = html.split('id="timeline-table"')[1].split("</table>")[0]
    assert action_plan.name in table
    assert "1 Jan 2026" in table
    assert "30 Jun 2026" in table
    assert "Carrier signed: due 27 Feb 2026, missed" in table
    # 0 % done with 75 of 180 days gone: behind, in the table and in the bar's colour.
    assert "Behind" in table
    assert "state-behind" in svg


def test_the_list_of_plans_links_to_the_timeline_of_the_unit_chosen(world):
    people, objective, _, _, _ = world
    page = client(people["head"]).get(
        reverse("actionplans:plans") + f"?org_unit={objective.org_unit_id}"
    )
    assert f'href="{URL}?org_unit={objective.org_unit_id}"' in page.content.decode()


@pytest.mark.parametrize("who", ["head", "clerk"])
def test_the_units_manager_and_a_contributor_see_its_plans(world, opaque, who):
    people, objective, _, action_plan, _ = world
    page = client(people[who]).get(URL, {"org_unit": objective.org_unit_id})
    assert page.status_code == 200
    assert action_plan.name in page.content.decode()


@pytest.mark.parametrize("who", ["outsider", "sub_admin"])
def test_people_outside_the_unit_see_an_empty_timeline(world, opaque, who):
    people, _, _, action_plan, _ = world
    page = client(people[who]).get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert action_plan.name not in html
    assert 'id="timeline-empty"' in html
    assert "<svg" not in html.split('id="main"')[1]


@pytest.mark.parametrize("who", ["outsider", "sub_admin"])
def test_a_unit_the_reader_may_not_see_is_refused_as_a_filter_and_shows_nothing(world, opaque, who):
    people, objective, _, action_plan, _ = world
    page = client(people[who]).get(URL, {"org_unit": objective.org_unit_id})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Choose one of the units listed." in html
    assert action_plan.name not in html


def test_a_filter_that_is_not_offered_is_refused_at_its_field(world):
    people, _, _, _, _ = world
    page = client(people["head"]).get(URL, {"status": "finished"})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_status_error"' in html
    assert 'id="id_status_error"' in html


def test_cancelled_plans_are_left_out_unless_asked_for(world):
    people, objective, _, _, _ = world
    cancelled = ActionPlanFactory(
        objective=objective, name="Dropped idea", status=ActionPlan.Status.CANCELLED
    )
    head = client(people["head"])
    assert cancelled.name not in head.get(URL).content.decode()
    only_cancelled = head.get(URL, {"status": "cancelled"}).content.decode()
    assert cancelled.name in only_cancelled


def test_an_empty_unit_says_so(world):
    people, _, _, action_plan, _ = world
    page = client(people["head"]).get(URL, {"status": "done"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "No action plan to show" in html
    assert action_plan.name not in html


def test_the_timeline_costs_the_same_queries_for_more_plans(world):
    people, objective, _, _, _ = world
    head = client(people["head"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert head.get(URL).status_code == 200
        return len(captured)

    head.get(URL)  # the session and caches warm up once
    few = queries()
    for n in range(5):
        plan = ActionPlanFactory(objective=objective, owner=people["head"])
        milestone = Milestone.objects.create(
            action_plan=plan, name=f"Milestone {n}", due_date=date(2026, 3, 1)
        )
        TaskFactory(action_plan=plan, milestone=milestone, owner=people["clerk"])
        TaskFactory(action_plan=plan)
    assert queries() == few
