"""The API's yes-or-no filters take true or false (or 1 or 0) and refuse anything else with
400, naming the parameter and the values it takes: a misspelt `?is_retired=maybe` must not
quietly list everything."""

from __future__ import annotations

import pytest
from django_filters import BooleanFilter

from core.api import TrueOrFalseFilter
from kpis.models import Kpi
from scorecard.api_urls import router
from tests.api_org import client_for
from tests.factories import KpiFactory, ObjectiveFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

FILTERS = [
    ("/api/v1/kpis/", "is_retired"),
    ("/api/v1/kpis/", "may_update"),
    ("/api/v1/users/", "is_active"),
    ("/api/v1/org-units/", "is_archived"),
    ("/api/v1/objectives/", "is_archived"),
]


@pytest.mark.parametrize(("url", "parameter"), FILTERS)
@pytest.mark.parametrize("value", ["maybe", "yes", "no", "2", "tru"])
def test_a_value_that_is_not_true_or_false_is_refused_naming_the_parameter(
    org, url, parameter, value
):
    response = client_for(org.admin).get(url, {parameter: value})

    assert response.status_code == 400
    assert response.json() == {
        parameter: [f"{parameter} takes true or false (or 1 or 0), not “{value}”."]
    }


def listed(org, url: str, query: dict[str, str], field: str) -> set[object]:  # type: ignore[no-untyped-def]
    response = client_for(org.admin).get(url, {**query, "page_size": 500})
    assert response.status_code == 200, response.json()
    return {row[field] for row in response.json()["results"]}


@pytest.mark.parametrize(("yes", "no"), [("true", "false"), ("1", "0"), ("True", "FALSE")])
def test_true_and_false_filter_in_any_of_their_spellings(org, yes, no):
    KpiFactory(objective=org.objective, code="OLD", is_retired=True)
    ObjectiveFactory(plan=org.plan, perspective=org.perspective, code="GONE", is_archived=True)
    OrgUnitFactory(code="closed", parent=org.acme, is_archived=True)
    UserFactory(username="left", is_active=False)

    kpis = "/api/v1/kpis/"
    assert listed(org, kpis, {"is_retired": yes}, "code") == {"OLD"}
    assert listed(org, kpis, {"is_retired": no}, "code") == set(
        Kpi.objects.filter(is_retired=False).values_list("code", flat=True)
    )
    objectives = "/api/v1/objectives/"
    assert listed(org, objectives, {"is_archived": yes}, "code") == {"GONE"}
    assert "GONE" not in listed(org, objectives, {"is_archived": no}, "code")
    assert listed(org, "/api/v1/org-units/", {"is_archived": yes}, "code") == {"closed"}
    assert listed(org, "/api/v1/users/", {"is_active": no}, "username") == {"left"}
    assert "left" not in listed(org, "/api/v1/users/", {"is_active": yes}, "username")


def test_every_yes_or_no_filter_of_the_api_refuses_what_is_not_true_or_false():
    """django-filter's BooleanFilter ignores a value it cannot read: none may be used."""
    yes_or_no = []
    for _, viewset, _ in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, found in (filterset.base_filters if filterset else {}).items():
            assert not isinstance(found, BooleanFilter), f"{viewset.__name__}.{name}"
            if isinstance(found, TrueOrFalseFilter):
                yes_or_no.append(name)
    assert sorted(yes_or_no) == sorted(parameter for _, parameter in FILTERS)
