from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = "Scorecard"

    def ready(self) -> None:
        from scorecard import health
        from strategy import extensions

        # The health checklist sees strategy, KPIs and action plans: only scorecard may.
        extensions.plan_sections.append(health.render_checklist)
        extensions.objective_actions.append(health.add_action_plan)
        extensions.plan_health.append(health.checklist)
