"""Forms of the strategy workspace's KPI pages: they parse input; the services decide the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import OrgUnit, User
from core.numbers import parse_number
from kpis.models import VALUE_FIELD_OPTIONS, Aggregation, Direction, Frequency, Kpi
from kpis.selectors import plain_number
from kpis.services import TARGET_FIELDS, TargetRow, cell_name
from strategy.forms import DATE, PERSON_CHOICE_ERRORS, weight_field
from strategy.models import Objective, StrategicPlan


class ObjectiveChoiceField(forms.ModelChoiceField[Objective]):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.plan.name}: {obj}"


class ObjectiveMultipleChoiceField(forms.ModelMultipleChoiceField[Objective]):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.plan.name}: {obj}"


class PlanNewForm(forms.Form):
    """A new plan: its basics, what it cascades from, and whether it starts empty or as a copy."""

    TEMPLATES = [
        ("empty", "An empty plan with the four standard perspectives"),
        ("copy", "A copy of an existing plan's structure (never its actuals)"),
    ]

    name = forms.CharField(max_length=200)
    org_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="Unit")
    start = forms.DateField(widget=DATE, help_text="First day of the plan's horizon.")
    end = forms.DateField(widget=DATE, help_text="Last day of the plan's horizon.")
    parent = forms.ModelChoiceField(
        queryset=StrategicPlan.objects.none(),
        required=False,
        label="Cascades from",
        help_text="A department's plan cascades from the plan of a unit above it.",
    )
    supports = ObjectiveMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Objectives of the parent plan it supports",
        help_text="Each gets an objective of the same code in the new plan.",
    )
    template = forms.ChoiceField(
        choices=TEMPLATES, initial="empty", widget=forms.RadioSelect, label="Start from"
    )
    source = forms.ModelChoiceField(
        queryset=StrategicPlan.objects.none(), required=False, label="Plan to copy"
    )
    include_targets = forms.BooleanField(
        required=False,
        label="Copy its KPIs' targets too",
        help_text="Moved by whole years to the new horizon.",
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit],
        plans: QuerySet[StrategicPlan],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = forms.ModelChoiceField(queryset=units, label="Unit")
        open_plans = plans.exclude(status=StrategicPlan.Status.ARCHIVED)
        self.fields["parent"] = forms.ModelChoiceField(
            queryset=open_plans,
            required=False,
            label="Cascades from",
            help_text="A department's plan cascades from the plan of a unit above it.",
        )
        self.fields["supports"] = ObjectiveMultipleChoiceField(
            queryset=Objective.objects.filter(plan__in=open_plans)
            .select_related("plan")
            .order_by("plan__name", "perspective__order", "code"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Objectives of the parent plan it supports",
            help_text="Each gets an objective of the same code in the new plan.",
        )
        self.fields["source"] = forms.ModelChoiceField(
            queryset=plans, required=False, label="Plan to copy"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("template") == "copy":
            if not data.get("source"):
                self.add_error("source", "Choose the plan to copy.")
            if data.get("supports"):
                self.add_error(
                    "supports",
                    "A copy brings the objectives of the plan it copies; "
                    "link them to the parent plan's objectives afterwards.",
                )
        return data


class KpiForm(forms.Form):
    """A KPI's definition; the tolerance is entered in percent."""

    objective = forms.ModelChoiceField(queryset=Objective.objects.none())
    code = forms.CharField(max_length=30, help_text='Used in formulas, e.g. "REV".')
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    measure_unit = forms.CharField(
        max_length=30, required=False, help_text='e.g. "%", "EUR", "days".'
    )
    decimals = forms.IntegerField(min_value=0, max_value=6, initial=1)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.INCREASE)
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.MONTHLY)
    aggregation = forms.ChoiceField(
        choices=Aggregation.choices,
        initial=Aggregation.SUM,
        help_text="How its periods combine into a quarter or a year.",
    )
    tolerance = forms.DecimalField(
        label="Tolerance (%)",
        max_digits=6,
        decimal_places=2,
        initial=10,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="How far from the goal the red flag lies when a target states none.",
    )
    weight = weight_field(initial=1)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    updaters = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    formula = forms.CharField(
        max_length=500,
        required=False,
        help_text="Only for a calculated KPI: other KPIs' codes, e.g. 100 * WON / LEADS.",
    )
    baseline = forms.DecimalField(
        max_digits=VALUE_FIELD_OPTIONS["max_digits"],
        decimal_places=VALUE_FIELD_OPTIONS["decimal_places"],
        required=False,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="Where the KPI stood before the plan.",
    )

    def __init__(
        self,
        *args: Any,
        plan: StrategicPlan,
        owners: QuerySet[User],
        updaters: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"] = forms.ModelChoiceField(
            queryset=plan.objectives.order_by("perspective__order", "code")
        )
        self.fields["owner"] = forms.ModelChoiceField(
            queryset=owners,
            required=False,
            help_text="Someone with a role in the unit.",
            error_messages=PERSON_CHOICE_ERRORS,
        )
        self.fields["updaters"] = forms.ModelMultipleChoiceField(
            queryset=updaters,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Who enters its actuals: contributors, managers or admins of the unit.",
            error_messages=PERSON_CHOICE_ERRORS,
        )

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as the services take it (the tolerance as a fraction)."""
        data = dict(self.cleaned_data)
        data["tolerance"] = data["tolerance"] / 100
        data["updaters"] = list(data["updaters"])
        return data


def kpi_initial(kpi: Kpi) -> dict[str, Any]:
    return {
        "objective": kpi.objective_id,
        "code": kpi.code,
        "name": kpi.name,
        "description": kpi.description,
        "measure_unit": kpi.measure_unit,
        "decimals": kpi.decimals,
        "direction": kpi.direction,
        "frequency": kpi.frequency,
        "aggregation": kpi.aggregation,
        "tolerance": plain_number(kpi.tolerance * 100),  # 10, not 1E+1
        "weight": kpi.weight,
        "owner": kpi.owner_id,
        "updaters": list(kpi.updaters.values_list("pk", flat=True)),
        "formula": kpi.formula,
        "baseline": kpi.baseline,
    }


# --- the target grid ---------------------------------------------------------------------------


def grid_fields(kpi: Kpi) -> tuple[str, ...]:
    """The grid's columns: a range KPI also has an upper goal and red flag."""
    return TARGET_FIELDS if kpi.direction == Direction.RANGE else TARGET_FIELDS[:2]


def parse_grid(
    data: Mapping[str, str], kpi: Kpi, periods: Sequence[date]
) -> tuple[list[TargetRow], dict[str, str]]:
    """The grid's rows, and an error for each cell that does not hold a number (`core.numbers`)."""
    rows = []
    errors: dict[str, str] = {}
    for period in periods:
        values: dict[str, Decimal | None] = {}
        for field in grid_fields(kpi):
            name = cell_name(field, period)
            try:
                values[field] = parse_number(data.get(name, ""), percent=kpi.is_percentage)
            except ValidationError as error:
                errors[name] = error.messages[0]
                values[field] = None
        rows.append(TargetRow(period=period, **values))
    return rows, errors
