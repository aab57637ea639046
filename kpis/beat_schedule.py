"""Seeding the beat schedule from data migrations: a daily task that admins then edit.

Migrations pass their historical `apps`, so this keeps working as the models change.
"""

from __future__ import annotations

from typing import Any


def seed_daily_task(apps: Any, *, name: str, task: str, hour: int, description: str) -> None:
    """Schedule `task` daily at `hour`:00 UTC under `name`, unless a task of that name exists."""
    crontab_schedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = crontab_schedule.objects.get_or_create(
        minute="0",
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    periodic_task.objects.get_or_create(
        name=name, defaults={"task": task, "crontab": daily, "description": description}
    )


def remove_task(apps: Any, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
