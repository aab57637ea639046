"""The database's own limit: one hand-written SQL statement scoring a whole plan (DESIGN §4).

`scorecard_by_sql` computes, for a plan and a month or year-to-date view, what
`kpis.selectors.plan_scorecard` computes: every KPI's combined actual, goal and red flags,
score, status, previous score and trend, variance and whether it is favourable, and the
weighted roll-ups of objectives (with their cascaded child objectives), perspectives and the
plan. It is the yardstick `make bench` measures the app against, and
tests/benchmarks/test_bench_quick.py proves it agrees with `plan_scorecard`.

It covers what `seed_scale` creates, and says so rather than pretending to more: monthly KPIs;
calculated KPIs of the form `A + B` (with summed inputs); cascading one level deep;
approval off. Statuses of KPIs are decided exactly (comparing the actual with the goal and
the red flag); roll-up statuses from the computed score, counting a score within 1e-9 of a
band's edge as on it. It runs on PostgreSQL (exact numerics) and SQLite (floats).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection

from kpis import combined_periods, periods

_DIALECTS = {
    "postgresql": {"num": "numeric", "date": "date", "pos": "strpos"},
    "sqlite": {"num": "real", "date": "text", "pos": "instr"},
}


def _aggregate(column: str) -> str:
    """The column's values combined with the KPI's aggregation (`last` has one row left)."""
    return (
        f"CASE v.aggregation WHEN 'sum' THEN SUM(c.{column}) WHEN 'average' THEN AVG(c.{column}) "
        f"WHEN 'min' THEN MIN(c.{column}) ELSE MAX(c.{column}) END"
    )


def _edge_score(goal: str, red_flag: str) -> str:
    """The clamped score against one edge; None without the numbers or when G = R."""
    raw = f"10 * (({goal} - {red_flag}) + (actual - {red_flag})) / (3 * ({goal} - {red_flag}))"
    return (
        f"CASE WHEN actual IS NULL OR {goal} IS NULL OR {red_flag} IS NULL "
        f"OR {goal} = {red_flag} THEN NULL WHEN {raw} < 0 THEN 0 WHEN {raw} > 10 THEN 10 "
        f"ELSE {raw} END"
    )


def _edge_level(goal: str, red_flag: str) -> str:
    """2 on track, 1 at risk, 0 off track, decided exactly from the actual, goal and red flag."""
    return (
        f"CASE WHEN actual IS NULL OR {goal} IS NULL OR {red_flag} IS NULL "
        f"OR {goal} = {red_flag} THEN NULL "
        f"WHEN ({goal} > {red_flag} AND actual >= {goal}) "
        f"OR ({goal} < {red_flag} AND actual <= {goal}) THEN 2 "
        f"WHEN ({goal} > {red_flag} AND actual >= {red_flag}) "
        f"OR ({goal} < {red_flag} AND actual <= {red_flag}) THEN 1 ELSE 0 END"
    )


def _rollup_level(score: str) -> str:
    return (
        f"CASE WHEN {score} IS NULL THEN NULL WHEN {score} >= 20.0 / 3 - 0.000000001 THEN 2 "
        f"WHEN {score} >= 10.0 / 3 - 0.000000001 THEN 1 ELSE 0 END"
    )


def _weighted(score: str, weight: str) -> tuple[str, str]:
    counted = f"{score} IS NOT NULL AND {weight} > 0"
    return (
        f"SUM(CASE WHEN {counted} THEN {score} * {weight} END)",
        f"SUM(CASE WHEN {counted} THEN {weight} END)",
    )


_OBJ_NUM, _OBJ_DEN = _weighted("o.score", "o.weight")
_PER_NUM, _PER_DEN = _weighted("p.score", "p.weight")
_KPI_NUM, _KPI_DEN = _weighted("l.score", "l.weight")

_STATEMENT = f"""
WITH RECURSIVE
plans (id) AS (
    SELECT id FROM strategy_strategicplan WHERE id = %s
    UNION ALL
    SELECT child.id FROM strategy_strategicplan child JOIN plans ON child.parent_id = plans.id
),
frames (frame, first_day, last_day, months) AS (
    SELECT 'now', CAST(%s AS {{date}}), CAST(%s AS {{date}}), %s
    UNION ALL
    SELECT 'before', CAST(%s AS {{date}}), CAST(%s AS {{date}}), %s
),
span AS (SELECT MIN(first_day) AS first_day, MAX(last_day) AS last_day FROM frames),
objective AS (
    SELECT o.id, o.plan_id, o.perspective_id, o.parent_id, CAST(o.weight AS {{num}}) AS weight
    FROM strategy_objective o
    WHERE o.plan_id IN (SELECT id FROM plans) AND NOT o.is_archived
),
kpi AS (
    SELECT k.id, k.plan_id, k.code, k.objective_id, k.direction, k.aggregation, k.formula,
           CAST(k.tolerance AS {{num}}) AS tolerance, CAST(k.weight AS {{num}}) AS weight
    FROM kpis_kpi k JOIN objective o ON o.id = k.objective_id
    WHERE NOT k.is_retired
),
stored AS (
    SELECT a.kpi_id, a.period, CAST(a.value AS {{num}}) AS value
    FROM kpis_actual a JOIN kpi ON kpi.id = a.kpi_id CROSS JOIN span
    WHERE a.period BETWEEN span.first_day AND span.last_day
),
actual AS (
    SELECT s.kpi_id, s.period, s.value FROM stored s JOIN kpi ON kpi.id = s.kpi_id
    WHERE kpi.formula = ''
    UNION ALL
    -- Calculated KPIs "A + B": computed on read from their inputs, never stored.
    SELECT k.id, x.period, x.value + y.value
    FROM kpi k
    JOIN kpi kx ON kx.plan_id = k.plan_id
        AND kx.code = substr(k.formula, 1, {{pos}}(k.formula, ' + ') - 1)
    JOIN kpi ky ON ky.plan_id = k.plan_id
        AND ky.code = substr(k.formula, {{pos}}(k.formula, ' + ') + 3)
    JOIN stored x ON x.kpi_id = kx.id
    JOIN stored y ON y.kpi_id = ky.id AND y.period = x.period
    WHERE k.formula <> ''
),
target AS (
    SELECT t.kpi_id, t.period, t.goal,
        COALESCE(t.red_flag, CASE WHEN t.goal = 0 OR t.tolerance = 0 THEN NULL
            WHEN t.direction = 'decrease' THEN t.goal + t.tolerance * ABS(t.goal)
            ELSE t.goal - t.tolerance * ABS(t.goal) END) AS red_flag,
        CASE WHEN t.direction = 'range' THEN t.goal_high END AS goal_high,
        CASE WHEN t.direction = 'range' THEN COALESCE(t.red_flag_high,
            CASE WHEN t.goal_high = 0 OR t.tolerance = 0 THEN NULL
            ELSE t.goal_high + t.tolerance * ABS(t.goal_high) END) END AS red_flag_high
    FROM (
        SELECT t.kpi_id, t.period, k.direction, k.tolerance,
            CAST(t.goal AS {{num}}) AS goal, CAST(t.red_flag AS {{num}}) AS red_flag,
            CAST(t.goal_high AS {{num}}) AS goal_high,
            CAST(t.red_flag_high AS {{num}}) AS red_flag_high
        FROM kpis_target t JOIN kpi k ON k.id = t.kpi_id CROSS JOIN span
        WHERE t.period BETWEEN span.first_day AND span.last_day
    ) t
),
cell AS (  -- each (frame, KPI, month) with an actual or a target
    SELECT f.frame, c.kpi_id, c.period, MAX(c.has_actual) AS has_actual, MAX(c.value) AS value,
        MAX(c.has_target) AS has_target, MAX(c.goal) AS goal, MAX(c.red_flag) AS red_flag,
        MAX(c.goal_high) AS goal_high, MAX(c.red_flag_high) AS red_flag_high
    FROM frames f JOIN (
        SELECT kpi_id, period, 1 AS has_actual, value, 0 AS has_target,
            CAST(NULL AS {{num}}) AS goal, CAST(NULL AS {{num}}) AS red_flag,
            CAST(NULL AS {{num}}) AS goal_high, CAST(NULL AS {{num}}) AS red_flag_high
        FROM actual
        UNION ALL
        SELECT kpi_id, period, 0, NULL, 1, goal, red_flag, goal_high, red_flag_high FROM target
    ) c ON c.period BETWEEN f.first_day AND f.last_day
    GROUP BY f.frame, c.kpi_id, c.period
),
reported AS (
    SELECT frame, kpi_id, SUM(has_actual) AS n,
        MAX(CASE WHEN has_actual = 1 THEN period END) AS last_period,
        SUM(value) AS total, MIN(value) AS low, MAX(value) AS high
    FROM cell GROUP BY frame, kpi_id
),
viewed AS (
    SELECT f.frame, k.id AS kpi_id, k.objective_id, k.weight, k.direction, k.aggregation,
        f.last_day, f.months,
        COALESCE(r.n, 0) AS n, r.last_period,
        CASE k.aggregation WHEN 'sum' THEN r.total WHEN 'average' THEN r.total / r.n
            WHEN 'min' THEN r.low WHEN 'max' THEN r.high ELSE lc.value END AS actual
    FROM frames f CROSS JOIN kpi k
    LEFT JOIN reported r ON r.frame = f.frame AND r.kpi_id = k.id
    LEFT JOIN cell lc ON lc.frame = f.frame AND lc.kpi_id = k.id AND lc.period = r.last_period
),
combined AS (  -- targets of the reported months (all months when none is), as DESIGN §3
    SELECT v.frame, v.kpi_id, v.objective_id, v.weight, v.direction, v.actual,
        CASE WHEN COUNT(c.goal) = v.needed THEN {_aggregate("goal")} END AS goal,
        CASE WHEN COUNT(c.goal) = v.needed AND COUNT(c.red_flag) = v.needed
            THEN {_aggregate("red_flag")} END AS red_flag,
        CASE WHEN COUNT(c.goal) = v.needed AND COUNT(c.goal_high) = v.needed
            THEN {_aggregate("goal_high")} END AS goal_high,
        CASE WHEN COUNT(c.goal) = v.needed AND COUNT(c.red_flag_high) = v.needed
            THEN {_aggregate("red_flag_high")} END AS red_flag_high
    FROM (
        SELECT viewed.*, CASE WHEN aggregation = 'last' THEN 1 WHEN n > 0 THEN n ELSE months END
            AS needed
        FROM viewed
    ) v
    LEFT JOIN cell c ON c.frame = v.frame AND c.kpi_id = v.kpi_id AND c.has_target = 1
        AND (v.n = 0 OR c.has_actual = 1)
        AND (v.aggregation <> 'last' OR c.period = COALESCE(v.last_period, v.last_day))
    GROUP BY v.frame, v.kpi_id, v.objective_id, v.weight, v.direction, v.aggregation, v.actual,
        v.needed
),
edges AS (
    SELECT combined.*,
        {_edge_score("goal", "red_flag")} AS low_score,
        {_edge_score("goal_high", "red_flag_high")} AS high_score,
        {_edge_level("goal", "red_flag")} AS low_level,
        {_edge_level("goal_high", "red_flag_high")} AS high_level
    FROM combined
),
scored AS (
    SELECT edges.*,
        CASE WHEN direction <> 'range' THEN low_score
            WHEN low_score IS NULL OR high_score IS NULL THEN NULL
            WHEN low_score < high_score THEN low_score ELSE high_score END AS score,
        CASE WHEN direction <> 'range' THEN low_level
            WHEN low_level IS NULL OR high_level IS NULL THEN NULL
            WHEN low_level < high_level THEN low_level ELSE high_level END AS level,
        CASE WHEN direction = 'range' AND actual > goal_high THEN goal_high
            WHEN direction = 'range' AND actual >= goal THEN NULL ELSE goal END AS edge
    FROM edges
),
kpi_line AS (
    SELECT s.kpi_id AS id, s.objective_id, s.weight, s.score, s.level, s.previous_score,
        s.actual, s.goal, s.red_flag,
        CASE WHEN s.actual IS NULL OR s.goal IS NULL THEN NULL
            WHEN s.edge IS NULL THEN 0 ELSE s.actual - s.edge END AS variance,
        CASE WHEN s.actual IS NULL OR s.goal IS NULL THEN NULL WHEN s.edge IS NULL THEN 0
            WHEN s.edge = 0 THEN NULL ELSE (s.actual - s.edge) / ABS(s.edge) END AS variance_pct,
        CASE WHEN s.actual IS NULL OR s.goal IS NULL THEN NULL
            WHEN s.direction = 'increase' THEN s.actual >= s.goal
            WHEN s.direction = 'decrease' THEN s.actual <= s.goal
            ELSE s.goal_high IS NOT NULL AND s.actual BETWEEN s.goal AND s.goal_high
        END AS favourable
    FROM (
        -- The previous view's score by a window, not a self-join the planner misjudges.
        SELECT scored.*, MAX(CASE WHEN frame = 'before' THEN score END)
            OVER (PARTITION BY kpi_id) AS previous_score
        FROM scored
    ) s
    WHERE s.frame = 'now'
),
own AS (  -- each objective's own KPIs, weighted
    SELECT o.id, o.plan_id, o.perspective_id, o.parent_id, o.weight,
        {_KPI_NUM} AS num, {_KPI_DEN} AS den
    FROM objective o LEFT JOIN kpi_line l ON l.objective_id = o.id
    GROUP BY o.id, o.plan_id, o.perspective_id, o.parent_id, o.weight
),
objective_score AS (  -- with the cascaded child objectives, one level deep
    SELECT p.id, p.plan_id, p.perspective_id, p.weight,
        (COALESCE(p.num, 0) + COALESCE(SUM(CASE WHEN c.den > 0 AND c.weight > 0
            THEN c.num / c.den * c.weight END), 0))
        / NULLIF(COALESCE(p.den, 0) + COALESCE(SUM(CASE WHEN c.den > 0 AND c.weight > 0
            THEN c.weight END), 0), 0) AS score
    FROM own p LEFT JOIN own c ON c.parent_id = p.id
    GROUP BY p.id, p.plan_id, p.perspective_id, p.weight, p.num, p.den
),
perspective_score AS (
    SELECT pe.id, CAST(pe.weight AS {{num}}) AS weight, {_OBJ_NUM} / NULLIF({_OBJ_DEN}, 0) AS score
    FROM strategy_perspective pe
    LEFT JOIN objective_score o ON o.perspective_id = pe.id AND o.plan_id = pe.plan_id
    WHERE pe.plan_id = (SELECT MIN(id) FROM plans WHERE id = %s)
    GROUP BY pe.id, pe.weight
),
plan_score AS (
    SELECT {_PER_NUM} / NULLIF({_PER_DEN}, 0) AS score FROM perspective_score p
)
SELECT 'kpi', id, score, level, previous_score,
    CASE WHEN score IS NULL OR previous_score IS NULL THEN NULL
        WHEN ABS(score - previous_score) < 0.1 THEN 'flat'
        WHEN score > previous_score THEN 'up' ELSE 'down' END,
    actual, goal, red_flag, variance, variance_pct, favourable
FROM kpi_line
UNION ALL
SELECT 'objective', id, score, {_rollup_level("score")}, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL
FROM objective_score
UNION ALL
SELECT 'perspective', id, score, {_rollup_level("score")}, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL
FROM perspective_score
UNION ALL
SELECT 'plan', %s, score, {_rollup_level("score")}, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL
FROM plan_score
"""

STATUSES = {2: "on_track", 1: "at_risk", 0: "off_track", None: "no_data"}


@dataclass(frozen=True)
class Line:
    """One KPI's line or one roll-up (level "objective", "perspective" or "plan")."""

    level: str
    id: int
    score: float | None
    status: str
    previous_score: float | None = None
    trend: str | None = None
    actual: Decimal | float | None = None
    goal: Decimal | float | None = None
    red_flag: Decimal | float | None = None
    variance: Decimal | float | None = None
    variance_pct: Decimal | float | None = None
    favourable: bool | None = None


@dataclass(frozen=True)
class Frame:
    """The months of a view: from `first` to `last`, `months` of them."""

    first: datetime.date
    last: datetime.date
    months: int


def frames(day: datetime.date, view: str) -> tuple[Frame, Frame]:
    """The months of the view containing `day` and of the one before it, for the trend.

    `view` is "month" or "ytd", as `plan_scorecard` names them; the view before a month is the
    month before, and before a year to date, the year to date of the month before.
    """
    fy = settings.FISCAL_YEAR_START_MONTH
    month = periods.period_start(day, periods.Frequency.MONTHLY, fy)
    before = periods.shift(month, periods.Frequency.MONTHLY, -1)
    if view == "month":
        return Frame(month, month, 1), Frame(before, before, 1)
    if view != "ytd":
        raise ValueError(f"the SQL baseline computes month and ytd views, not {view!r}")
    result = []
    for end in (month, before):
        months = combined_periods.view_periods(end, "ytd", periods.Frequency.MONTHLY, fy)
        result.append(Frame(months[0], months[-1], len(months)))
    return result[0], result[1]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def scorecard_by_sql(*, plan_id: int, day: datetime.date, view: str) -> list[Line]:
    """Every KPI line and roll-up of the plan's scorecard for the view, in one statement."""
    now, before = frames(day, view)
    statement = _STATEMENT.format(**_DIALECTS[connection.vendor])
    params: list[Any] = [plan_id]
    for frame in (now, before):
        params += [frame.first.isoformat(), frame.last.isoformat(), frame.months]
    params += [plan_id, plan_id]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return [
        Line(
            level=level,
            id=int(pk),
            score=_number(score),
            status=STATUSES[None if level_ is None else int(level_)],
            previous_score=_number(previous),
            trend=trend,
            actual=actual,
            goal=goal,
            red_flag=red_flag,
            variance=variance,
            variance_pct=variance_pct,
            favourable=None if favourable is None else bool(favourable),
        )
        for (
            level,
            pk,
            score,
            level_,
            previous,
            trend,
            actual,
            goal,
            red_flag,
            variance,
            variance_pct,
            favourable,
        ) in rows
    ]
