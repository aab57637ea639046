from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self) -> None:
        from accounts.audit import register_for_audit
        from actionplans import kpi_pages, report_summary
        from actionplans.models import ActionPlan, Task
        from kpis import page_extensions
        from kpis.reports import extensions as report_extensions

        register_for_audit(ActionPlan)
        register_for_audit(Task)
        page_extensions.off_track_actions.append(kpi_pages.corrective_plan)
        page_extensions.kpi_sections.append(kpi_pages.render_plans_acting_on)
        report_extensions.summary_sections.append(report_summary.action_plans_behind)
