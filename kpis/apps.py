from importlib import import_module

from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self) -> None:
        from django.urls import reverse

        from accounts import extensions as people_pages
        from accounts.audit import register_for_audit
        from kpis import extensions
        from kpis.models import Actual, Kpi, PeriodClose, Target, Webhook
        from strategy import extensions as strategy_pages

        def kpi_page(kpi_id: int) -> str:
            return reverse("kpis:kpi", args=[kpi_id])

        # Who changed a KPI's definition, target or actual, when, from what to what.
        register_for_audit(Kpi, m2m_fields=["updaters"], page=lambda kpi: kpi_page(kpi.pk))
        register_for_audit(Target, page=lambda target: kpi_page(target.kpi_id))
        # The version only guards against saving over a newer value: nothing to read.
        register_for_audit(Actual, exclude=["version"], page=lambda actual: kpi_page(actual.kpi_id))
        # Who moved the close date, when, from which day to which.
        register_for_audit(PeriodClose, page=lambda _: reverse("kpis:close"))
        # Who registered, switched or deleted which webhook (never its secret).
        register_for_audit(Webhook, exclude=["secret"], page=lambda _: reverse("kpis:webhooks"))

        import_module("kpis.reports.rules")  # the report permissions
        strategy_pages.plan_links.append(extensions.kpis_and_targets)
        strategy_pages.plans_actions.append(extensions.new_plan)
        people_pages.people_section_links.append(extensions.webhooks)
