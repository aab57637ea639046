"""Every panel of the dashboard that has nothing to show says what to do next and links there:
no plan yet, a plan without objectives or KPIs, a period without data, an empty heat map."""

from __future__ import annotations

import datetime

import pytest

from kpis.services import kpi_create
from strategy.services import objective_create
from tests.accounts.org import build_org
from tests.strategy.workspace import build_workspace, client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("scorecard.views._today", lambda: TODAY)


def test_without_a_plan_an_admin_is_led_to_start_one_and_a_viewer_told_what_comes():
    org = build_org()

    admin = client_for(org.root_admin).get("/").content.decode()
    viewer = client_for(org.viewer).get("/").content.decode()

    assert "No strategic plan yet." in admin
    assert 'href="/strategy/new/">Start a plan</a>: a name is enough to begin.' in admin
    assert "No strategic plan yet." in viewer
    assert 'href="/strategy/new/"' not in viewer


def test_a_plan_without_objectives_leads_its_editor_to_the_objectives_step():
    ws = build_workspace()
    setup = f'href="/strategy/plans/{ws.plan.pk}/setup/objectives/"'

    editor = client_for(ws.org.root_admin).get("/").content.decode()
    viewer = client_for(ws.org.viewer).get("/").content.decode()

    no_kpis = editor.split('id="no-kpis"', 1)[1].split("</p>", 1)[0]
    no_objectives = editor.split('id="no-objectives"', 1)[1].split("</p>", 1)[0]
    assert setup in no_kpis
    assert setup in no_objectives
    assert "Once the plan has objectives, the map draws them here." in viewer
    assert setup not in viewer


def test_a_plan_with_objectives_but_no_kpis_leads_its_editor_to_its_kpis():
    ws = build_workspace()
    objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")

    editor = client_for(ws.org.root_admin).get("/").content.decode()

    no_kpis = editor.split('id="no-kpis"', 1)[1].split("</p>", 1)[0]
    assert f'href="/strategy/plans/{ws.plan.pk}/kpis/">Add KPIs to its objectives</a>' in no_kpis
    assert 'id="no-objectives"' not in editor


def test_a_period_without_data_leads_to_my_updates_in_needs_attention_and_wins():
    ws = build_workspace()
    objective = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    kpi_create(plan=ws.plan, objective=objective, code="REV", name="Revenue")

    html = client_for(ws.org.root_admin).get(f"/?plan={ws.plan.pk}&period=2026-04").content.decode()

    attention = html.split('id="needs-attention"', 1)[1].split("</section>", 1)[0]
    wins = html.split('id="wins"', 1)[1].split("</section>", 1)[0]
    assert (
        'No actuals for Apr 2026 yet: <a href="/updates/">enter them in My updates</a>' in attention
    )
    assert 'href="/updates/"' in wins
    assert "No KPI reached its goal" not in wins


def test_an_empty_heat_map_links_to_the_plans_page():
    ws = build_workspace()

    html = (
        client_for(ws.org.root_admin)
        .get(f"/dashboard/heat-map/?plan={ws.plan.pk}")
        .content.decode()
    )

    assert (
        f'No objectives to show yet: they are added on <a href="/strategy/plans/{ws.plan.pk}/">'
        in html
    )
