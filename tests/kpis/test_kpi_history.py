"""A KPI's page and its history: every change of its definition, targets and actuals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.context import set_actor
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.audit import history_for
from kpis.models import Actual
from kpis.selectors import scorecard as scorecard_selectors
from kpis.services import ActualRow, actual_record, actuals_bulk_record, target_set
from tests.factories import ActualFactory, KpiFactory, MembershipFactory, TargetFactory
from tests.kpis.updates_org import HTMX, build_org, client_for

pytestmark = pytest.mark.django_db


def test_the_kpi_page_shows_its_definition_targets_actuals_and_score_explanation():
    org = build_org()
    actual_record(
        kpi=org.rev, period=org.month, value=Decimal(95), by=org.manager, analysis="Slow month."
    )

    html = client_for(org.viewer).get(f"/kpis/{org.rev.pk}/").content.decode()

    assert "REV Revenue" in html
    assert "Higher is better" in html
    assert "kEUR" in html
    assert "Slow month." in html
    assert ">95<" in html
    assert ">100<" in html
    assert "status-at_risk" in html
    assert "red flag" in html.lower()


def test_the_history_tab_lists_who_changed_what_when_from_what_to_what():
    org = build_org()
    with set_actor(org.manager):
        actual_record(kpi=org.rev, period=org.month, value=Decimal(95), by=org.manager)
        actual_record(kpi=org.rev, period=org.month, value=Decimal(97), by=org.manager)
    with set_actor(org.admin):
        target_set(kpi=org.rev, period=org.month, goal=Decimal(110), red_flag=Decimal(90))
        org.rev.name = "Net revenue"
        org.rev.save()

    html = client_for(org.viewer).get(f"/kpis/{org.rev.pk}/history/").content.decode()

    assert "Value: 95 → 97" in html
    assert "Goal: 100 → 110" in html
    assert "Name: Revenue → Net revenue" in html
    assert "Manager" in html
    assert "Admin" in html


def test_with_htmx_the_history_tab_answers_only_the_tab():
    org = build_org()

    response = client_for(org.viewer).get(f"/kpis/{org.rev.pk}/history/", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="kpi-tab"')
    assert "<html" not in html


def test_actuals_written_in_bulk_are_recorded_in_the_history_too():
    org = build_org()
    actuals_bulk_record(
        rows=[ActualRow(kpi=org.rev, period=org.month, value=Decimal(90))], by=org.manager
    )
    actuals_bulk_record(
        rows=[ActualRow(kpi=org.rev, period=org.month, value=Decimal(91))], by=org.admin
    )

    entries = [e for e in history_for(org.rev, parts=[Actual]) if e.content_type.model == "actual"]

    assert [e.actor for e in entries] == [org.admin, org.manager]
    assert entries[0].changes_dict["value"] == ["90.000000", "91"]
    assert entries[1].action == 0  # created


def test_members_see_a_kpis_page_outsiders_get_not_found(settings):
    settings.SCORECARD_TRANSPARENCY = False
    org = build_org()
    operator = MembershipFactory(org_unit=org.operations, role="viewer").user

    assert client_for(org.manager).get(f"/kpis/{org.rev.pk}/").status_code == 200
    assert client_for(org.viewer).get(f"/kpis/{org.rev.pk}/history/").status_code == 200
    assert client_for(operator).get(f"/kpis/{org.rev.pk}/").status_code == 404
    assert client_for(org.outsider).get(f"/kpis/{org.rev.pk}/").status_code == 404
    assert client_for(org.outsider).get(f"/kpis/{org.rev.pk}/history/").status_code == 404


def test_a_kpis_page_costs_what_one_kpi_costs_not_the_whole_plan(monkeypatch):
    org = build_org()
    client = client_for(org.viewer)
    rows_read: list[int] = []
    real_values = scorecard_selectors.Values

    def values(*args, **kwargs):
        read = real_values(*args, **kwargs)
        rows_read.append(len(read.targets) + len(read.actuals))
        return read

    monkeypatch.setattr(scorecard_selectors, "Values", values)

    def page() -> tuple[int, int, int]:
        rows_read.clear()
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/kpis/{org.rev.pk}/")
        assert response.status_code == 200
        return len(context.captured_queries), sum(rows_read), len(response.content)

    def add_kpis(first: int, count: int) -> None:
        for n in range(first, first + count):
            kpi = KpiFactory(objective=org.sales_objective, code=f"X{n}")
            TargetFactory(kpi=kpi, period=org.month, goal=Decimal(100), red_flag=Decimal(90))
            ActualFactory(kpi=kpi, period=org.month, value=Decimal(95))

    add_kpis(0, 2)
    page()  # warm up: session, permissions
    few = page()
    add_kpis(2, 60)
    many = page()
    assert few == many  # queries, targets and actuals read, bytes
