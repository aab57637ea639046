"""The guided setup's strategy steps: its basics and vision forms, and the objectives and links
steps showing the same workspace partial as the plan page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
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
