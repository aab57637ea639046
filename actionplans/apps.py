from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self) -> None:
        from django.urls import reverse

        from accounts.audit import register_for_audit
        from actionplans import kpi_pages, report_summary
        from actionplans.models import ActionPlan, Task
        from kpis import page_extensions
        from kpis.reports import extensions as report_extensions

        def plan_page(pk: int) -> str:
            return reverse("actionplans:plan", args=[pk])

        register_for_audit(ActionPlan, page=lambda plan: plan_page(plan.pk))
        register_for_audit(Task, page=lambda task: plan_page(task.action_plan_id))
        page_extensions.off_track_actions.append(kpi_pages.corrective_plan)
        page_extensions.kpi_sections.append(kpi_pages.render_plans_acting_on)
        report_extensions.summary_sections.append(report_summary.action_plans_behind)
