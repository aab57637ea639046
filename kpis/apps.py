from importlib import import_module

from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self) -> None:
        from accounts import extensions as people_pages
        from accounts.audit import register_for_audit
        from kpis import extensions
        from kpis.models import Actual, Kpi, PeriodClose, Target, Webhook
        from strategy import extensions as strategy_pages

        # Who changed a KPI's definition, target or actual, when, from what to what.
        register_for_audit(Kpi, m2m_fields=["updaters"])
        register_for_audit(Target)
        register_for_audit(Actual)
        # Who moved the close date, when, from which day to which.
        register_for_audit(PeriodClose)
        # Who registered, switched or deleted which webhook (never its secret).
        register_for_audit(Webhook, exclude=["secret"])

        import_module("kpis.reports.rules")  # the report permissions
        strategy_pages.plan_links.append(extensions.kpis_and_targets)
        strategy_pages.plans_actions.append(extensions.new_plan)
        people_pages.people_section_links.append(extensions.webhooks)
