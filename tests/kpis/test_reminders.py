"""Reminders about missing actuals: who gets which, never twice, escalation to the unit's
manager, deactivated people left out, and the daily task on the beat schedule."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from accounts.models import Role
from kpis import tasks
from kpis.models import SentReminder
from kpis.reminders import Stage, reminder_stage
from kpis.services import reminders_send
from tests.factories import (
    ActualFactory,
    KpiFactory,
    MembershipFactory,
    OrgUnitFactory,
    UserFactory,
)

OCT = datetime.date(2026, 10, 1)
OCT_END = datetime.date(2026, 10, 31)
# With actuals due 5 days after the month and 3 days' notice: the October actual is due on
# 5 November; reminded from 2 November, overdue from 6, escalated from 8.
UPCOMING_DAY = datetime.date(2026, 11, 2)
OVERDUE_DAY = datetime.date(2026, 11, 6)
ESCALATION_DAY = datetime.date(2026, 11, 8)


@pytest.fixture(autouse=True)
def _reminder_settings(settings):  # type: ignore[no-untyped-def]
    settings.REMINDER_DUE_DAYS = 5
    settings.REMINDER_NOTICE_DAYS = 3
    settings.FISCAL_YEAR_START_MONTH = 1


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (datetime.date(2026, 11, 1), None),
        (UPCOMING_DAY, Stage.UPCOMING),
        (datetime.date(2026, 11, 5), Stage.UPCOMING),
        (OVERDUE_DAY, Stage.OVERDUE),
        (datetime.date(2026, 11, 7), Stage.OVERDUE),
        (ESCALATION_DAY, Stage.ESCALATION),
        (datetime.date(2026, 11, 30), Stage.ESCALATION),
    ],
)
def test_the_stage_follows_the_due_day(today, stage):
    assert reminder_stage(today, OCT_END, due_days=5, notice_days=3) == stage


def recipients(stage: Stage) -> set[tuple[str, str]]:
    return {
        (reminder.kpi.code, reminder.recipient.username)
        for reminder in SentReminder.objects.filter(stage=stage, period=OCT)
    }


@pytest.fixture
def team():  # type: ignore[no-untyped-def]
    """Two KPIs of one unit: REV, missing with two updaters (one deactivated), and COST,
    already reported; a manager of the unit (and a deactivated one) and one of another unit."""
    unit = OrgUnitFactory(name="Sales")
    ana, gone = UserFactory(username="ana"), UserFactory(username="gone", is_active=False)
    rev = KpiFactory(code="REV", objective__plan__org_unit=unit, objective__org_unit=unit)
    rev.updaters.set([ana, gone])
    cost = KpiFactory(code="COST", objective=rev.objective)
    cost.updaters.set([ana])
    ActualFactory(kpi=cost, period=OCT)
    MembershipFactory(user=UserFactory(username="boss"), org_unit=unit, role=Role.MANAGER)
    MembershipFactory(
        user=UserFactory(username="old.boss", is_active=False), org_unit=unit, role=Role.MANAGER
    )
    MembershipFactory(user=UserFactory(username="other.boss"), role=Role.MANAGER)
    return rev


@pytest.mark.django_db
def test_active_updaters_of_a_missing_actual_are_reminded_before_the_due_day(team):
    sent = reminders_send(today=UPCOMING_DAY)

    assert recipients(Stage.UPCOMING) == {("REV", "ana")}
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]
    assert "REV" in mail.outbox[0].subject
    assert "2026-11-05" in mail.outbox[0].subject
    assert len(sent) == 1


@pytest.mark.django_db
def test_no_reminder_goes_out_twice(team):
    reminders_send(today=UPCOMING_DAY)
    reminders_send(today=datetime.date(2026, 11, 3))
    reminders_send(today=OVERDUE_DAY)
    reminders_send(today=datetime.date(2026, 11, 7))

    assert SentReminder.objects.filter(kpi=team).count() == 2
    assert [message.subject.split(":")[0] for message in mail.outbox] == ["Reminder", "Overdue"]


@pytest.mark.django_db
def test_a_second_miss_escalates_to_the_active_managers_of_the_unit(team):
    reminders_send(today=OVERDUE_DAY)
    reminders_send(today=ESCALATION_DAY)
    reminders_send(today=datetime.date(2026, 11, 9))

    assert recipients(Stage.OVERDUE) == {("REV", "ana")}
    assert recipients(Stage.ESCALATION) == {("REV", "boss")}
    assert [message.to for message in mail.outbox] == [["ana@example.com"], ["boss@example.com"]]


@pytest.mark.django_db
def test_an_actual_entered_in_time_stops_the_reminders(team):
    reminders_send(today=UPCOMING_DAY)
    ActualFactory(kpi=team, period=OCT)
    reminders_send(today=OVERDUE_DAY)
    reminders_send(today=ESCALATION_DAY)

    assert list(SentReminder.objects.values_list("stage", flat=True)) == [Stage.UPCOMING]


@pytest.mark.django_db
def test_a_kpi_without_updaters_reminds_its_owner_unless_deactivated():
    KpiFactory(code="NPS", owner=UserFactory(username="owner"))
    KpiFactory(code="CSAT", owner=UserFactory(username="left", is_active=False))

    reminders_send(today=UPCOMING_DAY)

    assert recipients(Stage.UPCOMING) == {("NPS", "owner")}


@pytest.mark.django_db
def test_the_daily_task_sends_the_reminders_and_is_on_the_beat_schedule(
    team, monkeypatch, beat_schedule
):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: UPCOMING_DAY)

    assert tasks.send_reminders.apply().get() == 1
    assert tasks.send_reminders.apply().get() == 0
    scheduled = PeriodicTask.objects.get(task="kpis.tasks.send_reminders")
    assert scheduled.enabled
    assert (scheduled.crontab.hour, str(scheduled.crontab.timezone)) == ("6", "UTC")
