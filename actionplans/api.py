"""The API for action plans and their tasks, written through actionplans/services.py.

Permissions are actionplans/rules.py's: everyone who may see the unit reads; managers and
admins of the unit write action plans and tasks; contributors change the tasks assigned to
them. Each plan carries its SMART check, read-only; a stale `version` answers 409.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, TypeVar, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from accounts.api_base import (
    ReadWriteDeleteViewSet,
    ScorecardViewSet,
    VisibleRelatedField,
)
from accounts.models import OrgUnit, User
from actionplans import services
from actionplans.models import ActionPlan, Milestone, Task
from core.api import IdFilter, conflict_response, with_conflicts
from core.api_http import Conflict
from strategy.models import Objective

M = TypeVar("M", bound=Model)


def _as_changed(instance: M, changes: dict[str, Any]) -> M:
    """A copy of the object with the changes applied, to ask permission about the result."""
    changed = copy.copy(instance)
    for field, value in changes.items():
        setattr(changed, field, value)
    return changed


class ActionPlanSerializer(serializers.ModelSerializer):
    objective = VisibleRelatedField(
        queryset=Objective.objects.all(), unit_lookups=("plan__org_unit_id", "org_unit_id")
    )
    org_unit = VisibleRelatedField(queryset=OrgUnit.objects.all(), unit_lookups=("pk",))
    owner = VisibleRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    version = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Answered: the current version. Sent on a change: the version it is based "
        "on; a different current version answers 409. Absent: no check.",
    )
    smart = serializers.SerializerMethodField(
        help_text="The SMART check: each criterion passed or what it is missing."
    )

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "objective",
            "org_unit",
            "name",
            "description",
            "success_measure",
            "owner",
            "resources",
            "budget_planned",
            "budget_spent",
            "why",
            "start_date",
            "due_date",
            "status",
            "version",
            "smart",
        ]

    def get_smart(self, obj: ActionPlan) -> list[dict[str, Any]]:
        return [
            {"criterion": c.key, "passed": c.passed, "missing": list(c.missing)}
            for c in services.smart_check(obj)
        ]

    def create(self, validated_data: dict[str, Any]) -> ActionPlan:
        validated_data.pop("version", None)
        view: ScorecardViewSet = self.context["view"]
        objective = validated_data.pop("objective")
        org_unit = validated_data.pop("org_unit")
        view.require("add", ActionPlan(objective=objective, org_unit=org_unit))
        return services.action_plan_create(
            objective=objective, org_unit_id=org_unit.pk, **validated_data
        )

    def update(self, instance: Model, validated_data: dict[str, Any]) -> ActionPlan:
        action_plan = cast(ActionPlan, instance)
        expected = validated_data.pop("version", None)
        view: ScorecardViewSet = self.context["view"]
        changed = _as_changed(action_plan, validated_data)
        view.require("change", changed)
        if changed.objective != action_plan.objective:
            # Moving it to another objective adds it there: the rule of creating it applies.
            view.require("add", changed)
        try:
            return services.action_plan_update(
                action_plan=action_plan, expected_version=expected, **validated_data
            )
        except services.VersionConflict as conflict:
            raise Conflict(
                conflict.messages[0], current=ActionPlanSerializer(conflict.current).data
            ) from None


class ActionPlanFilter(filters.FilterSet):
    plan = IdFilter(field_name="objective__plan_id")
    objective = IdFilter(field_name="objective_id")
    org_unit = IdFilter(field_name="org_unit_id")
    owner = IdFilter(field_name="owner_id")
    status = filters.ChoiceFilter(choices=ActionPlan.Status.choices)

    class Meta:
        model = ActionPlan
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["action plans"])
@with_conflicts(
    ActionPlanSerializer, conflict_response(ActionPlanSerializer, name="ActionPlanConflict")
)
class ActionPlanViewSet(ReadWriteDeleteViewSet):
    """Action plans reaching an objective, carried out by an org unit. The unit's managers
    and admins write them."""

    queryset = ActionPlan.objects.select_related("objective__plan")
    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilter
    unit_lookups = ("org_unit_id",)
    perms: ClassVar[dict[str, str]] = {
        "view": "actionplans.view_actionplan",
        "change": "actionplans.change_actionplan",
        "add": "actionplans.add_actionplan",
    }

    def allows(self, user: User | AnonymousUser, kind: str, obj: Model) -> bool:
        action_plan = cast(ActionPlan, obj)
        if kind == "add":
            # A manager of the objective's unit, who also manages the unit carrying it out.
            return bool(
                user.has_perm("actionplans.add_actionplan", action_plan.objective)
                and user.has_perm("actionplans.change_actionplan", action_plan)
            )
        return super().allows(user, kind, action_plan)


class TaskSerializer(serializers.ModelSerializer):
    action_plan = VisibleRelatedField(
        queryset=ActionPlan.objects.all(), unit_lookups=("org_unit_id",)
    )
    owner = VisibleRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    milestone = VisibleRelatedField(
        queryset=Milestone.objects.all(),
        unit_lookups=("action_plan__org_unit_id",),
        allow_null=True,
        required=False,
    )
    version = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Answered: the current version. Sent on a change: the version it is based "
        "on; a different current version answers 409. Absent: no check.",
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "action_plan",
            "milestone",
            "name",
            "owner",
            "start_date",
            "due_date",
            "status",
            "percent_complete",
            "weight",
            "version",
        ]

    def create(self, validated_data: dict[str, Any]) -> Task:
        validated_data.pop("version", None)
        view: ScorecardViewSet = self.context["view"]
        view.require("add", Task(action_plan=validated_data["action_plan"]))
        return services.task_create(**validated_data)

    def update(self, instance: Model, validated_data: dict[str, Any]) -> Task:
        task = cast(Task, instance)
        expected = validated_data.pop("version", None)
        view: ScorecardViewSet = self.context["view"]
        # The person must be allowed the task as it will be (a contributor who hands their
        # task to someone else no longer may).
        view.require("change", _as_changed(task, validated_data))
        if validated_data.get("action_plan", task.action_plan) != task.action_plan:
            # Moving a task takes it out of one action plan and adds it to another: both are
            # for those plans' managers, not for a contributor who owns the task.
            view.require("delete", task)
            view.require("add", Task(action_plan=validated_data["action_plan"]))
        try:
            return services.task_update(task=task, expected_version=expected, **validated_data)
        except services.VersionConflict as conflict:
            raise Conflict(
                conflict.messages[0], current=TaskSerializer(conflict.current).data
            ) from None


class TaskFilter(filters.FilterSet):
    action_plan = IdFilter(field_name="action_plan_id")
    owner = IdFilter(field_name="owner_id")
    status = filters.ChoiceFilter(choices=Task.Status.choices)
    milestone = IdFilter(field_name="milestone_id")

    class Meta:
        model = Task
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["action plans"])
@with_conflicts(TaskSerializer, conflict_response(TaskSerializer, name="TaskConflict"))
class TaskViewSet(ReadWriteDeleteViewSet):
    """Tasks of action plans. The unit's managers and admins add, change and
    delete them; contributors change the tasks assigned to them."""

    queryset = Task.objects.select_related("action_plan")
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    unit_lookups = ("action_plan__org_unit_id",)
    perms: ClassVar[dict[str, str]] = {
        "view": "actionplans.view_actionplan",
        "change": "actionplans.change_task",
        "add": "actionplans.change_actionplan",
        "delete": "actionplans.change_actionplan",
    }

    def perm_object(self, obj: Model, kind: str) -> Model | None:
        task = cast(Task, obj)
        return task if kind == "change" else task.action_plan
