"""The strategy workspace: plans, their perspectives, objectives, links and strategy map.

This module holds the plan list, the plan page with its workspace, and fetching a plan,
perspective or objective for a person; the workspace's edits are in strategy/views_workspace.py
and the guided setup's pages in strategy/views_setup.py.

Who may do what comes from the predicates: a plan or objective the person may not see
answers 404, a change they may not make 403. Every form works as a plain POST (redirect with a
message, or the page again with the errors and status 400) and, with htmx, swaps the part of
the page it changed: the workspace (perspectives, objectives, links, strategy map and health
checklist together, so the map and checklist follow every change) or the plan's basics.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.permissions import get_visible_or_404, require_perm, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from core.numbers import plain_number
from core.validation import add_service_error
from strategy import extensions, services
from strategy.forms import (
    ObjectiveForm,
    ObjectiveLinkForm,
    PerspectiveForm,
    PlanBasicsForm,
    PlanForm,
    PlanVisionForm,
    StakeholderForm,
    plan_initial,
)
from strategy.models import Objective, Perspective, StrategicPlan
from strategy.selectors import objective_choices, plan_stakeholders, plan_structure, plans_for
from strategy.setup import setup_steps, step_url
from strategy.strategy_map import layout

# Steps of the guided setup whose page shows the workspace partial, and those with a form.
WORKSPACE_STEPS = ("objectives", "links")
SETUP_FORMS: dict[str, type[PlanBasicsForm | PlanVisionForm]] = {
    "basics": PlanBasicsForm,
    "vision": PlanVisionForm,
}


def plan_for_view(request: HttpRequest, pk: int) -> StrategicPlan:
    """The plan: 404 for people who may not see it. The KPI pages of a plan use it too."""
    return get_visible_or_404(
        request.user,
        StrategicPlan.objects.select_related("org_unit", "parent"),
        "strategy.view_plan",
        pk=pk,
    )


def plan_for_change(request: HttpRequest, pk: int) -> StrategicPlan:
    """The plan: 404 for people who may not see it, 403 for those who may not change it."""
    plan = plan_for_view(request, pk)
    require_perm(request.user, "strategy.change_plan", plan)
    return plan


def _perspective_for_change(request: HttpRequest, pk: int) -> Perspective:
    """The perspective: 404 unless its plan is visible, 403 unless the plan may change."""
    perspective = get_object_or_404(
        Perspective.objects.select_related("plan__org_unit", "plan__parent"), pk=pk
    )
    if not request.user.has_perm("strategy.view_plan", perspective.plan):
        raise Http404
    require_perm(request.user, "strategy.change_plan", perspective.plan)
    return perspective


def _objective_for_change(request: HttpRequest, pk: int) -> Objective:
    objective = get_visible_or_404(
        request.user,
        Objective.objects.select_related("plan__org_unit", "plan__parent", "perspective"),
        "strategy.view_objective",
        pk=pk,
    )
    require_perm(request.user, "strategy.change_objective", objective)
    return objective


def _step(step: str) -> str:
    return step if step in WORKSPACE_STEPS else ""


def _posted_step(request: HttpRequest) -> str:
    return _step(request.POST.get("step", ""))


@require_GET
@login_required
def plans(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "strategy/plans.html",
        {
            "plans": plans_for(user),
            "actions": extensions.actions_for_plans(user),
        },
    )


@dataclass
class ObjectiveItem:
    objective: Objective
    form: ObjectiveForm | None = None  # set while the objective is being edited


@dataclass
class PerspectiveSection:
    perspective: Perspective
    items: list[ObjectiveItem]
    add_form: ObjectiveForm | None
    edit_form: PerspectiveForm | None
    position: int
    is_last: bool


def _workspace_context(
    request: HttpRequest,
    plan: StrategicPlan,
    *,
    step: str = "",
    add_form: tuple[int, ObjectiveForm] | None = None,
    editing: tuple[int, ObjectiveForm] | None = None,
    perspective_form: tuple[int, PerspectiveForm] | None = None,
    new_perspective_form: PerspectiveForm | None = None,
    link_form: ObjectiveLinkForm | None = None,
    plan_form: PlanForm | None = None,
    stakeholder_form: StakeholderForm | None = None,
    notice: str = "",
    errors: list[str] | None = None,
    errors_at: str = "",
    added_to: int | None = None,
) -> dict[str, Any]:
    """Everything plan.html and its partials show; bound forms replace the fresh ones."""
    user = signed_in_user(request)
    can_edit = user.has_perm("strategy.change_plan", plan)
    structure = plan_structure(plan=plan)
    # One queryset each for every form of the page, so their options are fetched once.
    people, units = objective_choices(plan, reader=user)

    def objective_form(perspective: Perspective) -> ObjectiveForm:
        if add_form is not None and add_form[0] == perspective.pk:
            return add_form[1]
        return ObjectiveForm(
            plan=plan,
            people=people,
            units=units,
            fixed_perspective=perspective,
            prefix=f"new-{perspective.pk}",
        )

    sections = []
    last = len(structure.perspectives) - 1
    for position, perspective in enumerate(structure.perspectives):
        edit_form = None
        if can_edit:
            if perspective_form is not None and perspective_form[0] == perspective.pk:
                edit_form = perspective_form[1]
            else:
                edit_form = PerspectiveForm(
                    initial={"name": perspective.name, "weight": plain_number(perspective.weight)},
                    prefix=f"perspective-{perspective.pk}",
                )
        sections.append(
            PerspectiveSection(
                perspective=perspective,
                items=[
                    ObjectiveItem(
                        objective,
                        editing[1] if editing and editing[0] == objective.pk else None,
                    )
                    for objective in structure.objectives_of(perspective)
                ],
                add_form=objective_form(perspective) if can_edit else None,
                edit_form=edit_form,
                position=position,
                is_last=position == last,
            )
        )
    return {
        "plan": plan,
        "step": step,
        "steps": setup_steps(plan, step) if step else [],
        "can_edit": can_edit,
        "sections": sections,
        "plan_links": extensions.links_for_plan(signed_in_user(request), plan),
        # Rendered only if the template shows them (the templates call a callable).
        "plan_sections": partial(extensions.sections_for_plan, request, plan, can_edit, structure),
        "links": structure.links,
        "archived": structure.archived,
        "strategy_map": layout(structure.perspectives, structure.objectives, structure.links),
        "map_id": f"plan-{plan.pk}-map",
        "link_form": link_form or (ObjectiveLinkForm(plan=plan) if can_edit else None),
        "new_perspective_form": new_perspective_form
        or (PerspectiveForm(prefix="new-perspective") if can_edit else None),
        "plan_form": plan_form
        or (PlanForm(initial=plan_initial(plan), prefix="plan") if can_edit else None),
        "stakeholders": plan_stakeholders(plan),
        "stakeholder_form": stakeholder_form
        or (StakeholderForm(plan=plan, people=people, prefix="stakeholder") if can_edit else None),
        "notice": notice,
        "errors": errors or [],
        "errors_at": errors_at,
        "added_to": added_to,
    }


def _render_plan(
    request: HtmxHttpRequest,
    plan: StrategicPlan,
    *,
    partial: str = "workspace",
    status: int = 200,
    step: str = "",
    **context: Any,
) -> HttpResponse:
    """The plan's page (or its setup step's page), or with htmx one of its partials."""
    data = _workspace_context(request, plan, step=step, **context)
    data["partial_name"] = partial
    if wants_fragment(request):
        template = f"strategy/plan.html#{partial}"
    elif step:
        template = "strategy/setup.html"
    else:
        template = "strategy/plan.html"
    return render(request, template, data, status=status)


def _saved(
    request: HtmxHttpRequest,
    plan: StrategicPlan,
    notice: str,
    *,
    step: str = "",
    anchor: str = "",
    partial: str = "workspace",
    **context: Any,
) -> HttpResponse:
    """After a change: the changed partial with htmx, else back to the page with a message."""
    if wants_fragment(request):
        return _render_plan(request, plan, partial=partial, step=step, notice=notice, **context)
    messages.success(request, notice)
    url = step_url(plan, step) if step else reverse("strategy:plan", args=[plan.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def plan(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _render_plan(request, plan_for_view(request, pk))


@require_POST
@login_required
def plan_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    form = PlanForm(request.POST, prefix="plan")
    if form.is_valid():
        try:
            plan = services.plan_update(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(request, plan, f"{plan.name} was saved.", partial="basics")
    return _render_plan(request, plan, partial="basics", status=400, plan_form=form)


@require_POST
@login_required
def plan_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    try:
        plan = services.plan_archive(plan=plan)
    except ValidationError as error:
        return _render_plan(
            request, plan, partial="basics", status=400, errors=error.messages, errors_at="basics"
        )
    return _saved(request, plan, f"{plan.name} was archived.", partial="basics")
