"""Numbers read the same on every page: weights without trailing zeros, tolerances as "10 %"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.numbers import percent_text, plain_number
from kpis.services import kpi_create
from strategy.services import objective_create, perspective_update
from tests.strategy.workspace import build_workspace, client_for

D = Decimal


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(D("0.1000"), "10 %"), (D("0.025"), "2.5 %"), (D("0"), "0 %"), (D("1.5"), "150 %")],
)
def test_a_fraction_reads_as_a_percentage(fraction, text):
    assert percent_text(fraction) == text


@pytest.mark.parametrize(
    ("value", "text"), [(D("1.000"), "1"), (D("1.500"), "1.5"), (D("1E+1"), "10")]
)
def test_a_stored_number_reads_without_trailing_zeros(value, text):
    assert plain_number(value) == text


def test_the_template_filters_write_nothing_for_no_value():
    template = Template("{% load numbers %}[{{ a|plain }}][{{ b|percent }}][{{ c|percent }}]")

    assert template.render(Context({"a": None, "b": None, "c": D("0.1")})) == "[][][10 %]"


@pytest.mark.django_db
def test_the_plan_kpi_and_target_pages_show_weights_and_the_tolerance_the_same_way():
    ws = build_workspace()
    perspective_update(perspective=ws.financial, name="Financial", weight=D("1.5"))
    growth = objective_create(
        plan=ws.plan, perspective=ws.financial, code="F1", name="Grow", weight=D("2.250")
    )
    kpi = kpi_create(
        plan=ws.plan, objective=growth, code="REV", name="Revenue", tolerance=D("0.125")
    )
    client = client_for(ws.org.root_admin)

    plan_page = client.get(f"/strategy/plans/{ws.plan.pk}/").content.decode()
    kpi_page = client.get(f"/kpis/{kpi.pk}/").content.decode()
    targets_page = client.get(f"/strategy/kpis/{kpi.pk}/targets/").content.decode()

    assert "weight 1.5</small>" in plan_page
    assert "· weight 2.25" in plan_page
    # The perspective's edit form starts from the same figure.
    assert f'name="perspective-{ws.financial.pk}-weight" value="1.5"' in plan_page
    assert "1.500" not in plan_page
    assert "2.250" not in plan_page
    assert "<dt>Tolerance</dt><dd>12.5 %" in kpi_page
    assert "0.1250" not in kpi_page
    assert "from the 12.5 % tolerance" in targets_page
