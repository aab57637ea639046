"""Reads of the strategy: the plans a person sees, a plan's workspace, its health checklist.

The health checklist is built from items each app contributes for its own objects (strategy
here, KPIs in `kpis.selectors`, action plans in `actionplans.selectors`); they share the
`HealthItem` shape defined here, the lowest of those apps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from accounts.models import Membership, OrgUnit, Role, User
from accounts.permissions import ANY_ROLE, visible_unit_ids
from accounts.selectors import visible_users
from strategy.models import Objective, ObjectiveLink, Perspective, Stakeholder, StrategicPlan


def plans_for(user: User) -> QuerySet[StrategicPlan]:
    """The plans the person may see, with their counts of objectives and KPIs."""
    plans = StrategicPlan.objects.select_related("org_unit", "parent").annotate(
        objective_count=Count("objectives", distinct=True)
    )
    visible = visible_unit_ids(user)
    if visible is not None:
        plans = plans.filter(org_unit_id__in=visible)
    return plans.order_by("status", "org_unit__name", "-start", "name")


@dataclass
class PlanStructure:
    """A plan's perspectives (in map order), objectives and cause-effect links; archived
    objectives apart, with none of their links."""

    perspectives: list[Perspective]
    objectives: list[Objective]
    links: list[ObjectiveLink]
    archived: list[Objective]

    def objectives_of(self, perspective: Perspective) -> list[Objective]:
        return [o for o in self.objectives if o.perspective_id == perspective.pk]


def plan_structure(*, plan: StrategicPlan) -> PlanStructure:
    """Everything the workspace and the strategy map draw, in three queries."""
    objectives = list(
        plan.objectives.select_related("owner", "org_unit", "parent").order_by("code")
    )
    return PlanStructure(
        perspectives=list(plan.perspectives.order_by("order", "pk")),
        objectives=[o for o in objectives if not o.is_archived],
        links=list(
            ObjectiveLink.objects.filter(
                cause__plan=plan, cause__is_archived=False, effect__is_archived=False
            )
            .select_related("cause", "effect")
            .order_by("cause__code", "effect__code")
        ),
        archived=[o for o in objectives if o.is_archived],
    )


# --- the health checklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class HealthProblem:
    """One thing to fix, and where to fix it."""

    label: str
    url: str


# A page lists this many problems of an item and counts the rest: a plan of thousands of KPIs
# without updaters gets a count and the first few links, not thousands of links.
HEALTH_PROBLEMS_SHOWN = 20


@dataclass
class HealthItem:
    """One line of the checklist: ok when it has no problems."""

    key: str
    title: str
    problems: list[HealthProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def shown(self) -> list[HealthProblem]:
        """The problems a page lists: the first `HEALTH_PROBLEMS_SHOWN`."""
        return self.problems[:HEALTH_PROBLEMS_SHOWN]

    @property
    def more(self) -> int:
        """How many problems the page counts without listing them."""
        return max(0, len(self.problems) - HEALTH_PROBLEMS_SHOWN)

    @property
    def blocks_activation(self) -> bool:
        """A problem of this item leaves the scorecard unable to score or be updated."""
        return self.key in BLOCKING_HEALTH and not self.ok


# The checklist's lines in the order shown; each app fills in the ones about its objects.
HEALTH_TITLES = {
    "perspectives_without_objectives": "Perspectives without objectives",
    "objectives_without_owner": "Objectives without an owner",
    "objectives_without_kpis": "Objectives without KPIs",
    "kpis_without_targets": "KPIs without targets",
    "kpis_without_updaters": "KPIs without updaters",
    "kpis_without_recent_actuals": "KPIs without a recent actual",
    "objectives_without_action_plan": "Objectives without an action plan",
    "weights_adding_to_nothing": "Weights that add up to nothing",
}


# The lines whose problems keep a plan from being activated (the guided setup's last step):
# without them the plan cannot be scored or updated. The others are worth fixing, not blocking.
BLOCKING_HEALTH = frozenset(
    {
        "perspectives_without_objectives",
        "objectives_without_kpis",
        "kpis_without_targets",
        "kpis_without_updaters",
        "weights_adding_to_nothing",
    }
)


def health_item(key: str, problems: Iterable[HealthProblem] = ()) -> HealthItem:
    return HealthItem(key=key, title=HEALTH_TITLES[key], problems=list(problems))


def merge_health(*groups: Iterable[HealthItem]) -> list[HealthItem]:
    """The checklist's items in their fixed order, problems of the same item put together."""
    merged = {key: health_item(key) for key in HEALTH_TITLES}
    for group in groups:
        for item in group:
            merged[item.key].problems.extend(item.problems)
    return list(merged.values())


def _zero(weights: Iterable[Decimal]) -> bool:
    values = list(weights)
    return bool(values) and sum(values, Decimal(0)) == 0


def plan_strategy_health(
    *, plan: StrategicPlan, structure: PlanStructure | None = None
) -> list[HealthItem]:
    """The strategy's own checklist items: empty perspectives, objectives without an owner,
    and perspective or objective weights that sum to 0 within their level.

    `structure` is the plan's, when the caller has already read it (the plan page has).
    """
    if structure is None:
        structure = plan_structure(plan=plan)
    plan_url = reverse("strategy:plan", args=[plan.pk])
    by_perspective: dict[int, list[Objective]] = defaultdict(list)
    for objective in structure.objectives:
        by_perspective[objective.perspective_id].append(objective)

    empty = [
        HealthProblem(perspective.name, f"{plan_url}#perspective-{perspective.pk}")
        for perspective in structure.perspectives
        if not by_perspective[perspective.pk]
    ]
    no_owner = [
        HealthProblem(str(objective), reverse("strategy:objective_edit", args=[objective.pk]))
        for objective in structure.objectives
        if objective.owner_id is None
    ]
    weights = []
    if _zero(p.weight for p in structure.perspectives):
        weights.append(
            HealthProblem("The perspectives' weights are all 0", f"{plan_url}#perspectives")
        )
    for perspective in structure.perspectives:
        if _zero(o.weight for o in by_perspective[perspective.pk]):
            weights.append(
                HealthProblem(
                    f"The weights of the objectives in {perspective.name} are all 0",
                    f"{plan_url}#perspective-{perspective.pk}",
                )
            )
    return [
        health_item("perspectives_without_objectives", empty),
        health_item("objectives_without_owner", no_owner),
        health_item("weights_adding_to_nothing", weights),
    ]


def people_for_plan(
    plan: StrategicPlan,
    *,
    reader: User,
    subtree_ids: set[int] | None = None,
    roles: Iterable[str] = ANY_ROLE,
    keep: Iterable[int | None] = (),
) -> QuerySet[User]:
    """The people a form of the plan offers as owners, updaters or stakeholders.

    Active people holding a role in the plan's unit, a unit above it or below it (those who
    could own its objectives; the services check the objective's own unit), and only those the
    reader may see: with transparency off, a cascaded plan's forms must not list the people of
    the units above. `keep` are the ids already chosen on the object being edited, which its
    page shows anyway. `subtree_ids` are the plan's unit's, when the caller has them (they take
    a query a level). `roles` narrows them to people holding one of those roles there.
    """
    unit = plan.org_unit
    below = unit.subtree_ids() if subtree_ids is None else subtree_ids
    related = below | {ancestor.pk for ancestor in unit.ancestors()}
    return _people_holding(related, reader=reader, roles=roles, keep=keep)


def people_with_access(
    unit: OrgUnit,
    *,
    reader: User,
    roles: Iterable[str] = ANY_ROLE,
    keep: Iterable[int | None] = (),
) -> QuerySet[User]:
    """The people a form offers for something of `unit` (an owner, an updater): active, holding
    one of `roles` in the unit or a unit above it, as `strategy.services.person_access_error`
    requires, and visible to the reader; `keep` as in `people_for_plan`."""
    related = {unit.pk} | {ancestor.pk for ancestor in unit.ancestors()}
    return _people_holding(related, reader=reader, roles=roles, keep=keep)


def _people_holding(
    unit_ids: set[int],
    *,
    reader: User,
    roles: Iterable[str] = ANY_ROLE,
    keep: Iterable[int | None] = (),
) -> QuerySet[User]:
    # One filter() call, so the unit and the role are those of the same membership.
    offered = Q(
        pk__in=Membership.objects.filter(
            org_unit_id__in=unit_ids, org_unit__is_archived=False, role__in=list(roles)
        ).values("user_id")
    )
    if visible_unit_ids(reader) is not None:
        offered &= Q(pk__in=visible_users(reader).values("pk"))
    kept = [pk for pk in keep if pk is not None]
    return User.objects.filter(offered | Q(pk__in=kept), is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def units_for_plan(
    plan: StrategicPlan, *, subtree_ids: set[int] | None = None
) -> QuerySet[OrgUnit]:
    """The active units an objective of the plan may belong to: the plan's unit and below."""
    below = plan.org_unit.subtree_ids() if subtree_ids is None else subtree_ids
    return OrgUnit.objects.filter(pk__in=below, is_archived=False).order_by("name")


def objective_choices(
    plan: StrategicPlan,
    *,
    reader: User,
    unit_id: object = None,
    keep: Iterable[int | None] = (),
) -> tuple[QuerySet[User], QuerySet[OrgUnit]]:
    """What an objective's form offers: as owners, the people who may own an objective of
    its unit (`people_with_access`, the rule `strategy.services.person_access_error` checks,
    as the KPI form offers owners for its objective's unit), and as units `units_for_plan`.

    `unit_id` is the objective's unit (as posted, or as it is): one of the plan's active
    units, else the plan's own unit, which a new objective has until another is chosen.
    """
    units = units_for_plan(plan)
    text = str(unit_id or "")
    unit = units.filter(pk=int(text)).first() if text.isdigit() else None
    return people_with_access(unit or plan.org_unit, reader=reader, keep=keep), units


def plan_stakeholders(plan: StrategicPlan) -> list[Stakeholder]:
    """The plan's stakeholders and its objectives', the plan's first (one query)."""
    return list(
        Stakeholder.objects.filter(Q(plan=plan) | Q(objective__plan=plan))
        .select_related("user", "objective")
        .order_by("objective__code", "user__first_name", "user__last_name", "user__username")
    )


def digest_recipients(plan: StrategicPlan) -> list[User]:
    """Active people who receive the plan's variance-report digest: its stakeholders (of the
    plan or one of its objectives) and the executives over its unit (of the unit or above)."""
    units = [plan.org_unit_id, *(unit.pk for unit in plan.org_unit.ancestors())]
    executives = Q(memberships__role=Role.EXECUTIVE, memberships__org_unit_id__in=units)
    return list(
        User.objects.filter(
            Q(stakeholder_of__plan=plan) | Q(stakeholder_of__objective__plan=plan) | executives,
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )
