"""Replace period locks by the close date.

A lock froze the periods that *started* on its date; the close date closes every period that
*ends* on or before it. The rule chosen for existing locks: the organisation is closed through
the last day of the month of its latest lock, set by whoever took that lock. So the months
before the latest lock close too, even those never locked, and a quarter or year that started
on a locked date reopens until it ends. Going back turns the close date into one lock on the
first day of its last month.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _month_end(day):
    next_month = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return next_month - datetime.timedelta(days=1)


def locks_to_close_date(apps, schema_editor):
    PeriodLock = apps.get_model("kpis", "PeriodLock")
    PeriodClose = apps.get_model("kpis", "PeriodClose")
    latest = PeriodLock.objects.order_by("-period").first()
    if latest is not None:
        PeriodClose.objects.create(
            id=1, closed_through=_month_end(latest.period), closed_by_id=latest.locked_by_id
        )


def close_date_to_lock(apps, schema_editor):
    PeriodLock = apps.get_model("kpis", "PeriodLock")
    PeriodClose = apps.get_model("kpis", "PeriodClose")
    close = PeriodClose.objects.filter(id=1).exclude(closed_through=None).first()
    if close is not None:
        PeriodLock.objects.create(
            period=close.closed_through.replace(day=1), locked_by_id=close.closed_by_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0009_sent_digest"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PeriodClose",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "closed_through",
                    models.DateField(
                        blank=True,
                        help_text="Last day of the last closed month; empty: none.",
                        null=True,
                    ),
                ),
                ("closed_at", models.DateTimeField(auto_now=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="periodclose",
            constraint=models.CheckConstraint(condition=models.Q(("id", 1)), name="periodclose_one_row"),
        ),
        migrations.RunPython(locks_to_close_date, close_date_to_lock),
        migrations.DeleteModel(name="PeriodLock"),
    ]
