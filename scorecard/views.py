"""The read side that composes the other apps: the executive dashboard and the objective page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import get_visible_or_404, require_perm, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from core.page_cache import cached_page
from kpis.period_params import VIEW_LABELS
from kpis.selectors import plan_scorecard
from scorecard import dashboard as selectors
from scorecard import exports, objective_page
from strategy.models import Objective, StrategicPlan
from strategy.services import objective_comment_save


def _today() -> date:
    return timezone.localdate()


def _missing_plan(number: object) -> str:
    return f"There is no plan number {number} that you may see. Choose one below."


def _choice(request: HtmxHttpRequest) -> tuple[selectors.Choice | None, str]:
    """The checked choice, or None and the message for a plan the person may not see."""
    try:
        return selectors.choose(user=signed_in_user(request), query=request.GET, today=_today()), ""
    except selectors.PlanNotFound as missing:
        return None, _missing_plan(missing)


def _plan_gone(plan: StrategicPlan) -> Http404:
    """The answer for a plan deleted while the request was reading it (the scorecard raises
    StrategicPlan.DoesNotExist): the 404 of any plan that is not there."""
    return Http404(_missing_plan(plan.pk))


@require_GET
@login_required
@cached_page
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The scorecard of a plan and a period on one screen (also the home page).

    A plan the person may not see answers 404 with the same page and a message, so they can
    choose another; any other bad value in the address is replaced by its default and named.
    """
    choice, missing = _choice(request)
    context: dict[str, Any] = {"view_choices": VIEW_LABELS.items()}
    if choice is not None and (plan := choice.plan) is not None:
        try:
            context["board"] = selectors.dashboard(
                plan=plan, period=choice.period, view=choice.view, reader=signed_in_user(request)
            )
        except StrategicPlan.DoesNotExist:  # deleted since it was chosen
            choice, missing = None, _missing_plan(plan.pk)
        else:
            # The empty states point editors to where the plan is completed.
            context["can_edit_plan"] = request.user.has_perm("strategy.change_plan", plan)
    context.update(choice=choice, missing=missing)
    status = 200
    if choice is None:
        status = 404
        context["plans"] = list(selectors.visible_plans(signed_in_user(request)))
    template = "scorecard/dashboard.html"
    if wants_fragment(request):
        template += "#content"
    return render(request, template, context, status=status)


def _later_section(
    request: HtmxHttpRequest,
    template: str,
    partial: str,
    fill: Callable[[StrategicPlan, selectors.Choice, User], dict[str, Any]],
) -> HttpResponse:
    """A part of the dashboard loaded after its first paint, for the same plan, period and view:
    htmx gets the partial, anyone else the page; `fill` adds what the chosen plan shows."""
    choice, missing = _choice(request)
    if choice is None:
        raise Http404(missing)
    context: dict[str, Any] = {"choice": choice}
    if choice.plan is not None:
        try:
            context.update(fill(choice.plan, choice, signed_in_user(request)))
        except StrategicPlan.DoesNotExist:
            raise _plan_gone(choice.plan) from None
    if wants_fragment(request):
        template += f"#{partial}"
    return render(request, template, context)


@require_GET
@login_required
@cached_page
def heat_map(request: HtmxHttpRequest) -> HttpResponse:
    """Objectives by month over the last 12 months, loaded after the dashboard's first paint."""
    return _later_section(
        request,
        "scorecard/heat_map.html",
        "heat",
        lambda plan, choice, reader: {
            "heat": selectors.heat_map(plan=plan, period=choice.period, reader=reader)
        },
    )


@require_GET
@login_required
@cached_page
def forecasts(request: HtmxHttpRequest) -> HttpResponse:
    """The KPIs on track today but forecast to miss the year's goal, loaded after the
    dashboard's first paint."""
    return _later_section(
        request,
        "scorecard/forecasts.html",
        "misses",
        lambda plan, choice, reader: {
            "misses": selectors.forecast_misses(
                plan=plan, period=choice.period, view=choice.view, reader=reader
            )
        },
    )


@require_GET
@login_required
@cached_page
def attention(request: HtmxHttpRequest) -> HttpResponse:
    """Every KPI off track or at risk, worst first: the whole list the dashboard begins."""
    return _later_section(
        request,
        "scorecard/attention.html",
        "attention",
        lambda plan, choice, reader: {
            "items": selectors.needs_attention(
                plan=plan, period=choice.period, view=choice.view, reader=reader
            )
        },
    )


def _objective_for(user: User, pk: int) -> Objective:
    return get_visible_or_404(
        user,
        Objective.objects.select_related("plan", "perspective", "owner", "org_unit"),
        "strategy.view_objective",
        pk=pk,
    )


def _objective_page(
    request: HtmxHttpRequest,
    found: Objective,
    query: QueryDict,
    *,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    period, view, _, problems = selectors.choose_period(
        plan=found.plan, query=query, today=_today()
    )
    try:
        page = objective_page.objective_page(
            objective_id=found.pk, plan=found.plan, period=period, view=view, reader=user
        )
    except StrategicPlan.DoesNotExist:  # with the objective in it
        raise Http404 from None
    context = {
        "objective": found,
        "page": page,
        "period": period,
        "view": view,
        "view_label": VIEW_LABELS[view],
        "problems": problems,
        "query": f"period={period:%Y-%m}&view={view}",
        "may_comment": user.has_perm("strategy.comment_objective", found),
        "commentary": page.commentary,
        **(form or {}),
    }
    template = "scorecard/objective.html"
    if wants_fragment(request) and request.htmx.target == "objective-summary":
        template += "#summary"
    return render(request, template, context, status=status)


@require_GET
@login_required
@cached_page
def objective(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """An objective: its KPIs, cascaded children, score explained, action plans and the
    commentary of the period.

    Asked by htmx for the dashboard's summary panel, it answers the summary alone.
    """
    return _objective_page(request, _objective_for(signed_in_user(request), pk), request.GET)


@require_POST
@login_required
def objective_commentary(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Save the objective's commentary for a period of its plan (its owner, or an admin over
    its unit); with htmx answer the commentary, without, go back to the objective's page."""
    user = signed_in_user(request)
    found = _objective_for(user, pk)
    require_perm(user, "strategy.comment_objective", found)
    period, view, _, problems = selectors.choose_period(
        plan=found.plan, query=request.POST, today=_today()
    )
    text = request.POST.get("text", "")
    errors: dict[str, list[str]] = {}
    if problems or not request.POST.get("period", "").strip():
        errors["period"] = problems or ["Choose the month the commentary is for."]
    else:
        try:
            objective_comment_save(objective=found, period=period, text=text, by=user)
        except ValidationError as error:
            errors = error.message_dict
    query = f"period={period:%Y-%m}&view={view}"
    form = {"text": text if errors else None, "errors": errors, "saved": not errors}
    status = 400 if errors else 200
    if not wants_fragment(request):
        if errors:
            return _objective_page(request, found, request.POST, form=form, status=status)
        messages.success(request, f"Commentary for {period:%b %Y} saved.")
        return redirect(f"{reverse('objective', args=[found.pk])}?{query}#commentary")
    context = {
        "objective": found,
        "period": period,
        "view": view,
        "query": query,
        "may_comment": True,
        "commentary": objective_page.commentary_for(objective_id=found.pk, period=period),
        **form,
    }
    return render(request, "scorecard/objective.html#commentary", context, status=status)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
@login_required
def dashboard_export(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's KPI table for the same plan, period and view, as CSV or XLSX."""
    if fmt not in EXPORT_TYPES:
        raise Http404("Export as .csv or .xlsx.")
    choice, missing = _choice(request)
    if choice is None or choice.plan is None:
        raise Http404(missing or "No plan to export.")
    try:
        scorecard = plan_scorecard(
            plan=choice.plan, period=choice.period, view=choice.view, reader=signed_in_user(request)
        )
    except StrategicPlan.DoesNotExist:
        raise _plan_gone(choice.plan) from None
    rows = exports.kpi_rows(scorecard)
    title = f"{choice.plan.name} {choice.period:%Y-%m} {choice.view}"
    body = exports.as_csv(rows) if fmt == "csv" else exports.as_xlsx(rows, f"{choice.period:%Y-%m}")
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    filename = slugify(title) or "scorecard"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_GET
def favicon(request: HtmxHttpRequest) -> HttpResponse:
    """The icon, for clients that ask /favicon.ico (a JSON or CSV answer links no icon)."""
    return redirect(static("img/favicon.svg"))
