"""From an off-track KPI to a plan acting on it: the KPI page, My updates and the dashboard
offer a prefilled draft plan, and the KPI page lists the plans linked to it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from actionplans.models import ActionPlan
from actionplans.services import action_plan_kpi_set
from tests.actionplans.conftest import client
from tests.factories import ActionPlanFactory, ActualFactory, ObjectiveFactory, TargetFactory
from tests.kpis.updates_org import due_month

pytestmark = pytest.mark.django_db

START = "Start a corrective action plan"


@pytest.fixture
def off_track(world):
    """The world's OTD KPI with the due month's actual below its red flag, and an action."""
    kpi = world[2]
    TargetFactory(kpi=kpi, period=due_month(), goal=Decimal(95), red_flag=Decimal(90))
    ActualFactory(
        kpi=kpi, period=due_month(), value=Decimal(80), corrective_action="Add a second shift."
    )
    return world


def new_plan_url(objective, kpi):  # type: ignore[no-untyped-def]
    return f"{reverse('actionplans:plan_new')}?objective={objective.pk}&amp;kpi={kpi.pk}"


def link(action_plan, kpi):  # type: ignore[no-untyped-def]
    """The plan acts on the KPI: 95 expected by the plan's due date."""
    action_plan_kpi_set(
        action_plan=action_plan,
        kpi=kpi,
        expected_value=Decimal(95),
        expected_by=action_plan.due_date,
    )


def test_the_kpi_page_of_an_off_track_kpi_offers_its_manager_a_corrective_plan(off_track):
    people, objective, kpi, _, _ = off_track
    html = client(people["head"]).get(reverse("kpis:kpi", args=[kpi.pk])).content.decode()
    assert START in html
    assert new_plan_url(objective, kpi) in html


@pytest.mark.parametrize("who", ["clerk", "outsider", "sub_admin"])
def test_people_who_may_not_add_plans_to_the_objective_are_not_offered_one(off_track, who):
    people, _, kpi, _, _ = off_track
    assert START not in client(people[who]).get(reverse("kpis:kpi", args=[kpi.pk])).content.decode()


def test_an_on_track_kpi_offers_no_corrective_plan(world):
    people, _, kpi, _, _ = world
    TargetFactory(kpi=kpi, period=due_month(), goal=Decimal(95), red_flag=Decimal(90))
    ActualFactory(kpi=kpi, period=due_month(), value=Decimal(99))
    assert (
        START not in client(people["head"]).get(reverse("kpis:kpi", args=[kpi.pk])).content.decode()
    )


def test_my_updates_offers_a_corrective_plan_on_the_off_track_row(off_track):
    people, objective, kpi, _, _ = off_track
    html = client(people["head"]).get(reverse("kpis:updates")).content.decode()
    row = html.split(f'id="row-{kpi.pk}"')[1].split("</tr>")[0]
    assert START in row
    assert new_plan_url(objective, kpi) in row


def test_the_draft_is_prefilled_from_the_kpi_and_its_corrective_action(off_track):
    people, objective, kpi, _, _ = off_track
    url = f"{reverse('actionplans:plan_new')}?objective={objective.pk}&kpi={kpi.pk}"
    html = client(people["head"]).get(url).content.decode()
    assert "Bring OTD back on track" in html
    assert "Add a second shift." in html


def test_the_kpi_page_lists_the_plans_acting_on_it_with_status_and_schedule(off_track):
    people, objective, kpi, action_plan, _ = off_track
    link(action_plan, kpi)
    ActionPlan.objects.filter(pk=action_plan.pk).update(status=ActionPlan.Status.ON_HOLD)
    unlinked = ActionPlanFactory(objective=objective, org_unit=objective.org_unit, name="Other")

    html = client(people["clerk"]).get(reverse("kpis:kpi", args=[kpi.pk])).content.decode()
    section = html.split('id="kpi-plans"')[1].split("</section>")[0]
    assert action_plan.name in section
    assert "On hold" in section
    assert "Overdue" in section  # due 30 Jun 2026, its one task not done
    assert "95 by 30 Jun 2026" in section
    assert unlinked.name not in section


def test_plans_of_units_the_reader_may_not_see_are_not_listed(off_track, settings):
    settings.SCORECARD_TRANSPARENCY = False
    people, objective, kpi, action_plan, _ = off_track
    link(action_plan, kpi)
    finance = people["outsider"].memberships.get().org_unit
    hidden = ActionPlanFactory(objective=ObjectiveFactory(plan=objective.plan, org_unit=finance))
    link(hidden, kpi)
    html = client(people["head"]).get(reverse("kpis:kpi", args=[kpi.pk])).content.decode()
    assert action_plan.name in html
    assert hidden.name not in html
