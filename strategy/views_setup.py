"""The guided setup's strategy steps: its basics and vision forms, the objectives and links
steps showing the same workspace partial as the plan page, and the finish, which activates the
plan once nothing on its health checklist blocks it (`extensions.activation_blockers`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.permissions import signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from core.validation import add_service_error
from strategy import extensions, services
from strategy.forms import PlanBasicsForm, PlanVisionForm, plan_initial
from strategy.models import StrategicPlan
from strategy.setup import next_step_url
from strategy.views import SETUP_FORMS, _workspace_context, plan_for_change


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
    activation_errors: list[str] | None = None,
) -> HttpResponse:
    context = _workspace_context(request, plan, step=step)
    finishing = step == "action-plans"
    context.update(
        {
            "form": form,
            "blockers": extensions.activation_blockers(plan) if finishing else [],
            "activation_errors": activation_errors or [],
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


@require_POST
@login_required
def setup_activate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The finish: a draft plan becomes active, unless its checklist still has blocking items
    (then the last step again, listing them)."""
    plan = plan_for_change(request, pk)
    if plan.status != StrategicPlan.Status.DRAFT:
        errors = [f"{plan.name} is {plan.get_status_display().lower()}, not a draft."]
    elif extensions.activation_blockers(plan):
        errors = [f"{plan.name} was not activated: first fix what is listed below."]
    else:
        try:
            plan = services.plan_update(plan=plan, status=StrategicPlan.Status.ACTIVE)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{plan.name} is active: its KPIs now take actuals.")
            url = reverse("strategy:plan", args=[plan.pk])
            if wants_fragment(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)
    return _render_setup(request, plan, "action-plans", None, status=400, activation_errors=errors)
