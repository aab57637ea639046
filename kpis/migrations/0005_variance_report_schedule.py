"""Seed the beat schedule: the variance reports of the closed period, daily at 05:00 UTC.

Admins change the time, or switch it off, under Periodic tasks in the Django admin.
"""

from django.db import migrations

from kpis.beat_schedule import remove_task, seed_daily_task

TASK_NAME = "Variance reports of the last closed period"


def seed_schedule(apps, schema_editor):
    seed_daily_task(
        apps,
        name=TASK_NAME,
        task="kpis.tasks.variance_reports_due",
        hour=5,
        description="Computes each active plan's report once its period has closed.",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0004_variance_report_snapshot"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed_schedule, remove_schedule)]
