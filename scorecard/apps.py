from django.apps import AppConfig, apps
from django.db import models
from django.db.models.signals import post_migrate

# The apps whose data the cached pages show (core/page_cache.py): every save, delete and
# many-to-many change of their models moves the data version, so a new model is watched
# without anyone having to remember it.
WATCHED_APPS = ["accounts", "strategy", "kpis", "actionplans"]
# Models of those apps that no cached page shows, left out because they are written often
# as bookkeeping, or only together with a watched model that moves the version anyway.
UNWATCHED_MODELS = {
    "accounts.Invitation": "shown on the People pages only, never cached",
    "kpis.ImportBatch": "a file being previewed; its commit writes actuals and targets",
    "kpis.VarianceLine": "written and deleted only with its report, which is watched",
    "kpis.SentReminder": "the record that a reminder went out, written by the worker",
    "kpis.SentDigest": "the record that a digest went out, written by the worker",
    "kpis.WebhookDelivery": "each delivery attempt, written by the worker",
}


# The models whose rows the scores kept per plan are computed from (kpis.selectors.cascade).
# A target or an actual moves its KPI's plan's version; the others move every plan's, as a
# KPI, objective or plan moved, re-weighted or archived reaches further than one plan (and
# is rare). The rest of the watched models change no plan's scores.
SCORED_MODELS = {
    "strategy.StrategicPlan",
    "strategy.Objective",
    "kpis.Kpi",
    "kpis.Target",
    "kpis.Actual",
    "kpis.PeriodClose",
}
OF_ONE_KPI = {"kpis.Target", "kpis.Actual"}


def watched_models() -> list[type[models.Model]]:
    """Every model of WATCHED_APPS (many-to-many tables included) but UNWATCHED_MODELS."""
    return [
        model
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.label not in UNWATCHED_MODELS
    ]


def _migrated(**_: object) -> None:
    """Every deployment migrates (the compose file's migrate job, `make run`): data migrations
    write without signals, and the pages cached by the previous release name its templates'
    words and its static files."""
    from core import data_version

    data_version.bump()


class ScorecardConfig(AppConfig):
    name = "scorecard"
    verbose_name = "Scorecard"

    def ready(self) -> None:
        from core import data_version
        from scorecard import health
        from strategy import extensions

        # The health checklist sees strategy, KPIs and action plans: only scorecard may.
        extensions.plan_sections.append(health.render_checklist)
        extensions.objective_actions.append(health.add_action_plan)
        extensions.plan_health.append(health.checklist)

        from kpis.selectors.cascade import plan_of_kpi_row

        watched = watched_models()
        data_version.watch(
            [m for m in watched if m._meta.label not in SCORED_MODELS],
            plans_of=data_version.no_plans,
        )
        data_version.watch(
            [m for m in watched if m._meta.label in OF_ONE_KPI], plans_of=plan_of_kpi_row
        )
        data_version.watch([m for m in watched if m._meta.label in SCORED_MODELS - OF_ONE_KPI])
        post_migrate.connect(_migrated, sender=self, dispatch_uid="data_version_migrated")
