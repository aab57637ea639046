"""Writes to the strategy: each validates fully and runs in one transaction."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from strategy.models import Objective, ObjectiveLink, StrategicPlan


def _path(graph: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """A path from start to goal following the graph's edges, or None (depth-first)."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((nxt, [*path, nxt]) for nxt in graph.get(node, []))
    return None


def objective_link_cycle_error(*, cause: Objective, effect: Objective) -> ValidationError | None:
    """The error to show if linking cause to effect would close a cycle, naming its path."""
    graph: dict[int, list[int]] = defaultdict(list)
    for cause_id, effect_id in ObjectiveLink.objects.filter(
        cause__plan_id=cause.plan_id
    ).values_list("cause_id", "effect_id"):
        graph[cause_id].append(effect_id)
    back = _path(graph, effect.pk, cause.pk)
    if back is None:
        return None
    codes = dict(Objective.objects.filter(pk__in=back).values_list("pk", "code"))
    cycle = " → ".join([cause.code, *(codes[pk] for pk in back)])
    return ValidationError(f"This link would close a cycle: {cycle}.", code="cycle")


def objective_link_create(*, cause: Objective, effect: Objective, note: str = "") -> ObjectiveLink:
    """Link cause to effect; refuses self-links, cross-plan links and links that close a cycle."""
    with transaction.atomic():
        # Serialise link changes per plan so two concurrent links cannot form a cycle together.
        StrategicPlan.objects.select_for_update().get(pk=cause.plan_id)
        link = ObjectiveLink(cause=cause, effect=effect, note=note)
        link.full_clean()
        error = objective_link_cycle_error(cause=cause, effect=effect)
        if error is not None:
            raise error
        link.save()
        return link
