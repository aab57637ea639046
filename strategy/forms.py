"""Forms of the strategy workspace: they parse input; the services decide what is allowed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.urls import reverse

from accounts.models import OrgUnit, User
from core.numbers import plain_number
from strategy.models import (
    WEIGHT_FIELD_OPTIONS,
    Objective,
    Perspective,
    Stakeholder,
    StrategicPlan,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# A person's id that is not among the choices (someone the reader may not see, a deactivated
# account, a typo): the same words either way, so the answer tells nothing about the person.
PERSON_NOT_OFFERED = "Choose a person from the list: that one is not among the people offered."
PERSON_CHOICE_ERRORS = {
    "invalid_choice": PERSON_NOT_OFFERED,
    "invalid_pk_value": PERSON_NOT_OFFERED,
}


def weight_field(**kwargs: Any) -> forms.DecimalField:
    # No minimum here: the services refuse a negative weight with the message to show.
    return forms.DecimalField(
        max_digits=WEIGHT_FIELD_OPTIONS["max_digits"],
        decimal_places=WEIGHT_FIELD_OPTIONS["decimal_places"],
        widget=forms.NumberInput(attrs={"step": "any"}),
        **kwargs,
    )


def listing(
    field: forms.ModelChoiceField[Any], objects: Iterable[Model]
) -> forms.ModelChoiceField[Any]:
    """The field drawing its options from `objects` rather than a query of its own.

    Several forms of one page (an add form per perspective) pass the same queryset, whose rows
    are fetched when the first form is drawn and reused by the others; the field's own
    queryset still checks the submitted choice.
    """
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.choices = lambda: empty + [(obj.pk, field.label_from_instance(obj)) for obj in objects]
    return field


class PlanBasicsForm(forms.Form):
    name = forms.CharField(max_length=200)
    start = forms.DateField(widget=DATE, help_text="First day of the plan's horizon.")
    end = forms.DateField(widget=DATE, help_text="Last day of the plan's horizon.")
    status = forms.ChoiceField(choices=StrategicPlan.Status.choices)


class PlanVisionForm(forms.Form):
    vision = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Where the organisation wants to be.",
    )
    mission = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What it does, for whom, and why.",
    )
    values = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One value per line."
    )


class PlanForm(PlanBasicsForm, PlanVisionForm):
    """The whole plan on its page: basics, vision, mission and values."""


def plan_initial(plan: StrategicPlan) -> dict[str, Any]:
    return {
        field: getattr(plan, field)
        for field in ("name", "start", "end", "status", "vision", "mission", "values")
    }


class PerspectiveForm(forms.Form):
    name = forms.CharField(max_length=100)
    weight = weight_field(initial=1)


class PerspectiveMoveForm(forms.Form):
    position = forms.IntegerField(min_value=0)


class ObjectiveForm(forms.Form):
    """An objective's fields; `perspective` is hidden when adding to a given perspective."""

    perspective = forms.ModelChoiceField(queryset=Perspective.objects.none())
    code = forms.CharField(max_length=20, help_text='Short code such as "F1".')
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="Unit")
    weight = weight_field(initial=1)

    def __init__(
        self,
        *args: Any,
        plan: StrategicPlan,
        people: QuerySet[User],
        units: QuerySet[OrgUnit],
        fixed_perspective: Perspective | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["perspective"] = forms.ModelChoiceField(
            queryset=plan.perspectives.order_by("order", "pk"),
            widget=forms.HiddenInput() if fixed_perspective else None,
            initial=fixed_perspective.pk if fixed_perspective else None,
        )
        self.fields["owner"] = listing(
            forms.ModelChoiceField(
                queryset=people,
                required=False,
                help_text="Someone with a role in the objective's unit or a unit above it.",
                error_messages=PERSON_CHOICE_ERRORS,
            ),
            people,
        )
        self.fields["org_unit"] = listing(
            forms.ModelChoiceField(queryset=units, label="Unit", initial=plan.org_unit_id), units
        )
        # Who may own the objective depends on its unit: choosing another unit redraws the
        # owners offered (`strategy.views_workspace.objective_owners`), keeping the one chosen
        # when they still qualify.
        self.fields["org_unit"].widget.attrs.update(
            {
                "hx-get": reverse("strategy:objective_owners", args=[plan.pk]),
                "hx-trigger": "change",
                "hx-target": f"#{self['owner'].auto_id}",
                "hx-swap": "outerHTML",
                "hx-include": f"#{self['owner'].auto_id}",
                "hx-vals": json.dumps({"prefix": self.prefix or ""}),
            }
        )
        if plan.parent_id is not None:
            self.fields["parent"] = forms.ModelChoiceField(
                queryset=Objective.objects.filter(plan_id=plan.parent_id).order_by("code"),
                required=False,
                label="Supports (objective of the parent plan)",
            )


def objective_initial(objective: Objective) -> dict[str, Any]:
    return {
        "perspective": objective.perspective_id,
        "code": objective.code,
        "name": objective.name,
        "description": objective.description,
        "owner": objective.owner_id,
        "org_unit": objective.org_unit_id,
        "weight": plain_number(objective.weight),  # 1.5, not 1.500
        "parent": objective.parent_id,
    }


class ObjectiveLinkForm(forms.Form):
    cause = forms.ModelChoiceField(queryset=Objective.objects.none())
    effect = forms.ModelChoiceField(queryset=Objective.objects.none())
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, plan: StrategicPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objectives = plan.objectives.order_by("perspective__order", "code")
        self.fields["cause"] = forms.ModelChoiceField(
            queryset=objectives, help_text="Achieving this objective…"
        )
        self.fields["effect"] = forms.ModelChoiceField(
            queryset=objectives, help_text="…helps achieve this one."
        )


class StakeholderForm(forms.Form):
    """Who is consulted on, or kept informed of, the plan or one of its objectives."""

    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    involvement = forms.ChoiceField(choices=Stakeholder.Involvement.choices)
    subject = forms.ChoiceField(label="Of")

    def __init__(
        self, *args: Any, plan: StrategicPlan, people: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["user"] = listing(
            forms.ModelChoiceField(
                queryset=people, label="Person", error_messages=PERSON_CHOICE_ERRORS
            ),
            people,
        )
        self.fields["subject"] = forms.ChoiceField(
            label="Of",
            choices=[("plan", f"The plan: {plan.name}")]
            + [
                (str(objective.pk), str(objective))
                for objective in plan.objectives.order_by("perspective__order", "code")
            ],
        )

    def subject_kwargs(self) -> dict[str, Any]:
        """`plan=` or `objective=` for stakeholder_add, from the chosen subject."""
        subject = self.cleaned_data["subject"]
        if subject == "plan":
            return {"plan": self.plan}
        return {"objective": self.plan.objectives.get(pk=int(subject))}
