"""The action-plan pages: the list, a plan with its SMART panel and tasks, My tasks.

Every write goes through actionplans/services.py; a refusal is shown at its field.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import OrgUnit, User
from accounts.permissions import get_visible_or_404, require_perm, signed_in_user
from actionplans import selectors, services
from actionplans.forms import (
    ActionPlanForm,
    KpiLinkForm,
    MilestoneForm,
    StatusForm,
    TaskForm,
    TaskProgressForm,
    TimelineFilterForm,
)
from actionplans.models import ActionPlan, Milestone, Task
from actionplans.schedule import percent
from actionplans.timeline import layout
from core.htmx import HtmxHttpRequest, wants_fragment
from core.validation import add_service_error
from kpis.models import Kpi
from strategy.models import Objective
from strategy.selectors import people_with_access

VIEW = "actionplans.view_actionplan"
CHANGE = "actionplans.change_actionplan"


def _plan_for_view(request: HttpRequest, pk: int) -> ActionPlan:
    queryset = ActionPlan.objects.select_related("objective__plan", "org_unit", "owner")
    return get_visible_or_404(request.user, queryset, VIEW, pk=pk)


def _plan_for_edit(request: HttpRequest, pk: int) -> ActionPlan:
    action_plan = _plan_for_view(request, pk)
    require_perm(request.user, CHANGE, action_plan)
    return action_plan


def _task_for_update(request: HttpRequest, pk: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("action_plan"), pk=pk)
    if not request.user.has_perm(VIEW, task.action_plan):
        raise Http404
    require_perm(request.user, "actionplans.change_task", task)
    return task


def _version(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _refusal_status(error: ValidationError) -> int:
    """409 when the edit was based on an older version (as on My updates), else 400."""
    return 409 if isinstance(error, services.VersionConflict) else 400


def _status(action_plan: ActionPlan) -> dict[str, Any]:
    done = selectors.plan_progress(action_plan)
    return {
        "progress": percent(done),
        "schedule": selectors.plan_schedule(action_plan, timezone.localdate()),
    }


@require_GET
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """Action plans the person may see, filtered by unit, objective, status and owner; a value
    of the address that cannot be used is named and left out of the filter."""
    visible = selectors.visible_action_plans(signed_in_user(request))
    choices = selectors.plan_list_choices(visible.prefetch_related(None))
    chosen, problems = selectors.parse_plan_list_filter(request.GET, choices)
    today = timezone.localdate()
    rows = [
        (plan, percent(selectors.plan_progress(plan)), selectors.plan_schedule(plan, today))
        for plan in selectors.filter_action_plans(visible, chosen)
    ]
    context = {
        "rows": rows,
        "chosen": chosen,
        "problems": problems,
        "choices": choices,
        "statuses": ActionPlan.Status.choices,
    }
    return render(request, "actionplans/plans.html", context)


@require_GET
@login_required
def timeline(request: HttpRequest) -> HttpResponse:
    """The plans the person may see along a time axis, with their milestones and today's line,
    and the same plans and milestones in a table; filtered by unit and status."""
    user = signed_in_user(request)
    visible = selectors.visible_action_plans(user).prefetch_related(None)
    units = OrgUnit.objects.filter(pk__in=visible.values("org_unit_id")).order_by("name")
    form = TimelineFilterForm(request.GET or None, units=units)
    today = timezone.localdate()
    spans = []
    if not form.is_bound or form.is_valid():
        chosen = form.cleaned_data if form.is_bound else {}
        unit = chosen.get("org_unit")
        plans = selectors.timeline_plans(
            user, org_unit_id=unit.pk if unit else None, status=chosen.get("status") or None
        )
        spans = [
            selectors.plan_span(p, today=today, href=reverse("actionplans:plan", args=[p.pk]))
            for p in plans
        ]
    context = {"form": form, "timeline": layout(spans, today=today)}
    return render(request, "actionplans/timeline.html", context, status=400 if form.errors else 200)


def _prefill(request: HttpRequest, objective: Objective) -> tuple[dict[str, Any], Kpi | None]:
    """Initial values for a new plan; from an off-track KPI, its goal and corrective action."""
    today = timezone.localdate()
    horizon = objective.plan
    start = min(max(today, horizon.start), horizon.end)
    initial: dict[str, Any] = {"start_date": start, "due_date": horizon.end}
    kpi = None
    kpi_id = request.GET.get("kpi", "")
    if kpi_id.isdigit():
        kpi = get_visible_or_404(
            request.user, Kpi.objects.filter(objective=objective), "kpis.view_kpi", pk=int(kpi_id)
        )
        actual = kpi.actuals.exclude(corrective_action="").order_by("-period").first()
        initial["name"] = f"Bring {kpi.code} back on track"
        if actual is not None:
            initial["description"] = actual.corrective_action
    return initial, kpi


def _kpi_goal(kpi: Kpi) -> Decimal | None:
    target = kpi.targets.filter(goal__isnull=False).order_by("-period").first()
    return target.goal if target is not None else None


@require_http_methods(["GET", "POST"])
@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    """A new draft plan for an objective (?objective=), prefilled from a KPI (?kpi=)."""
    objective_id = request.GET.get("objective", "")
    if not objective_id.isdigit():
        raise Http404
    objective = get_visible_or_404(
        request.user,
        Objective.objects.select_related("plan"),
        "strategy.view_objective",
        pk=int(objective_id),
    )
    require_perm(request.user, "actionplans.add_actionplan", objective)
    initial, kpi = _prefill(request, objective)
    # Only people with a role over the unit may own its work (`owner_refusal`).
    people = people_with_access(objective.org_unit, reader=signed_in_user(request))
    form = ActionPlanForm(request.POST or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        goal = _kpi_goal(kpi) if kpi is not None else None
        try:
            action_plan = services.action_plan_create(
                objective=objective, kpi=kpi, expected_value=goal, **data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Draft plan created. The SMART panel shows what it lacks.")
            return redirect("actionplans:plan", action_plan.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "objective": objective, "kpi": kpi}
    return render(request, "actionplans/plan_new.html", context, status=status)


def _owners(action_plan: ActionPlan, *, reader: User) -> QuerySet[User]:
    """Who the plan's forms offer as owners: those with a role over its unit, as the services
    require (`owner_refusal`), and its present owner."""
    return people_with_access(action_plan.org_unit, reader=reader, keep=[action_plan.owner_id])


def _plan_page(
    request: HttpRequest, action_plan: ActionPlan, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = signed_in_user(request)
    can_edit = user.has_perm(CHANGE, action_plan)
    people = _owners(action_plan, reader=user)
    tasks = list(action_plan.tasks.select_related("owner", "milestone"))
    milestones = list(action_plan.milestones.all())
    rows = [(task, user.has_perm("actionplans.change_task", task)) for task in tasks]
    # Tasks under their milestone, in the milestones' order; those with none come last.
    groups: list[tuple[Milestone | None, list[tuple[Task, bool]]]] = [
        (m, [r for r in rows if r[0].milestone_id == m.pk]) for m in milestones
    ]
    unplaced = [r for r in rows if r[0].milestone_id is None]
    if unplaced or not milestones:
        groups.append((None, unplaced))
    context = {
        "plan": action_plan,
        "smart": services.smart_check(action_plan),
        "can_edit": can_edit,
        "links": action_plan.kpi_links.select_related("kpi"),
        "groups": groups,
        "statuses": ActionPlan.Status.choices,
        "task_statuses": Task.Status.choices,
        "form": forms.get("form")
        or ActionPlanForm(
            instance=action_plan, people=people, initial={"version": action_plan.version}
        ),
        "link_form": forms.get("link_form")
        or KpiLinkForm(kpis=Kpi.objects.filter(plan=action_plan.objective.plan)),
        "task_form": forms.get("task_form")
        or TaskForm(people=people, milestones=action_plan.milestones.all()),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "status_error": forms.get("status_error"),
        **_status(action_plan),
    }
    return render(request, "actionplans/plan.html", context, status=status)


@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: its SMART panel, linked KPIs, milestones and tasks, progress against time."""
    return _plan_page(request, _plan_for_view(request, pk))


@require_POST
@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action_plan = _plan_for_edit(request, pk)
    form = ActionPlanForm(
        request.POST,
        instance=action_plan,
        people=_owners(action_plan, reader=signed_in_user(request)),
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        expected = _version(data.pop("version", None))
        try:
            services.action_plan_update(action_plan=action_plan, expected_version=expected, **data)
        except ValidationError as error:
            add_service_error(form, error)
            status = _refusal_status(error)
        else:
            messages.success(request, "Plan saved.")
            return redirect("actionplans:plan", pk)
    else:
        status = 400
    return _plan_page(request, _plan_for_view(request, pk), status=status, form=form)


@require_POST
@login_required
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the plan to another status; active only when it is SMART."""
    action_plan = _plan_for_edit(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, action_plan, status=400, status_error="Choose a status.")
    try:
        services.action_plan_update(
            action_plan=action_plan,
            expected_version=_version(form.cleaned_data["version"]),
            status=form.cleaned_data["status"],
        )
    except ValidationError as error:
        return _plan_page(
            request,
            action_plan,
            status=_refusal_status(error),
            status_error=" ".join(error.messages),
        )
    messages.success(request, "Status changed.")
    return redirect("actionplans:plan", pk)


@require_POST
@login_required
def plan_kpi_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Measurable: link a KPI with the value it should reach and by when."""
    action_plan = _plan_for_edit(request, pk)
    form = KpiLinkForm(request.POST, kpis=Kpi.objects.filter(plan=action_plan.objective.plan))
    return _add_to_plan(request, action_plan, form, services.action_plan_kpi_set, "link_form")


@require_POST
@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A milestone of the plan, inside its dates; tasks are then grouped under it."""
    action_plan = _plan_for_edit(request, pk)
    form = MilestoneForm(request.POST)
    return _add_to_plan(request, action_plan, form, services.milestone_create, "milestone_form")


@require_POST
@login_required
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    action_plan = _plan_for_edit(request, pk)
    form = TaskForm(
        request.POST,
        people=_owners(action_plan, reader=signed_in_user(request)),
        milestones=action_plan.milestones.all(),
    )
    return _add_to_plan(request, action_plan, form, services.task_create, "task_form")


def _add_to_plan(
    request: HttpRequest,
    action_plan: ActionPlan,
    form: forms.Form,
    create: Callable[..., object],
    form_name: str,
) -> HttpResponse:
    """Create something of the plan from the form through its service: back to the plan, or
    the plan's page with the refusal at the form's fields (400)."""
    if form.is_valid():
        try:
            create(action_plan=action_plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("actionplans:plan", action_plan.pk)
    return _plan_page(request, action_plan, status=400, **{form_name: form})


@require_POST
@login_required
def task_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Status and progress of a task, inline (Enter saves); the plan's progress follows.

    When someone else changed the task meanwhile (409), the row keeps what the person typed
    and shows the values saved now, so nothing typed is lost; saving again replaces them."""
    task = _task_for_update(request, pk)
    form = TaskProgressForm(request.POST)
    errors: list[str] = []
    invalid: set[str] = set()
    typed: dict[str, Any] | None = None
    status = 200
    if form.is_valid():
        try:
            task = services.task_update(
                task=task,
                expected_version=_version(form.cleaned_data["version"]),
                status=form.cleaned_data["status"],
                percent_complete=form.cleaned_data["percent_complete"],
            )
        except services.VersionConflict as conflict:
            task = cast(Task, conflict.current)
            typed = {k: form.cleaned_data[k] for k in ("status", "percent_complete")}
            errors = [_conflict_message(task)]
            status = 409
        except ValidationError as error:
            errors = error.messages
            invalid = set(getattr(error, "error_dict", {})) or {"percent_complete"}
            status = 400
    else:
        errors = [f"{form[name].label}: {' '.join(map(str, e))}" for name, e in form.errors.items()]
        invalid = set(form.errors)
        status = 400
    if wants_fragment(request):
        context = {
            "task": task,
            "may_update": True,
            "errors": errors,
            "invalid": invalid,
            "typed": typed,
            "task_statuses": Task.Status.choices,
            "with_plan": request.POST.get("with_plan") == "1",
            **_status(task.action_plan),
        }
        return render(request, "actionplans/_task_row.html", context, status=status)
    if request.POST.get("with_plan") == "1":
        if errors:
            refused = {"errors": errors, "invalid": invalid, "typed": typed}
            return _my_tasks_page(request, refused={task.pk: refused}, status=status)
        return redirect("actionplans:my_tasks")
    for message in errors:
        messages.error(request, f"{task.name}: {message}")
    return redirect("actionplans:plan", task.action_plan_id)


def _conflict_message(task: Task) -> str:
    return (
        f"Someone else changed this task after you opened the page. Saved now: "
        f"{task.get_status_display()}, {task.percent_complete} %. Your values are kept in the "
        f"form: save again to replace the saved ones with yours."
    )


@require_GET
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The signed-in person's open tasks, each updated inline, with its plan's progress."""
    return _my_tasks_page(request)


def _my_tasks_page(
    request: HttpRequest, *, refused: dict[int, dict[str, Any]] | None = None, status: int = 200
) -> HttpResponse:
    """My tasks; `refused` gives a row's refusal (by task id) when the form was posted
    without JavaScript, so the row shows it as the inline update would."""
    user = signed_in_user(request)
    rows = [
        {"task": task, **_status(task.action_plan), **(refused or {}).get(task.pk, {})}
        for task in selectors.tasks_of(user).prefetch_related("action_plan__tasks")
    ]
    context = {"rows": rows, "task_statuses": Task.Status.choices}
    return render(request, "actionplans/my_tasks.html", context, status=status)
