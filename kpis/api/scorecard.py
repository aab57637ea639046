"""A plan's scorecard through the API: the tree of perspectives, objectives and KPIs with their
scores, from `kpis.selectors.plan_scorecard`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_base import ScorecardPermission, VisibleRelatedField
from core.api import NumberField, StrictQueryParamsMixin
from kpis import scoring, selectors
from kpis.models import ScoreStatus
from strategy.models import StrategicPlan


class ScorecardQuerySerializer(serializers.Serializer[Any]):
    plan = VisibleRelatedField(
        queryset=StrategicPlan.objects.all(), unit_lookups=("org_unit_id",), help_text="Plan id."
    )
    period = serializers.DateField(
        help_text="The first day of a month; each KPI is seen in its own period containing it."
    )
    view = serializers.ChoiceField(choices=selectors.VIEWS, default=selectors.MONTH)

    def validate_period(self, period: date) -> date:
        if period.day != 1:
            raise serializers.ValidationError(
                f"A period starts on the first day of a month: use "
                f"{period.replace(day=1).isoformat()} for the period containing "
                f"{period.isoformat()}."
            )
        return period


class _ScoreFields(serializers.Serializer[Any]):
    score = NumberField(
        max_digits=6, decimal_places=3, allow_null=True, help_text="0 to 10, three decimals."
    )
    status = serializers.ChoiceField(choices=ScoreStatus.choices)


class KpiNodeSerializer(_ScoreFields):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    weight = NumberField(max_digits=8, decimal_places=3)
    actual = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    goal = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    red_flag = NumberField(max_digits=40, decimal_places=6, allow_null=True)
    periods_expected = serializers.IntegerField()
    periods_reported = serializers.IntegerField()
    coverage = serializers.CharField(help_text='e.g. "2 of 3 periods reported".')


class _RollupFields(_ScoreFields):
    kpis_reported = serializers.IntegerField()
    kpis_total = serializers.IntegerField()
    coverage = serializers.CharField(help_text='e.g. "12 of 15 KPIs reported".')


class ObjectiveNodeSerializer(_RollupFields):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    weight = NumberField(max_digits=8, decimal_places=3)
    kpis = KpiNodeSerializer(many=True)


# Cascaded objectives (of the plans below) count towards their parent objective.
ObjectiveNodeSerializer._declared_fields["children"] = ObjectiveNodeSerializer(
    many=True, help_text="Cascaded objectives of the plans below, counted in this one's score."
)


class PerspectiveNodeSerializer(_RollupFields):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = NumberField(max_digits=8, decimal_places=3)
    objectives = ObjectiveNodeSerializer(many=True)


class ScorecardSerializer(_RollupFields):
    plan = serializers.IntegerField()
    name = serializers.CharField()
    period = serializers.DateField()
    view = serializers.CharField()
    explanation = serializers.ListField(child=serializers.CharField())
    perspectives = PerspectiveNodeSerializer(many=True)


def _coverage(reported: int, total: int, noun: str) -> str:
    return f"{reported} of {total} {noun} reported"


def _kpi_node(score: selectors.KpiScore) -> dict[str, Any]:
    result = score.result
    return {
        "id": score.kpi.pk,
        "code": score.kpi.code,
        "name": score.kpi.name,
        "weight": score.kpi.weight,
        "score": scoring.score_to_decimal(result.score),
        "status": result.status.value,
        "actual": result.actual,
        "goal": result.goal,
        "red_flag": result.red_flag,
        "periods_expected": result.periods_expected,
        "periods_reported": result.periods_reported,
        "coverage": _coverage(result.periods_reported, result.periods_expected, "periods"),
    }


def _objective_node(score: selectors.ObjectiveScore) -> dict[str, Any]:
    return {
        "id": score.objective.pk,
        "code": score.objective.code,
        "name": score.objective.name,
        "weight": score.objective.weight,
        "score": scoring.score_to_decimal(score.rollup.score),
        "status": score.status.value,
        "kpis_reported": score.kpis_reported,
        "kpis_total": score.kpis_total,
        "coverage": _coverage(score.kpis_reported, score.kpis_total, "KPIs"),
        "kpis": [_kpi_node(kpi) for kpi in score.kpis],
        "children": [_objective_node(child) for child in score.children],
    }


def _scorecard(card: selectors.PlanScorecard) -> dict[str, Any]:
    return {
        "plan": card.plan.pk,
        "name": card.plan.name,
        "period": card.period,
        "view": card.view,
        "score": scoring.score_to_decimal(card.rollup.score),
        "status": card.status.value,
        "kpis_reported": card.kpis_reported,
        "kpis_total": card.kpis_total,
        "coverage": card.coverage,
        "explanation": list(card.rollup.explanation),
        "perspectives": [
            {
                "id": p.perspective.pk,
                "name": p.perspective.name,
                "weight": p.perspective.weight,
                "score": scoring.score_to_decimal(p.rollup.score),
                "status": p.status.value,
                "kpis_reported": p.kpis_reported,
                "kpis_total": p.kpis_total,
                "coverage": _coverage(p.kpis_reported, p.kpis_total, "KPIs"),
                "objectives": [_objective_node(o) for o in p.objectives],
            }
            for p in card.perspectives
        ],
    }


@extend_schema(tags=["kpis"])
class ScorecardView(StrictQueryParamsMixin, APIView):
    """The plan's roll-up tree for a period: plan → perspectives → objectives (→ cascaded
    objectives) → KPIs, with score, status and coverage at each level."""

    permission_classes = [ScorecardPermission]

    def accepted_query_params(self) -> frozenset[str]:
        return frozenset({"plan", "period", "view"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.refuse_unknown_query_params(request)

    @extend_schema(parameters=[ScorecardQuerySerializer], responses=ScorecardSerializer)
    def get(self, request: Request) -> Response:
        query = ScorecardQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        card = selectors.plan_scorecard(
            plan=query.validated_data["plan"],
            period=query.validated_data["period"],
            view=query.validated_data["view"],
            reader=request.user,
        )
        return Response(ScorecardSerializer(_scorecard(card)).data)
