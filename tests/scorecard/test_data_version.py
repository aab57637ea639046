"""The data version moves on every committed write the cached pages could show, and only then.

Watching is by app (scorecard/apps.py), so a new model is watched unless it is named as left
out; writes that send no signals are found in the code and must move the version themselves.
"""

from __future__ import annotations

import ast
import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_migrate
from django.test import TestCase

from core import data_version
from kpis.models import Actual, PeriodClose
from kpis.services import ActualRow, actuals_bulk_record
from scorecard.apps import UNWATCHED_MODELS, WATCHED_APPS, watched_models
from tests.factories import (
    ActionPlanFactory,
    ActualFactory,
    KpiFactory,
    OrgUnitFactory,
    TargetFactory,
    UserFactory,
)
from tests.page_cache import settle

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def moves(write) -> int:  # type: ignore[no-untyped-def]
    """How many times `write`, committed, moves the version (its commit's moves are run)."""
    settle()
    before = data_version.current()
    with TestCase.captureOnCommitCallbacks() as callbacks:
        write()
    made = [callback for callback in callbacks if callback is data_version.publish]
    for callback in made:
        callback()
    assert (data_version.current() != before) == bool(made)
    return len(made)


def test_every_model_of_the_watched_apps_is_watched_but_those_named_with_a_reason():
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            watched = data_version.watches(model)
            assert watched == (model._meta.label not in UNWATCHED_MODELS), model._meta.label
    assert {model._meta.label for model in watched_models()} >= {
        "accounts.Membership",
        "accounts.OrgUnit",
        "kpis.Actual",
        "kpis.Kpi_updaters",
        "strategy.ObjectiveComment",
        "actionplans.Task",
    }


def test_the_models_left_out_exist_and_each_says_why():
    labels = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    for label, reason in UNWATCHED_MODELS.items():
        assert label in labels
        assert reason


def test_a_save_a_delete_and_a_many_to_many_change_each_move_it():
    unit = OrgUnitFactory()
    kpi = KpiFactory()
    person = UserFactory()

    assert moves(lambda: OrgUnitFactory()) == 1
    assert moves(lambda: setattr(kpi, "weight", Decimal(2)) or kpi.save()) == 1
    assert moves(lambda: kpi.updaters.add(person)) == 1
    assert moves(unit.delete) == 1


def test_many_writes_in_one_transaction_move_it_once():
    def many() -> None:
        with transaction.atomic():
            for _ in range(5):
                OrgUnitFactory()

    assert moves(many) == 1


def test_a_write_rolled_back_does_not_move_it():
    def undone() -> None:
        with transaction.atomic():
            OrgUnitFactory()
            transaction.set_rollback(True)

    assert moves(undone) == 0


def test_signing_in_does_not_move_it_but_changing_the_person_does():
    person = UserFactory()

    assert moves(lambda: update_last_login(get_user_model(), person)) == 0
    assert moves(lambda: setattr(person, "first_name", "Alex") or person.save()) == 1


def test_migrating_moves_it():
    scorecard = apps.get_app_config("scorecard")

    assert moves(lambda: post_migrate.send(sender=scorecard, app_config=scorecard)) == 1


# --- the versions of plans ------------------------------------------------------------------------


def plans_moved(write, plans) -> set[int]:  # type: ignore[no-untyped-def]
    """Which of `plans` (ids) have a new version once `write` commits."""
    settle()
    before = data_version.plan_versions(plans)
    moves(write)
    after = data_version.plan_versions(plans)
    return {pk for pk in plans if after[pk] != before[pk]}


def test_an_actual_or_a_target_moves_its_kpis_plan_only():
    kpi, other = KpiFactory(), KpiFactory()
    plans = [kpi.plan_id, other.plan_id]

    assert plans_moved(lambda: ActualFactory(kpi=kpi), plans) == {kpi.plan_id}
    assert plans_moved(lambda: TargetFactory(kpi=other), plans) == {other.plan_id}
    reloaded = Actual.objects.get(kpi=kpi)  # its KPI not loaded: read for the plan
    assert plans_moved(reloaded.delete, plans) == {kpi.plan_id}


def test_a_definition_moves_its_own_plan_and_what_scores_nothing_moves_none():
    kpi, other = KpiFactory(), KpiFactory()
    plans = [kpi.plan_id, other.plan_id]
    objective, plan = kpi.objective, kpi.plan

    def changed(row, field: str, value) -> Callable[[], None]:  # type: ignore[no-untyped-def]
        return lambda: setattr(row, field, value) or row.save()

    assert plans_moved(changed(kpi, "weight", Decimal(3)), plans) == {kpi.plan_id}
    assert plans_moved(changed(objective, "weight", Decimal(2)), plans) == {kpi.plan_id}
    assert plans_moved(changed(plan, "name", "Renamed"), plans) == {kpi.plan_id}
    assert plans_moved(lambda: kpi.updaters.add(UserFactory()), plans) == set()
    assert plans_moved(lambda: ActionPlanFactory(objective=objective), plans) == set()
    assert plans_moved(lambda: OrgUnitFactory(), plans) == set()


def test_a_period_close_and_a_bump_naming_no_plan_move_every_plan():
    plans = [KpiFactory().plan_id, KpiFactory().plan_id]

    assert plans_moved(
        lambda: PeriodClose.objects.create(closed_through=datetime.date(2025, 12, 31)), plans
    ) == set(plans)
    assert plans_moved(data_version.bump, plans) == set(plans)
    assert plans_moved(lambda: data_version.bump(plans=[plans[1]]), plans) == {plans[1]}


def test_a_plan_version_lost_from_the_cache_is_a_new_one():
    plan = KpiFactory().plan_id
    before = data_version.plan_versions([plan])[plan]
    cache.delete(data_version.PLAN_KEY.format(plan))

    assert data_version.plan_versions([plan])[plan] != before


# --- writes that send no signals ----------------------------------------------------------------

APP_CODE = ["accounts", "strategy", "kpis", "actionplans", "scorecard", "core"]
# Manager and queryset methods that write rows without sending signals.
SIGNAL_LESS = {"bulk_create", "bulk_update", "update"}
# Cursor methods that write rows in bulk (a plain `execute` may as well read, and is not checked).
RAW = {"copy", "executemany"}
# Modules whose raw writes touch no watched model, each with the reason.
RAW_WRITES_OF_UNWATCHED_TABLES = {
    "accounts/audit_bulk.py": "writes auditlog's LogEntry only; the bulk write it records moves "
    "the version itself",
}


def _chain(node: ast.expr) -> list[str]:
    """The names of an expression like `Kpi.updaters.through.objects.filter(...)`, outermost
    first: ["Kpi", "updaters", "through", "objects", "filter"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def _bumps(function: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call) and _chain(node.func) == ["data_version", "bump"]
        for node in ast.walk(function)
    )


def signal_less_writes() -> list[tuple[str, int, str, bool]]:
    """(file, line, what, whether its function moves the version) for every write found that
    sends no signals and touches a watched model: `Model.objects…bulk_create/bulk_update/update`
    (also through a many-to-many table, `Kpi.updaters.through.objects`), and COPY or
    executemany on a cursor. Writes through a related manager (`user.invitations.update`)
    are not found: write them through `Model.objects`."""
    watched = {model.__name__ for model in watched_models()}
    found = []
    for folder in APP_CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                        continue
                    chain = _chain(node.func)
                    method = node.func.attr
                    where = str(path.relative_to(ROOT))
                    raw = method in RAW and "cursor" in chain
                    if raw and where in RAW_WRITES_OF_UNWATCHED_TABLES:
                        continue
                    if raw or (
                        method in SIGNAL_LESS and "objects" in chain and chain[0] in watched
                    ):
                        found.append((where, node.lineno, ".".join(chain), _bumps(function)))
    return found


def test_every_write_that_sends_no_signals_moves_the_version_itself():
    found = signal_less_writes()

    assert ("kpis/services/actuals.py", "Actual.objects.bulk_create") in {
        (where, what) for where, _, what, _ in found
    }
    missing = [f"{where}:{line} {what}" for where, line, what, bumps in found if not bumps]
    assert missing == [], "call core.data_version.bump() in the function that writes"


def test_a_bulk_write_moves_the_plans_of_the_kpis_it_wrote_only():
    kpi, unchanged, other = KpiFactory(), KpiFactory(), KpiFactory()
    ActualFactory(kpi=unchanged, period=datetime.date(2026, 1, 1), value=Decimal(5))
    plans = [kpi.plan_id, unchanged.plan_id, other.plan_id]

    def bulk() -> None:
        actuals_bulk_record(
            rows=[
                ActualRow(kpi=kpi, period=datetime.date(2026, 1, 1), value=Decimal(1)),
                ActualRow(kpi=unchanged, period=datetime.date(2026, 1, 1), value=Decimal(5)),
            ],
            by=None,
        )

    assert plans_moved(bulk, plans) == {kpi.plan_id}
