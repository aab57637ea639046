from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        from django.urls import reverse

        from accounts.audit import register_for_audit
        from strategy.models import (
            Objective,
            ObjectiveComment,
            ObjectiveLink,
            Perspective,
            Stakeholder,
            StrategicPlan,
        )

        def plan_page(plan_id: int | None, anchor: str = "") -> str:
            return reverse("strategy:plan", args=[plan_id]) + anchor if plan_id else ""

        register_for_audit(StrategicPlan, page=lambda plan: plan_page(plan.pk))
        register_for_audit(Perspective, page=lambda p: plan_page(p.plan_id, f"#perspective-{p.pk}"))
        register_for_audit(Objective, page=lambda o: plan_page(o.plan_id, f"#objective-{o.pk}"))
        # A link's plan is its objectives': not among its own fields, so it is not linked.
        register_for_audit(ObjectiveLink)
        register_for_audit(Stakeholder, page=lambda s: plan_page(s.plan_id))
        # A commentary's page is the objective's, which a higher app serves: not linked.
        register_for_audit(ObjectiveComment)
