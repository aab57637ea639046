"""Seed the beat schedule: reminders about missing actuals, daily at 06:00 UTC.

Admins change the time, or switch it off, under Periodic tasks in the Django admin.
"""

from django.db import migrations

from kpis.beat_schedule import remove_task, seed_daily_task

TASK_NAME = "Reminders about missing actuals"


def seed_schedule(apps, schema_editor):
    seed_daily_task(
        apps,
        name=TASK_NAME,
        task="kpis.tasks.send_reminders",
        hour=6,
        description="Reminds updaters of missing actuals and escalates to managers.",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0006_sent_reminder"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed_schedule, remove_schedule)]
