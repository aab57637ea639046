"""The executive dashboard: a plan and a period on one screen, its address checked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans.models import ActionPlanKpi
from kpis.models import Actual, Direction, Kpi, Target
from kpis.selectors import plan_scorecard
from scorecard.dashboard import heat_map
from strategy.models import ObjectiveLink
from strategy.services import plan_create
from tests.factories import ActionPlanFactory, ObjectiveFactory, UserFactory
from tests.page_cache import committed
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)
APR = datetime.date(2026, 4, 1)
MAR = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("scorecard.views._today", lambda: TODAY)


def add_kpis(ws, count: int, *, objectives=None):  # type: ignore[no-untyped-def]
    """`count` KPIs over two objectives with targets and actuals for March and April: every
    third one off track in April, the others on track."""
    if objectives is None:
        objectives = [
            ObjectiveFactory(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow"),
            ObjectiveFactory(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight"),
        ]
        ObjectiveLink.objects.create(cause=objectives[1], effect=objectives[0])
    kpis = Kpi.objects.bulk_create(
        Kpi(
            plan=ws.plan,
            objective=objectives[n % 2],
            code=f"K{n}",
            name=f"Measure {n}",
            direction=Direction.INCREASE,
        )
        for n in range(count)
    )
    targets, actuals = [], []
    for n, kpi in enumerate(kpis):
        for period in (MAR, APR):
            targets.append(Target(kpi=kpi, period=period, goal=Decimal(100), red_flag=Decimal(90)))
            value = Decimal(80) if n % 3 == 0 and period == APR else Decimal(100)
            actuals.append(
                Actual(
                    kpi=kpi,
                    period=period,
                    value=value,
                    analysis=f"Analysis of K{n}",
                    corrective_action=f"=HYPERLINK(K{n})" if value < 90 else "",
                )
            )
    Target.objects.bulk_create(targets)
    Actual.objects.bulk_create(actuals)
    return objectives, kpis


def test_the_dashboard_shows_score_perspectives_map_attention_and_wins():
    ws = build_workspace()
    objectives, kpis = add_kpis(ws, 6)
    acting = ActionPlanFactory(
        objective=objectives[0], org_unit=ws.org.acme, name="Win back the north"
    )
    ActionPlanKpi.objects.create(
        action_plan=acting,
        kpi=kpis[0],
        expected_value=Decimal(100),
        expected_by=datetime.date(2026, 12, 1),
    )
    # A plan of the same objective that moves none of these KPIs acts on none of them.
    ActionPlanFactory(objective=objectives[0], org_unit=ws.org.acme, name="Train the team")

    response = client_for(ws.org.root_admin).get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "ACME 2026" in html
    assert "Apr 2026" in html  # the last closed month by default
    assert "6 of 6 KPIs reported" in html
    for name in ("Financial", "Customer", "Internal", "Learning"):
        assert name in html
    assert 'class="map-objective status-' in html
    attention = html.split('id="needs-attention"')[1].split("</section>")[0]
    assert "K0 Measure 0" in attention
    assert "K3 Measure 3" in attention
    assert "K1 Measure 1" not in attention
    assert "Analysis of K0" in attention
    assert f'<a href="/action-plans/{acting.pk}/">Win back the north</a>' in attention
    assert "Train the team" not in attention
    wins = html.split('id="wins"')[1].split("</section>")[0]
    assert "K1 Measure 1" in wins
    assert "off track" in attention  # status in words, not only colour


def test_an_htmx_request_answers_the_content_alone_for_the_chosen_period():
    ws = build_workspace()
    add_kpis(ws, 3)

    response = client_for(ws.org.root_admin).get(
        f"/dashboard/?plan={ws.plan.pk}&period=2026-03&view=month", **HTMX
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="dashboard"')
    assert '<option value="2026-03" selected>' in html
    assert "Nothing is off track or at risk in Mar 2026." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=soon", "“soon” is not a month"),
        ("period=2031-01", "Jan 2031 is outside the periods of ACME 2026"),
        ("period=2026-13", "“2026-13” is not a month"),
        ("view=weekly", "“weekly” is not a view"),
        ("plan=first", "“first” is not a plan number"),
    ],
)
def test_a_bad_value_in_the_address_is_named_and_replaced_by_its_default(query, message):
    ws = build_workspace()
    add_kpis(ws, 3)

    response = client_for(ws.org.root_admin).get(f"/dashboard/?{query}")

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "3 of 3 KPIs reported" in html


def test_a_plan_the_person_may_not_see_answers_404_like_one_that_does_not_exist(settings):
    settings.SCORECARD_TRANSPARENCY = False
    ws = build_workspace()

    hidden = client_for(ws.org.manager).get(f"/dashboard/?plan={ws.plan.pk}")
    missing = client_for(ws.org.manager).get("/dashboard/?plan=987654")

    assert hidden.status_code == missing.status_code == 404
    assert f"There is no plan number {ws.plan.pk} that you may see" in hidden.content.decode()
    assert "ACME 2026" not in hidden.content.decode()


def test_the_default_plan_is_the_persons_own_units_else_the_top_plan(settings):
    settings.SCORECARD_TRANSPARENCY = True
    ws = build_workspace()
    sales = plan_create(
        org_unit=ws.org.sales,
        name="Sales 2026",
        start=ws.plan.start,
        end=ws.plan.end,
        parent=ws.plan,
    )

    manager = client_for(ws.org.manager).get("/").content.decode()
    operator = client_for(ws.org.operator).get("/").content.decode()

    shown = 'class="dashboard-plan"><strong><a href="/strategy/plans/{}/">{}</a>'
    assert shown.format(sales.pk, "Sales 2026") in manager
    assert shown.format(ws.plan.pk, "ACME 2026") in operator


def test_a_plan_without_kpis_and_a_person_without_plans_see_what_to_do_next():
    ws = build_workspace()
    nobody = UserFactory(username="newcomer", password=None)

    empty_plan = client_for(ws.org.root_admin).get("/").content.decode()
    no_plan = client_for(nobody).get("/").content.decode()

    assert "This plan has no KPIs yet." in empty_plan
    assert "No strategic plan yet." in no_plan


def count_queries(ws, page: str = "/dashboard/", **headers) -> int:  # type: ignore[no-untyped-def]
    client = client_for(ws.org.root_admin)
    client.get("/")  # the session and permissions are loaded once, as on every page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{page}?plan={ws.plan.pk}&period=2026-04", **headers)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_dashboard_takes_the_same_number_of_queries_for_40_and_400_kpis():
    small = build_workspace()
    add_kpis(small, 40)
    few = count_queries(small)
    Kpi.objects.all().delete()
    add_kpis(small, 400, objectives=list(small.plan.objectives.order_by("code")))
    many = count_queries(small)

    assert few == many, (few, many)
    assert many <= 30


def test_the_csv_export_neutralises_cells_that_would_run_as_formulas():
    ws = build_workspace()
    _, kpis = add_kpis(ws, 3)
    Kpi.objects.filter(pk=kpis[0].pk).update(name="=cmd|' /C calc'!A0")

    response = client_for(ws.org.root_admin).get(f"/dashboard/export.csv?plan={ws.plan.pk}")

    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "'=cmd|' /C calc'!A0" in body
    assert "\n=cmd" not in body
    assert ",=cmd" not in body
    assert "K1,Measure 1" in body


def test_the_xlsx_export_writes_formula_text_as_text():
    from io import BytesIO

    from openpyxl import load_workbook

    ws = build_workspace()
    _, kpis = add_kpis(ws, 2)
    Kpi.objects.filter(pk=kpis[0].pk).update(name="@SUM(A1)")

    response = client_for(ws.org.root_admin).get(f"/dashboard/export.xlsx?plan={ws.plan.pk}")

    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'@SUM(A1)" in names
    assert client_for(ws.org.root_admin).get("/dashboard/export.pdf").status_code == 404


def test_kpis_on_track_but_forecast_to_miss_the_years_goal_load_after_the_first_paint():
    ws = build_workspace()
    _, kpis = add_kpis(ws, 3)
    # K1, a level, holds 100, its goal until April; December's goal of 120 is out of its reach.
    Kpi.objects.filter(pk__in=[k.pk for k in kpis]).update(aggregation="average")
    Target.objects.create(
        kpi=kpis[1], period=datetime.date(2026, 12, 1), goal=Decimal(120), red_flag=Decimal(110)
    )
    client = client_for(ws.org.root_admin)
    query = f"plan={ws.plan.pk}&period=2026-04&view=month"

    dashboard = client.get(f"/dashboard/?{query}").content.decode()
    fragment = client.get(f"/dashboard/forecasts/?{query}", **HTMX)
    page = client.get(f"/dashboard/forecasts/?{query}")

    assert f'hx-get="/dashboard/forecasts/?{query}"' in dashboard.replace("&amp;", "&")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in html
    assert "K1 Measure 1</a>: forecast 100 against a goal of 120" in html
    assert "K2 Measure 2" not in html  # on track and on pace
    assert "K0 Measure 0" not in html  # off track today: it is on the attention list already
    assert page.status_code == 200
    assert "<h1>ACME 2026: forecasts to year end</h1>" in page.content.decode()


def test_the_forecasts_of_a_plan_the_person_may_not_see_answer_404():
    ws = build_workspace()
    add_kpis(ws, 3)
    outsider = UserFactory()

    response = client_for(outsider).get(f"/dashboard/forecasts/?plan={ws.plan.pk}")

    assert response.status_code == 404


def test_an_off_track_kpi_in_needs_attention_offers_a_corrective_plan_to_who_may_start_one():
    ws = build_workspace()
    objectives, kpis = add_kpis(ws, 3)
    new_plan = f"/action-plans/new/?objective={objectives[0].pk}&amp;kpi={kpis[0].pk}"

    attention = (
        client_for(ws.org.root_admin)
        .get("/")
        .content.decode()
        .split('id="needs-attention"')[1]
        .split("</section>")[0]
    )
    assert new_plan in attention
    assert "Start a corrective action plan" in attention
    viewer = client_for(ws.org.viewer).get("/").content.decode()
    assert "Start a corrective action plan" not in viewer


def attention_section(html: str) -> str:
    return html.split('id="needs-attention"')[1].split("</section>")[0]


def test_needs_attention_names_the_worst_ten_and_links_the_whole_list():
    ws = build_workspace()
    _, kpis = add_kpis(ws, 36)  # every third off track: 12 of them
    # K1 is at risk: between its red flag and its goal, so after every KPI off track.
    Actual.objects.filter(kpi=kpis[1], period=APR).update(value=Decimal(95))
    query = f"plan={ws.plan.pk}&period=2026-04&view=month"
    client = client_for(ws.org.root_admin)

    attention = attention_section(client.get(f"/dashboard/?{query}").content.decode())
    whole = client.get(f"/dashboard/attention/?{query}")
    fragment = client.get(f"/dashboard/attention/?{query}", **HTMX).content.decode()

    assert attention.count('<h3><a href="/kpis/') == 10
    assert "K1 Measure 1" not in attention
    assert "and 3 more off track or at risk" in attention
    assert f'href="/dashboard/attention/?{query}"' in attention.replace("&amp;", "&")
    html = whole.content.decode()
    assert whole.status_code == 200
    assert "13 KPIs off track or at risk, worst first" in html
    assert html.count('<h3><a href="/kpis/') == 13
    assert html.rindex("K33 Measure 33") < html.index("K1 Measure 1")
    assert "Analysis of K30" in html
    assert "<html" not in fragment
    assert fragment.strip().startswith('<section class="card" aria-labelledby="attention-heading"')


def test_the_whole_list_of_a_plan_the_person_may_not_see_answers_404():
    ws = build_workspace()
    add_kpis(ws, 3)

    response = client_for(UserFactory()).get(f"/dashboard/attention/?plan={ws.plan.pk}")

    assert response.status_code == 404


def test_the_dashboard_links_the_plans_latest_variance_report_up_to_the_period():
    from kpis.reports.services import variance_report_compute

    ws = build_workspace()
    add_kpis(ws, 3)
    client = client_for(ws.org.viewer)
    none_yet = client.get(f"/dashboard/?plan={ws.plan.pk}&period=2026-04").content.decode()
    with committed():  # the page may come from the cache: a report shows once committed
        march = variance_report_compute(plan=ws.plan, period=MAR)

    april_page = client.get(f"/dashboard/?plan={ws.plan.pk}&period=2026-04").content.decode()
    with committed():
        april = variance_report_compute(plan=ws.plan, period=APR)
    april_again = client.get(f"/dashboard/?plan={ws.plan.pk}&period=2026-04").content.decode()
    march_page = client.get(f"/dashboard/?plan={ws.plan.pk}&period=2026-03").content.decode()

    assert "No variance report for Apr 2026 yet" in none_yet
    assert f'href="/reports/{march.pk}/">Variance report for Mar 2026</a>' in april_page
    assert "(the latest; none for Apr 2026 yet)" in april_page
    assert f'href="/reports/{april.pk}/">Variance report for Apr 2026</a>' in april_again
    assert "the latest; none" not in april_again
    # A later report is not the one of an earlier period.
    assert f'href="/reports/{march.pk}/">Variance report for Mar 2026</a>' in march_page


def test_the_heat_map_scores_each_month_as_its_scorecard_does():
    ws = build_workspace()
    add_kpis(ws, 9)

    heat = heat_map(plan=ws.plan, period=APR, reader=ws.org.root_admin)

    for month, column in zip(
        heat.months, zip(*(row.cells for row in heat.rows), strict=True), strict=True
    ):
        alone = plan_scorecard(plan=ws.plan, period=month, reader=ws.org.root_admin)
        assert [(c.score, c.status) for c in column] == [
            (o.rollup.score, o.status) for o in alone.objectives()
        ]
    assert {c.status for row in heat.rows for c in row.cells} > {"no_data"}


def test_the_heat_map_takes_the_same_number_of_queries_for_40_and_400_kpis():
    ws = build_workspace()
    add_kpis(ws, 40)
    few = count_queries(ws, "/dashboard/heat-map/", **HTMX)
    Kpi.objects.all().delete()
    add_kpis(ws, 400, objectives=list(ws.plan.objectives.order_by("code")))
    many = count_queries(ws, "/dashboard/heat-map/", **HTMX)

    assert few == many, (few, many)
    assert many <= 20
