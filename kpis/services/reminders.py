"""Reminders about missing actuals, sent by e-mail and recorded so that none goes out twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Prefetch

from accounts.models import Membership, Role, User
from kpis import periods
from kpis.models import Frequency, Kpi, SentReminder
from kpis.reminders import Stage, due_day, reminder_stage
from strategy.models import StrategicPlan

SUBJECTS = {
    Stage.UPCOMING: "Reminder: the {period} actual of {kpi} is due on {due}",
    Stage.OVERDUE: "Overdue: the {period} actual of {kpi} was due on {due}",
    Stage.ESCALATION: "Still missing: the {period} actual of {kpi}, due on {due}",
}


def reminders_send(*, today: date) -> list[SentReminder]:
    """Send the reminders due today about the last ended period's missing actuals.

    Updaters (or the owner, for a KPI without updaters) get the upcoming and overdue
    reminders; the managers of the objective's unit get the escalation. Deactivated people
    get nothing. Each reminder is recorded with the e-mail in one transaction, so a failed
    e-mail is tried again on the next run and a sent one never is.
    """
    sent: list[SentReminder] = []
    for frequency in Frequency.values:
        period = periods.shift(
            periods.period_start(today, frequency, settings.FISCAL_YEAR_START_MONTH),
            frequency,
            -1,
        )
        end = periods.period_end(period, frequency)
        stage = reminder_stage(
            today,
            end,
            due_days=settings.REMINDER_DUE_DAYS,
            notice_days=settings.REMINDER_NOTICE_DAYS,
        )
        if stage is None:
            continue
        due = due_day(end, settings.REMINDER_DUE_DAYS)
        for kpi, recipients in _missing_actuals(frequency, period, stage):
            for recipient in recipients:
                reminder = _send_once(
                    kpi=kpi, period=period, recipient=recipient, stage=stage, due=due
                )
                if reminder is not None:
                    sent.append(reminder)
    return sent


def _missing_actuals(frequency: str, period: date, stage: Stage) -> list[tuple[Kpi, list[User]]]:
    """The KPIs of active plans still without the period's actual, each with whom to tell."""
    active = User.objects.filter(is_active=True).exclude(email="").order_by("pk")
    kpis = list(
        Kpi.objects.filter(
            frequency=frequency,
            is_retired=False,
            formula="",
            plan__status=StrategicPlan.Status.ACTIVE,
        )
        .exclude(actuals__period=period)
        .select_related("owner", "objective")
        .prefetch_related(Prefetch("updaters", queryset=active, to_attr="active_updaters"))
        .order_by("pk")
    )
    if stage is not Stage.ESCALATION:
        return [(kpi, kpi.active_updaters or _reachable(kpi.owner)) for kpi in kpis]
    managers: dict[int, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            role=Role.MANAGER,
            user__is_active=True,
            user__email__gt="",
            org_unit__in={kpi.objective.org_unit_id for kpi in kpis},
        )
        .select_related("user")
        .order_by("user__pk")
    ):
        managers[membership.org_unit_id].append(membership.user)
    return [(kpi, managers[kpi.objective.org_unit_id]) for kpi in kpis]


def _reachable(person: User | None) -> list[User]:
    return [person] if person is not None and person.is_active and person.email else []


def _send_once(
    *, kpi: Kpi, period: date, recipient: User, stage: Stage, due: date
) -> SentReminder | None:
    with transaction.atomic():
        reminder, created = SentReminder.objects.get_or_create(
            kpi=kpi, period=period, recipient=recipient, stage=stage.value
        )
        if not created:
            return None
        subject = SUBJECTS[stage].format(
            period=periods.label(period, kpi.frequency, settings.FISCAL_YEAR_START_MONTH),
            kpi=f"{kpi.code} {kpi.name}",
            due=due.isoformat(),
        )
        body = (
            f"{subject}.\n\nEnter it under My updates in Bearing"
            + (" (you manage the unit of its objective)." if stage is Stage.ESCALATION else ".")
            + "\n"
        )
        send_mail(subject, body, None, [recipient.email])
    return reminder
