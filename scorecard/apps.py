from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig, apps
from django.db import models
from django.db.models.signals import post_migrate

from core import data_version

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


# The plans whose kept scores (kpis.selectors.cascade) a row of these models may change; the
# other watched models change none. A KPI or an objective never leaves its plan, and a plan's
# scores are kept under the versions of every plan below it too, so naming the row's own plan
# reaches every plan above it. A period close (rare) moves every plan's.
def _plan_of_kpi_row(row: Any) -> Iterable[int] | None:
    from kpis.selectors.cascade import plan_of_kpi_row  # the models are loaded by now

    return plan_of_kpi_row(row)


SCORES_OF: dict[str, data_version.PlansOf | None] = {
    "strategy.StrategicPlan": lambda plan: [plan.pk],
    "strategy.Objective": lambda objective: [objective.plan_id],
    "kpis.Kpi": lambda kpi: [kpi.plan_id],
    "kpis.Target": _plan_of_kpi_row,
    "kpis.Actual": _plan_of_kpi_row,
    "kpis.PeriodClose": None,
}


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
    data_version.bump()


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

        for model in watched_models():
            label = model._meta.label
            plans_of = SCORES_OF.get(label, data_version.no_plans)
            data_version.watch([model], plans_of=plans_of)
        post_migrate.connect(_migrated, sender=self, dispatch_uid="data_version_migrated")
