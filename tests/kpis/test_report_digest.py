"""The e-mail digest of a variance report: to the plan's executives and stakeholders, once per
period, queued when the report commits, each person seeing only the lines they may see."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.models import Role
from kpis import tasks
from kpis.models import SentDigest
from kpis.reports.services import variance_report_compute
from scorecard.celery import app as celery_app
from strategy.services import stakeholder_add
from tests.factories import (
    ActualFactory,
    KpiFactory,
    ObjectiveFactory,
    PerspectiveFactory,
    StrategicPlanFactory,
    TargetFactory,
)
from tests.org import people as staff
from tests.org import unit_tree

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BEARING_SITE_URL = "https://bearing.example.com"


@pytest.fixture
def world():
    """The Sales plan with NPS on track and CHURN off track, a cascaded Finance KPI (COST), and
    people around it."""
    units = unit_tree(
        ("org", "Org", None), ("sales", "Sales", "org"), ("finance", "Finance", "org")
    )
    root, sales, finance = units["org"], units["sales"], units["finance"]
    plan = StrategicPlanFactory(org_unit=sales, name="Sales plan")
    objective = ObjectiveFactory(
        plan=plan, perspective=PerspectiveFactory(plan=plan), org_unit=sales, code="C1"
    )
    child_plan = StrategicPlanFactory(org_unit=finance, parent=plan, name="Finance cascade")
    child = ObjectiveFactory(
        plan=child_plan,
        perspective=PerspectiveFactory(plan=child_plan),
        org_unit=finance,
        code="C1.1",
        parent=objective,
    )
    kpis = {
        "NPS": KpiFactory(objective=objective, code="NPS", name="Net promoter score"),
        "CHURN": KpiFactory(objective=objective, code="CHURN", name="Customer churn"),
        "COST": KpiFactory(objective=child, code="COST", name="Cost to serve"),
    }
    for code, value in (("NPS", 105), ("CHURN", 50), ("COST", 60)):
        TargetFactory(kpi=kpis[code], period=JAN, goal=Decimal(100), red_flag=Decimal(90))
        ActualFactory(kpi=kpis[code], period=JAN, value=Decimal(value))
    people = staff(
        {
            "ceo": [(root, Role.EXECUTIVE)],
            "sales-director": [(sales, Role.EXECUTIVE)],
            "finance-director": [(finance, Role.EXECUTIVE)],
            "former-executive": [(sales, Role.EXECUTIVE)],
            "sales-analyst": [(sales, Role.VIEWER)],
            "sales-manager": [(sales, Role.MANAGER)],
            "no-address": [(sales, Role.VIEWER)],
        }
    )
    people["former-executive"].is_active = False
    people["former-executive"].save()
    people["no-address"].email = ""
    people["no-address"].save()
    stakeholder_add(user=people["sales-analyst"], involvement="informed", plan=plan)
    stakeholder_add(user=people["sales-manager"], involvement="consulted", objective=objective)
    stakeholder_add(user=people["no-address"], involvement="informed", plan=plan)
    return plan, people


def _by_recipient() -> dict[str, mail.EmailMultiAlternatives]:
    return {message.to[0]: message for message in mail.outbox}


def test_the_digest_goes_to_the_plans_executives_and_stakeholders(world):
    plan, _ = world
    report = variance_report_compute(plan=plan, period=JAN)

    assert tasks.send_report_digest.apply(args=(report.pk,)).get() == 4

    assert sorted(_by_recipient()) == [
        "ceo@example.com",
        "sales-analyst@example.com",
        "sales-director@example.com",
        "sales-manager@example.com",
    ]
    message = _by_recipient()["ceo@example.com"]
    assert message.subject == "Variance report ready: Sales plan, January 2026"
    link = f"https://bearing.example.com/reports/{report.pk}/"
    assert f"Plan score: {report.summary['score']} (3 of 3 KPIs reported)" in message.body
    assert "Off track: 2" in message.body
    assert "- COST Cost to serve: 60" in message.body
    assert "- CHURN Customer churn: 50" in message.body
    assert f"Read the whole report: {link}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="{link}">Read the whole report</a>' in html
    assert "<li>CHURN Customer churn: 50" in html


def test_the_digest_is_never_sent_twice_for_a_period(world):
    plan, _ = world
    report = variance_report_compute(plan=plan, period=JAN)
    tasks.send_report_digest.apply(args=(report.pk,)).get()

    again = tasks.send_report_digest.apply(args=(report.pk,)).get()
    recomputed = variance_report_compute(plan=plan, period=JAN)
    after_recompute = tasks.send_report_digest.apply(args=(recomputed.pk,)).get()

    assert (again, after_recompute) == (0, 0)
    assert len(mail.outbox) == 4
    assert SentDigest.objects.filter(plan=plan, period=JAN).count() == 4


def test_the_sent_record_is_unique_per_plan_period_and_person(world):
    plan, people = world
    SentDigest.objects.create(plan=plan, period=JAN, recipient=people["ceo"])
    with pytest.raises(IntegrityError), transaction.atomic():
        SentDigest.objects.create(plan=plan, period=JAN, recipient=people["ceo"])


def test_a_reader_is_sent_only_the_lines_they_may_see(world, settings):
    settings.SCORECARD_TRANSPARENCY = False
    plan, _ = world
    report = variance_report_compute(plan=plan, period=JAN)

    tasks.send_report_digest.apply(args=(report.pk,)).get()

    messages = _by_recipient()
    assert "COST" not in messages["sales-manager@example.com"].body
    assert "COST" not in messages["sales-manager@example.com"].alternatives[0][0]
    assert "CHURN" in messages["sales-manager@example.com"].body
    assert "COST" in messages["ceo@example.com"].body


def _compute_then_fail(plan) -> None:
    """A report computed inside work that then fails, rolling the report back."""
    try:
        with transaction.atomic():
            variance_report_compute(plan=plan, period=JAN)
            raise RuntimeError("the surrounding work failed")
    except RuntimeError:
        pass


def test_the_digest_is_queued_when_the_report_commits_and_not_for_a_rolled_back_one(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    plan, _ = world
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)

    with django_capture_on_commit_callbacks(execute=True):
        _compute_then_fail(plan)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        variance_report_compute(plan=plan, period=JAN)
    assert len(mail.outbox) == 4
