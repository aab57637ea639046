"""The API for action plans and their tasks and milestones, on the models as they stand.

Permissions are actionplans/rules.py's: everyone who may see the unit reads; managers and
admins of the unit write action plans and tasks; contributors change the tasks assigned to
them.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema

from accounts.api_base import (
    CleanModelSerializer,
    ReadWriteDeleteViewSet,
    ScorecardViewSet,
    VisibleRelatedField,
)
from accounts.models import OrgUnit, User
from actionplans.models import ActionPlan, Task
from core.api import IdFilter
from strategy.models import Objective


class ActionPlanSerializer(CleanModelSerializer):
    objective = VisibleRelatedField(
        queryset=Objective.objects.all(), unit_lookups=("plan__org_unit_id", "org_unit_id")
    )
    org_unit = VisibleRelatedField(queryset=OrgUnit.objects.all(), unit_lookups=("pk",))
    owner = VisibleRelatedField(queryset=User.objects.all(), allow_null=True, required=False)

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
            "start_date",
            "due_date",
            "status",
        ]

    def update(self, instance: Model, validated_data: dict[str, Any]) -> Model:
        action_plan = cast(ActionPlan, instance)
        objective = validated_data.get("objective", action_plan.objective)
        if objective != action_plan.objective:
            # Moving it to another objective adds it there: the rule of creating it applies.
            view: ScorecardViewSet = self.context["view"]
            org_unit = validated_data.get("org_unit", action_plan.org_unit)
            view.require("add", ActionPlan(objective=objective, org_unit=org_unit))
        return super().update(instance, validated_data)


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
class ActionPlanViewSet(ReadWriteDeleteViewSet):
    """Action plans reaching an objective, carried out by an org unit. The unit's managers
    and admins write them."""

    queryset = ActionPlan.objects.all()
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


class TaskSerializer(CleanModelSerializer):
    action_plan = VisibleRelatedField(
        queryset=ActionPlan.objects.all(), unit_lookups=("org_unit_id",)
    )
    owner = VisibleRelatedField(queryset=User.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Task
        fields = [
            "id",
            "action_plan",
            "name",
            "owner",
            "due_date",
            "status",
            "percent_complete",
            "is_milestone",
        ]

    def update(self, instance: Model, validated_data: dict[str, Any]) -> Model:
        task = cast(Task, instance)
        action_plan = validated_data.get("action_plan", task.action_plan)
        if action_plan != task.action_plan:
            # Moving a task takes it out of one action plan and adds it to another: both are
            # for those plans' managers, not for a contributor who owns the task.
            view: ScorecardViewSet = self.context["view"]
            view.require("delete", task)
            view.require("add", Task(action_plan=action_plan))
        return super().update(instance, validated_data)


class TaskFilter(filters.FilterSet):
    action_plan = IdFilter(field_name="action_plan_id")
    owner = IdFilter(field_name="owner_id")
    status = filters.ChoiceFilter(choices=Task.Status.choices)
    is_milestone = filters.BooleanFilter()

    class Meta:
        model = Task
        fields: ClassVar[list[str]] = []


@extend_schema(tags=["action plans"])
class TaskViewSet(ReadWriteDeleteViewSet):
    """Tasks and milestones of action plans. The unit's managers and admins add, change and
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
