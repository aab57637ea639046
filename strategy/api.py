"""The API for the strategy: plans, perspectives, objectives and cause-effect links.

Writes go through strategy/services/, as the strategy pages' do. Permissions are
strategy/rules.py's: everyone who may see a plan reads it; admins (and the managers of a
cascaded plan's unit) change it and everything in it.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from accounts.api_base import (
    ReadWriteDeleteViewSet,
    ReadWriteViewSet,
    ScorecardViewSet,
    VisibleRelatedField,
)
from accounts.models import OrgUnit, User
from core.api import IdFilter, ModelSerializer, TrueOrFalseFilter, merged, refuse_changes
from strategy import services
from strategy.models import Objective, ObjectiveLink, Perspective, StrategicPlan

PLAN_UNIT = ("org_unit_id",)
OBJECTIVE_UNITS = ("plan__org_unit_id", "org_unit_id")


def _view(serializer: serializers.BaseSerializer[Any]) -> ScorecardViewSet:
    return cast(ScorecardViewSet, serializer.context["view"])


# --- Plans --------------------------------------------------------------------------------------

PLAN_FIELDS = ("name", "vision", "mission", "values", "start", "end", "status")


class PlanSerializer(ModelSerializer):
    org_unit = VisibleRelatedField(queryset=OrgUnit.objects.all(), unit_lookups=("pk",))
    parent = VisibleRelatedField(
        queryset=StrategicPlan.objects.all(),
        unit_lookups=PLAN_UNIT,
        allow_null=True,
        required=False,
        help_text="The plan this one cascades from: the plan of a unit above.",
    )

    class Meta:
        model = StrategicPlan
        fields = [
            "id",
            "name",
            "org_unit",
            "vision",
            "mission",
            "values",
            "start",
            "end",
            "status",
            "parent",
        ]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "status": {"help_text": "A new plan starts as a draft unless told otherwise."}
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_changes(self.instance, attrs, ("org_unit", "parent"), what="A plan")
        return attrs

    def create(self, validated_data: dict[str, Any]) -> StrategicPlan:
        new_plan = StrategicPlan(
            org_unit=validated_data["org_unit"], parent=validated_data.get("parent")
        )
        _view(self).require("add", new_plan)
        status = validated_data.pop("status", StrategicPlan.Status.DRAFT)
        with transaction.atomic():
            plan = services.plan_create(**validated_data)
            if status != plan.status:
                plan = services.plan_update(plan=plan, status=status)
        return plan

    def update(self, instance: StrategicPlan, validated_data: dict[str, Any]) -> StrategicPlan:
        return services.plan_update(plan=instance, **merged(instance, validated_data, PLAN_FIELDS))


class PlanFilter(filters.FilterSet):
    org_unit = IdFilter(field_name="org_unit_id")
    parent = IdFilter(field_name="parent_id")
    status = filters.ChoiceFilter(choices=StrategicPlan.Status.choices)

    class Meta:
        model = StrategicPlan
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["strategy"])
class PlanViewSet(ReadWriteViewSet):
    """Strategic plans: vision, mission, values and horizon, per org unit. A new plan is a
    draft with the four standard perspectives; a plan may cascade from the plan of a unit
    above (`parent`). Plans are archived (`status`), not deleted."""

    queryset = StrategicPlan.objects.all()
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    unit_lookups = PLAN_UNIT
    perms: ClassVar[dict[str, str]] = {
        "view": "strategy.view_plan",
        "change": "strategy.change_plan",
        "add": "strategy.add_plan",
    }

    def allows(self, user: User | AnonymousUser, kind: str, obj: Model) -> bool:
        plan = cast(StrategicPlan, obj)
        if kind == "add":
            # As on the page: whoever starts a plan must be able to edit it, so a manager's
            # plan cascades from the plan of a unit above.
            return bool(
                user.has_perm("strategy.add_plan", plan.org_unit)
                and user.has_perm("strategy.change_plan", plan)
            )
        return super().allows(user, kind, plan)


# --- Perspectives -------------------------------------------------------------------------------


class PerspectiveSerializer(ModelSerializer):
    plan = VisibleRelatedField(queryset=StrategicPlan.objects.all(), unit_lookups=PLAN_UNIT)

    class Meta:
        model = Perspective
        fields = ["id", "plan", "name", "kind", "order", "weight"]
        read_only_fields = ["kind"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "order": {"help_text": "The row on the strategy map, 0 at the top."}
        }
        # The service refuses duplicate names with the model's message.
        validators: ClassVar[list[Any]] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_changes(self.instance, attrs, ("plan",), what="A perspective")
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Perspective:
        plan = validated_data["plan"]
        _view(self).require("add", Perspective(plan=plan))
        with transaction.atomic():
            perspective = services.perspective_create(
                plan=plan,
                name=validated_data["name"],
                **({"weight": validated_data["weight"]} if "weight" in validated_data else {}),
            )
            if "order" in validated_data:
                services.perspective_reorder(
                    perspective=perspective, position=validated_data["order"]
                )
                perspective.refresh_from_db()
        return perspective

    def update(self, instance: Perspective, validated_data: dict[str, Any]) -> Perspective:
        with transaction.atomic():
            perspective = services.perspective_update(
                perspective=instance, **merged(instance, validated_data, ("name", "weight"))
            )
            if validated_data.get("order", perspective.order) != perspective.order:
                services.perspective_reorder(
                    perspective=perspective, position=validated_data["order"]
                )
                perspective.refresh_from_db()
        return perspective


class PerspectiveFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id")

    class Meta:
        model = Perspective
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["strategy"])
class PerspectiveViewSet(ReadWriteDeleteViewSet):
    """A plan's perspectives, ordered (`order`) and weighted; written by whoever may change
    the plan. New ones are custom perspectives; the four standard ones are renamed or
    weighted 0, not deleted, and a perspective with objectives is not deleted."""

    queryset = Perspective.objects.all()
    serializer_class = PerspectiveSerializer
    filterset_class = PerspectiveFilter
    unit_lookups = ("plan__org_unit_id",)
    perms: ClassVar[dict[str, str]] = {
        "view": "strategy.view_plan",
        "change": "strategy.change_plan",
    }

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        return cast(Perspective, obj).plan

    def perform_destroy(self, instance: Model) -> None:
        services.perspective_delete(perspective=cast(Perspective, instance))


# --- Objectives ---------------------------------------------------------------------------------

OBJECTIVE_FIELDS = (
    "perspective",
    "code",
    "name",
    "description",
    "owner",
    "org_unit",
    "weight",
    "parent",
)


class ObjectiveSerializer(ModelSerializer):
    plan = VisibleRelatedField(queryset=StrategicPlan.objects.all(), unit_lookups=PLAN_UNIT)
    perspective = VisibleRelatedField(
        queryset=Perspective.objects.all(), unit_lookups=("plan__org_unit_id",)
    )
    owner = VisibleRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    org_unit = VisibleRelatedField(
        queryset=OrgUnit.objects.all(),
        unit_lookups=("pk",),
        required=False,
        help_text="The unit responsible; the plan's unit when not given.",
    )
    parent = VisibleRelatedField(
        queryset=Objective.objects.all(),
        unit_lookups=OBJECTIVE_UNITS,
        allow_null=True,
        required=False,
        help_text="The parent plan's objective this one supports (cascading).",
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            "plan",
            "perspective",
            "code",
            "name",
            "description",
            "owner",
            "org_unit",
            "weight",
            "parent",
            "is_archived",
        ]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "is_archived": {
                "help_text": "An archived objective is off the strategy map and out of the "
                "scores; its KPIs, actuals and action plans stay as they are."
            }
        }
        # The service refuses a duplicate code naming it.
        validators: ClassVar[list[Any]] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refuse_changes(self.instance, attrs, ("plan",), what="An objective")
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Objective:
        _view(self).require("add", Objective(plan=validated_data["plan"]))
        archived = validated_data.pop("is_archived", False)
        with transaction.atomic():
            objective = services.objective_create(**validated_data)
            return services.objective_archive(objective=objective) if archived else objective

    def update(self, instance: Objective, validated_data: dict[str, Any]) -> Objective:
        archived = validated_data.pop("is_archived", instance.is_archived)
        with transaction.atomic():
            objective = instance
            if validated_data:
                objective = services.objective_update(
                    objective=instance, **merged(instance, validated_data, OBJECTIVE_FIELDS)
                )
            if archived != objective.is_archived:
                change = services.objective_archive if archived else services.objective_restore
                objective = change(objective=objective)
            return objective


class ObjectiveFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    perspective = IdFilter(field_name="perspective_id")
    org_unit = IdFilter(field_name="org_unit_id")
    owner = IdFilter(field_name="owner_id")
    parent = IdFilter(field_name="parent_id")
    code = filters.CharFilter()
    is_archived = TrueOrFalseFilter()

    class Meta:
        model = Objective
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["strategy"])
class ObjectiveViewSet(ReadWriteViewSet):
    """Objectives (code such as "F1") in a perspective of a plan, owned by a person and an
    org unit; a cascaded objective names its parent plan's objective as `parent`."""

    queryset = Objective.objects.select_related("plan")
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    unit_lookups = OBJECTIVE_UNITS
    perms: ClassVar[dict[str, str]] = {
        "view": "strategy.view_objective",
        "change": "strategy.change_objective",
    }


# --- Cause-effect links -------------------------------------------------------------------------


class ObjectiveLinkSerializer(ModelSerializer):
    cause = VisibleRelatedField(queryset=Objective.objects.all(), unit_lookups=OBJECTIVE_UNITS)
    effect = VisibleRelatedField(queryset=Objective.objects.all(), unit_lookups=OBJECTIVE_UNITS)

    class Meta:
        model = ObjectiveLink
        fields = ["id", "cause", "effect", "note"]
        # The service refuses duplicates, self-links, cross-plan links and cycles.
        validators: ClassVar[list[Any]] = []

    def create(self, validated_data: dict[str, Any]) -> ObjectiveLink:
        _view(self).require("add", ObjectiveLink(cause=validated_data["cause"]))
        return services.objective_link_create(**validated_data)


class ObjectiveLinkFilter(filters.FilterSet):
    plan = IdFilter(field_name="cause__plan_id")
    cause = IdFilter(field_name="cause_id")
    effect = IdFilter(field_name="effect_id")

    class Meta:
        model = ObjectiveLink
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["strategy"])
class ObjectiveLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ScorecardViewSet,
):
    """Cause-effect arrows of the strategy map: achieving `cause` helps achieve `effect`.
    Both belong to the same plan; a link that would close a cycle is refused. Links are
    created and deleted, not changed."""

    queryset = ObjectiveLink.objects.select_related("cause__plan")
    serializer_class = ObjectiveLinkSerializer
    filterset_class = ObjectiveLinkFilter
    unit_lookups = ("cause__plan__org_unit_id", "cause__org_unit_id")
    perms: ClassVar[dict[str, str]] = {
        "view": "strategy.view_objective",
        "change": "strategy.change_objective",
    }

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        return cast(ObjectiveLink, obj).cause

    def perform_destroy(self, instance: Model) -> None:
        services.objective_link_delete(link=cast(ObjectiveLink, instance))
