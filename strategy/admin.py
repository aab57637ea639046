from typing import Any

from django import forms
from django.contrib import admin

from strategy.models import Objective, ObjectiveLink, Perspective, Stakeholder, StrategicPlan
from strategy.services import objective_link_cycle_error


class ObjectiveLinkAdminForm(forms.ModelForm[ObjectiveLink]):
    class Meta:
        model = ObjectiveLink
        fields = ["cause", "effect", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cause, effect = cleaned.get("cause"), cleaned.get("effect")
        if cause and effect and cause != effect and not self.instance.pk:
            error = objective_link_cycle_error(cause=cause, effect=effect)
            if error is not None:
                raise error
        return cleaned


class PerspectiveInline(admin.TabularInline[Perspective, StrategicPlan]):
    model = Perspective
    extra = 0


@admin.register(StrategicPlan)
class StrategicPlanAdmin(admin.ModelAdmin[StrategicPlan]):
    list_display = ["name", "org_unit", "start", "end", "status"]
    list_filter = ["status", "org_unit"]
    search_fields = ["name", "vision", "mission"]
    inlines = [PerspectiveInline]
    autocomplete_fields = ["org_unit", "parent"]


@admin.register(Perspective)
class PerspectiveAdmin(admin.ModelAdmin[Perspective]):
    list_display = ["name", "plan", "kind", "order", "weight"]
    list_filter = ["plan", "kind"]
    search_fields = ["name"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin[Objective]):
    list_display = ["code", "name", "plan", "perspective", "owner", "org_unit", "weight"]
    list_filter = ["plan", "perspective__kind", "org_unit"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["owner", "org_unit", "parent", "perspective"]


@admin.register(ObjectiveLink)
class ObjectiveLinkAdmin(admin.ModelAdmin[ObjectiveLink]):
    list_display = ["cause", "effect", "note"]
    list_filter = ["cause__plan"]
    autocomplete_fields = ["cause", "effect"]
    form = ObjectiveLinkAdminForm


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin[Stakeholder]):
    list_display = ["user", "involvement", "plan", "objective"]
    list_filter = ["involvement"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "plan", "objective"]
