"""Stakeholders: people consulted on, or kept informed of, a plan or an objective."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from strategy.forms import PERSON_NOT_OFFERED
from strategy.models import Stakeholder
from strategy.selectors import digest_recipients
from strategy.services import stakeholder_add
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def org():
    root = OrgUnitFactory(name="Org", code="org")
    sales = OrgUnitFactory(name="Sales", code="sales", parent=root)
    finance = OrgUnitFactory(name="Finance", code="finance", parent=root)
    plan = StrategicPlanFactory(org_unit=sales, name="Sales plan")
    objective = ObjectiveFactory(
        plan=plan, perspective=PerspectiveFactory(plan=plan), org_unit=sales, code="C1"
    )
    people = {}
    for name, unit, role in (
        ("admin", root, Role.ADMIN),
        ("manager", sales, Role.MANAGER),
        ("viewer", sales, Role.VIEWER),
        ("outsider", finance, Role.MANAGER),
    ):
        people[name] = UserFactory(
            username=name, first_name=name.title(), last_name="", password=None
        )
        MembershipFactory(user=people[name], org_unit=unit, role=role)
    return plan, objective, people


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_person_is_named_stakeholder_of_the_plan_or_of_an_objective_and_gets_the_digest(
    org,
):
    plan, objective, people = org
    stakeholder_add(user=people["viewer"], involvement="informed", plan=plan)
    stakeholder_add(user=people["manager"], involvement="consulted", objective=objective)

    assert digest_recipients(plan) == [people["manager"], people["viewer"]]


def test_a_deactivated_stakeholder_gets_no_digest(org):
    plan, _, people = org
    stakeholder_add(user=people["viewer"], involvement="informed", plan=plan)
    people["viewer"].is_active = False
    people["viewer"].save()
    assert digest_recipients(plan) == []


def test_someone_who_cannot_see_the_plan_is_refused(org, settings):
    settings.SCORECARD_TRANSPARENCY = False
    plan, _, people = org
    with pytest.raises(ValidationError, match="cannot see Sales"):
        stakeholder_add(user=people["outsider"], involvement="informed", plan=plan)
    assert not Stakeholder.objects.exists()


def test_the_same_person_twice_on_the_plan_is_refused(org):
    plan, _, people = org
    stakeholder_add(user=people["viewer"], involvement="informed", plan=plan)
    with pytest.raises(ValidationError, match="already a stakeholder of the plan"):
        stakeholder_add(user=people["viewer"], involvement="consulted", plan=plan)


def test_an_unknown_involvement_is_refused(org):
    plan, _, people = org
    with pytest.raises(ValidationError):
        stakeholder_add(user=people["viewer"], involvement="adored", plan=plan)
    assert not Stakeholder.objects.exists()


def test_the_database_refuses_a_stakeholder_of_both_or_neither(org):
    plan, objective, people = org
    for subject in ({"plan": plan, "objective": objective}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Stakeholder.objects.create(user=people["viewer"], involvement="informed", **subject)


def test_the_admin_adds_a_stakeholder_with_htmx_and_everyone_who_sees_the_plan_sees_it(org):
    plan, objective, people = org
    response = client_for(people["admin"]).post(
        reverse("strategy:stakeholder_add", args=[plan.pk]),
        {
            "stakeholder-user": people["viewer"].pk,
            "stakeholder-involvement": "consulted",
            "stakeholder-subject": objective.pk,
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"is now consulted on C1" in response.content
    page = client_for(people["viewer"]).get(reverse("strategy:plan", args=[plan.pk]))
    assert b"Stakeholders" in page.content
    assert b"Viewer" in page.content
    assert b"Add stakeholder" not in page.content  # no button for what the viewer may not do


def test_a_manager_may_not_add_stakeholders_to_the_units_top_plan_and_an_outsider_gets_404(
    org, settings
):
    settings.SCORECARD_TRANSPARENCY = False
    plan, _, people = org
    data = {
        "stakeholder-user": people["viewer"].pk,
        "stakeholder-involvement": "informed",
        "stakeholder-subject": "plan",
    }
    url = reverse("strategy:stakeholder_add", args=[plan.pk])
    assert client_for(people["manager"]).post(url, data).status_code == 403
    assert client_for(people["outsider"]).post(url, data).status_code == 404
    assert not Stakeholder.objects.exists()


def test_a_bad_form_answers_400_with_the_message_and_writes_nothing(org):
    plan, _, people = org
    response = client_for(people["admin"]).post(
        reverse("strategy:stakeholder_add", args=[plan.pk]),
        {
            "stakeholder-user": 999999,
            "stakeholder-involvement": "informed",
            "stakeholder-subject": "plan",
        },
    )
    assert response.status_code == 400
    assert PERSON_NOT_OFFERED in response.content.decode()
    assert not Stakeholder.objects.exists()


def test_removing_a_stakeholder(org):
    plan, _, people = org
    stakeholder = stakeholder_add(user=people["viewer"], involvement="informed", plan=plan)
    response = client_for(people["admin"]).post(
        reverse("strategy:stakeholder_remove", args=[stakeholder.pk])
    )
    assert response.status_code == 302
    assert not Stakeholder.objects.exists()
