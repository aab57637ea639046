"""The scores of cascaded plans' objectives, kept in the cache per plan between requests.

A plan's dashboard shows its own objectives and KPIs, and each of its objectives counts its
cascaded children: the objectives of the plans below that support it, scored from their own
KPIs and children in turn. Scoring every KPI of every plan below on each request made the
dashboard of a group with 5,000 KPIs ten times the cost of a small one, most of it for numbers
that had not changed. So each plan's objective scores for a period and view are kept
(`kept_summaries`), keyed on the versions of the plan and of every plan below it
(`core.data_version.plan_versions`): after a department's write, only that department's
branch is scored again.

A summary holds numbers only (score, status, coverage, the score of the period before), the
same for every reader, so one is kept for everyone; the words explaining a summarised score
are not kept (the objective's own plan words them for its reader). Summaries are read and
kept only outside a transaction: inside one, the data may hold the transaction's own writes,
which no version names yet and which a rollback would take back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core import data_version
from kpis.models import Kpi
from kpis.scoring import Score, ScoreStatus

KEY = "objective-scores:{}"


@dataclass(frozen=True)
class ObjectiveSummary:
    """An objective's roll-up as its parent's plan needs it: its score and status, how many of
    its KPIs (its children's included) reported, and its score in the period before."""

    objective_id: int
    score: Score | None
    status: ScoreStatus
    reported: int
    total: int
    kpis_reported: int
    kpis_total: int
    previous_score: Score | None
    children: tuple[ObjectiveSummary, ...]


# A plan's summaries: one per objective of the plan.
PlanSummaries = list[ObjectiveSummary]
# Computes the summaries of the plans given (every plan below each is either given too or
# among the summaries already known, by plan id).
Compute = Callable[[list[int], Mapping[int, PlanSummaries]], dict[int, PlanSummaries]]


def kept_summaries(
    *,
    plans: Sequence[int],
    below: Mapping[int, Sequence[int]],
    period: date,
    view: str,
    trends: bool,
    compute: Compute,
) -> dict[int, PlanSummaries]:
    """The summaries of `plans` (by plan id): kept ones read from the cache, the others
    computed by `compute` and kept. `below` gives each plan's child plans.

    A plan's summaries need its children's: those not kept are computed in the same call, so
    a cold cache costs one `compute` however deep the cascade.
    """
    caching = settings.PAGE_CACHE_SECONDS > 0 and not transaction.get_connection().in_atomic_block
    if not caching:
        return compute(with_everything_below(plans, below), {})
    versions = data_version.plan_versions(with_everything_below(plans, below))
    day = timezone.localdate().isoformat()
    keys = {pk: _key(pk, below, versions, period, view, trends, day) for pk in versions}

    known: dict[int, PlanSummaries] = {}
    missing: list[int] = []
    wanted = list(plans)
    while wanted:  # level by level: a kept plan's children are not needed
        found = cache.get_many([keys[pk] for pk in wanted])
        for pk in wanted:
            if keys[pk] in found:
                known[pk] = found[keys[pk]]
            else:
                missing.append(pk)
        wanted = [child for pk in wanted if keys[pk] not in found for child in below.get(pk, ())]
    if missing:
        computed = compute(missing, known)
        cache.set_many(
            {keys[pk]: summaries for pk, summaries in computed.items()},
            timeout=settings.PAGE_CACHE_SECONDS,
        )
        known.update(computed)
    return {pk: known[pk] for pk in plans}


def with_everything_below(plans: Iterable[int], below: Mapping[int, Sequence[int]]) -> list[int]:
    """The plans and every plan below them (`below` gives each plan's children), top down:
    a plan always comes before the plans below it."""
    found: list[int] = []
    frontier = list(plans)
    while frontier:
        found.extend(frontier)
        frontier = [child for pk in frontier for child in below.get(pk, ())]
    return found


def _key(
    plan_id: int,
    below: Mapping[int, Sequence[int]],
    versions: Mapping[int, str],
    period: date,
    view: str,
    trends: bool,
    day: str,
) -> str:
    """The plan's summaries' key: the versions of the plan and of every plan below it, what
    is scored, and the settings that change scores."""
    parts: list[Any] = [plan_id, period.isoformat(), view, trends, day]
    parts += [(pk, versions[pk]) for pk in with_everything_below([plan_id], below)]
    parts += [getattr(settings, name) for name in settings.PAGE_CACHE_KEY_SETTINGS]
    return KEY.format(hashlib.sha256(repr(parts).encode()).hexdigest())


def plan_of_kpi_row(row: Any) -> Iterable[int] | None:
    """For `core.data_version.watch`: the plan of a target's or actual's KPI (a query unless
    the KPI is loaded), or None (every plan) when the KPI is gone."""
    if type(row).kpi.is_cached(row):
        return [row.kpi.plan_id]
    plan_id = Kpi.objects.filter(pk=row.kpi_id).values_list("plan_id", flat=True).first()
    return None if plan_id is None else [plan_id]
