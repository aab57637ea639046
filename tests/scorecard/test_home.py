"""The overview lists the plans the person may see, like the strategy list does."""

from __future__ import annotations

import pytest

from strategy.services import plan_create
from tests.strategy.workspace import END, START, build_workspace, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans():  # type: ignore[no-untyped-def]
    ws = build_workspace()
    sales = plan_create(org_unit=ws.org.sales, name="Sales 2026", start=START, end=END)
    return ws, sales


def test_with_transparency_everyone_with_a_role_sees_every_plan(plans, settings):
    settings.SCORECARD_TRANSPARENCY = True
    ws, _ = plans

    html = client_for(ws.org.operator).get("/").content.decode()

    assert "ACME 2026" in html
    assert "Sales 2026" in html


def test_without_transparency_the_overview_lists_only_the_plans_of_ones_own_subtree(
    plans, settings
):
    settings.SCORECARD_TRANSPARENCY = False
    ws, _ = plans

    owner = client_for(ws.org.root_admin).get("/").content.decode()
    manager = client_for(ws.org.manager).get("/").content.decode()
    outsider = client_for(ws.org.outsider).get("/").content.decode()

    assert "ACME 2026" in owner
    assert "Sales 2026" in owner
    assert "Sales 2026" in manager
    assert "ACME 2026" not in manager
    assert "ACME 2026" not in outsider
    assert "Sales 2026" not in outsider


def test_the_overview_names_its_plan_as_a_link_to_the_plans_page(plans, settings):
    settings.SCORECARD_TRANSPARENCY = True
    ws, sales = plans

    html = client_for(ws.org.manager).get("/", {"plan": sales.pk}).content.decode()

    assert f'<strong><a href="/strategy/plans/{sales.pk}/">Sales 2026</a></strong>' in html
