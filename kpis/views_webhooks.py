"""The webhooks page: organisation admins register addresses told of events, switch them off
and on, delete them, and read the recent deliveries with the receivers' answers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import require_perm, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from core.validation import add_service_error
from kpis.models import Webhook, WebhookDelivery, WebhookEvent
from kpis.services.webhooks import webhook_create, webhook_delete, webhook_set_active

RECENT_DELIVERIES = 25
# The webhook just registered, whose secret the next page shows once (reloading it, or
# going back, neither registers it again nor shows the secret again).
JUST_REGISTERED = "webhook_just_registered"


class WebhookForm(forms.Form):
    url = forms.CharField(label="Address (https://…)", max_length=500)
    event = forms.ChoiceField(label="Event", choices=WebhookEvent.choices)


def _page(
    request: HtmxHttpRequest,
    *,
    form: WebhookForm,
    created: Webhook | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "created": created,
        "webhooks": Webhook.objects.select_related("created_by").order_by("event", "url", "pk"),
        "deliveries": WebhookDelivery.objects.select_related("webhook")[:RECENT_DELIVERIES],
    }
    template = "kpis/webhooks.html#registered" if wants_fragment(request) else "kpis/webhooks.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def webhooks(request: HtmxHttpRequest) -> HttpResponse:
    """The webhooks and their recent deliveries; posting registers one, and the page after it
    shows its secret this once."""
    require_perm(request.user, "kpis.manage_webhooks")
    if request.method != "POST":
        created_pk = request.session.pop(JUST_REGISTERED, None)
        created = Webhook.objects.filter(pk=created_pk).first() if created_pk else None
        return _page(request, form=WebhookForm(), created=created)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            created = webhook_create(
                url=form.cleaned_data["url"],
                event=form.cleaned_data["event"],
                by=signed_in_user(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            request.session[JUST_REGISTERED] = created.pk
            return redirect("kpis:webhooks")
    return _page(request, form=form, status=400)


@require_POST
@login_required
def webhook_active(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Switch the webhook off (`active=0`) or on again (`active=1`)."""
    require_perm(request.user, "kpis.manage_webhooks")
    webhook = get_object_or_404(Webhook, pk=pk)
    active = request.POST.get("active") == "1"
    webhook_set_active(webhook=webhook, active=active)
    if wants_fragment(request):
        return _page(request, form=WebhookForm())
    messages.success(request, f"{webhook.url} is switched {'on' if active else 'off'}.")
    return redirect("kpis:webhooks")


@require_POST
@login_required
def webhook_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Delete the webhook and its deliveries."""
    require_perm(request.user, "kpis.manage_webhooks")
    webhook = get_object_or_404(Webhook, pk=pk)
    webhook_delete(webhook=webhook)
    if wants_fragment(request):
        return _page(request, form=WebhookForm())
    messages.success(request, f"The webhook to {webhook.url} is deleted.")
    return redirect("kpis:webhooks")
