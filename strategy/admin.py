"""The strategy in the Django admin: read-only for every model.

Plans, perspectives, objectives, links and stakeholders are written through strategy/services/,
whose rules are not all model constraints: a cascaded plan's parent and status, an objective's
unit and owner, the standard perspectives that stay, cause-effect links that never close a
cycle (checked under a lock on the plan), archiving that touches nothing else. Rather than
copy those rules into admin forms, the admin lists and shows; changes go through the
strategy pages or the API.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from strategy.models import Objective, ObjectiveLink, Perspective, Stakeholder, StrategicPlan


class PerspectiveInline(ReadOnlyAdminMixin, admin.TabularInline[Perspective, StrategicPlan]):
    model = Perspective
    extra = 0


@admin.register(StrategicPlan)
class StrategicPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[StrategicPlan]):
    list_display = ["name", "org_unit", "start", "end", "status"]
    list_filter = ["status", "org_unit"]
    search_fields = ["name", "vision", "mission"]
    inlines = [PerspectiveInline]


@admin.register(Perspective)
class PerspectiveAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Perspective]):
    list_display = ["name", "plan", "kind", "order", "weight"]
    list_filter = ["plan", "kind"]
    search_fields = ["name"]


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Objective]):
    list_display = ["code", "name", "plan", "perspective", "owner", "org_unit", "is_archived"]
    list_filter = ["plan", "perspective__kind", "org_unit", "is_archived"]
    search_fields = ["code", "name"]


@admin.register(ObjectiveLink)
class ObjectiveLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ObjectiveLink]):
    list_display = ["cause", "effect", "note"]
    list_filter = ["cause__plan"]


@admin.register(Stakeholder)
class StakeholderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Stakeholder]):
    list_display = ["user", "involvement", "plan", "objective"]
    list_filter = ["involvement"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
