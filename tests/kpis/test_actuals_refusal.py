""" "May this KPI take actuals": one decision (`kpis.rules.actuals_refusal`), its SQL twin held
equal to it for every role, and one message on every channel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.permissions import forget_access
from kpis.models import Kpi
from kpis.rules import actuals_refusal, can_update_actuals
from kpis.selectors import kpis_updatable_by
from tests.factories import KpiFactory, MembershipFactory, OrgUnitFactory, UserFactory
from tests.kpis.updates_org import HTMX, build_org, client_for, row_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("transparency", [True, False])
def test_the_sql_twin_equals_the_predicate_for_every_role(settings, transparency):
    settings.SCORECARD_TRANSPARENCY = transparency
    org = build_org()
    retired = KpiFactory(objective=org.sales_objective, code="OLD", is_retired=True)
    retired.updaters.add(org.contributor)
    KpiFactory(objective=org.sales_objective, code="SPACE", formula="   ")
    north = OrgUnitFactory(name="North", code="north", parent=org.sales)
    north_kpi = KpiFactory(objective__plan=org.plan, objective__org_unit=north, code="NORTH")
    sub_unit_admin = MembershipFactory(role=Role.ADMIN, org_unit=north).user
    non_updater = MembershipFactory(role=Role.CONTRIBUTOR, org_unit=org.sales).user
    north_kpi.updaters.add(org.contributor)
    org.ops.updaters.add(org.contributor)  # an updater outside their unit changes nothing
    people = {
        "admin": org.admin,
        "executive": org.executive,
        "manager": org.manager,
        "contributor updater": org.contributor,
        "contributor non-updater": non_updater,
        "viewer": org.viewer,
        "outsider": org.outsider,
        "sub-unit admin": sub_unit_admin,
        "superuser": UserFactory(username="root", is_superuser=True),
    }
    kpis = list(Kpi.objects.select_related("objective"))

    for role, person in people.items():
        forget_access(person)
        by_predicate = {kpi.code for kpi in kpis if can_update_actuals(person, kpi)}
        by_sql = set(kpis_updatable_by(person).values_list("code", flat=True))
        assert by_sql == by_predicate, role

    updates = {
        role: set(kpis_updatable_by(person).values_list("code", flat=True))
        for role, person in people.items()
    }
    assert updates["admin"] == {"REV", "WIN", "SPACE", "OPS", "NORTH"}  # a blank formula is none
    assert updates["manager"] == {"REV", "WIN", "SPACE", "NORTH"}
    assert updates["contributor updater"] == {"WIN", "NORTH"}
    assert updates["sub-unit admin"] == {"NORTH"}
    assert updates["superuser"] == updates["admin"]
    for role in ("executive", "contributor non-updater", "viewer", "outsider"):
        assert updates[role] == set(), role


def test_a_retired_or_calculated_kpi_is_closed_even_to_a_superuser():
    org = build_org()
    org.rev.is_retired = True
    org.rev.save()
    root = UserFactory(username="root", is_superuser=True)

    assert actuals_refusal(root, org.rev) == "REV is retired; its actuals can no longer change."
    assert actuals_refusal(root, org.rate) == (
        "RATE is calculated from REV / WIN; enter its inputs instead."
    )
    assert actuals_refusal(root, org.win) is None


def test_every_channel_refuses_a_non_updater_in_the_same_words():
    org = build_org()
    message = "You may not update the actuals of REV."
    assert actuals_refusal(org.contributor, org.rev) == message
    contributor = client_for(org.contributor)

    page = contributor.post(f"/updates/{org.rev.pk}/", row_data(org.rev, org.month, "100"), **HTMX)
    imported = contributor.post(
        "/updates/import/",
        {
            "file": SimpleUploadedFile(
                "a.csv", f"kind,kpi_code,period,value\nactual,REV,{org.month},100\n".encode()
            ),
            "plan": "",
        },
    )
    preview = contributor.get(imported["Location"]).content.decode()
    api = APIClient()
    api.force_authenticate(org.contributor)
    bulk = api.post(
        "/api/v1/actuals/bulk/",
        [{"kpi_code": "REV", "period": org.month.isoformat(), "value": "100"}],
        format="json",
    )
    single = api.post(
        "/api/v1/actuals/",
        {"kpi": org.rev.pk, "period": org.month.isoformat(), "value": "100"},
        format="json",
    )

    assert page.status_code == 403
    assert message in preview
    assert bulk.json()["rows"] == {"0": {"kpi": [message]}}
    assert single.status_code == 403
    assert single.json()["detail"] == message


def test_every_channel_refuses_a_calculated_kpi_in_the_same_words():
    org = build_org()
    message = "RATE is calculated from REV / WIN; enter its inputs instead."
    api = APIClient()
    api.force_authenticate(org.admin)

    bulk = api.post(
        "/api/v1/actuals/bulk/",
        [{"kpi": org.rate.pk, "period": org.month.isoformat(), "value": Decimal(1)}],
        format="json",
    )
    page = client_for(org.admin).post(
        f"/updates/{org.rate.pk}/", row_data(org.rate, org.month, "1"), **HTMX
    )

    assert bulk.json()["rows"] == {"0": {"kpi": [message]}}
    assert page.status_code == 403
