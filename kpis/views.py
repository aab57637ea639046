"""The KPI pages: "My updates" and a KPI's page; importing (kpis/views_import.py), the close
date (kpis/views_closing.py) and approvals (kpis/views_approvals.py) have their own modules.

Who may do what (DESIGN.md §5, through `user.has_perm`): a KPI the person cannot see answers
404; one they can see but may not update answers 403. Every form works as a plain POST (a
redirect with a message, or the page again with its messages when something was refused) and,
with htmx, swaps just its part of the page, from the same template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import audit_rows, history_for
from accounts.permissions import get_visible_or_404, signed_in_user
from core.htmx import HtmxHttpRequest, wants_fragment
from core.numbers import parse_required_number, plain_number
from kpis import page_extensions, periods, scoring
from kpis.models import Actual, Kpi, Target
from kpis.period_params import VIEW_LABELS, parse_month, parse_period, parse_view
from kpis.rules import actuals_refusal
from kpis.selectors import (
    MONTH,
    UpdateRow,
    kpi_score,
    kpis_for_updates,
    shown_formula,
    target_result,
    update_rows,
    updates_progress,
)
from kpis.services import ActualVersionConflict, Outcome, actual_record

HISTORY_PER_PAGE = 50
ROW_FIELDS = ("value", "analysis", "corrective_action")


def _today() -> date:
    return timezone.localdate()


def _kpi_for_update(request: HttpRequest, pk: int) -> Kpi:
    """The KPI, 404 for people who may not see it, 403 for those who may not update it."""
    kpi = get_visible_or_404(
        request.user,
        Kpi.objects.select_related("objective", "objective__plan", "plan"),
        "kpis.view_kpi",
        pk=pk,
    )
    refusal = actuals_refusal(request.user, kpi)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return kpi


@dataclass
class RowForm:
    """A row of "My updates" as the form shows it: typed or stored text, messages, score."""

    row: UpdateRow
    value: str
    analysis: str
    corrective_action: str
    version: int
    result: scoring.KpiResult
    errors: dict[str, list[str]] = field(default_factory=dict)
    notice: str = ""

    @classmethod
    def stored(cls, row: UpdateRow) -> RowForm:
        actual = row.actual
        return cls(
            row=row,
            value=plain_number(actual.value) if actual else "",
            analysis=actual.analysis if actual else "",
            corrective_action=actual.corrective_action if actual else "",
            version=actual.version if actual else 0,
            result=row.result,
        )

    @classmethod
    def posted(cls, row: UpdateRow, data: QueryDict) -> RowForm:
        pk = row.kpi.pk
        version = data.get(f"version-{pk}", "").strip()
        return cls(
            row=row,
            value=data.get(f"value-{pk}", "").strip(),
            analysis=data.get(f"analysis-{pk}", "").strip(),
            corrective_action=data.get(f"corrective_action-{pk}", "").strip(),
            version=int(version) if version.isdigit() else 0,
            result=row.result,
        )

    @property
    def kpi(self) -> Kpi:
        return self.row.kpi

    @property
    def saved(self) -> bool:
        """Whether the row was just saved (its notice says how): the page moves on to the next."""
        return bool(self.notice)

    @property
    def unsaved(self) -> bool:
        """Whether what the row shows was refused: it is typed, not stored."""
        return bool(self.errors)

    @property
    def unsaved_hint(self) -> str:
        """What to do so that an unsaved row can be saved, after "Not saved — "."""
        if "corrective_action" in self.errors:
            return "add a corrective action"
        if "value" in self.errors:
            return "check the actual"
        return "see the message below"

    @property
    def problems(self) -> list[tuple[str, str]]:
        """The row's refusals for the error summary: (id of the field to fix, message)."""
        pk = self.kpi.pk
        fields = {"value": "value", "corrective_action": "corrective_action", "row": "value"}
        return [
            (f"{fields.get(name, name)}-{pk}", f"{self.kpi.code} {self.kpi.name}: {message}")
            for name in ("value", "corrective_action", "analysis", "row")
            for message in self.errors.get(name, [])
        ]

    @property
    def needs_action(self) -> bool:
        """Whether the corrective-action field is shown open: off track, or already written."""
        return (
            bool(self.corrective_action)
            or "corrective_action" in self.errors
            or self.result.status is scoring.ScoreStatus.OFF_TRACK
        )

    @property
    def field_names(self) -> str:
        """The fields a row's save sends (hx-params), so a long page posts one row at a time."""
        pk = self.kpi.pk
        fields = (f"{name}-{pk}" for name in (*ROW_FIELDS, "version", "period"))
        # The page's period too, for the counter of entered rows the answer refreshes.
        return ",".join((*fields, "page_period"))

    def same_as(self, other: RowForm) -> bool:
        return (self.value, self.analysis, self.corrective_action) == (
            other.value,
            other.analysis,
            other.corrective_action,
        )


def _error_messages(error: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as messages by row field; anything else is about the whole row."""
    if not hasattr(error, "error_dict"):
        return {"row": list(error.messages)}
    result: dict[str, list[str]] = {}
    for name, messages_ in error.message_dict.items():
        result.setdefault(name if name in ROW_FIELDS else "row", []).extend(messages_)
    return result


def _save_row(request: HttpRequest, row: UpdateRow, data: QueryDict) -> tuple[RowForm, int]:
    """Record the row's posted actual; the row to show and the HTTP status to answer with."""
    form = RowForm.posted(row, data)
    if row.closed:
        form.errors["row"] = [row.closed_message]
        return form, 400
    try:
        value = parse_required_number(form.value, percent=row.kpi.is_percentage)
    except ValidationError as error:
        form.errors["value"] = list(error.messages)
        return form, 400
    form.result = target_result(row.kpi, row.target, value)
    try:
        _, outcome = actual_record(
            kpi=row.kpi,
            period=row.period,
            value=value,
            by=signed_in_user(request),
            analysis=form.analysis,
            corrective_action=form.corrective_action,
            expected_version=form.version,
        )
    except ActualVersionConflict as conflict:
        current = conflict.current
        who = current.entered_by or "Someone else"
        form.errors["value"] = [
            f"{who} saved {plain_number(current.value)} in the meantime. Your value is still "
            "here and nothing was overwritten: save again to replace theirs."
        ]
        # The next save is a decision taken knowing theirs, so it is based on their version.
        form.version = current.version
        return form, 409
    except ValidationError as error:
        form.errors = _error_messages(error)
        return form, 400
    fresh = update_rows([row.kpi], day=row.period, today=_today())[0].rows[0]
    saved = RowForm.stored(fresh)
    if outcome is Outcome.UNCHANGED:
        saved.notice = "Nothing changed."
    elif settings.SCORECARD_APPROVAL:
        saved.notice = "Submitted for approval."
    else:
        saved.notice = "Saved."
    return saved, 200


def _updates_url(page_period: str) -> str:
    url = reverse("kpis:updates")
    return f"{url}?{urlencode({'period': page_period})}" if page_period else url


def _page_month(day: date | None, today: date) -> date:
    """The month "My updates" shows: the one chosen, or the last closed month."""
    return day or periods.last_closed_period(today, "monthly", settings.FISCAL_YEAR_START_MONTH)


def _progress_context(request: HttpRequest, day: date | None, today: date) -> dict[str, Any]:
    """The counter "9 of 13 entered for Oct 2026", on the page and in a saved row's answer."""
    kpis = kpis_for_updates(signed_in_user(request))
    return {
        "progress": updates_progress(kpis, day=day, today=today),
        "month": _page_month(day, today),
    }


def _updates_page(
    request: HtmxHttpRequest,
    *,
    page_period: str,
    overrides: dict[int, RowForm] | None = None,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    """The page; `overrides` are rows to show as posted, `refusal` leads the error summary of
    the refused ones."""
    today = _today()
    day = parse_month(page_period) if page_period else None
    if page_period and day is None:
        messages.warning(request, f"“{page_period}” is not a month (YYYY-MM); showing what is due.")
        page_period = ""
    groups = update_rows(kpis_for_updates(signed_in_user(request)), day=day, today=today)
    overrides = overrides or {}
    shown = [
        (group, [overrides.get(row.kpi.pk) or RowForm.stored(row) for row in group.rows])
        for group in groups
    ]
    first_empty = next(
        (form for _, forms in shown for form in forms if not form.row.closed and not form.value),
        None,
    )
    problems = [problem for _, forms in shown for form in forms for problem in form.problems]
    month = _page_month(day, today)
    current_month = periods.period_start(today, "monthly")
    following = periods.shift(month, "monthly", 1)
    context = {
        **_progress_context(request, day, today),
        "groups": shown,
        "first_empty": first_empty,
        "refusal": refusal if problems else "",
        "problems": problems,
        "page_period": page_period,
        "month_value": f"{month:%Y-%m}",
        "previous_month": f"{periods.shift(month, 'monthly', -1):%Y-%m}",
        "next_month": f"{following:%Y-%m}" if following <= current_month else "",
        "due_now": day is None,
        "approval": settings.SCORECARD_APPROVAL,
        "may_import": True,
    }
    return render(request, "kpis/updates.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def updates(request: HtmxHttpRequest) -> HttpResponse:
    """Every KPI the person may update, for the period due now or the one chosen.

    A POST is the page without JavaScript: "Save all" records every row that was changed.
    """
    if request.method == "GET":
        return _updates_page(request, page_period=request.GET.get("period", "").strip())
    page_period = request.POST.get("page_period", "").strip()
    day = parse_month(page_period) if page_period else None
    groups = update_rows(kpis_for_updates(signed_in_user(request)), day=day, today=_today())
    overrides: dict[int, RowForm] = {}
    saved = refused = 0
    for group in groups:
        for row in group.rows:
            if row.closed or f"value-{row.kpi.pk}" not in request.POST:
                continue
            if RowForm.posted(row, request.POST).same_as(RowForm.stored(row)):
                continue  # untouched
            form, status = _save_row(request, row, request.POST)
            if status == 200:
                saved += form.notice != "Nothing changed."
            else:
                refused += 1
                overrides[row.kpi.pk] = form
    if not refused:
        messages.success(
            request,
            f"Saved {saved} actual{'s' if saved != 1 else ''}." if saved else "Nothing to save.",
        )
        return redirect(_updates_url(page_period))
    refusal = f"{refused} row{'s' if refused != 1 else ''} could not be saved" + (
        f"; {saved} other{'s' if saved != 1 else ''} saved." if saved else "."
    )
    return _updates_page(
        request, page_period=page_period, overrides=overrides, status=400, refusal=refusal
    )


@require_POST
@login_required
def update_row(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Save one row: with htmx, answer the row; without, the page."""
    kpi = _kpi_for_update(request, pk)
    period = parse_period(request.POST.get(f"period-{pk}", ""))
    row = update_rows([kpi], day=period, today=_today())[0].rows[0]
    form, status = _save_row(request, row, request.POST)
    page_period = request.POST.get("page_period", "").strip()
    if wants_fragment(request):
        context = {"form": form, "approval": settings.SCORECARD_APPROVAL}
        if status == 200:
            # The counter of entered rows is swapped in out of band, beside the row.
            day = parse_month(page_period) if page_period else None
            context.update(_progress_context(request, day, _today()), progress_oob=True)
        return render(request, "kpis/updates.html#row_answer", context, status=status)
    if status == 200:
        messages.success(request, f"{kpi.code}: {form.notice}")
        return redirect(f"{_updates_url(page_period)}#row-{pk}")
    return _updates_page(
        request,
        page_period=page_period,
        overrides={kpi.pk: form},
        status=status,
        refusal=f"{kpi.code} could not be saved.",
    )


def _chart_view(kpi: Kpi, query: QueryDict) -> tuple[str, list[str]]:
    """The view of the KPI's chart the address asks for (month, quarter or ytd), checked like
    the dashboard's; a yearly KPI has only its years."""
    view, problems = parse_view(query)
    if view != MONTH and kpi.frequency == periods.Frequency.YEARLY:
        return MONTH, [f"{kpi.code} is measured yearly: its chart shows its years."]
    return view, problems


def _kpi_page(request: HtmxHttpRequest, pk: int, tab: str) -> HttpResponse:
    kpi = get_visible_or_404(
        request.user,
        Kpi.objects.select_related("plan", "objective", "owner").prefetch_related("updaters"),
        "kpis.view_kpi",
        pk=pk,
    )
    fy = settings.FISCAL_YEAR_START_MONTH
    context: dict[str, Any] = {
        "kpi": kpi,
        "tab": tab,
        "may_update": request.user.has_perm("kpis.update_actuals", kpi),
        "formula": shown_formula(kpi=kpi, reader=request.user),
    }
    if tab == "history":
        page = Paginator(history_for(kpi, parts=[Target, Actual]), HISTORY_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(page=page, changes=audit_rows(page.object_list))
    else:
        day = parse_month(request.GET.get("period", "")) or periods.last_closed_period(
            _today(), kpi.frequency, fy
        )
        period = periods.period_start(day, kpi.frequency, fy)
        view, view_problems = _chart_view(kpi, request.GET)
        targets = {t.period: t for t in kpi.targets.all()}
        actuals = {a.period: a for a in kpi.actuals.select_related("entered_by")}
        context.update(
            period=period,
            period_label=periods.label(period, kpi.frequency, fy),
            score=None
            if kpi.is_retired
            else kpi_score(kpi=kpi, period=period, reader=request.user),
            values=[
                (p, periods.label(p, kpi.frequency, fy), targets.get(p), actuals.get(p))
                for p in sorted({*targets, *actuals}, reverse=True)
            ],
            approval=settings.SCORECARD_APPROVAL,
            sections=page_extensions.sections_for_kpi(request, kpi),
            view=view,
            view_problems=view_problems,
            view_choices=[] if kpi.frequency == periods.Frequency.YEARLY else VIEW_LABELS.items(),
        )
    template = "kpis/kpi.html"
    if wants_fragment(request):
        template += "#chart" if request.htmx.target == "kpi-chart" else "#tab"
    return render(request, template, context)


@require_GET
@login_required
def kpi_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A KPI: its definition, targets and actuals, and how its current score came about."""
    return _kpi_page(request, pk, "overview")


@require_GET
@login_required
def kpi_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every recorded change of the KPI's definition, targets and actuals: who, when, what."""
    return _kpi_page(request, pk, "history")
