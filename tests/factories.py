"""Factories for the scorecard's models, in one place."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from accounts.models import Membership, OrgUnit, Role, User
from actionplans.models import ActionPlan, Task
from kpis.models import Actual, Kpi, Target, Webhook, WebhookDelivery, WebhookEvent
from strategy.models import Objective, ObjectiveLink, Perspective, StrategicPlan


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    code = factory.Sequence(lambda n: f"unit-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    role = Role.VIEWER


class StrategicPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicPlan

    org_unit = factory.SubFactory(OrgUnitFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    vision = "Be the most trusted partner in our market."
    mission = "We help our customers grow."
    start = datetime.date(2026, 1, 1)
    end = datetime.date(2028, 12, 31)
    status = StrategicPlan.Status.ACTIVE


class PerspectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Perspective

    plan = factory.SubFactory(StrategicPlanFactory)
    name = factory.Sequence(lambda n: f"Perspective {n}")
    kind = Perspective.Kind.FINANCIAL
    order = factory.Sequence(lambda n: n)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    perspective = factory.SubFactory(PerspectiveFactory)
    plan = factory.SelfAttribute("perspective.plan")
    org_unit = factory.SelfAttribute("plan.org_unit")
    code = factory.Sequence(lambda n: f"O{n}")
    name = factory.Sequence(lambda n: f"Objective {n}")


class ObjectiveLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveLink

    cause = factory.SubFactory(ObjectiveFactory)
    effect = factory.SubFactory(
        ObjectiveFactory, perspective=factory.SelfAttribute("..cause.perspective")
    )


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    objective = factory.SubFactory(ObjectiveFactory)
    plan = factory.SelfAttribute("objective.plan")
    code = factory.Sequence(lambda n: f"K{n}")
    name = factory.Sequence(lambda n: f"KPI {n}")
    measure_unit = "%"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    kpi = factory.SubFactory(KpiFactory)
    period = datetime.date(2026, 1, 1)
    goal = Decimal(100)
    red_flag = Decimal(90)


class ActualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actual

    kpi = factory.SubFactory(KpiFactory)
    period = datetime.date(2026, 1, 1)
    value = Decimal(95)


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    url = "https://hooks.example.com/bearing"
    event = WebhookEvent.REPORT_READY
    secret = "s" * 64


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    webhook = factory.SubFactory(WebhookFactory)
    event = factory.SelfAttribute("webhook.event")
    payload: dict[str, object] = {}


class ActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlan

    objective = factory.SubFactory(ObjectiveFactory)
    org_unit = factory.SelfAttribute("objective.org_unit")
    name = factory.Sequence(lambda n: f"Action plan {n}")
    start_date = datetime.date(2026, 1, 1)
    due_date = datetime.date(2026, 6, 30)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    action_plan = factory.SubFactory(ActionPlanFactory)
    name = factory.Sequence(lambda n: f"Task {n}")
    due_date = datetime.date(2026, 3, 31)
