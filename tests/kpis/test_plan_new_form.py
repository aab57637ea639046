"""The new-plan form: a name is enough (the person's unit, this fiscal year and two more), and
the cascading and copy fields show only when they apply."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from strategy.models import StrategicPlan
from tests.accounts.org import build_org
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db


def this_fiscal_year_start(month: int) -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year if today.month >= month else today.year - 1, month, 1)


def test_a_plan_is_started_with_only_a_name_in_the_persons_unit_for_three_fiscal_years(settings):
    settings.FISCAL_YEAR_START_MONTH = 4
    ws = build_workspace()

    response = client_for(ws.org.sales_admin).post("/strategy/new/", {"name": "Sales plan"})

    plan = StrategicPlan.objects.get(name="Sales plan")
    start = this_fiscal_year_start(4)
    assert response.status_code == 302
    assert plan.org_unit == ws.org.sales
    assert plan.start == start
    assert plan.end == datetime.date(start.year + 3, 3, 31)
    assert plan.perspectives.count() == 4


def test_the_form_starts_from_the_persons_unit_the_horizon_and_the_plan_above():
    ws = build_workspace()

    html = client_for(ws.org.manager).get("/strategy/new/").content.decode()

    start = this_fiscal_year_start(1)
    assert f'<option value="{ws.org.sales.pk}" selected>Sales</option>' in html
    assert f'value="{start.isoformat()}"' in html
    assert f'value="{datetime.date(start.year + 2, 12, 31).isoformat()}"' in html
    # A manager's plan cascades: the plan of the unit above is chosen for them.
    assert f'<option value="{ws.plan.pk}" selected>ACME 2026</option>' in html


def test_cascading_is_offered_only_when_a_unit_above_has_a_plan():
    ws = build_workspace()

    at_the_top = client_for(ws.org.root_admin).get("/strategy/new/").content.decode()
    below = client_for(ws.org.sales_admin).get("/strategy/new/").content.decode()

    assert "Cascading (optional)" not in at_the_top
    assert 'name="supports"' not in at_the_top
    assert "Cascading (optional)" in below
    assert "Objectives of the parent plan it supports" in below


def test_copying_is_offered_only_when_there_is_a_plan_to_copy():
    org = build_org()
    client = client_for(org.root_admin)

    nothing_to_copy = client.get("/strategy/new/").content.decode()
    client.post("/strategy/new/", {"name": "ACME first plan"})
    one_to_copy = client.get("/strategy/new/").content.decode()

    assert "Plan to copy" not in nothing_to_copy
    assert 'name="template"' not in nothing_to_copy
    assert "Plan to copy" in one_to_copy


def test_choosing_another_unit_redraws_only_the_cascading_fields_for_that_unit():
    ws = build_workspace()

    response = client_for(ws.org.root_admin).get(
        "/strategy/new/", {"name": "Sales 2027", "org_unit": ws.org.sales.pk}, **HTMX
    )

    html = response.content.decode()
    # The unit's select asks for this and swaps in only its cascading part.
    assert 'hx-target="#plan-cascading" hx-select="#plan-cascading"' in html
    cascading = html.split('<div id="plan-cascading">', 1)[1].split("<legend>Template", 1)[0]
    assert "Cascading (optional)" in cascading
    assert f'<option value="{ws.plan.pk}" selected>ACME 2026</option>' in cascading
    assert 'value="Sales 2027"' in html


def test_a_plan_above_another_unit_is_not_offered_to_cascade_from():
    ws = build_workspace()
    other = StrategicPlan.objects.create(
        org_unit=ws.org.operations,
        name="Operations 2026",
        start=ws.plan.start,
        end=ws.plan.end,
    )

    html = (
        client_for(ws.org.root_admin)
        .get("/strategy/new/", {"org_unit": ws.org.north.pk}, **HTMX)
        .content.decode()
    )

    assert "ACME 2026</option>" in html
    assert (
        f'<option value="{other.pk}"' not in html.split('name="parent"', 1)[1].split("</select>")[0]
    )
