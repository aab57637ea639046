"""The target grid of a KPI across its plan's horizon, saved all or nothing, and its helpers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from kpis import periods
from kpis.models import Target
from kpis.services import (
    TargetRow,
    horizon_periods,
    kpi_create,
    period_close,
    target_set,
    targets_copy_last_year,
    targets_fill_forward,
    targets_grow,
    targets_red_flags_from_tolerance,
    targets_save,
)
from strategy.services import objective_create, plan_update
from tests.strategy.workspace import HTMX, build_workspace, client_for

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2026, month, 1) for month in (1, 2, 3))
D = Decimal


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    return build_workspace()


@pytest.fixture
def revenue(ws):  # type: ignore[no-untyped-def]
    """REV: monthly, higher is better, 10 % tolerance, no decimals, in ACME's 2026 plan."""
    growth = objective_create(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    return kpi_create(plan=ws.plan, objective=growth, code="REV", name="Revenue", decimals=0)


@pytest.fixture
def opaque(settings):  # type: ignore[no-untyped-def]
    settings.SCORECARD_TRANSPARENCY = False


def goals(kpi) -> dict[datetime.date, tuple[Decimal, Decimal | None]]:  # type: ignore[no-untyped-def]
    return {t.period: (t.goal, t.red_flag) for t in Target.objects.filter(kpi=kpi)}


# --- the horizon and saving ----------------------------------------------------------------------


def test_the_grid_has_one_row_per_period_of_the_plans_horizon(ws, revenue):
    assert len(horizon_periods(revenue)) == 12
    revenue.frequency = "quarterly"
    assert horizon_periods(revenue) == [
        JAN,
        datetime.date(2026, 4, 1),
        datetime.date(2026, 7, 1),
        datetime.date(2026, 10, 1),
    ]


def test_saving_a_grid_creates_changes_and_clears_targets(revenue):
    target_set(kpi=revenue, period=MAR, goal=D(50))

    changed = targets_save(
        kpi=revenue,
        rows=[
            TargetRow(JAN, D(100), D(90)),
            TargetRow(FEB, D(110)),
            TargetRow(MAR, None),
        ],
    )

    assert changed == 3
    assert goals(revenue) == {JAN: (D(100), D(90)), FEB: (D(110), None)}


def test_a_grid_with_one_bad_row_saves_nothing_and_names_the_cell(revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100))

    with pytest.raises(ValidationError) as refused:
        targets_save(
            kpi=revenue,
            rows=[TargetRow(JAN, D(120)), TargetRow(FEB, D(100), red_flag=D(110))],
        )

    assert refused.value.message_dict == {
        "red_flag-2026-02-01": ["Higher is better, so the red flag must lie below the goal."]
    }
    assert goals(revenue) == {JAN: (D(100), None)}


def test_a_red_flag_without_a_goal_is_refused_at_the_goal(revenue):
    with pytest.raises(ValidationError) as refused:
        targets_save(kpi=revenue, rows=[TargetRow(JAN, None, red_flag=D(90))])

    assert refused.value.message_dict == {
        "goal-2026-01-01": ["Enter the goal too, or clear the row."]
    }


def test_an_untouched_row_of_a_closed_period_does_not_block_the_grid(revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100))
    period_close(through=periods.period_end(JAN, "monthly"), by=None)

    targets_save(kpi=revenue, rows=[TargetRow(JAN, D(100)), TargetRow(FEB, D(105))])

    assert goals(revenue)[FEB] == (D(105), None)


def test_every_target_change_is_recorded_in_the_history(revenue):
    targets_save(kpi=revenue, rows=[TargetRow(JAN, D(100))])
    targets_save(kpi=revenue, rows=[TargetRow(JAN, D(120))])
    targets_save(kpi=revenue, rows=[TargetRow(JAN, None)])

    entries = LogEntry.objects.filter(content_type__model="target").order_by("pk")
    assert [entry.action for entry in entries] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]


# --- helpers -------------------------------------------------------------------------------------


def test_fill_forward_gives_each_empty_period_the_target_before_it(revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100), red_flag=D(90))
    target_set(kpi=revenue, period=datetime.date(2026, 7, 1), goal=D(120))

    filled = targets_fill_forward(kpi=revenue)

    stored = goals(revenue)
    assert filled == 10
    assert stored[datetime.date(2026, 6, 1)] == (D(100), D(90))
    assert stored[datetime.date(2026, 12, 1)] == (D(120), None)


def test_fill_forward_needs_a_target_to_start_from(revenue):
    with pytest.raises(ValidationError, match="Enter a target first"):
        targets_fill_forward(kpi=revenue)


def test_growing_by_a_percentage_compounds_from_the_chosen_period_and_rounds(revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100), red_flag=D(90))

    targets_grow(kpi=revenue, start=JAN, percent=D(10))

    stored = goals(revenue)
    assert stored[FEB] == (D(110), D(99))
    assert stored[MAR] == (D(121), D(109))  # 108.9 rounded to the KPI's 0 decimals
    assert stored[datetime.date(2026, 12, 1)][0] == D(285)  # 100 * 1.1**11 = 285.3


def test_growing_from_a_period_without_a_target_is_refused_at_the_start(revenue):
    with pytest.raises(ValidationError) as refused:
        targets_grow(kpi=revenue, start=FEB, percent=D(5))

    assert "Feb 2026 has no target yet" in refused.value.message_dict["start"][0]


def test_a_decline_of_a_hundred_percent_is_refused(revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100))

    with pytest.raises(ValidationError, match="100 % or more"):
        targets_grow(kpi=revenue, start=JAN, percent=D(-100))


def test_copying_last_year_fills_the_chosen_year_from_the_year_before(ws, revenue):
    plan_update(plan=ws.plan, end=datetime.date(2027, 12, 31))
    revenue.refresh_from_db()
    target_set(kpi=revenue, period=MAR, goal=D(100), red_flag=D(80))

    copied = targets_copy_last_year(kpi=revenue, year=datetime.date(2027, 1, 1))

    assert copied == 1
    assert goals(revenue)[datetime.date(2027, 3, 1)] == (D(100), D(80))


def test_copying_a_year_with_nothing_before_it_is_refused_at_the_year(revenue):
    with pytest.raises(ValidationError) as refused:
        targets_copy_last_year(kpi=revenue, year=JAN)

    assert refused.value.message_dict == {"year": ["REV has no targets in FY2025 to copy."]}


def copy_years_offered(ws, kpi) -> list[str] | None:  # type: ignore[no-untyped-def]
    """The years "Copy last year" offers on the targets page; None when it is not offered."""
    html = client_for(ws.org.root_admin).get(f"/strategy/kpis/{kpi.pk}/targets/").content.decode()
    if "Copy last year" not in html:
        return None
    select = html.split('id="helper-year"', 1)[1].split("</select>", 1)[0]
    return [part.split("<", 1)[0] for part in select.split(">")[1:] if part.startswith("FY")]


def test_copy_last_year_is_not_offered_for_a_one_year_plan_with_nothing_before_it(ws, revenue):
    assert copy_years_offered(ws, revenue) is None


def test_copy_last_year_offers_the_years_that_follow_another_year_of_the_horizon(ws, revenue):
    plan_update(plan=ws.plan, end=datetime.date(2027, 12, 31))

    assert copy_years_offered(ws, revenue) == ["FY2027"]


def test_copy_last_year_offers_the_first_year_when_the_year_before_it_has_targets(ws, revenue):
    Target.objects.create(kpi=revenue, period=datetime.date(2025, 6, 1), goal=D(90))

    assert copy_years_offered(ws, revenue) == ["FY2026"]


def test_red_flags_are_set_from_the_tolerance(revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100))
    target_set(kpi=revenue, period=FEB, goal=D(200), red_flag=D(150))

    targets_red_flags_from_tolerance(kpi=revenue)

    assert goals(revenue) == {JAN: (D(100), D(90)), FEB: (D(200), D(180))}


def test_red_flags_from_the_tolerance_are_refused_for_a_goal_of_zero_and_nothing_changes(revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100))
    target_set(kpi=revenue, period=FEB, goal=D(0), red_flag=D(-5))

    with pytest.raises(ValidationError, match="Feb 2026: a goal of 0"):
        targets_red_flags_from_tolerance(kpi=revenue)

    assert goals(revenue) == {JAN: (D(100), None), FEB: (D(0), D(-5))}


# --- the page ------------------------------------------------------------------------------------


def grid(**cells: str) -> dict[str, str]:
    """Cells named like goal_2026_01 → goal-2026-01-01."""
    data = {}
    for key, value in cells.items():
        field, year, month = key.rsplit("_", 2)
        data[f"{field}-{year}-{month}-01"] = value
    return data


def test_text_in_a_cell_is_refused_in_that_cell_and_nothing_is_saved(ws, revenue):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/kpis/{revenue.pk}/targets/",
        grid(goal_2026_01="100", goal_2026_02="a lot", goal_2026_03="120"),
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 400
    error = "“a lot” is not a number: write it like 1250, 1 250,5 or 12.5."
    assert f'id="goal-2026-02-01-error">{error}</span>' in html
    assert 'value="a lot"' in html
    assert "Nothing was saved: 1 cell to correct" in html
    assert not Target.objects.exists()


def test_the_owner_saves_the_grid_and_fills_it_forward_in_one_go(ws, revenue):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/kpis/{revenue.pk}/targets/",
        {**grid(goal_2026_01="100", red_flag_2026_01="90"), "action": "fill_forward"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "12 periods changed." in response.content.decode()
    assert set(goals(revenue).values()) == {(D(100), D(90))}
    assert len(goals(revenue)) == 12


def test_a_helper_refused_saves_nothing_of_the_grid_either(ws, revenue):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/kpis/{revenue.pk}/targets/",
        {**grid(goal_2026_03="100"), "action": "grow", "percent": "5", "start": "2026-01-01"},
    )

    assert response.status_code == 400
    assert "Jan 2026 has no target yet to grow from" in response.content.decode()
    assert not Target.objects.exists()


def test_the_grid_shows_the_red_flag_the_tolerance_implies(ws, revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100))

    html = (
        client_for(ws.org.root_admin).get(f"/strategy/kpis/{revenue.pk}/targets/").content.decode()
    )

    assert 'placeholder="90 (from tolerance)"' in html
    assert 'name="goal-2026-01-01" value="100"' in html


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_lesser_role_may_not_see_or_save_the_grid(ws, revenue, who):
    client = client_for(getattr(ws.org, who))

    page = client.get(f"/strategy/kpis/{revenue.pk}/targets/")
    saved = client.post(f"/strategy/kpis/{revenue.pk}/targets/", grid(goal_2026_01="1"))

    assert (page.status_code, saved.status_code) == (403, 403)
    assert not Target.objects.exists()


def test_without_transparency_an_outsider_gets_404_for_the_grid(ws, revenue, opaque):
    client = client_for(ws.org.outsider)

    assert client.get(f"/strategy/kpis/{revenue.pk}/targets/").status_code == 404
    assert (
        client.post(f"/strategy/kpis/{revenue.pk}/targets/", grid(goal_2026_01="1")).status_code
        == 404
    )


def test_the_grid_reads_numbers_as_people_type_them(ws, revenue):
    response = client_for(ws.org.root_admin).post(
        f"/strategy/kpis/{revenue.pk}/targets/",
        grid(goal_2026_01="1 250,5", red_flag_2026_01="1,100.25", goal_2026_02="12 %"),
        **HTMX,
    )

    assert response.status_code == 400  # REV is not a percentage: its % is refused
    assert "“12 %”: this value is not a percentage" in response.content.decode()
    assert not Target.objects.exists()

    saved = client_for(ws.org.root_admin).post(
        f"/strategy/kpis/{revenue.pk}/targets/",
        grid(goal_2026_01="1 250,5", red_flag_2026_01="1,100.25"),
        **HTMX,
    )

    assert saved.status_code == 200
    assert goals(revenue) == {JAN: (D("1250.5"), D("1100.25"))}


def test_the_growth_helper_takes_a_rate_with_its_percent_sign(ws, revenue):
    target_set(kpi=revenue, period=JAN, goal=D(100))

    response = client_for(ws.org.root_admin).post(
        f"/strategy/kpis/{revenue.pk}/targets/",
        {**grid(goal_2026_01="100"), "action": "grow", "percent": "10 %", "start": "2026-01-01"},
        **HTMX,
    )

    assert response.status_code == 200
    assert goals(revenue)[FEB] == (D(110), None)
