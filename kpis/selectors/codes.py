"""Finding KPIs by code for a person, as every channel does (`KpiCodes`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import User
from accounts.permissions import visible_unit_ids
from core.many_values import many_values
from kpis.models import Kpi
from strategy.models import StrategicPlan


class KpiCodes:
    """Finds KPIs by code for a person, as every channel does (DESIGN §9): in the plan given,
    else uniquely among the KPIs they see that are not retired and whose plan is not archived.

    `wanted` is every (plan id or None, code) to be found; three queries for all of them.
    """

    def __init__(self, user: User | AnonymousUser, wanted: Iterable[tuple[int | None, str]]):
        pairs = {(plan, code) for plan, code in wanted if code}
        units = visible_unit_ids(user)
        kpis = Kpi.objects.select_related("objective")
        plans = StrategicPlan.objects.all()
        if units is not None:
            kpis = kpis.filter(
                Q(objective__plan__org_unit_id__in=units) | Q(objective__org_unit_id__in=units)
            )
            plans = plans.filter(org_unit_id__in=units)
        planned = {(plan, code) for plan, code in pairs if plan is not None}
        unplanned = {code for plan, code in pairs if plan is None}
        current = Q(code__in=many_values(unplanned), is_retired=False) & ~Q(
            plan__status=StrategicPlan.Status.ARCHIVED
        )
        in_plans = Q(
            plan_id__in={plan for plan, _ in planned},
            code__in=many_values({code for _, code in planned}),
        )
        self.by_plan_code: dict[tuple[int, str], Kpi] = {}
        self.by_code: dict[str, list[Kpi]] = defaultdict(list)
        found = list(kpis.filter(current | in_plans)) if pairs else []
        _share_plans(found)
        for kpi in found:
            if (kpi.plan_id, kpi.code) in planned:
                self.by_plan_code[kpi.plan_id, kpi.code] = kpi
            archived = kpi.plan.status == StrategicPlan.Status.ARCHIVED
            if kpi.code in unplanned and not kpi.is_retired and not archived:
                self.by_code[kpi.code].append(kpi)
        wanted_plans = {plan for plan, _ in planned}
        self.plan_names = (
            dict(plans.filter(pk__in=wanted_plans).values_list("pk", "name"))
            if wanted_plans
            else {}
        )

    def find(self, code: str, plan: int | None) -> Kpi | str:
        """The KPI with the code, or the message saying why there is none."""
        if not code:
            return "No KPI code."
        if plan is not None:
            where = self.plan_names.get(plan, f"plan {plan}")
            return self.by_plan_code.get((plan, code)) or f"No KPI with code {code} in {where}."
        matches = self.by_code.get(code, [])
        if not matches:
            return f"No KPI with code {code} in an active or draft plan."
        if len(matches) > 1:
            plans = ", ".join(sorted(f"{kpi.plan.name} (id {kpi.plan_id})" for kpi in matches))
            return f"KPI code {code} is used in several plans ({plans}): name the plan."
        return matches[0]


def _share_plans(kpis: list[Kpi]) -> None:
    """Give the KPIs and their objectives their plans from one query, one object per plan:
    joined into every KPI's row, a file of 10,000 KPIs built 20,000 plan objects, a third of
    finding them."""
    plan_ids = {kpi.plan_id for kpi in kpis} | {kpi.objective.plan_id for kpi in kpis}
    plans = StrategicPlan.objects.in_bulk(plan_ids) if plan_ids else {}
    for kpi in kpis:
        kpi.plan = plans[kpi.plan_id]
        kpi.objective.plan = plans[kpi.objective.plan_id]
