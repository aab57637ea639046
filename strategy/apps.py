from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        from accounts.audit import register_for_audit
        from strategy.models import (
            Objective,
            ObjectiveComment,
            ObjectiveLink,
            Perspective,
            Stakeholder,
            StrategicPlan,
        )

        for model in (
            StrategicPlan,
            Perspective,
            Objective,
            ObjectiveComment,
            ObjectiveLink,
            Stakeholder,
        ):
            register_for_audit(model)
