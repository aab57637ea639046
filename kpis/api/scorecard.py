"""A plan's scorecard through the API: the tree of perspectives, objectives and KPIs with their
scores, from `kpis.selectors.plan_scorecard`.

`depth` cuts the tree (the plan's roll-up alone, down to perspectives, objectives, or KPIs);
the KPI lines are paged (`page`, `page_size`) in the order of the tree, so a plan of
thousands of KPIs answers a page at a time while every roll-up above them stays whole.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.api_base import ScorecardPermission, VisibleRelatedField
from core.api import PAGINATION_PARAMS, NumberField, StrictQueryParamsMixin
from core.api_http import MAX_PAGE_SIZE
from kpis import scoring, selectors
from kpis.models import ScoreStatus
from strategy.models import StrategicPlan

PLAN, PERSPECTIVE, OBJECTIVE, KPI = "plan", "perspective", "objective", "kpi"
DEPTHS = (PLAN, PERSPECTIVE, OBJECTIVE, KPI)


class ScorecardQuerySerializer(serializers.Serializer[Any]):
    plan = VisibleRelatedField(
        queryset=StrategicPlan.objects.all(), unit_lookups=("org_unit_id",), help_text="Plan id."
    )
    period = serializers.DateField(
        help_text="The first day of a month; each KPI is seen in its own period containing it."
    )
    view = serializers.ChoiceField(choices=selectors.VIEWS, default=selectors.MONTH)
    depth = serializers.ChoiceField(
        choices=DEPTHS,
        default=KPI,
        help_text="How deep the tree goes: the plan's roll-up alone, or down to its "
        "perspectives, objectives or KPIs.",
    )
    page = serializers.IntegerField(
        min_value=1, default=1, help_text="The page of KPI lines (depth kpi)."
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=MAX_PAGE_SIZE,
        help_text="KPI lines per page, in the order of the tree (depth kpi).",
    )

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
    kpis = KpiNodeSerializer(
        many=True,
        required=False,
        help_text="Depth kpi: the objective's KPI lines on this page (see kpi_lines).",
    )


# Cascaded objectives (of the plans below) count towards their parent objective.
ObjectiveNodeSerializer._declared_fields["children"] = ObjectiveNodeSerializer(
    many=True, help_text="Cascaded objectives of the plans below, counted in this one's score."
)


class PerspectiveNodeSerializer(_RollupFields):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = NumberField(max_digits=8, decimal_places=3)
    objectives = ObjectiveNodeSerializer(
        many=True, required=False, help_text="Depth objective or kpi."
    )


class KpiLinesSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="KPI lines in the whole tree.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class ScorecardSerializer(_RollupFields):
    plan = serializers.IntegerField()
    name = serializers.CharField()
    period = serializers.DateField()
    view = serializers.CharField()
    depth = serializers.ChoiceField(choices=DEPTHS)
    explanation = serializers.ListField(child=serializers.CharField())
    perspectives = PerspectiveNodeSerializer(
        many=True, required=False, help_text="Depth perspective, objective or kpi."
    )
    kpi_lines = KpiLinesSerializer(
        required=False, help_text="Depth kpi: which page of the tree's KPI lines this is."
    )


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


class _Shape:
    """How much of the tree to write: its depth, and the KPI lines of one page (numbered in
    the order of the tree)."""

    def __init__(self, depth: str, first: int, last: int) -> None:
        self.depth, self.first, self.last = depth, first, last
        self.lines = 0

    def page_of(self, kpis: list[selectors.KpiScore]) -> list[dict[str, Any]]:
        start, self.lines = self.lines, self.lines + len(kpis)
        return [_kpi_node(k) for k in kpis[max(0, self.first - start) : max(0, self.last - start)]]


def _objective_node(score: selectors.ObjectiveScore, shape: _Shape) -> dict[str, Any]:
    node = {
        "id": score.objective.pk,
        "code": score.objective.code,
        "name": score.objective.name,
        "weight": score.objective.weight,
        "score": scoring.score_to_decimal(score.rollup.score),
        "status": score.status.value,
        "kpis_reported": score.kpis_reported,
        "kpis_total": score.kpis_total,
        "coverage": _coverage(score.kpis_reported, score.kpis_total, "KPIs"),
    }
    if shape.depth == KPI:
        node["kpis"] = shape.page_of(score.kpis)
    node["children"] = [_objective_node(child, shape) for child in score.children]
    return node


def _scorecard(card: selectors.PlanScorecard, shape: _Shape) -> dict[str, Any]:
    data: dict[str, Any] = {
        "plan": card.plan.pk,
        "name": card.plan.name,
        "period": card.period,
        "view": card.view,
        "depth": shape.depth,
        "score": scoring.score_to_decimal(card.rollup.score),
        "status": card.status.value,
        "kpis_reported": card.kpis_reported,
        "kpis_total": card.kpis_total,
        "coverage": card.coverage,
        "explanation": list(card.rollup.explanation),
    }
    if shape.depth == PLAN:
        return data
    data["perspectives"] = []
    for p in card.perspectives:
        node = {
            "id": p.perspective.pk,
            "name": p.perspective.name,
            "weight": p.perspective.weight,
            "score": scoring.score_to_decimal(p.rollup.score),
            "status": p.status.value,
            "kpis_reported": p.kpis_reported,
            "kpis_total": p.kpis_total,
            "coverage": _coverage(p.kpis_reported, p.kpis_total, "KPIs"),
        }
        if shape.depth != PERSPECTIVE:
            node["objectives"] = [_objective_node(o, shape) for o in p.objectives]
        data["perspectives"].append(node)
    return data


def _kpi_lines(request: Request, count: int, page: int, page_size: int) -> dict[str, Any]:
    pages = max(1, -(-count // page_size))
    if page > pages:
        raise exceptions.NotFound(f"Invalid page: there are {pages} pages of {page_size} lines.")
    url = request.build_absolute_uri()
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": pages,
        "next": replace_query_param(url, "page", page + 1) if page < pages else None,
        "previous": replace_query_param(url, "page", page - 1) if page > 1 else None,
    }


@extend_schema(tags=["kpis"])
class ScorecardView(StrictQueryParamsMixin, APIView):
    """The plan's roll-up tree for a period: plan → perspectives → objectives (→ cascaded
    objectives) → KPIs, with score, status and coverage at each level. `depth` stops the tree
    at a level; the KPI lines come a page at a time (`page`, `page_size`, at most
    500 a page), described by `kpi_lines`."""

    permission_classes = [ScorecardPermission]

    def accepted_query_params(self) -> frozenset[str]:
        return frozenset({"plan", "period", "view", "depth"}) | PAGINATION_PARAMS

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.refuse_unknown_query_params(request)

    @extend_schema(parameters=[ScorecardQuerySerializer], responses=ScorecardSerializer)
    def get(self, request: Request) -> Response:
        query = ScorecardQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        asked = query.validated_data
        try:
            card = selectors.plan_scorecard(
                plan=asked["plan"], period=asked["period"], view=asked["view"], reader=request.user
            )
        except StrategicPlan.DoesNotExist:
            # Deleted since the query was checked: the answer for a plan that does not exist.
            missing = query.fields["plan"].error_messages["does_not_exist"]
            raise serializers.ValidationError(
                {"plan": [missing.format(pk_value=asked["plan"].pk)]}
            ) from None
        page, page_size = asked["page"], asked["page_size"]
        shape = _Shape(asked["depth"], (page - 1) * page_size, page * page_size)
        data = _scorecard(card, shape)
        if shape.depth == KPI:
            data["kpi_lines"] = _kpi_lines(request, shape.lines, page, page_size)
        return Response(ScorecardSerializer(data).data)
