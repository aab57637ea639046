"""Forms of the strategy workspace's KPI pages: they parse input; the services decide the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import OrgUnit, User
from core.numbers import parse_number, plain_number
from kpis import periods
from kpis.models import VALUE_FIELD_OPTIONS, Aggregation, Direction, Frequency, Kpi
from kpis.services import TARGET_FIELDS, TargetRow, cell_name
from strategy.forms import DATE, PERSON_CHOICE_ERRORS, weight_field
from strategy.models import Objective, StrategicPlan


class ObjectiveChoiceField(forms.ModelChoiceField[Objective]):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.plan.name}: {obj}"


class ObjectiveMultipleChoiceField(forms.ModelMultipleChoiceField[Objective]):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.plan.name}: {obj}"


@dataclass(frozen=True)
class PlanDefaults:
    """What a new plan starts from when the person gives only a name."""

    org_unit: OrgUnit
    start: date
    end: date


def plan_new_defaults(org_unit: OrgUnit, today: date) -> PlanDefaults:
    """The unit given (the person's own) and a horizon from the start of the current fiscal
    year to three years on."""
    start = periods.period_start(today, periods.Frequency.YEARLY, settings.FISCAL_YEAR_START_MONTH)
    end = periods.add_months(start, 36) - timedelta(days=1)
    return PlanDefaults(org_unit=org_unit, start=start, end=end)


class PlanNewForm(forms.Form):
    """A new plan: its basics, what it cascades from, and whether it starts empty or as a copy.

    Only the name is needed: the unit and horizon fall back to `defaults`. The cascading
    fields are there only when a unit above the chosen `unit` has a plan, the copy fields
    only when there is a plan to copy.
    """

    TEMPLATES = [
        ("empty", "An empty plan with the four standard perspectives"),
        ("copy", "A copy of an existing plan's structure (never its actuals)"),
    ]

    name = forms.CharField(max_length=200)

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit],
        plans: QuerySet[StrategicPlan],
        unit: OrgUnit,
        defaults: PlanDefaults,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.defaults = defaults
        self.fields["org_unit"] = forms.ModelChoiceField(
            queryset=units, label="Unit", required=False, initial=defaults.org_unit.pk
        )
        self.fields["start"] = forms.DateField(
            widget=DATE,
            required=False,
            initial=defaults.start,
            help_text="First day of the plan's horizon.",
        )
        self.fields["end"] = forms.DateField(
            widget=DATE,
            required=False,
            initial=defaults.end,
            help_text="Last day of the plan's horizon.",
        )
        open_plans = plans.exclude(status=StrategicPlan.Status.ARCHIVED)
        above = [ancestor.pk for ancestor in unit.ancestors()]
        parents = open_plans.filter(org_unit__in=above)
        if parents.exists():
            # Nearest unit above first: the plan a department usually cascades from.
            nearest = min(parents, key=lambda plan: above.index(plan.org_unit_id))
            self.fields["parent"] = forms.ModelChoiceField(
                queryset=parents,
                required=False,
                initial=nearest.pk,
                label="Cascades from",
                help_text="A department's plan cascades from the plan of a unit above it.",
                error_messages={"invalid_choice": "Choose a plan of a unit above the plan's unit."},
            )
            self.fields["supports"] = ObjectiveMultipleChoiceField(
                queryset=Objective.objects.filter(plan__in=parents)
                .select_related("plan")
                .order_by("plan__name", "perspective__order", "code"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Objectives of the parent plan it supports",
                help_text="Each gets an objective of the same code in the new plan.",
            )
        if plans.exists():
            self.fields["template"] = forms.ChoiceField(
                choices=self.TEMPLATES,
                initial="empty",
                required=False,
                widget=forms.RadioSelect,
                label="Start from",
            )
            self.fields["source"] = forms.ModelChoiceField(
                queryset=plans, required=False, label="Plan to copy"
            )
            self.fields["include_targets"] = forms.BooleanField(
                required=False,
                label="Copy its KPIs' targets too",
                help_text="Moved by whole years to the new horizon.",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["org_unit"] = data.get("org_unit") or self.defaults.org_unit
        data["start"] = data.get("start") or self.defaults.start
        data["end"] = data.get("end") or self.defaults.end
        data.setdefault("parent", None)
        data.setdefault("supports", [])
        data["template"] = data.get("template") or "empty"
        if data["template"] == "copy":
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
        "weight": plain_number(kpi.weight),
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
