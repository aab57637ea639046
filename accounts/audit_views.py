"""The audit trail page: every recorded change, filtered, for the people who manage people."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.audit import audit_entries, audit_rows, audited_models, refused_sign_ins
from accounts.models import User
from accounts.permissions import require_perm
from core.htmx import HtmxHttpRequest, wants_fragment

ENTRIES_PER_PAGE = 50


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label="Object type", required=False)
    actor = forms.ModelChoiceField(
        label="Person", queryset=User.objects.all(), required=False, empty_label="Anyone"
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[
            ("", "Any action"),
            ("created", "Created"),
            ("updated", "Updated"),
            ("deleted", "Deleted"),
        ],
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label="Object name contains",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The registry is filled when the apps are ready, after this module is imported.
        self.fields["model"].choices = [("", "Any type"), *audited_models()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since: datetime.date | None = cleaned.get("since")
        until: datetime.date | None = cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments of `audit_entries`; invalid ones are left out."""
        self.is_valid()
        data = self.cleaned_data
        actor: User | None = data.get("actor")
        return {
            "model": data.get("model") or None,
            "actor_id": actor.pk if actor else None,
            "action": data.get("action") or None,
            "since": data.get("since"),
            "until": data.get("until"),
            "search": data.get("q") or None,
        }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def audit_trail(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "accounts.view_audit_trail")
    form = AuditFilterForm(request.GET)
    entries = audit_entries(**form.filters())
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    template = "accounts/audit.html#results" if wants_fragment(request) else "accounts/audit.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": audit_rows(page.object_list),
            "refused_sign_ins": refused_sign_ins(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
    )
