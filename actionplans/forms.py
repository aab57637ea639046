"""Forms of the action-plan pages; the services decide, the forms only read the input."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accounts.models import OrgUnit, User
from actionplans.models import ActionPlan, Milestone, Task
from kpis.models import Kpi

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionPlanForm(forms.ModelForm[ActionPlan]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = ActionPlan
        fields = [
            "name",
            "description",
            "owner",
            "success_measure",
            "resources",
            "budget_planned",
            "budget_spent",
            "why",
            "start_date",
            "due_date",
        ]
        widgets = {
            "start_date": DATE,
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "resources": forms.Textarea(attrs={"rows": 2}),
            "why": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["owner"]).queryset = (
            people if people is not None else User.objects.none()
        )

    def _post_clean(self) -> None:
        # The services validate the whole plan (horizon, owner, SMART); the form only parses.
        pass


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionPlan.Status.choices)
    version = forms.IntegerField(required=False, min_value=0)


class KpiLinkForm(forms.Form):
    # Prefixed: it shares the plan's page with the plan's own form (ids must be unique).
    prefix = "link"
    kpi = forms.ModelChoiceField(queryset=Kpi.objects.none(), label="KPI")
    expected_value = forms.DecimalField(label="Expected value", max_digits=20, decimal_places=6)
    expected_by = forms.DateField(label="By", widget=DATE)

    def __init__(self, *args: Any, kpis: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Kpi]", self.fields["kpi"]).queryset = (
            kpis if kpis is not None else Kpi.objects.none()
        )


class MilestoneForm(forms.Form):
    prefix = "milestone"
    name = forms.CharField(max_length=200)
    due_date = forms.DateField(widget=DATE)


class TaskForm(forms.Form):
    prefix = "task"
    name = forms.CharField(max_length=200)
    milestone = forms.ModelChoiceField(
        queryset=Milestone.objects.none(), required=False, empty_label="No milestone"
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    start_date = forms.DateField(widget=DATE, required=False)
    due_date = forms.DateField(widget=DATE)

    def __init__(
        self, *args: Any, people: Any = None, milestones: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["owner"]).queryset = (
            people if people is not None else User.objects.none()
        )
        cast("forms.ModelChoiceField[Milestone]", self.fields["milestone"]).queryset = (
            milestones if milestones is not None else Milestone.objects.none()
        )


class TaskProgressForm(forms.Form):
    status = forms.ChoiceField(choices=Task.Status.choices)
    percent_complete = forms.IntegerField(label="% complete")
    version = forms.IntegerField(required=False, min_value=0)


class TimelineFilterForm(forms.Form):
    """The timeline's filters, checked on the server: only units with plans the reader sees."""

    org_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label="Unit",
        empty_label="All units",
        error_messages={"invalid_choice": "Choose one of the units listed."},
    )
    status = forms.ChoiceField(
        choices=[("", "All but cancelled"), *ActionPlan.Status.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the statuses listed."},
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["org_unit"]).queryset = (
            units if units is not None else OrgUnit.objects.none()
        )
