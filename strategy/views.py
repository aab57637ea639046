"""The strategy workspace: plans, their perspectives, objectives, links and strategy map.

Who may do what comes from the predicates: a plan or objective the person may not see
answers 404, a change they may not make 403. Every form works as a plain POST (redirect with a
message, or the page again with the errors and status 400) and, with htmx, swaps the part of
the page it changed: the workspace (perspectives, objectives, links, strategy map and health
checklist together, so the map and checklist follow every change) or the plan's basics.

The guided setup's strategy steps are pages here too; its objectives and links steps show the
same workspace partial, and their forms post to the same endpoints with a `step` field saying
which page to return to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.permissions import (
    get_visible_or_404,
    require_perm,
    signed_in_user,
)
from core.htmx import HtmxHttpRequest, wants_fragment
from core.validation import add_service_error
from strategy import extensions, services
from strategy.forms import (
    ObjectiveForm,
    ObjectiveLinkForm,
    PerspectiveForm,
    PerspectiveMoveForm,
    PlanBasicsForm,
    PlanForm,
    PlanVisionForm,
    StakeholderForm,
    objective_initial,
    plan_initial,
)
from strategy.models import Objective, ObjectiveLink, Perspective, Stakeholder, StrategicPlan
from strategy.selectors import (
    objective_choices,
    people_for_plan,
    plan_stakeholders,
    plan_structure,
    plans_for,
)
from strategy.setup import next_step_url, setup_steps, step_url
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


# --- the plan list -------------------------------------------------------------------------------


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


# --- the plan page and its workspace -------------------------------------------------------------


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
                    initial={"name": perspective.name, "weight": perspective.weight},
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
) -> HttpResponse:
    """After a change: the changed partial with htmx, else back to the page with a message."""
    if wants_fragment(request):
        return _render_plan(request, plan, partial=partial, step=step, notice=notice)
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


# --- perspectives --------------------------------------------------------------------------------


@require_POST
@login_required
def perspective_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    form = PerspectiveForm(request.POST, prefix="new-perspective")
    if form.is_valid():
        try:
            perspective = services.perspective_create(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(request, plan, f"{perspective.name} was added.", anchor="perspectives")
    return _render_plan(request, plan, status=400, new_perspective_form=form)


@require_POST
@login_required
def perspective_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    perspective = _perspective_for_change(request, pk)
    plan = perspective.plan
    form = PerspectiveForm(request.POST, prefix=f"perspective-{perspective.pk}")
    if form.is_valid():
        try:
            perspective = services.perspective_update(perspective=perspective, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(request, plan, f"{perspective.name} was saved.", anchor="perspectives")
    return _render_plan(request, plan, status=400, perspective_form=(perspective.pk, form))


@require_POST
@login_required
def perspective_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    perspective = _perspective_for_change(request, pk)
    form = PerspectiveMoveForm(request.POST)
    if not form.is_valid():
        return _render_plan(
            request, perspective.plan, status=400, errors=["Choose where to move it."]
        )
    services.perspective_reorder(perspective=perspective, position=form.cleaned_data["position"])
    return _saved(
        request, perspective.plan, f"{perspective.name} was moved.", anchor="perspectives"
    )


@require_POST
@login_required
def perspective_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    perspective = _perspective_for_change(request, pk)
    try:
        services.perspective_delete(perspective=perspective)
    except ValidationError as error:
        return _render_plan(
            request, perspective.plan, status=400, errors=error.messages, errors_at="perspectives"
        )
    return _saved(
        request, perspective.plan, f"{perspective.name} was removed.", anchor="perspectives"
    )


# --- objectives ----------------------------------------------------------------------------------


def _objective_form(
    request: HttpRequest,
    plan: StrategicPlan,
    data: Any = None,
    *,
    prefix: str,
    editing: Objective | None = None,
    **kwargs: Any,
) -> ObjectiveForm:
    keep = [editing.owner_id] if editing is not None else []
    people, units = objective_choices(plan, reader=signed_in_user(request), keep=keep)
    return ObjectiveForm(data, plan=plan, people=people, units=units, prefix=prefix, **kwargs)


@require_POST
@login_required
def objective_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    step = _posted_step(request)
    perspective = plan.perspectives.filter(pk=request.POST.get("perspective_id") or 0).first()
    if perspective is None:
        return _render_plan(
            request, plan, status=400, step=step, errors=["Choose a perspective of this plan."]
        )
    form = _objective_form(
        request, plan, request.POST, prefix=f"new-{perspective.pk}", fixed_perspective=perspective
    )
    if form.is_valid():
        try:
            objective = services.objective_create(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(
                request,
                plan,
                f"{objective} was added to {objective.perspective}.",
                step=step,
                anchor=f"objective-{objective.pk}",
            )
    return _render_plan(request, plan, status=400, step=step, add_form=(perspective.pk, form))


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def objective_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the plan page with this objective's form in its place (with htmx, just that)."""
    objective = _objective_for_change(request, pk)
    plan = objective.plan
    prefix = f"objective-{objective.pk}"
    if request.method == "GET":
        step = _step(request.GET.get("step", ""))
        form = _objective_form(
            request, plan, prefix=prefix, editing=objective, initial=objective_initial(objective)
        )
        if wants_fragment(request):
            return render(
                request,
                "strategy/plan.html#objective_item",
                {
                    "plan": plan,
                    "can_edit": True,
                    "step": step,
                    "item": ObjectiveItem(objective, form),
                },
            )
        return _render_plan(request, plan, step=step, editing=(objective.pk, form))
    step = _posted_step(request)
    form = _objective_form(request, plan, request.POST, prefix=prefix, editing=objective)
    if form.is_valid():
        data = {"parent": None, **form.cleaned_data}
        try:
            objective = services.objective_update(objective=objective, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(
                request, plan, f"{objective} was saved.", step=step, anchor=f"objective-{pk}"
            )
    return _render_plan(request, plan, status=400, step=step, editing=(objective.pk, form))


@require_POST
@login_required
def objective_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    objective = _objective_for_change(request, pk)
    plan = objective.plan
    step = _posted_step(request)
    perspective = plan.perspectives.filter(pk=request.POST.get("perspective") or 0).first()
    if perspective is None:
        return _render_plan(
            request, plan, status=400, step=step, errors=["Choose a perspective of this plan."]
        )
    objective = services.objective_move(objective=objective, perspective=perspective)
    return _saved(
        request,
        plan,
        f"{objective} was moved to {perspective.name}.",
        step=step,
        anchor=f"objective-{pk}",
    )


@require_POST
@login_required
def objective_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Take the objective off the map and out of the scores; its KPIs and plans stay."""
    return _objective_archived(request, pk, archive=True)


@require_POST
@login_required
def objective_restore(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _objective_archived(request, pk, archive=False)


def _objective_archived(request: HtmxHttpRequest, pk: int, *, archive: bool) -> HttpResponse:
    objective = _objective_for_change(request, pk)
    plan, step = objective.plan, _posted_step(request)
    change = services.objective_archive if archive else services.objective_restore
    try:
        objective = change(objective=objective)
    except ValidationError as error:
        return _render_plan(request, plan, status=400, step=step, errors=error.messages)
    if archive:
        notice = (
            f"{objective} was archived: it is off the strategy map and out of the scores. "
            "Its KPIs, their history and its action plans are kept as they are."
        )
        anchor = "archived-objectives"
    else:
        notice, anchor = f"{objective} was restored.", f"objective-{pk}"
    return _saved(request, plan, notice, step=step, anchor=anchor)


# --- cause-effect links --------------------------------------------------------------------------


@require_POST
@login_required
def link_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    step = _posted_step(request)
    form = ObjectiveLinkForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            link = services.objective_link_create(**form.cleaned_data)
        except ValidationError as error:
            # A cycle or a self-link is about the pair chosen: shown at the effect.
            form.add_error("effect", error)
        else:
            return _saved(request, plan, f"{link} was linked.", step=step, anchor="links")
    return _render_plan(request, plan, status=400, step=step, link_form=form)


@require_POST
@login_required
def link_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    link = _link_for_change(request, pk)
    plan = link.cause.plan
    services.objective_link_delete(link=link)
    return _saved(request, plan, f"{link} was removed.", step=_posted_step(request), anchor="links")


def _link_for_change(request: HttpRequest, pk: int) -> ObjectiveLink:
    """The link: 404 unless its objectives are visible, 403 unless they may change."""
    link = get_object_or_404(
        ObjectiveLink.objects.select_related(
            "cause__plan__org_unit", "cause__plan__parent", "effect"
        ),
        pk=pk,
    )
    if not request.user.has_perm("strategy.view_objective", link.cause):
        raise Http404
    require_perm(request.user, "strategy.change_objective", link.cause)
    return link


# --- stakeholders ----------------------------------------------------------------------------


@require_POST
@login_required
def stakeholder_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    form = StakeholderForm(
        request.POST,
        plan=plan,
        people=people_for_plan(plan, reader=signed_in_user(request)),
        prefix="stakeholder",
    )
    if form.is_valid():
        try:
            stakeholder = services.stakeholder_add(
                user=form.cleaned_data["user"],
                involvement=form.cleaned_data["involvement"],
                **form.subject_kwargs(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            involvement = stakeholder.get_involvement_display().lower()
            return _saved(
                request,
                plan,
                f"{stakeholder.user.display_name} is now {involvement} on {stakeholder.subject}.",
                anchor="stakeholders",
                partial="stakeholders",
            )
    return _render_plan(request, plan, partial="stakeholders", status=400, stakeholder_form=form)


@require_POST
@login_required
def stakeholder_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    stakeholder = get_object_or_404(
        Stakeholder.objects.select_related("plan", "objective__plan", "user"), pk=pk
    )
    plan = stakeholder.plan or stakeholder.objective.plan  # type: ignore[union-attr]
    if not request.user.has_perm("strategy.view_plan", plan):
        raise Http404
    require_perm(request.user, "strategy.change_plan", plan)
    services.stakeholder_remove(stakeholder=stakeholder)
    return _saved(
        request,
        plan,
        f"{stakeholder.user.display_name} is no longer a stakeholder of {stakeholder.subject}.",
        anchor="stakeholders",
        partial="stakeholders",
    )


# --- the guided setup ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def setup(request: HtmxHttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the guided setup: basics and vision are forms here; the objectives and
    links steps show the workspace; the last step points to where action plans are made."""
    plan = plan_for_change(request, pk)
    form_class = SETUP_FORMS.get(step)
    if request.method == "POST":
        if form_class is None:
            raise PermissionDenied("This step has no form of its own.")
        form = form_class(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_update(plan=plan, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                url = next_step_url(plan, step)
                if wants_fragment(request):
                    return HttpResponseClientRedirect(url)
                messages.success(request, f"{plan.name} was saved.")
                return redirect(url)
        return _render_setup(request, plan, step, form, status=400)
    return _render_setup(
        request, plan, step, form_class(initial=plan_initial(plan)) if form_class else None
    )


def _render_setup(
    request: HtmxHttpRequest,
    plan: StrategicPlan,
    step: str,
    form: PlanBasicsForm | PlanVisionForm | None,
    status: int = 200,
) -> HttpResponse:
    context = _workspace_context(request, plan, step=step)
    context.update(
        {
            "form": form,
            "next_url": next_step_url(plan, step),
            "objectives": [
                (item, extensions.actions_for_objective(signed_in_user(request), item.objective))
                for section in context["sections"]
                for item in section.items
            ],
        }
    )
    template = (
        "strategy/setup.html#step_form"
        if form and wants_fragment(request)
        else "strategy/setup.html"
    )
    return render(request, template, context, status=status)
