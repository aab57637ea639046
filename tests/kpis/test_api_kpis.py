"""kpis/: read with the objective; definitions written by whoever may change the plan."""

from typing import Any

import pytest

from accounts.models import Role
from kpis.models import Kpi
from tests.api_org import Org, client_for, ids
from tests.factories import (
    KpiFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    UserFactory,
)

URL = "/api/v1/kpis/"

pytestmark = pytest.mark.django_db


def detail(kpi: Kpi) -> str:
    return f"{URL}{kpi.pk}/"


def test_anonymous_requests_are_refused(org):
    assert client_for(None).get(URL).status_code == 401


def test_a_viewer_reads_a_kpi_with_its_plan_and_updaters(org):
    data = client_for(org.viewer).get(detail(org.kpi)).json()
    assert (data["code"], data["plan"], data["objective"]) == ("REV", org.plan.pk, org.objective.pk)
    assert data["updaters"] == [org.contributor.pk]
    assert data["tolerance"] == "0.1000"


def test_kpis_filter_by_plan_objective_code_and_updater(org):
    viewer = client_for(org.viewer)
    for query in (
        {"plan": org.plan.pk},
        {"objective": org.objective.pk},
        {"code": "REV"},
        {"updater": org.contributor.pk},
    ):
        assert ids(viewer.get(URL, query)) == {org.kpi.pk}
    assert ids(viewer.get(URL, {"updater": org.viewer.pk})) == set()


@pytest.mark.usefixtures("transparency_off")
def test_an_outsider_does_not_see_kpis(org):
    outsider = client_for(org.outsider)
    assert ids(outsider.get(URL)) == set()
    assert outsider.get(detail(org.kpi)).status_code == 404
    assert outsider.patch(detail(org.kpi), {"name": "X"}).status_code == 404


def test_an_admin_creates_a_kpi_in_the_objectives_plan(org):
    response = client_for(org.admin).post(
        URL,
        {
            "objective": org.objective.pk,
            "code": "MARGIN",
            "name": "Margin",
            "direction": "increase",
            "tolerance": 0.05,
            "updaters": [org.contributor.pk, org.manager.pk],
        },
    )
    assert response.status_code == 201, response.content
    kpi = Kpi.objects.get(code="MARGIN")
    assert kpi.plan == org.plan
    assert set(kpi.updaters.all()) == {org.contributor, org.manager}
    assert str(kpi.tolerance) == "0.0500"


def test_a_formula_with_an_unknown_code_is_refused_by_field(org):
    response = client_for(org.admin).patch(detail(org.kpi), {"formula": "100 * WON / LEADS"})
    assert response.status_code == 400
    assert list(response.json()) == ["formula"]


def test_a_duplicate_code_in_the_plan_is_refused(org):
    response = client_for(org.admin).post(
        URL, {"objective": org.objective.pk, "code": "REV", "name": "Again"}
    )
    assert response.status_code == 400
    assert response.json() == {"code": ["This plan already has a KPI REV: choose another code."]}


def test_a_manager_contributor_and_viewer_may_not_change_definitions(org):
    for person in (org.manager, org.contributor, org.viewer):
        client = client_for(person)
        assert client.patch(detail(org.kpi), {"name": "X"}).status_code == 403
        response = client.post(URL, {"objective": org.objective.pk, "code": "X", "name": "X"})
        assert response.status_code == 403
    assert Kpi.objects.get(pk=org.kpi.pk).name == "Revenue"


def test_kpis_are_retired_and_reinstated_not_deleted(org):
    admin = client_for(org.admin)
    assert admin.delete(detail(org.kpi)).status_code == 405
    assert admin.patch(detail(org.kpi), {"is_retired": True}).json()["is_retired"] is True
    assert Kpi.objects.get(pk=org.kpi.pk).is_retired
    assert admin.patch(detail(org.kpi), {"is_retired": False}).status_code == 200
    assert not Kpi.objects.get(pk=org.kpi.pk).is_retired


def test_an_updater_without_a_role_in_the_unit_is_refused_naming_them(org):
    response = client_for(org.admin).patch(detail(org.kpi), {"updaters": [org.outsider.pk]})
    assert response.status_code == 400
    assert "Outsider has no access to the unit Sales" in response.json()["updaters"][0]


def test_a_name_with_a_control_character_is_refused_by_field(org):
    response = client_for(org.admin).post(
        URL, {"objective": org.objective.pk, "code": "BELL", "name": "Bell\x07"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert not Kpi.objects.filter(code="BELL").exists()


# --- The KPIs a person may update ---------------------------------------------------------------


@pytest.fixture
def updatable(org: Org) -> dict[str, Any]:
    """Beside REV (Sales): WIN in Sales naming nobody, RATE calculated, OLD retired, and EU in
    Sales' sub-unit Europe, whose admin is `europe_admin`."""
    europe = OrgUnitFactory(name="Europe", code="europe", parent=org.sales)
    europe_objective = ObjectiveFactory(perspective=org.perspective, org_unit=europe, code="F2")
    europe_admin = UserFactory(username="europe_admin", password=None)
    MembershipFactory(user=europe_admin, org_unit=europe, role=Role.ADMIN)
    return {
        "win": KpiFactory(objective=org.objective, code="WIN"),
        "rate": KpiFactory(objective=org.objective, code="RATE", formula="REV / WIN"),
        "old": KpiFactory(objective=org.objective, code="OLD", is_retired=True),
        "eu": KpiFactory(objective=europe_objective, code="EU"),
        "europe_admin": europe_admin,
    }


def codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {kpi["code"] for kpi in response.json()["results"]}


def test_a_manager_named_nowhere_finds_every_kpi_of_the_unit_they_may_update(org, updatable):
    manager = client_for(org.manager)

    assert codes(manager.get(URL, {"updater": org.manager.pk})) == set()
    assert codes(manager.get(URL, {"may_update": "true"})) == {"REV", "WIN", "EU"}
    assert codes(manager.get(URL, {"may_update": "false"})) == {"RATE", "OLD"}


def test_a_contributor_may_update_only_the_kpis_naming_them(org, updatable):
    contributor = client_for(org.contributor)

    assert codes(contributor.get(URL, {"may_update": "true"})) == {"REV"}
    assert codes(contributor.get(URL, {"updater": org.contributor.pk})) == {"REV"}


@pytest.mark.usefixtures("transparency_off")
def test_a_viewer_and_an_outsider_may_update_none(org, updatable):
    assert codes(client_for(org.viewer).get(URL, {"may_update": "true"})) == set()
    assert codes(client_for(org.viewer).get(URL, {"may_update": "false"})) == {
        "REV",
        "WIN",
        "RATE",
        "OLD",
        "EU",
    }
    assert codes(client_for(org.outsider).get(URL, {"may_update": "true"})) == set()
    assert codes(client_for(org.outsider).get(URL, {"may_update": "false"})) == set()


def test_an_admin_of_a_sub_unit_may_update_that_units_kpis_only(org, updatable):
    europe_admin = client_for(updatable["europe_admin"])

    assert codes(europe_admin.get(URL, {"may_update": "true"})) == {"EU"}


def test_may_update_agrees_with_the_write_rule_for_everyone(org, updatable):
    kpis = Kpi.objects.all()
    for person in (org.admin, org.manager, org.contributor, org.viewer, updatable["europe_admin"]):
        listed = codes(client_for(person).get(URL, {"may_update": "true", "page_size": 500}))
        allowed = {kpi.code for kpi in kpis if person.has_perm("kpis.update_actuals", kpi)}
        assert listed == allowed, person


def test_may_update_takes_true_or_false_only(org):
    response = client_for(org.manager).get(URL, {"may_update": "yes"})

    assert response.status_code == 400
    assert response.json() == {
        "may_update": ["may_update takes true or false (or 1 or 0), not “yes”."]
    }
