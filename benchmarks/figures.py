"""The figures of `make bench`, each a ratio of two things measured side by side in one run.

Every function takes the data `seed_scale` created and returns `Figure`s; the timings are the
median of `runs` alternating runs of the app and its yardstick. `benchmarks.run` seeds and
calls them against PostgreSQL; tests/benchmarks/test_bench_quick.py calls them at tiny size.
"""

from __future__ import annotations

import datetime
import functools
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from accounts.models import User
from benchmarks.baseline import scorecard_by_sql
from core import data_version
from kpis.models import Actual, ImportBatch, Kpi
from kpis.reports.selectors import report_snapshot
from kpis.selectors import plan_scorecard
from kpis.services import actuals_bulk_record
from kpis.services.actuals import ActualRow, actual_record
from kpis.services.common import Source
from kpis.services.imports import import_commit
from scorecard.startup import freeze_startup_objects
from strategy.models import StrategicPlan


@dataclass(frozen=True)
class Figure:
    """One line of `make bench`: the app's value, the yardstick's, their ratio and the goal."""

    name: str
    app: float
    baseline: float
    unit: str
    ratio: float
    goal: str
    met: bool
    note: str = ""

    def line(self) -> str:
        verdict = "met" if self.met else "NOT met"
        return (
            f"{self.name}: {self.app:,.3f} vs {self.baseline:,.3f} {self.unit} "
            f"= {self.ratio:.2f}x (goal {self.goal}: {verdict})"
            + (f" - {self.note}" if self.note else "")
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def group_plan(code: str) -> StrategicPlan:
    return StrategicPlan.objects.get(org_unit__code=code, parent=None)


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _side_by_side(
    app: Callable[[], object], baseline: Callable[[], object], runs: int
) -> tuple[float, float]:
    """Median seconds of each, alternating so both see the same machine."""
    app_times, base_times = [], []
    for _ in range(runs):
        app_times.append(_timed(app))
        base_times.append(_timed(baseline))
    return statistics.median(app_times), statistics.median(base_times)


# --- 1. the scorecard and the variance report against one SQL statement -----------------------


def _by_sql(plan_id: int, day: datetime.date, view: str) -> object:
    return scorecard_by_sql(plan_id=plan_id, day=day, view=view)


def scorecard_figures(*, code: str, day: datetime.date, runs: int) -> list[Figure]:
    """`plan_scorecard` (month, year to date) and the report's computation against the SQL."""
    plan = group_plan(code)
    figures = []
    cases: list[tuple[str, str, Callable[[], object]]] = [
        (
            "scorecard, month",
            "month",
            lambda: plan_scorecard(plan=plan, period=day, view="month", reader=None),
        ),
        (
            "scorecard, year to date",
            "ytd",
            lambda: plan_scorecard(plan=plan, period=day, view="ytd", reader=None),
        ),
        (
            "variance report computation",
            "month",
            lambda: report_snapshot(plan=plan, period=day),
        ),
    ]
    for name, view, app in cases:
        app_s, sql_s = _side_by_side(app, functools.partial(_by_sql, plan.pk, day, view), runs)
        ratio = app_s / sql_s
        figures.append(
            Figure(name, app_s * 1000, sql_s * 1000, "ms", ratio, "<= 3x", ratio <= 3, "vs SQL")
        )
    return figures


# --- 2. the dashboard at two sizes --------------------------------------------------------------


# How the dashboard is reached: from the cache, after a department's write, with nothing kept.
WARM, AFTER_A_WRITE, NOTHING_KEPT = "warm", "after a write", "nothing kept"
DASHBOARD_STATES = {
    AFTER_A_WRITE: "after a write: one department's actual changed",
    NOTHING_KEPT: "cold: nothing kept, every plan scored",
    WARM: "warm: answered from the cache",
}


def _department_write(code: str, day: datetime.date) -> Callable[[], object]:
    """A write as a department head makes one: a new value for one KPI of the first
    department in the period shown (committed, so the versions move as in production)."""
    kpi = (
        Kpi.objects.filter(plan__org_unit__code=f"{code}-d1", formula="", is_retired=False)
        .order_by("code")
        .first()
    )
    if kpi is None:
        raise RuntimeError(f"{code} has no department KPI to write")
    user = User.objects.get(username=f"{code}-admin")
    values = iter(range(1_000_000))
    return lambda: actual_record(
        kpi=kpi,
        period=day.replace(day=1),
        value=Decimal(100 + next(values) % 7),
        by=user,
        source=Source.INTEGRATION,
    )


def _dashboard(code: str, day: datetime.date, runs: int, *, state: str) -> tuple[float, int]:
    """Median seconds and the queries of the dashboard's request through Django's test client,
    reached in `state`: answered from the cache; after one department's write (every page's
    version and that department's scores' move); or with nothing kept (every version moved,
    as after a deployment's migration: every plan of the cascade is scored)."""
    plan = group_plan(code)
    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=f"{code}-exec"))
    url = f"/dashboard/?plan={plan.pk}&period={day:%Y-%m}"
    client.get(url, secure=True)  # warm up: session, CSRF cookie, permissions, templates
    client.get(url, secure=True)  # with the CSRF cookie now, the page is stored
    write = _department_write(code, day)
    times, queries = [], 0
    for _ in range(runs):
        if state == AFTER_A_WRITE:
            write()
        elif state == NOTHING_KEPT:
            data_version.replace_all()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"the dashboard answered {response.status_code}")
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def dashboard_figures(
    *, small: str, large: str, day: datetime.date, runs: int, sizes: tuple[int, int]
) -> list[Figure]:
    """The dashboard's server time and queries with `large` KPIs against `small` ones, in a
    process prepared as a served one is (`freeze_startup_objects`, as scorecard/wsgi.py), in
    each of `DASHBOARD_STATES`."""
    freeze_startup_objects()
    note = f"{sizes[1]:,} vs {sizes[0]:,} KPIs"
    figures = []
    for state, words in DASHBOARD_STATES.items():
        small_s, small_q = _dashboard(small, day, runs, state=state)
        large_s, large_q = _dashboard(large, day, runs, state=state)
        ratio = large_s / small_s
        figures += [
            Figure(
                f"dashboard time, {words}",
                large_s * 1000,
                small_s * 1000,
                "ms",
                ratio,
                "<= 3x",
                ratio <= 3,
                note,
            ),
            Figure(
                f"dashboard queries, {words}",
                large_q,
                small_q,
                "queries",
                large_q / small_q,
                "equal",
                large_q == small_q,
                note,
            ),
        ]
    return figures


# --- 3. bulk writes against COPY ----------------------------------------------------------------


def _write_rows(code: str, limit: int) -> list[tuple[Kpi, datetime.date]]:
    """(KPI, month) pairs of the first department's stored KPIs, for every seeded month."""
    plan = StrategicPlan.objects.get(org_unit__code=f"{code}-d1")
    kpis = list(Kpi.objects.filter(plan=plan, formula="").order_by("code"))
    months = sorted(set(Actual.objects.filter(kpi__plan=plan).values_list("period", flat=True)))
    return [(kpi, month) for month in months for kpi in kpis][:limit]


def _copy(cells: list[tuple[Kpi, datetime.date]], values: list[Decimal], *, update: bool) -> None:
    """The database's own limit: COPY the rows in; for changes, COPY to a staging table and
    upsert from it with one INSERT ... ON CONFLICT."""
    now = datetime.datetime.now(tz=datetime.UTC)
    columns = (
        "kpi_id, period, value, analysis, corrective_action, review_comment, entered_at, "
        "version, status"
    )
    with connection.cursor() as cursor:
        table = "kpis_actual"
        if update:
            cursor.execute(
                f"CREATE TEMP TABLE bench_staging ON COMMIT DROP AS "
                f"SELECT {columns} FROM kpis_actual WITH NO DATA"
            )
            table = "bench_staging"
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for (kpi, month), value in zip(cells, values, strict=True):
                copy.write_row((kpi.pk, month, value, "", "", "", now, 1, "approved"))
        if update:
            cursor.execute(
                f"INSERT INTO kpis_actual ({columns}) SELECT {columns} FROM bench_staging "
                "ON CONFLICT (kpi_id, period) DO UPDATE SET value = EXCLUDED.value, "
                "version = kpis_actual.version + 1, entered_at = EXCLUDED.entered_at"
            )


def _delete(cells: list[tuple[Kpi, datetime.date]]) -> None:
    """Remove the cells' KPIs' actuals before a run, untimed, in one statement: a queryset's
    delete would record an audit entry per row (minutes at 100,000 rows), all rolled back."""
    kpi_ids = sorted({kpi.pk for kpi, _ in cells})
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kpis_actual WHERE kpi_id = ANY(%s)", [kpi_ids])


class _Undo(Exception):
    pass


def _in_rollback(call: Callable[[], object]) -> float:
    """Seconds `call` takes inside a transaction that is then rolled back."""
    seconds = 0.0
    try:
        with transaction.atomic():
            seconds = _timed(call)
            raise _Undo
    except _Undo:
        pass
    return seconds


def write_figures(*, code: str, rows: int, runs: int) -> list[Figure]:
    """The bulk upsert and the import of `rows` actuals, created and changed, against COPY."""
    cells = _write_rows(code, rows)
    admin = User.objects.get(username=f"{code}-admin")
    plan = StrategicPlan.objects.get(org_unit__code=f"{code}-d1")
    first = [Decimal(100 + n % 50) for n in range(len(cells))]
    second = [value + 1 for value in first]

    def bulk(values: list[Decimal]) -> Callable[[], object]:
        return lambda: actuals_bulk_record(
            rows=[
                ActualRow(kpi=kpi, period=month, value=value)
                for (kpi, month), value in zip(cells, values, strict=True)
            ],
            by=admin,
            source=Source.INTEGRATION,
        )

    def imported(values: list[Decimal]) -> Callable[[], object]:
        def run() -> object:
            batch = ImportBatch.objects.create(
                created_by=admin,
                plan=plan,
                filename="bench.csv",
                rows=[
                    {
                        "_row": n + 2,
                        "kind": "actual",
                        "kpi_code": kpi.code,
                        "period": month.isoformat(),
                        "value": str(value),
                        "corrective_action": "Recovery under way",
                    }
                    for n, ((kpi, month), value) in enumerate(zip(cells, values, strict=True))
                ],
            )
            return import_commit(batch=batch, by=admin)

        return run

    figures = []
    for name, app in (("bulk upsert", bulk), ("import", imported)):
        for change in ("created", "updated"):
            app_times, copy_times = [], []
            for _ in range(runs):
                with transaction.atomic():
                    _delete(cells)
                    if change == "updated":
                        _copy(cells, first, update=False)
                    copy_times.append(
                        _in_rollback(
                            functools.partial(_copy, cells, second, update=change == "updated")
                        )
                    )
                    app_times.append(_in_rollback(app(second)))
                    transaction.set_rollback(True)
            app_rate = len(cells) / statistics.median(app_times)
            copy_rate = len(cells) / statistics.median(copy_times)
            ratio = app_rate / copy_rate
            figures.append(
                Figure(
                    f"{name}, {change}",
                    app_rate,
                    copy_rate,
                    "rows/s",
                    ratio,
                    ">= 0.3x",
                    ratio >= 0.3,
                    f"{len(cells):,} rows vs COPY",
                )
            )
    return figures


# --- 4. the dashboard under load, against a trivial view ---------------------------------------


def session_cookie(username: str) -> str:
    """A signed-in session for the person and the CSRF cookie a browser holds after its first
    page, as a Cookie header (no password round trip)."""
    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return (
        f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={get_random_string(32)}"
    )


def _load(
    host: str, port: int, path: str, users: list[dict[str, str]], seconds: float
) -> tuple[float, float, int]:
    """Requests per second, p95 seconds and failures of one thread per user asking for `path`,
    each sending its own headers."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user(headers: dict[str, str]) -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - start)
                else:
                    failures[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(headers,)) for headers in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        return 0.0, float("inf"), failures[0]
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    return len(latencies) / elapsed, p95, failures[0]


def load_figures(
    *,
    base_url: str,
    code: str,
    day: datetime.date,
    users: int,
    seconds: float,
    runs: int,
    trivial_path: str = "/accounts/login/",
) -> list[Figure]:
    """The dashboard's requests per second and p95 against a trivial page's, same server.

    Each user is a browser of its own, signed in as the plan's executive: its own session, so
    its own cached page (the first request of each renders it; the cache is not emptied).
    """
    host_port = base_url.split("://", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    plan = group_plan(code)
    browsers = [
        {"Cookie": session_cookie(f"{code}-exec"), "X-Forwarded-Proto": "https"}
        for _ in range(users)
    ]
    dashboard = f"/dashboard/?plan={plan.pk}&period={day:%Y-%m}"
    trivial_rates, rates, p95s, failed = [], [], [], 0
    for _ in range(runs):
        rate, _p95, failures = _load(host, int(port), trivial_path, [{}] * users, seconds)
        trivial_rates.append(rate)
        failed += failures
        rate, p95, failures = _load(host, int(port), dashboard, browsers, seconds)
        rates.append(rate)
        p95s.append(p95)
        failed += failures
    rate, trivial, p95 = (
        statistics.median(rates),
        statistics.median(trivial_rates),
        statistics.median(p95s),
    )
    ratio = rate / trivial if trivial else 0.0
    note = f"{users} users, {failed} failed requests"
    return [
        Figure(
            "dashboard under load", rate, trivial, "req/s", ratio, ">= 0.25x", ratio >= 0.25, note
        ),
        Figure(
            "dashboard p95 under load",
            p95 * 1000,
            300,
            "ms",
            p95 * 1000 / 300,
            "< 300 ms",
            p95 < 0.3,
            note,
        ),
    ]


# --- 5. the report job's memory -----------------------------------------------------------------

# The job reports its own peak: VmHWM, the high-water mark of the process's memory. Not
# getrusage's ru_maxrss: Linux carries that across fork and exec, so a child of this (large)
# process would report this process's peak, whatever it ran itself.
_PEAK = (
    "import sys, django; django.setup(); from benchmarks.jobs import {job}, peak_kib; "
    "{job}(*sys.argv[1:]); print(peak_kib())"
)


def _peak_kib(job: str, args: list[str], env: dict[str, str]) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _PEAK.format(job=job), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


def memory_figures(
    *, code: str, day: datetime.date, env: dict[str, str], runs: int
) -> list[Figure]:
    """Peak resident size of the variance report job against a process that only starts Django."""
    plan = group_plan(code)
    env = {**os.environ, **env}
    job = statistics.median(
        _peak_kib("report_job", [str(plan.pk), day.isoformat()], env) for _ in range(runs)
    )
    floor = statistics.median(_peak_kib("idle_job", [], env) for _ in range(runs))
    job_mb, floor_mb = job / 1024, floor / 1024
    return [
        Figure(
            "report job peak memory",
            job_mb,
            floor_mb,
            "MB",
            job_mb / floor_mb,
            "< 300 MB",
            job_mb < 300,
            "vs Django started, one query",
        )
    ]
