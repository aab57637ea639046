"""The plan page reads the plan's people and units once for all its forms, and its structure
once for the workspace and the health checklist, however many perspectives it has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from strategy.services import objective_create, perspective_create
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db


def plan_page_queries(ws, **headers: str) -> int:  # type: ignore[no-untyped-def]
    client = client_for(ws.org.root_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/strategy/plans/{ws.plan.pk}/", **headers)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "workspace partial"])
def test_more_perspectives_and_objectives_add_no_query_to_the_plan_page(headers):
    ws = build_workspace()
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    few = plan_page_queries(ws, **headers)

    for n in range(4):
        extra = perspective_create(plan=ws.plan, name=f"Extra {n}")
        for m in range(3):
            objective_create(plan=ws.plan, perspective=extra, code=f"X{n}{m}", name="More")

    assert plan_page_queries(ws, **headers) == few


def test_every_add_form_offers_the_owners_and_units_of_an_objective_of_the_plans_unit():
    ws = build_workspace()
    html = client_for(ws.org.root_admin).get(f"/strategy/plans/{ws.plan.pk}/").content.decode()

    for perspective in (ws.financial, ws.customer, ws.internal, ws.learning):
        prefix = f"new-{perspective.pk}"
        owner = html.split(f'name="{prefix}-owner"')[1].split("</select>")[0]
        unit = html.split(f'name="{prefix}-org_unit"')[1].split("</select>")[0]
        assert '<option value="" selected>---------</option>' in owner
        assert f'<option value="{ws.org.viewer.pk}">Viewer</option>' in owner
        assert f'<option value="{ws.org.manager.pk}">Manager</option>' not in owner
        assert f'<option value="{ws.org.acme.pk}" selected>ACME</option>' in unit
        assert f'<option value="{ws.org.north.pk}">Sales North</option>' in unit
        assert "---------" not in unit
