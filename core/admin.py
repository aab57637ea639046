"""The Django admin's read-only view of domain models whose writes have rules in services."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """List and inspect, never add, change or delete: the app's pages, API and services do.

    A ModelAdmin's form saves with `save()` after the model's own `full_clean()`, which misses
    every rule kept in a service (closed periods, versions, cycles, approval, the audit of bulk
    writes).
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
