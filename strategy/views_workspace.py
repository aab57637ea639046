"""The workspace's edits: perspectives, objectives, cause-effect links and stakeholders.

Each form works as a plain POST and, with htmx, swaps the workspace; adding an objective swaps
only its perspective (and, out of band, the map, links and checklist that follow it), so what
is half-typed in the other perspectives' forms stays. The guided setup's objectives and links
steps post here too, with a `step` field saying which page to return to.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.permissions import require_perm, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from core.validation import add_service_error
from strategy import services
from strategy.forms import (
    ObjectiveForm,
    ObjectiveLinkForm,
    PerspectiveForm,
    PerspectiveMoveForm,
    StakeholderForm,
    objective_initial,
)
from strategy.models import Objective, ObjectiveLink, Stakeholder, StrategicPlan
from strategy.selectors import objective_choices, people_for_plan
from strategy.views import (
    ObjectiveItem,
    objective_for_change,
    perspective_for_change,
    plan_for_change,
    posted_step,
    render_plan,
    saved_answer,
    workspace_step,
)


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
            return saved_answer(
                request, plan, f"{perspective.name} was added.", anchor="perspectives"
            )
    return render_plan(request, plan, status=400, new_perspective_form=form)


@require_POST
@login_required
def perspective_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    perspective = perspective_for_change(request, pk)
    plan = perspective.plan
    form = PerspectiveForm(request.POST, prefix=f"perspective-{perspective.pk}")
    if form.is_valid():
        try:
            perspective = services.perspective_update(perspective=perspective, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return saved_answer(
                request, plan, f"{perspective.name} was saved.", anchor="perspectives"
            )
    return render_plan(request, plan, status=400, perspective_form=(perspective.pk, form))


@require_POST
@login_required
def perspective_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    perspective = perspective_for_change(request, pk)
    form = PerspectiveMoveForm(request.POST)
    if not form.is_valid():
        return render_plan(
            request, perspective.plan, status=400, errors=["Choose where to move it."]
        )
    services.perspective_reorder(perspective=perspective, position=form.cleaned_data["position"])
    return saved_answer(
        request, perspective.plan, f"{perspective.name} was moved.", anchor="perspectives"
    )


@require_POST
@login_required
def perspective_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    perspective = perspective_for_change(request, pk)
    try:
        services.perspective_delete(perspective=perspective)
    except ValidationError as error:
        return render_plan(
            request, perspective.plan, status=400, errors=error.messages, errors_at="perspectives"
        )
    return saved_answer(
        request, perspective.plan, f"{perspective.name} was removed.", anchor="perspectives"
    )


def _objective_form(
    request: HttpRequest,
    plan: StrategicPlan,
    data: Any = None,
    *,
    prefix: str,
    editing: Objective | None = None,
    **kwargs: Any,
) -> ObjectiveForm:
    """The objective's form, offering as owners the people who may own an objective of its
    unit: the unit posted, else the objective's own (a new one's is the plan's)."""
    keep = [editing.owner_id] if editing is not None else []
    unit_id: object = editing.org_unit_id if editing is not None else None
    if data is not None:
        unit_id = data.get(f"{prefix}-org_unit") or unit_id
    people, units = objective_choices(
        plan, reader=signed_in_user(request), unit_id=unit_id, keep=keep
    )
    return ObjectiveForm(data, plan=plan, people=people, units=units, prefix=prefix, **kwargs)


# The prefixes of the objective forms of the plan page: adding to a perspective, or editing.
_NEW_OBJECTIVE = re.compile(r"new-\d+")
_EDITED_OBJECTIVE = re.compile(r"objective-(\d+)")


@require_GET
@login_required
def objective_owners(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner field of the objective form named by `prefix`, offering the people who may
    own an objective of the unit chosen in it: what the form's unit field asks for when it
    changes. The owner chosen stays chosen when they still qualify."""
    plan = plan_for_change(request, pk)
    prefix = request.GET.get("prefix", "")
    editing = None
    if edited := _EDITED_OBJECTIVE.fullmatch(prefix):
        editing = get_object_or_404(Objective, pk=int(edited[1]), plan=plan)
    elif not _NEW_OBJECTIVE.fullmatch(prefix):
        return HttpResponseBadRequest(
            "Name the objective form: new-<perspective> or objective-<id>."
        )
    people, units = objective_choices(
        plan,
        reader=signed_in_user(request),
        unit_id=request.GET.get(f"{prefix}-org_unit"),
        keep=[editing.owner_id] if editing is not None else [],
    )
    # Unbound, so the field is not judged before the person has chosen anyone.
    form = ObjectiveForm(
        plan=plan,
        people=people,
        units=units,
        prefix=prefix,
        initial={"owner": request.GET.get(f"{prefix}-owner")},
    )
    return HttpResponse(str(form["owner"]))


@require_POST
@login_required
def objective_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    step = posted_step(request)
    perspective = plan.perspectives.filter(pk=request.POST.get("perspective_id") or 0).first()
    if perspective is None:
        return render_plan(
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
            return saved_answer(
                request,
                plan,
                f"{objective} was added to {objective.perspective}.",
                step=step,
                anchor=f"objective-{objective.pk}",
                partial="objective_added",
                added_to=perspective.pk,
            )
    return render_plan(
        request,
        plan,
        partial="objective_added",
        status=400,
        step=step,
        add_form=(perspective.pk, form),
        added_to=perspective.pk,
    )


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def objective_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the plan page with this objective's form in its place (with htmx, just that)."""
    objective = objective_for_change(request, pk)
    plan = objective.plan
    prefix = f"objective-{objective.pk}"
    if request.method == "GET":
        step = workspace_step(request.GET.get("step", ""))
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
        return render_plan(request, plan, step=step, editing=(objective.pk, form))
    step = posted_step(request)
    form = _objective_form(request, plan, request.POST, prefix=prefix, editing=objective)
    if form.is_valid():
        data = {"parent": None, **form.cleaned_data}
        try:
            objective = services.objective_update(objective=objective, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return saved_answer(
                request, plan, f"{objective} was saved.", step=step, anchor=f"objective-{pk}"
            )
    return render_plan(request, plan, status=400, step=step, editing=(objective.pk, form))


@require_POST
@login_required
def objective_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    objective = objective_for_change(request, pk)
    plan = objective.plan
    step = posted_step(request)
    perspective = plan.perspectives.filter(pk=request.POST.get("perspective") or 0).first()
    if perspective is None:
        return render_plan(
            request, plan, status=400, step=step, errors=["Choose a perspective of this plan."]
        )
    objective = services.objective_move(objective=objective, perspective=perspective)
    return saved_answer(
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
    objective = objective_for_change(request, pk)
    plan, step = objective.plan, posted_step(request)
    change = services.objective_archive if archive else services.objective_restore
    try:
        objective = change(objective=objective)
    except ValidationError as error:
        return render_plan(request, plan, status=400, step=step, errors=error.messages)
    if archive:
        notice = (
            f"{objective} was archived: it is off the strategy map and out of the scores. "
            "Its KPIs, their history and its action plans are kept as they are."
        )
        anchor = "archived-objectives"
    else:
        notice, anchor = f"{objective} was restored.", f"objective-{pk}"
    return saved_answer(request, plan, notice, step=step, anchor=anchor)


@require_POST
@login_required
def link_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    step = posted_step(request)
    form = ObjectiveLinkForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            link = services.objective_link_create(**form.cleaned_data)
        except ValidationError as error:
            # A cycle or a self-link is about the pair chosen: shown at the effect.
            form.add_error("effect", error)
        else:
            return saved_answer(request, plan, f"{link} was linked.", step=step, anchor="links")
    return render_plan(request, plan, status=400, step=step, link_form=form)


@require_POST
@login_required
def link_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    link = _link_for_change(request, pk)
    plan = link.cause.plan
    services.objective_link_delete(link=link)
    return saved_answer(
        request, plan, f"{link} was removed.", step=posted_step(request), anchor="links"
    )


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
            return saved_answer(
                request,
                plan,
                f"{stakeholder.user.display_name} is now {involvement} on {stakeholder.subject}.",
                anchor="stakeholders",
                partial="stakeholders",
            )
    return render_plan(request, plan, partial="stakeholders", status=400, stakeholder_form=form)


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
    return saved_answer(
        request,
        plan,
        f"{stakeholder.user.display_name} is no longer a stakeholder of {stakeholder.subject}.",
        anchor="stakeholders",
        partial="stakeholders",
    )
