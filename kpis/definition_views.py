"""The strategy workspace's KPI pages, under /strategy/: starting a plan, defining KPIs, targets.

Starting a plan lives here rather than in strategy because a plan may start as a copy that
includes KPIs and targets, which strategy (below kpis) cannot write. Permissions as in
strategy.views: 404 for what the person may not see, 403 for what they may not change.
Every form works as a plain POST and, with htmx, in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import OrgUnit, Role, User
from accounts.permissions import access_for, get_visible_or_404, require_perm, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from core.numbers import parse_required_number
from core.templatetags.numbers import plain
from core.validation import add_service_error
from kpis import periods
from kpis.definition_forms import (
    KpiForm,
    PlanNewForm,
    grid_fields,
    kpi_initial,
    parse_grid,
    plan_new_defaults,
)
from kpis.models import Direction, Kpi
from kpis.selectors import target_thresholds
from kpis.services import (
    UPDATER_ROLES,
    cell_name,
    fiscal_years_to_copy_into,
    horizon_periods,
    kpi_create,
    kpi_reinstate,
    kpi_retire,
    kpi_update,
    period_label,
    plan_copy,
    targets_copy_last_year,
    targets_fill_forward,
    targets_grow,
    targets_red_flags_from_tolerance,
    targets_save,
)
from strategy.models import Objective, StrategicPlan
from strategy.selectors import people_for_plan, people_with_access, plans_for
from strategy.services import plan_create
from strategy.setup import next_step_url, setup_steps
from strategy.views import plan_for_change, plan_for_view

HELPERS = ("save", "fill_forward", "grow", "copy_last_year", "red_flags")


def _kpi_for_change(request: HttpRequest, pk: int) -> Kpi:
    kpi = get_visible_or_404(
        request.user,
        Kpi.objects.select_related("plan__org_unit", "plan__parent", "objective__plan"),
        "kpis.view_kpi",
        pk=pk,
    )
    require_perm(request.user, "kpis.change_kpi", kpi)
    return kpi


def _done(request: HtmxHttpRequest, url: str, notice: str) -> HttpResponse:
    """After a change that leads to another page: go there, with htmx too."""
    messages.success(request, notice)
    if wants_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- starting a plan -----------------------------------------------------------------------------


def _units_for_new_plan(user: User) -> QuerySet[OrgUnit]:
    """The active units where the person may start a plan (admins; managers, cascaded)."""
    units = OrgUnit.objects.filter(is_archived=False).order_by("name")
    access = access_for(user)
    if access.is_superuser:
        return units
    return units.filter(pk__in=access.units({Role.ADMIN, Role.MANAGER}))


def _chosen_unit(units: QuerySet[OrgUnit], value: str | None, default: OrgUnit) -> OrgUnit:
    """The unit picked in the form (it decides which plans it may cascade from), else `default`."""
    chosen = units.filter(pk=value).first() if value and value.isdigit() else None
    return chosen or default


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def plan_new(request: HtmxHttpRequest) -> HttpResponse:
    """Step 1 of the guided setup: a new plan, empty or a copy; then on to its vision.

    A name is enough: the unit defaults to the person's own, the horizon to the current fiscal
    year and two more. Choosing another unit redraws the cascading fields with htmx (GET with
    the form's values), so the plans it may cascade from follow the unit.
    """
    user = signed_in_user(request)
    units = _units_for_new_plan(user)
    own = units.filter(memberships__user=user).first() or units.first()
    if own is None:
        raise PermissionDenied
    defaults = plan_new_defaults(own, timezone.localdate())
    values = request.POST if request.method == "POST" else request.GET
    unit = _chosen_unit(units, values.get("org_unit"), own)
    form = PlanNewForm(
        request.POST if request.method == "POST" else None,
        units=units,
        plans=plans_for(user),
        unit=unit,
        defaults=defaults,
        # Asked for with the form's values (the unit's redraw), the form starts from them.
        initial={
            key: values.get(key) for key in ("name", "org_unit", "start", "end") if values.get(key)
        },
    )
    form.fields["org_unit"].widget.attrs.update(
        {
            "hx-get": reverse("kpi_definitions:plan_new"),
            "hx-trigger": "change",
            "hx-target": "#plan-cascading",
            "hx-select": "#plan-cascading",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit, parent = data["org_unit"], data["parent"]
        require_perm(user, "strategy.add_plan", unit)
        # Whoever starts a plan must be able to edit it: a manager's plan cascades.
        if not user.has_perm("strategy.change_plan", StrategicPlan(org_unit=unit, parent=parent)):
            form.add_error(
                None if "parent" not in form.fields else "parent",
                f"As a manager of {unit} you may start only a plan that cascades from the plan "
                "of a unit above it: choose that plan.",
            )
        else:
            try:
                if data["template"] == "copy":
                    plan = plan_copy(
                        source=data["source"],
                        org_unit=unit,
                        name=data["name"],
                        start=data["start"],
                        end=data["end"],
                        parent=parent,
                        include_targets=data["include_targets"],
                    )
                else:
                    plan = plan_create(
                        org_unit=unit,
                        name=data["name"],
                        start=data["start"],
                        end=data["end"],
                        parent=parent,
                        supports=list(data["supports"]),
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return _done(
                    request,
                    reverse("strategy:setup_vision", args=[plan.pk]),
                    f"{plan.name} was started.",
                )
    status = 400 if form.is_bound else 200
    template = "kpis/definitions/plan_new.html"
    if wants_fragment(request):
        template += "#form"
    return render(request, template, {"form": form}, status=status)


# --- the plan's KPIs -----------------------------------------------------------------------------


@dataclass
class ObjectiveKpis:
    objective: Objective
    kpis: list[Kpi]


def _kpis_page(
    request: HtmxHttpRequest,
    plan: StrategicPlan,
    *,
    step: str = "",
    status: int = 200,
    partial: bool = False,
    **extra: Any,
) -> HttpResponse:
    """The plan's KPIs by objective; with `partial` and htmx, only the list."""
    kpis = Kpi.objects.select_related("owner").annotate(
        target_count=Count("targets", distinct=True),
        updater_count=Count("updaters", distinct=True),
    )
    objectives = plan.objectives.select_related("perspective").prefetch_related(
        Prefetch("kpis", queryset=kpis.order_by("is_retired", "code"))
    )
    context = {
        "plan": plan,
        "can_edit": signed_in_user(request).has_perm("strategy.change_plan", plan),
        "groups": [
            ObjectiveKpis(objective, list(objective.kpis.all()))
            for objective in objectives.order_by("perspective__order", "code")
        ],
        "step": step,
        "steps": setup_steps(plan, "kpis") if step else [],
        "next_url": next_step_url(plan, "kpis"),
        "setup_query": "?setup=1" if step else "",
        **extra,
    }
    template = "kpis/definitions/kpis.html"
    if partial and wants_fragment(request):
        template += "#kpi_list"
    return render(request, template, context, status=status)


@require_GET
@login_required
def kpis(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _kpis_page(request, plan_for_view(request, pk))


@require_GET
@login_required
def setup_kpis(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Step 5 of the guided setup: the plan's KPIs, each with a link to its targets."""
    return _kpis_page(request, plan_for_change(request, pk), step="kpis")


def _in_setup(request: HttpRequest) -> bool:
    return (request.POST if request.method == "POST" else request.GET).get("setup") == "1"


def _kpi_form_page(
    request: HtmxHttpRequest,
    plan: StrategicPlan,
    form: KpiForm,
    *,
    kpi: Kpi | None = None,
    status: int = 200,
) -> HttpResponse:
    setup = _in_setup(request)
    context = {
        "plan": plan,
        "form": form,
        "kpi": kpi,
        "setup": setup,
        "steps": setup_steps(plan, "kpis") if setup else [],
        "action": reverse("kpi_definitions:kpi_edit", args=[kpi.pk])
        if kpi
        else reverse("kpi_definitions:kpi_new", args=[plan.pk]),
        "formula_url": reverse("kpi_definitions:formula_check", args=[plan.pk])
        + (f"?kpi={kpi.pk}" if kpi else ""),
    }
    template = "kpis/definitions/kpi_form.html"
    if form.is_bound and wants_fragment(request):
        template += "#form"
    return render(request, template, context, status=status)


def _kpi_form(
    request: HtmxHttpRequest,
    plan: StrategicPlan,
    *,
    objective_id: object,
    keep: list[int | None] | None = None,
    initial: dict[str, Any] | None = None,
) -> KpiForm:
    """The KPI form offering as owners and updaters only the people the services accept for
    the objective's unit (`person_access_error`); before an objective is chosen, the people of
    the plan's units, updaters among those holding a role that enters actuals."""
    reader = signed_in_user(request)
    keep = keep or []
    chosen = str(objective_id or "")
    objective = (
        plan.objectives.select_related("org_unit").filter(pk=int(chosen)).first()
        if chosen.isdigit()
        else None
    )
    if objective is None:
        owners = people_for_plan(plan, reader=reader, keep=keep)
        updaters = people_for_plan(plan, reader=reader, roles=UPDATER_ROLES, keep=keep)
    else:
        unit = objective.org_unit
        owners = people_with_access(unit, reader=reader, keep=keep)
        updaters = people_with_access(unit, reader=reader, roles=UPDATER_ROLES, keep=keep)
    data = request.POST if request.method == "POST" else None
    return KpiForm(data, plan=plan, owners=owners, updaters=updaters, initial=initial)


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def kpi_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_change(request, pk)
    if request.method == "GET":
        chosen = request.GET.get("objective")
        form = _kpi_form(request, plan, objective_id=chosen, initial={"objective": chosen})
        return _kpi_form_page(request, plan, form)
    form = _kpi_form(request, plan, objective_id=request.POST.get("objective"))
    if form.is_valid():
        try:
            kpi = kpi_create(plan=plan, **form.service_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            url = reverse("kpi_definitions:targets", args=[kpi.pk])
            if _in_setup(request):
                url += "?setup=1"
            return _done(request, url, f"{kpi} was defined: now its targets.")
    return _kpi_form_page(request, plan, form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def kpi_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    kpi = _kpi_for_change(request, pk)
    plan = kpi.plan
    chosen = [kpi.owner_id, *kpi.updaters.values_list("pk", flat=True)]
    if request.method == "GET":
        form = _kpi_form(
            request, plan, objective_id=kpi.objective_id, keep=chosen, initial=kpi_initial(kpi)
        )
        return _kpi_form_page(request, plan, form, kpi=kpi)
    objective_id = request.POST.get("objective") or kpi.objective_id
    form = _kpi_form(request, plan, objective_id=objective_id, keep=chosen)
    if form.is_valid():
        try:
            kpi = kpi_update(kpi=kpi, **form.service_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            url = reverse("kpi_definitions:kpis", args=[plan.pk]) + f"#kpi-{kpi.pk}"
            return _done(request, url, f"{kpi} was saved.")
    return _kpi_form_page(request, plan, form, kpi=kpi, status=400)


def _retirement(request: HtmxHttpRequest, pk: int, *, retire: bool) -> HttpResponse:
    kpi = _kpi_for_change(request, pk)
    try:
        kpi = kpi_retire(kpi=kpi) if retire else kpi_reinstate(kpi=kpi)
    except ValidationError as error:
        if wants_fragment(request):
            return _kpis_page(request, kpi.plan, status=400, partial=True, errors=error.messages)
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("kpi_definitions:kpis", args=[kpi.plan_id]) + f"#kpi-{kpi.pk}")
    notice = (
        f"{kpi} was retired: its history stays." if retire else f"{kpi} is back on the scorecard."
    )
    if wants_fragment(request):
        return _kpis_page(request, kpi.plan, partial=True, notice=notice)
    messages.success(request, notice)
    return redirect(reverse("kpi_definitions:kpis", args=[kpi.plan_id]) + f"#kpi-{kpi.pk}")


@require_POST
@login_required
def kpi_retire_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _retirement(request, pk, retire=True)


@require_POST
@login_required
def kpi_reinstate_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _retirement(request, pk, retire=False)


@require_GET
@login_required
def formula_check(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The live check of a formula as it is typed: the model's own check, nothing saved."""
    plan = plan_for_change(request, pk)
    code = request.GET.get("code", "").strip()
    formula = request.GET.get("formula", "").strip()
    kpi_id = request.GET.get("kpi", "")
    existing = plan.kpis.filter(pk=int(kpi_id)).first() if kpi_id.isdigit() else None
    problem, ok = "", ""
    if formula:
        candidate = Kpi(plan=plan, code=code or "THIS", formula=formula)
        candidate.pk = existing.pk if existing else None
        try:
            candidate.clean()
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            ok = "The formula is valid."
    return render(
        request,
        "kpis/definitions/kpi_form.html#formula_check",
        {"formula_problem": problem, "formula_ok": ok},
    )


# --- targets -------------------------------------------------------------------------------------


@dataclass
class Cell:
    name: str
    label: str
    value: str
    error: str
    placeholder: str = ""


@dataclass
class GridRow:
    period: date
    label: str
    cells: list[Cell]


FIELD_LABELS = {
    "goal": "Goal",
    "red_flag": "Red flag",
    "goal_high": "Upper goal",
    "red_flag_high": "Upper red flag",
}


def _grid_context(
    kpi: Kpi,
    *,
    posted: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    helper_errors: dict[str, str] | None = None,
    general_errors: list[str] | None = None,
    notice: str = "",
    helper: dict[str, str] | None = None,
) -> dict[str, Any]:
    horizon = horizon_periods(kpi)
    fields = grid_fields(kpi)
    stored = {t.period: t for t in kpi.targets.filter(period__in=horizon)}
    errors = errors or {}
    rows = []
    for period in horizon:
        label = period_label(kpi, period)
        target = stored.get(period)
        thresholds = target_thresholds(kpi, target)
        cells = []
        for field in fields:
            name = cell_name(field, period)
            if posted is not None:
                value = posted.get(name, "")
            else:
                value = plain(getattr(target, field) if target else None)
            placeholder = ""
            # A red flag the target leaves to the tolerance shows what it will be.
            derived = field.startswith("red_flag") and thresholds is not None
            if derived and getattr(thresholds, f"{field}_derived"):
                placeholder = f"{plain(getattr(thresholds, field))} (from tolerance)"
            cells.append(
                Cell(
                    name=name,
                    label=f"{FIELD_LABELS[field]}, {label}",
                    value=value,
                    error=errors.get(name, ""),
                    placeholder=placeholder,
                )
            )
        rows.append(GridRow(period=period, label=label, cells=cells))
    fy = settings.FISCAL_YEAR_START_MONTH
    # "Copy last year" is offered only into a year that has a year before it.
    years = fiscal_years_to_copy_into(kpi)
    return {
        "kpi": kpi,
        "plan": kpi.plan,
        "rows": rows,
        "columns": [FIELD_LABELS[field] for field in fields],
        "is_range": kpi.direction == Direction.RANGE,
        "period_choices": [(p.isoformat(), period_label(kpi, p)) for p in horizon],
        "year_choices": [(y.isoformat(), f"FY{periods.fiscal_year(y, fy)}") for y in years],
        "helper": helper or {},
        "helper_errors": helper_errors or {},
        "errors": general_errors or [],
        "cell_error_count": len(errors),
        "notice": notice,
    }


def _parse_helper(data: dict[str, str], action: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The chosen helper's inputs, and an error for each one that is not usable."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if action == "grow":
        try:
            values["percent"] = parse_required_number(data.get("percent"), percent=True)
        except ValidationError as error:
            errors["percent"] = (
                "Enter the growth per period in %, e.g. 2 or -1.5."
                if error.code == "required"
                else error.messages[0]
            )
        try:
            values["start"] = date.fromisoformat(data.get("start", ""))
        except ValueError:
            errors["start"] = "Choose the period to grow from."
    if action == "copy_last_year":
        try:
            values["year"] = date.fromisoformat(data.get("year", ""))
        except ValueError:
            errors["year"] = "Choose the year to copy into."
    return values, errors


def _run_helper(kpi: Kpi, action: str, values: dict[str, Any]) -> int:
    if action == "fill_forward":
        return targets_fill_forward(kpi=kpi)
    if action == "grow":
        return targets_grow(kpi=kpi, start=values["start"], percent=values["percent"])
    if action == "copy_last_year":
        return targets_copy_last_year(kpi=kpi, year=values["year"])
    if action == "red_flags":
        return targets_red_flags_from_tolerance(kpi=kpi)
    return 0


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def targets(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The KPI's targets across the plan's horizon, saved all or nothing, with helpers that
    fill forward, grow by a percentage, copy last year or set red flags from the tolerance."""
    kpi = _kpi_for_change(request, pk)
    setup = _in_setup(request)
    page = {
        "setup": setup,
        "steps": setup_steps(kpi.plan, "kpis") if setup else [],
        "next_url": reverse("kpi_definitions:setup_kpis", args=[kpi.plan_id]),
    }
    if request.method == "GET":
        return render(request, "kpis/definitions/targets.html", {**page, **_grid_context(kpi)})

    data = {key: str(value) for key, value in request.POST.items()}
    action = data.get("action", "save")
    if action not in HELPERS:
        action = "save"
    rows, cell_errors = parse_grid(data, kpi, horizon_periods(kpi))
    values, helper_errors = _parse_helper(data, action)
    general: list[str] = []
    if not cell_errors and not helper_errors:
        try:
            # The grid and the helper applied to it stand or fall together.
            with transaction.atomic():
                changed = targets_save(kpi=kpi, rows=rows)
                changed += _run_helper(kpi, action, values)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, messages_ in error.message_dict.items():
                    if key in ("percent", "start", "year"):
                        helper_errors[key] = " ".join(messages_)
                    elif key == "__all__":
                        general.extend(messages_)
                    else:
                        cell_errors[key] = " ".join(messages_)
            else:
                general.extend(error.messages)
        else:
            notice = (
                f"{changed} period{'s' if changed != 1 else ''} changed."
                if changed
                else "Nothing changed."
            )
            if wants_fragment(request):
                context = {**page, **_grid_context(kpi, notice=notice)}
                return render(request, "kpis/definitions/targets.html#grid", context)
            messages.success(request, f"Targets of {kpi.code}: {notice}")
            url = reverse("kpi_definitions:targets", args=[kpi.pk]) + ("?setup=1" if setup else "")
            return redirect(url)
    context = {
        **page,
        **_grid_context(
            kpi,
            posted=data,
            errors=cell_errors,
            helper_errors=helper_errors,
            general_errors=general,
            helper=data,
        ),
    }
    template = "kpis/definitions/targets.html" + ("#grid" if wants_fragment(request) else "")
    return render(request, template, context, status=400)
