"""`seed_scale` and the figures of `make bench` at tiny size: counts, the SQL baseline's
agreement with `plan_scorecard`, and every figure produced (not its timing)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from actionplans.models import ActionPlan, Task
from benchmarks import figures
from benchmarks.baseline import scorecard_by_sql
from kpis.models import Actual, Kpi, Target
from kpis.selectors import plan_scorecard
from scorecard.management.commands.seed_scale import last_closed_month
from strategy.models import Objective, StrategicPlan

pytestmark = pytest.mark.django_db


def _seed(code: str = "scale", kpis: int = 50, months: int = 6) -> None:
    call_command("seed_scale", kpis=kpis, months=months, units=2, code=code, stdout=io.StringIO())


def test_seed_scale_creates_an_organisation_of_the_size_asked_that_scores() -> None:
    _seed()

    group = StrategicPlan.objects.get(org_unit__code="scale", parent=None)
    assert StrategicPlan.objects.filter(parent=group).count() == 2
    assert Objective.objects.filter(plan__parent=group, parent__plan=group).count() == 24
    kpis = Kpi.objects.filter(plan__org_unit__code__startswith="scale")
    assert kpis.count() == 50
    stored = kpis.filter(formula="").count()
    assert kpis.exclude(formula="").exists()
    assert Target.objects.filter(kpi__in=kpis).count() == 50 * 6
    actuals = Actual.objects.filter(kpi__in=kpis).count()
    assert stored * 6 * 0.9 < actuals < stored * 6  # a few left out on purpose
    assert ActionPlan.objects.filter(objective__plan__parent=group).count() == 24
    assert Task.objects.filter(action_plan__objective__plan__parent=group).count() == 48

    scorecard = plan_scorecard(
        plan=group, period=last_closed_month(timezone.localdate()), reader=None
    )
    assert scorecard.kpis_total == 50
    assert scorecard.rollup.score is not None


def test_seed_scale_refuses_an_organisation_code_that_exists_and_changes_nothing() -> None:
    _seed(kpis=10, months=2)

    with pytest.raises(CommandError, match="exists already"):
        _seed(kpis=10, months=2)

    assert Kpi.objects.count() == 10


@pytest.mark.parametrize("view", ["month", "ytd"])
def test_sql_baseline_computes_the_scores_and_statuses_plan_scorecard_does(view: str) -> None:
    _seed(kpis=120, months=14)
    group = StrategicPlan.objects.get(org_unit__code="scale", parent=None)
    day = last_closed_month(timezone.localdate())

    lines = {
        (line.level, line.id): line
        for line in scorecard_by_sql(plan_id=group.pk, day=day, view=view)
    }
    scorecard = plan_scorecard(plan=group, period=day, view=view, reader=None)

    expected = {("plan", group.pk): scorecard.rollup}
    kpi_results = {}
    for perspective in scorecard.perspectives:
        expected["perspective", perspective.perspective.pk] = perspective.rollup
        pending = list(perspective.objectives)
        while pending:
            objective = pending.pop()
            expected["objective", objective.objective.pk] = objective.rollup
            pending.extend(objective.children)
            kpi_results.update({("kpi", k.kpi.pk): k.result for k in objective.kpis})
    assert len(kpi_results) == 120
    for key, result in [*expected.items(), *kpi_results.items()]:
        line = lines[key]
        assert line.status == result.status.value, key
        if result.score is None:
            assert line.score is None, key
        else:
            assert line.score == pytest.approx(float(result.score), abs=1e-9), key
    for key, result in kpi_results.items():
        assert lines[key].trend == (result.trend.value if result.trend else None), key
        assert lines[key].favourable == result.favourable, key


def test_quick_figures_are_each_produced() -> None:
    _seed("small", kpis=10, months=3)
    _seed("large", kpis=40, months=3)
    day = last_closed_month(timezone.localdate())

    produced = [
        *figures.scorecard_figures(code="large", day=day, runs=1),
        *figures.dashboard_figures(small="small", large="large", day=day, runs=1, sizes=(10, 40)),
    ]
    if connection.vendor == "postgresql":  # the yardstick is PostgreSQL's COPY
        produced += figures.write_figures(code="large", rows=60, runs=1)

    names = [figure.name for figure in produced]
    assert names[:9] == [
        "scorecard, month",
        "scorecard, year to date",
        "variance report computation",
        "dashboard time, after a write: one department's actual changed",
        "dashboard queries, after a write: one department's actual changed",
        "dashboard time, cold: nothing kept, every plan scored",
        "dashboard queries, cold: nothing kept, every plan scored",
        "dashboard time, warm: answered from the cache",
        "dashboard queries, warm: answered from the cache",
    ]
    queries = {figure.name: figure.app for figure in produced if "queries" in figure.name}
    warm = queries["dashboard queries, warm: answered from the cache"]
    cold = queries["dashboard queries, cold: nothing kept, every plan scored"]
    assert warm < cold / 2  # from the cache, the page's own queries are not asked
    assert all(figure.app > 0 and figure.baseline > 0 for figure in produced)
    assert all(" vs " in figure.line() for figure in produced)


def test_the_memory_figure_measures_the_job_not_the_large_process_that_started_it():
    """Linux carries a parent's peak into its child's ru_maxrss; the job's own high-water mark
    is what the figure must read."""
    ballast = bytearray(400 * 1024 * 1024)  # this process now peaks above 400 MB
    ballast[::4096] = b"x" * len(ballast[::4096])
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from benchmarks.jobs import peak_kib; print(peak_kib())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(child.stdout.split()[-1]) < 300 * 1024
    del ballast
