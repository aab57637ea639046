"""A change that moves a score shows at once on a cached page, through every way it is written.

Each test fills the cache (and checks that the page really comes from it), makes the change
through the service or page people use, and reads the page again with the same browser: it
must show the new number, the one a fresh sign-in is shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import Role
from accounts.services import membership_remove
from actionplans.models import ActionPlanKpi
from actionplans.services import action_plan_update
from kpis.models import Actual, Direction, ImportBatch, Kpi, Target
from kpis.services import actual_record, actual_review, import_commit, kpi_update, target_set
from strategy.models import Objective
from strategy.services import objective_update
from tests.factories import ActionPlanFactory, MembershipFactory, ObjectiveFactory, UserFactory
from tests.page_cache import committed, from_cache, overall_score, reader
from tests.strategy.workspace import Workspace, build_workspace, client_for

pytestmark = pytest.mark.django_db

APR = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("scorecard.views._today", lambda: datetime.date(2026, 5, 15))


@dataclass
class Board:
    """ACME's plan in April: two financial objectives and a customer one.

    grow (F1): SALES on its goal (6.67) and COSTS at 80 against a red flag of 90 (0);
    serve (F2): MARGIN at 95 against a goal of 100 with no red flag, so its tolerance decides;
    delight (C1): TOTAL = SALES + COSTS, calculated.
    """

    ws: Workspace
    grow: Objective
    serve: Objective
    delight: Objective
    sales: Kpi
    costs: Kpi
    margin: Kpi
    total: Kpi
    url: str


def _kpi(ws: Workspace, objective: Objective, code: str, **fields: Any) -> Kpi:
    return Kpi.objects.create(
        plan=ws.plan,
        objective=objective,
        code=code,
        name=code.title(),
        direction=Direction.INCREASE,
        owner=ws.org.root_admin,
        **fields,
    )


def _measure(kpi: Kpi, goal: int, red_flag: int | None, actual: int | None) -> None:
    Target.objects.create(
        kpi=kpi,
        period=APR,
        goal=Decimal(goal),
        red_flag=None if red_flag is None else Decimal(red_flag),
    )
    if actual is not None:
        Actual.objects.create(kpi=kpi, period=APR, value=Decimal(actual))


@pytest.fixture
def board() -> Board:
    ws = build_workspace()
    grow = ObjectiveFactory(plan=ws.plan, perspective=ws.financial, code="F1", name="Grow")
    serve = ObjectiveFactory(plan=ws.plan, perspective=ws.financial, code="F2", name="Serve")
    delight = ObjectiveFactory(plan=ws.plan, perspective=ws.customer, code="C1", name="Delight")
    sales, costs = _kpi(ws, grow, "SALES"), _kpi(ws, grow, "COSTS")
    margin = _kpi(ws, serve, "MARGIN", tolerance=Decimal("0.1"))
    total = _kpi(ws, delight, "TOTAL", formula="SALES + COSTS")
    _measure(sales, 100, 90, 100)
    _measure(costs, 100, 90, 80)
    _measure(margin, 100, None, 95)
    _measure(total, 200, 180, None)
    url = f"/dashboard/?plan={ws.plan.pk}&period=2026-04"
    return Board(ws, grow, serve, delight, sales, costs, margin, total, url)


def shows_the_change(board: Board, change: Any, *, person: Any = None) -> None:
    """Fill the cache, make the change, and check the same browser sees its new score."""
    person = person or board.ws.org.root_admin
    browser = reader(person)
    before = overall_score(from_cache(browser, board.url))

    with committed():
        change()

    after = overall_score(browser.get(board.url))
    fresh = overall_score(client_for(person).get(board.url))
    assert after != before
    assert after == fresh


def redefine(kpi: Kpi, **changes: Any) -> None:
    """Change some of the KPI's definition through `kpi_update`, the rest as it is."""
    names = [
        "objective", "code", "name", "description", "measure_unit", "decimals", "direction",
        "frequency", "aggregation", "tolerance", "weight", "owner", "formula", "baseline",
    ]  # fmt: skip
    fields = {name: getattr(kpi, name) for name in names}
    kpi_update(kpi=kpi, updaters=list(kpi.updaters.all()), **{**fields, **changes})


def test_an_actual_recorded_on_my_updates_shows_at_once(board):
    manager = board.ws.org.manager
    MembershipFactory(user=manager, org_unit=board.ws.org.acme, role=Role.MANAGER)

    def save_the_row() -> None:
        pk = board.sales.pk
        response = reader(manager).post(
            f"/updates/{pk}/",
            {f"period-{pk}": "2026-04", f"value-{pk}": "110", f"version-{pk}": "1"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content

    shows_the_change(board, save_the_row)
    assert Actual.objects.get(kpi=board.sales, period=APR).value == 110


def test_an_actual_recorded_by_the_service_shows_at_once(board):
    shows_the_change(
        board,
        lambda: actual_record(kpi=board.sales, period=APR, value=Decimal(110), by=None),
    )


def test_actuals_upserted_through_the_bulk_api_show_at_once(board):
    def post_rows() -> None:
        response = client_for(board.ws.org.root_admin).post(
            "/api/v1/actuals/bulk/",
            [{"kpi": board.costs.pk, "period": "2026-04-01", "value": "100"}],
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    shows_the_change(board, post_rows)


def test_an_import_commit_shows_at_once(board):
    admin = board.ws.org.root_admin
    batch = ImportBatch.objects.create(
        created_by=admin,
        plan=board.ws.plan,
        filename="april.csv",
        rows=[{"_row": 2, "kind": "actual", "kpi_code": "COSTS", "period": "2026-04-01",
               "value": "100"}],
    )  # fmt: skip

    shows_the_change(board, lambda: import_commit(batch=batch, by=admin))


def test_a_changed_target_shows_at_once(board):
    shows_the_change(
        board,
        lambda: target_set(kpi=board.sales, period=APR, goal=Decimal(90), red_flag=Decimal(80)),
    )


def test_a_kpis_new_weight_shows_at_once(board):
    shows_the_change(board, lambda: redefine(board.sales, weight=Decimal(3)))


def test_a_kpis_new_formula_shows_at_once(board):
    shows_the_change(board, lambda: redefine(board.total, formula="SALES * 2"))


def test_a_kpis_new_tolerance_shows_at_once(board):
    shows_the_change(board, lambda: redefine(board.margin, tolerance=Decimal("0.3")))


def test_an_objectives_new_weight_shows_at_once(board):
    grow = board.grow
    shows_the_change(
        board,
        lambda: objective_update(
            objective=grow,
            perspective=grow.perspective,
            code=grow.code,
            name=grow.name,
            description=grow.description,
            owner=grow.owner,
            org_unit=grow.org_unit,
            weight=Decimal(4),
            parent=None,
        ),
    )


def test_an_approved_actual_shows_at_once(board, settings):
    settings.SCORECARD_APPROVAL = True
    with committed():
        actual, _ = actual_record(
            kpi=board.sales, period=APR, value=Decimal(120), by=board.ws.org.manager
        )

    shows_the_change(
        board, lambda: actual_review(actual=actual, by=board.ws.org.root_admin, approve=True)
    )


def test_an_action_plans_new_name_shows_at_once_where_it_acts(board):
    acting = ActionPlanFactory(objective=board.grow, org_unit=board.ws.org.acme, name="Cut costs")
    ActionPlanKpi.objects.create(
        action_plan=acting,
        kpi=board.costs,
        expected_value=Decimal(100),
        expected_by=datetime.date(2026, 12, 1),
    )
    browser = reader(board.ws.org.root_admin)
    assert "Cut costs" in from_cache(browser, board.url).content.decode()

    with committed():
        action_plan_update(action_plan=acting, name="Renegotiate the leases")

    html = browser.get(board.url).content.decode()
    assert "Renegotiate the leases" in html
    assert "Cut costs" not in html


def test_a_commentary_saved_on_the_objective_page_shows_at_once(board):
    admin = board.ws.org.root_admin
    page = f"/objectives/{board.grow.pk}/?period=2026-04&view=month"
    browser = reader(admin)
    assert "Costs are being renegotiated" not in from_cache(browser, page).content.decode()

    with committed():
        saved = browser.post(
            f"/objectives/{board.grow.pk}/commentary/",
            {"period": "2026-04", "view": "month", "text": "Costs are being renegotiated."},
            HTTP_HX_REQUEST="true",
        )
    assert saved.status_code == 200

    assert "Costs are being renegotiated." in browser.get(page).content.decode()


def test_a_removed_role_takes_the_plan_away_at_once(board, settings):
    settings.SCORECARD_TRANSPARENCY = False
    person = UserFactory(username="reader", password=None)
    role = MembershipFactory(user=person, org_unit=board.ws.org.acme, role=Role.VIEWER)
    browser = reader(person)
    from_cache(browser, board.url)

    with committed():
        membership_remove(membership=role)

    assert browser.get(board.url).status_code == 404
