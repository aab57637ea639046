"""Owner, updater and stakeholder choices offer only people the reader may see.

A cascaded plan's unit sits below other units; with transparency off, its manager must not
learn who holds roles above it from the options of its forms, and an id typed in anyway is
refused with a message on the field (pages) or a field error (API).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role, User
from kpis.models import Kpi
from strategy.forms import PERSON_NOT_OFFERED
from strategy.models import Objective, Perspective, Stakeholder, StrategicPlan
from tests.factories import (
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# People above Sales EMEA, whom its manager may not see with transparency off.
HIDDEN_NAMES = ("Rhea Rootadmin", "Sam Salesadmin")


@dataclass
class Cascade:
    """ACME > Sales > Sales EMEA; the EMEA plan cascades from the Sales plan."""

    plan: StrategicPlan
    perspective: Perspective
    objective: Objective
    root_admin: User
    sales_admin: User
    manager: User  # of Sales EMEA: edits its cascaded plan
    contributor: User  # of Sales EMEA


@pytest.fixture
def cascade() -> Cascade:
    acme = OrgUnitFactory(name="ACME", code="acme")
    sales = OrgUnitFactory(name="Sales", code="sales", parent=acme)
    emea = OrgUnitFactory(name="Sales EMEA", code="sales-emea", parent=sales)
    people = {}
    for key, name, unit, role in (
        ("root_admin", "Rhea Rootadmin", acme, Role.ADMIN),
        ("sales_admin", "Sam Salesadmin", sales, Role.ADMIN),
        ("manager", "Mia Emeamanager", emea, Role.MANAGER),
        ("contributor", "Carl Emeacontributor", emea, Role.CONTRIBUTOR),
    ):
        first, last = name.split()
        people[key] = UserFactory(username=key, first_name=first, last_name=last, password=None)
        MembershipFactory(user=people[key], org_unit=unit, role=role)
    parent_plan = StrategicPlanFactory(org_unit=sales, name="Sales plan")
    plan = StrategicPlanFactory(org_unit=emea, parent=parent_plan, name="EMEA plan")
    perspective = PerspectiveFactory(plan=plan, name="Customer")
    objective = ObjectiveFactory(
        plan=plan, perspective=perspective, org_unit=emea, code="C1", owner=None
    )
    return Cascade(plan, perspective, objective, **people)


@pytest.fixture
def opaque(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_TRANSPARENCY = False


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def objective_data(cascade: Cascade, **fields: str) -> dict[str, str]:
    prefix = f"new-{cascade.perspective.pk}"
    data = {
        "code": "C2",
        "name": "Delight customers",
        "weight": "1",
        "org_unit": str(cascade.plan.org_unit_id),
        "owner": "",
        **fields,
    }
    return {
        "perspective_id": str(cascade.perspective.pk),
        f"{prefix}-perspective": str(cascade.perspective.pk),
        **{f"{prefix}-{key}": value for key, value in data.items()},
    }


def kpi_data(cascade: Cascade, **fields: object) -> dict[str, object]:
    return {
        "objective": cascade.objective.pk,
        "code": "NPS",
        "name": "Net promoter score",
        "measure_unit": "",
        "decimals": 0,
        "direction": "increase",
        "frequency": "monthly",
        "aggregation": "average",
        "tolerance": "10",
        "weight": "1",
        "formula": "",
        **fields,
    }


# --- the options -------------------------------------------------------------------------------


def test_without_transparency_a_cascaded_plans_forms_offer_only_people_the_reader_sees(
    cascade, opaque
):
    client = client_for(cascade.manager)

    plan_page = client.get(f"/strategy/plans/{cascade.plan.pk}/").content.decode()
    kpi_page = client.get(f"/strategy/plans/{cascade.plan.pk}/kpis/new/").content.decode()

    for page in (plan_page, kpi_page):
        assert "Carl Emeacontributor" in page
        for name in HIDDEN_NAMES:
            assert name not in page


def test_with_transparency_on_the_people_above_the_unit_are_offered(cascade, settings):
    settings.SCORECARD_TRANSPARENCY = True
    client = client_for(cascade.manager)

    plan_page = client.get(f"/strategy/plans/{cascade.plan.pk}/").content.decode()
    kpi_page = client.get(f"/strategy/plans/{cascade.plan.pk}/kpis/new/").content.decode()

    for page in (plan_page, kpi_page):
        for name in HIDDEN_NAMES:
            assert name in page


# --- ids typed in anyway -----------------------------------------------------------------------


def test_without_transparency_an_objective_owner_the_reader_cannot_see_is_refused(cascade, opaque):
    response = client_for(cascade.manager).post(
        f"/strategy/plans/{cascade.plan.pk}/objectives/add/",
        objective_data(cascade, owner=str(cascade.root_admin.pk)),
    )

    assert response.status_code == 400
    assert PERSON_NOT_OFFERED in response.content.decode()
    assert not cascade.plan.objectives.filter(code="C2").exists()


def test_without_transparency_a_stakeholder_the_reader_cannot_see_is_refused(cascade, opaque):
    response = client_for(cascade.manager).post(
        f"/strategy/plans/{cascade.plan.pk}/stakeholders/add/",
        {
            "stakeholder-user": cascade.sales_admin.pk,
            "stakeholder-involvement": "informed",
            "stakeholder-subject": "plan",
        },
    )

    assert response.status_code == 400
    assert PERSON_NOT_OFFERED in response.content.decode()
    assert not Stakeholder.objects.exists()


@pytest.mark.parametrize("field", ["owner", "updaters"])
def test_without_transparency_a_kpi_owner_or_updater_the_reader_cannot_see_is_refused(
    cascade, opaque, field
):
    response = client_for(cascade.manager).post(
        f"/strategy/plans/{cascade.plan.pk}/kpis/new/",
        kpi_data(cascade, **{field: cascade.sales_admin.pk}),
    )

    assert response.status_code == 400
    assert PERSON_NOT_OFFERED in response.content.decode()
    assert not Kpi.objects.exists()


def test_people_the_reader_sees_are_still_accepted(cascade, opaque):
    client = client_for(cascade.manager)

    added = client.post(
        f"/strategy/plans/{cascade.plan.pk}/objectives/add/",
        objective_data(cascade, owner=str(cascade.contributor.pk)),
    )
    defined = client.post(
        f"/strategy/plans/{cascade.plan.pk}/kpis/new/",
        kpi_data(cascade, owner=cascade.contributor.pk, updaters=[cascade.contributor.pk]),
    )

    assert (added.status_code, defined.status_code) == (302, 302)
    assert cascade.plan.objectives.get(code="C2").owner == cascade.contributor
    assert list(Kpi.objects.get().updaters.all()) == [cascade.contributor]


# --- what is already chosen --------------------------------------------------------------------


def test_editing_keeps_an_owner_and_updater_chosen_by_someone_who_sees_more(cascade, opaque):
    cascade.objective.owner = cascade.sales_admin
    cascade.objective.save()
    kpi = KpiFactory(objective=cascade.objective, code="NPS", owner=cascade.sales_admin)
    kpi.updaters.add(cascade.sales_admin)
    client = client_for(cascade.manager)

    edited = client.post(
        f"/strategy/objectives/{cascade.objective.pk}/edit/",
        {
            f"objective-{cascade.objective.pk}-{key}": value
            for key, value in {
                "perspective": str(cascade.perspective.pk),
                "code": "C1",
                "name": "Renamed",
                "weight": "1",
                "org_unit": str(cascade.plan.org_unit_id),
                "owner": str(cascade.sales_admin.pk),
            }.items()
        },
    )
    redefined = client.post(
        f"/strategy/kpis/{kpi.pk}/edit/",
        kpi_data(
            cascade,
            name="Renamed",
            owner=cascade.sales_admin.pk,
            updaters=[cascade.sales_admin.pk],
        ),
    )

    assert (edited.status_code, redefined.status_code) == (302, 302)
    cascade.objective.refresh_from_db()
    kpi.refresh_from_db()
    assert (cascade.objective.name, cascade.objective.owner) == ("Renamed", cascade.sales_admin)
    assert (kpi.name, kpi.owner) == ("Renamed", cascade.sales_admin)
    assert list(kpi.updaters.all()) == [cascade.sales_admin]


# --- the API -----------------------------------------------------------------------------------


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_without_transparency_the_api_refuses_people_the_reader_cannot_see(cascade, opaque):
    kpi = KpiFactory(objective=cascade.objective, code="NPS")
    client = api_for(cascade.manager)

    objective = client.patch(
        f"/api/v1/objectives/{cascade.objective.pk}/",
        {"owner": cascade.root_admin.pk},
        format="json",
    )
    updaters = client.patch(
        f"/api/v1/kpis/{kpi.pk}/", {"updaters": [cascade.sales_admin.pk]}, format="json"
    )
    owner = client.patch(
        f"/api/v1/kpis/{kpi.pk}/", {"owner": cascade.sales_admin.pk}, format="json"
    )

    assert (objective.status_code, updaters.status_code, owner.status_code) == (400, 400, 400)
    assert "owner" in objective.json()
    assert "updaters" in updaters.json()
    assert "owner" in owner.json()
    cascade.objective.refresh_from_db()
    kpi.refresh_from_db()
    assert (cascade.objective.owner, kpi.owner, list(kpi.updaters.all())) == (None, None, [])
