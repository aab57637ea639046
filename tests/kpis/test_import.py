"""Importing actuals and targets from CSV and XLSX: template, upload, preview and commit."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from accounts.models import User
from kpis import periods
from kpis.imports import (
    BLANK_ROW,
    OFF_TRACK_IN_IMPORT,
    CheckedRow,
    RowStatus,
    check_rows,
    preview_order,
    read_upload,
)
from kpis.models import Actual, ImportBatch, Kpi, Target
from kpis.scoring import ScoreStatus
from kpis.selectors import OFF_TRACK_NEEDS_ACTION, target_result
from kpis.services import import_commit, period_close
from tests.factories import KpiFactory, ObjectiveFactory, PerspectiveFactory, StrategicPlanFactory
from tests.kpis.updates_org import Org, build_org, client_for

pytestmark = pytest.mark.django_db

URL = "/updates/import/"
HEADER = "kind,kpi_code,period,value,goal,red_flag,analysis\n"


def csv_file(text: str, name: str = "actuals.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[object]], *, merge: str = "", formula: tuple[str, str] = ("", "")):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula[0]:
        sheet[formula[0]] = formula[1]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("actuals.xlsx", buffer.getvalue())


def upload(client, file, plan: object = None):  # type: ignore[no-untyped-def]
    data = {"file": file, "plan": "" if plan is None else str(plan)}
    return client.post(URL, data)


def preview(client, file, plan: object = None) -> str:  # type: ignore[no-untyped-def]
    response = upload(client, file, plan)
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"]).content.decode()


def commit(client):  # type: ignore[no-untyped-def]
    batch = ImportBatch.objects.latest("created_at")
    page = client.get(f"{URL}{batch.pk}/").content.decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]
    return client.post(f"{URL}{batch.pk}/commit/", {"digest": digest})


def month(org: Org) -> str:
    return f"{org.month:%Y-%m}"


# --- The template ------------------------------------------------------------------------------


def test_the_csv_template_has_the_columns_and_a_row_for_each_kpi_the_person_updates():
    org = build_org()

    response = client_for(org.manager).get(f"{URL}template.csv")

    assert response["Content-Disposition"] == 'attachment; filename="bearing-import.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["kind", "kpi_code", "kpi_name", "period"]
    assert [row[1] for row in rows[1:]] == ["REV", "WIN"]
    assert rows[1][3] == org.month.isoformat()


def test_the_xlsx_template_opens_with_the_same_rows():
    org = build_org()

    response = client_for(org.contributor).get(f"{URL}template.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "kind"
    assert [row[1] for row in values[1:]] == ["WIN"]


def test_the_xlsx_template_opens_when_a_kpi_name_holds_control_characters():
    org = build_org()
    # Stored before names were checked: the download must still work.
    Kpi.objects.filter(code="WIN").update(name="Deals\x07 won\x0b")

    response = client_for(org.contributor).get(f"{URL}template.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[2]][:3] == ["actual", "WIN", "Deals won"]


def test_a_filled_in_template_imports():
    org = build_org()
    client = client_for(org.manager)
    rows = list(
        csv.reader(io.StringIO(client.get(f"{URL}template.csv").content.decode("utf-8-sig")))
    )
    for row in rows[1:]:
        row[4] = "101"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)

    html = preview(client, csv_file(buffer.getvalue()), org.plan.pk)
    commit(client)

    assert html.count("will create") == 3  # two rows and the count
    assert sorted(Actual.objects.values_list("value", flat=True)) == [101, 101]


# --- Preview and commit ------------------------------------------------------------------------


def test_the_preview_lists_every_row_and_the_commit_writes_the_accepted_ones():
    org = build_org()
    Actual.objects.create(kpi=org.win, period=org.month, value=Decimal(99))
    client = client_for(org.manager)
    text = HEADER + (
        f"actual,REV,{month(org)},104,,,Strong month\n"
        f"actual,WIN,{month(org)},99,,,\n"
        f"actual,NOPE,{month(org)},1,,,\n"
    )

    html = preview(client, csv_file(text), org.plan.pk)

    assert (
        "3 rows for ACME plan: 1 will create, 0 will change, 1 unchanged, 0 skipped, 1 refused."
    ) in html
    assert "No KPI with code NOPE in ACME plan." in html
    assert not Actual.objects.filter(kpi=org.rev).exists()

    response = commit(client)

    assert response.status_code == 302
    assert Actual.objects.get(kpi=org.rev).value == 104
    assert Actual.objects.get(kpi=org.rev).analysis == "Strong month"
    assert "1 created, 0 changed, 1 unchanged; 1 refused row left out" in (
        client.get("/updates/").content.decode()
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    org = build_org()
    client = client_for(org.admin)
    text = HEADER + (
        f"actual,REV,{month(org)},104,,,Good\n"
        f"target,REV,{month(org)},,120,100,\n"
        f"target,OPS,{month(org)},,50,,\n"
    )
    preview(client, csv_file(text), org.plan.pk)
    commit(client)
    versions = list(Actual.objects.values_list("version", flat=True))

    html = preview(client, csv_file(text), org.plan.pk)

    assert (
        "3 rows for ACME plan: 0 will create, 0 will change, 3 unchanged, 0 skipped, 0 refused."
    ) in html
    assert "Nothing to import" in html
    assert list(Actual.objects.values_list("version", flat=True)) == versions
    assert Target.objects.get(kpi=org.rev, period=org.month).goal == 120
    assert Target.objects.get(kpi=org.ops, period=org.month).red_flag is None


def test_every_bad_row_is_refused_with_its_reason_and_nothing_of_it_is_written():
    org = build_org()
    quarterly = KpiFactory(objective=org.sales_objective, code="NPS", frequency="quarterly")
    closed_month = org.month.replace(year=org.month.year - 1)
    period_close(through=periods.period_end(closed_month, "monthly"), by=None)
    closed = f"{closed_month:%Y-%m}"
    client = client_for(org.manager)
    text = HEADER + "\n".join(
        [
            f"actual,REV,{month(org)},about 100,,,",
            f"actual,REV,{month(org)}-15,100,,,",
            "actual,REV,last month,100,,,",
            f"actual,REV,{month(org)},123456789012345678,,,",
            f"actual,NPS,{org.month.year}-02,5,,,",
            f"actual,RATE,{month(org)},5,,,",
            f"actual,OPS,{month(org)},5,,,",
            f"actual,REV,{closed},100,,,",
            f"target,REV,{month(org)},,100,90,",
            f"forecast,REV,{month(org)},1,,,",
            f"actual,REV,{month(org)},100,120,,",
        ]
    )

    html = preview(client, csv_file(text), org.plan.pk)

    assert "“about 100” is not a number" in html
    assert "Bad period" in html
    assert "its period containing it starts on" in html
    assert "Bad period “last month”" in html
    assert "Too many digits" in html
    assert "NPS is quarterly" in html
    assert "RATE is calculated from REV / WIN; enter its inputs instead." in html
    assert "You may not update the actuals of OPS." in html
    assert f"{closed_month:%b %Y} is closed; ask an admin to reopen it." in html
    assert "No permission: you may not set the targets of REV." in html
    assert "Kind must be actual or target" in html
    assert "An actual row takes value, analysis and corrective_action, not goal." in html
    assert "11 refused" in html
    assert "Nothing to import" in html
    assert quarterly.pk
    assert not Actual.objects.exists()


def test_a_contributor_cannot_import_actuals_of_a_kpi_they_are_not_an_updater_of():
    org = build_org()
    client = client_for(org.contributor)
    text = HEADER + f"actual,REV,{month(org)},100,,,\nactual,WIN,{month(org)},100,,,\n"

    html = preview(client, csv_file(text), org.plan.pk)
    commit(client)

    assert "You may not update the actuals of REV." in html
    assert list(Actual.objects.values_list("kpi__code", flat=True)) == ["WIN"]


def test_a_contributors_preview_takes_as_many_queries_for_many_kpis_as_for_one():
    org = build_org()
    client = client_for(org.contributor)

    def queries(codes: list[str]) -> tuple[int, str]:
        text = HEADER + "".join(f"actual,{code},{month(org)},100,,,\n" for code in codes)
        response = upload(client, csv_file(text), org.plan.pk)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(response["Location"]).content.decode()
        return len(captured), html

    few, _ = queries(["WIN"])
    codes = ["WIN"]
    for n in range(5):
        kpi = KpiFactory(objective=org.win.objective, code=f"K{n}")
        kpi.updaters.add(org.contributor)
        codes.append(kpi.code)
    many, html = queries(codes)

    assert many == few
    assert "6 will create" in html


def test_the_same_kpi_and_period_twice_in_one_file_is_refused_the_second_time():
    org = build_org()
    text = HEADER + f"actual,REV,{month(org)},100,,,\nactual,REV,{month(org)},101,,,\n"

    html = preview(client_for(org.manager), csv_file(text), org.plan.pk)

    assert "Row 2 already sets the actual of REV" in html


def test_a_code_used_in_several_plans_is_refused_unless_a_plan_is_chosen():
    org = build_org()
    other_plan = StrategicPlanFactory(org_unit=org.sales, name="Sales plan", parent=org.plan)
    other_objective = ObjectiveFactory(
        perspective=PerspectiveFactory(plan=other_plan), org_unit=org.sales
    )
    KpiFactory(objective=other_objective, code="REV")
    client = client_for(org.manager)
    text = HEADER + f"actual,REV,{month(org)},100,,,\n"

    across = preview(client, csv_file(text))
    chosen = preview(client, csv_file(text), org.plan.pk)

    assert "KPI code REV is used in several plans (ACME plan (id " in across
    assert "1 will create" in chosen


def test_a_commit_after_the_data_changed_writes_nothing_and_shows_the_new_preview():
    org = build_org()
    client = client_for(org.manager)
    text = HEADER + f"actual,REV,{month(org)},100,,,\nactual,WIN,{month(org)},100,,,\n"
    preview(client, csv_file(text), org.plan.pk)
    batch = ImportBatch.objects.get()
    digest = client.get(f"{URL}{batch.pk}/").content.decode().split('name="digest" value="')[1]
    period_close(through=periods.period_end(org.month, "monthly"), by=None)

    response = client.post(f"{URL}{batch.pk}/commit/", {"digest": digest.split('"')[0]})

    assert response.status_code == 409
    assert "Something changed since the preview" in response.content.decode()
    assert not Actual.objects.exists()


# --- Bad files ---------------------------------------------------------------------------------


def bad_file_message(org: Org, file) -> str:  # type: ignore[no-untyped-def]
    response = upload(client_for(org.manager), file, org.plan.pk)
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()
    return response.content.decode()


def test_an_empty_file_is_refused():
    org = build_org()

    assert "The file is empty." in bad_file_message(org, csv_file(""))
    assert "The file has a header but no rows" in bad_file_message(org, csv_file(HEADER))


def test_a_file_with_the_wrong_columns_is_refused_naming_them():
    org = build_org()

    html = bad_file_message(org, csv_file("type,code,period,amount\nactual,REV,2026-01,1\n"))

    assert "missing columns: kind, kpi_code" in html
    assert "unknown columns: type, code, amount" in html


def test_a_csv_in_windows_1252_is_read_and_says_so():
    org = build_org()
    client = client_for(org.manager)
    text = HEADER + f"actual,REV,{month(org)},100,,,Clients à Genève\n"

    html = preview(client, csv_file(text, encoding="cp1252"), org.plan.pk)
    commit(client)

    assert "read as Windows-1252" in html
    assert Actual.objects.get().analysis == "Clients à Genève"


def test_a_csv_with_semicolons_and_a_byte_order_mark_is_read():
    org = build_org()
    text = HEADER.replace(",", ";") + f"actual;REV;{month(org)};100;;;\n"

    html = preview(client_for(org.manager), csv_file(text, encoding="utf-8-sig"), org.plan.pk)

    assert "1 will create" in html


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024
    org = build_org()
    text = HEADER + f"actual,REV,{month(org)},100,,,{'x' * 2000}\n"

    html = bad_file_message(org, csv_file(text))

    assert "the limit is" in html


def test_a_spreadsheet_with_formulas_refuses_those_rows_naming_the_cells():
    org = build_org()
    client = client_for(org.manager)
    rows = [
        ["kind", "kpi_code", "period", "value"],
        ["actual", "REV", month(org), 100],
        ["actual", "WIN", month(org), None],
    ]

    html = preview(client, xlsx_file(rows, formula=("D3", "=D2*2")), org.plan.pk)
    commit(client)

    assert "Formula in D3 (=D2*2): paste the values instead" in html
    assert list(Actual.objects.values_list("kpi__code", flat=True)) == ["REV"]


def test_a_spreadsheet_with_merged_cells_is_refused_naming_the_ranges():
    org = build_org()
    rows = [["kind", "kpi_code", "period", "value"], ["actual", "REV", month(org), 100]]

    html = bad_file_message(org, xlsx_file(rows, merge="A3:B3"))

    assert "has merged cells (A3:B3)" in html


def test_a_spreadsheet_with_dates_and_numbers_in_cells_imports():
    org = build_org()
    client = client_for(org.manager)
    rows = [["kind", "kpi_code", "period", "value"], ["actual", "REV", org.month, 99.5]]

    html = preview(client, xlsx_file(rows), org.plan.pk)
    commit(client)

    assert "1 will create" in html
    assert Actual.objects.get().value == Decimal("99.5")


def test_a_file_that_is_not_a_workbook_or_of_another_type_is_refused():
    org = build_org()

    assert "not a readable .xlsx workbook" in bad_file_message(
        org, SimpleUploadedFile("actuals.xlsx", b"not a zip at all")
    )
    assert "save it as .xlsx or as CSV" in bad_file_message(
        org, SimpleUploadedFile("actuals.xls", b"\xd0\xcf\x11\xe0")
    )
    assert "Upload a .csv or an .xlsx file." in bad_file_message(
        org, SimpleUploadedFile("actuals.pdf", b"%PDF-1.4")
    )


# --- Who may import ----------------------------------------------------------------------------


def test_members_may_import_outsiders_may_not_and_nobody_sees_anothers_upload():
    org = build_org()
    manager = client_for(org.manager)
    preview(manager, csv_file(HEADER + f"actual,REV,{month(org)},100,,,\n"), org.plan.pk)
    batch = ImportBatch.objects.get()

    assert manager.get(URL).status_code == 200
    assert client_for(org.outsider).get(URL).status_code == 403
    assert client_for(org.outsider).get(f"{URL}{batch.pk}/").status_code == 403
    assert client_for(org.contributor).get(f"{URL}{batch.pk}/").status_code == 404
    assert client_for(org.contributor).post(f"{URL}{batch.pk}/commit/").status_code == 404
    assert not Actual.objects.exists()


# --- Blank rows, the order of the preview, scores ------------------------------------------------


def filled_template(client: Client, values: dict[str, list[str]]) -> SimpleUploadedFile:
    """The person's CSV template with cells filled in by KPI code (from the value column on)."""
    text = client.get(f"{URL}template.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for row in rows[1:]:
        for column, cell in zip(header[4:], values.get(row[1], []), strict=False):
            row[header.index(column)] = cell
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return csv_file(buffer.getvalue())


def checked(org: Org, text: str, user: User | None = None) -> list[CheckedRow]:
    rows = read_upload("rows.csv", text.encode()).rows
    return check_rows(rows, user=user or org.manager, plan=org.plan)


def test_blank_rows_of_the_template_are_skipped_not_refused():
    org = build_org()
    client = client_for(org.manager)

    html = preview(client, filled_template(client, {"WIN": ["101"]}), org.plan.pk)
    response = commit(client)

    assert (
        "2 rows for ACME plan: 1 will create, 0 will change, 0 unchanged, 1 skipped, 0 refused."
    ) in html
    assert "No value" not in html
    assert response.status_code == 302
    assert list(Actual.objects.values_list("kpi__code", flat=True)) == ["WIN"]
    assert "1 created, 0 changed, 0 unchanged; 1 blank row skipped." in (
        client.get("/updates/").content.decode()
    )


def test_a_row_is_skipped_only_when_it_has_nothing_to_import():
    org = build_org()
    text = HEADER + (
        f"actual,REV,{month(org)},,,,\n"  # the template's row, left blank
        f"target,NOPE,{month(org)},,,,\n"  # blank too: nothing is asked of an unknown code
        f"actual,WIN,{month(org)},,,,Busy month\n"  # an analysis without its value
    )

    rows = checked(org, text)

    assert [(row.status, row.reason) for row in rows] == [
        (RowStatus.SKIPPED, BLANK_ROW),
        (RowStatus.SKIPPED, BLANK_ROW),
        (RowStatus.REFUSED, "No value."),
    ]
    assert not any(row.accepted or row.writes for row in rows[:2])


def test_the_preview_lists_refused_rows_first_then_the_others_in_file_order_and_blank_ones_last():
    org = build_org()
    text = HEADER + (
        f"actual,REV,{month(org)},104,,,\n"  # row 2
        f"actual,NOPE,{month(org)},1,,,\n"  # row 3: refused
        f"actual,OPS,{month(org)},,,,\n"  # row 4: blank
        f"actual,WIN,{month(org)},99,,,\n"  # row 5
        f"actual,RATE,{month(org)},5,,,\n"  # row 6: refused
    )

    ordered = preview_order(checked(org, text))
    html = preview(client_for(org.manager), csv_file(text), org.plan.pk)

    assert [row.number for row in ordered] == [3, 6, 2, 5, 4]
    assert re.findall(r'<th scope="row">(\d+)</th>', html) == ["3", "6", "2", "5", "4"]


def test_the_template_has_a_corrective_action_column_that_the_import_writes_with_the_actual():
    org = build_org()
    client = client_for(org.manager)
    header = next(csv.reader(io.StringIO(client.get(f"{URL}template.csv").content.decode())))
    off_track = {"REV": ["50"], "WIN": ["50", "", "", "", "", "Lost two clients", "Call them."]}

    html = preview(client, filled_template(client, off_track), org.plan.pk)
    commit(client)

    assert "corrective_action" in header
    assert "Off track: say what you will do about it in the corrective_action column." in html
    actual = Actual.objects.get()
    assert (actual.kpi, actual.analysis, actual.corrective_action) == (
        org.win,
        "Lost two clients",
        "Call them.",
    )


def test_the_off_track_rule_of_the_import_is_the_one_of_my_updates():
    org = build_org()
    Actual.objects.create(
        kpi=org.rev, period=org.month, value=Decimal(50), corrective_action="Call them."
    )
    text = HEADER.replace("analysis", "corrective_action") + (
        f"actual,REV,{month(org)},40,,,\n"  # the stored corrective action stays and answers
        f"actual,WIN,{month(org)},40,,,\n"
        f"actual,OPS,{month(org)},40,,,Visit them.\n"
    )

    rows = checked(org, text)

    assert [row.status for row in rows] == [RowStatus.CHANGE, RowStatus.REFUSED, RowStatus.REFUSED]
    assert rows[1].reason == OFF_TRACK_IN_IMPORT
    assert OFF_TRACK_IN_IMPORT.startswith(OFF_TRACK_NEEDS_ACTION[:-1])


def test_the_preview_shows_the_score_and_status_each_row_will_give():
    org = build_org()
    Actual.objects.create(kpi=org.win, period=org.month, value=Decimal(95))
    client = client_for(org.admin)
    text = HEADER + (
        f"actual,REV,{month(org)},104,,,\n"  # goal 100, red flag 90
        f"target,WIN,{month(org)},,120,90,\n"  # the stored 95 against the new target (5.0 before)
        f"target,OPS,{month(org)},,120,90,\n"  # no actual: nothing to score
        f"actual,NOPE,{month(org)},1,,,\n"
    )

    rows = checked(org, text, user=org.admin)
    html = preview(client, csv_file(text), org.plan.pk)

    results = {row.number: row.result for row in rows}
    assert (results[2].display_score, results[2].status) == ("8.0", ScoreStatus.ON_TRACK)
    assert (results[3].display_score, results[3].status) == ("3.9", ScoreStatus.AT_RISK)
    assert results[4] is None
    assert results[5] is None
    assert results[2] == target_result(org.rev, Target.objects.get(kpi=org.rev), Decimal(104))
    assert '<span class="score-value">8.0</span> <span class="badge status-on_track">' in html
    assert '<span class="score-value">3.9</span> <span class="badge status-at_risk">' in html


def test_a_commit_is_refused_when_a_row_would_now_change_an_actual_it_was_to_create():
    org = build_org()
    client = client_for(org.manager)
    preview(client, csv_file(HEADER + f"actual,REV,{month(org)},100,,,\n"), org.plan.pk)
    batch = ImportBatch.objects.get()
    digest = client.get(f"{URL}{batch.pk}/").content.decode().split('name="digest" value="')[1]
    Actual.objects.create(kpi=org.rev, period=org.month, value=Decimal(97), analysis="Mine")

    response = client.post(f"{URL}{batch.pk}/commit/", {"digest": digest.split('"')[0]})

    assert response.status_code == 409
    assert Actual.objects.get().value == 97


def test_committing_many_rows_takes_as_many_queries_as_committing_one():
    org = build_org()
    codes = ["WIN"]
    for n in range(6):
        codes.append(KpiFactory(objective=org.win.objective, code=f"K{n}").code)

    def commit_queries(rows: list[tuple[str, str]]) -> int:
        batch = ImportBatch.objects.create(
            created_by=org.manager,
            plan=org.plan,
            filename="rows.csv",
            rows=[
                {"_row": n + 2, "kind": "actual", "kpi_code": code, "period": month(org)}
                | {"value": value, "corrective_action": "On it."}
                for n, (code, value) in enumerate(rows)
            ],
        )
        with CaptureQueriesContext(connection) as captured:
            summary = import_commit(batch=batch, by=org.manager)
        assert summary.refused == 0
        return len(captured)

    commit_queries([("WIN", "1")])  # the first write of a test fills Django's caches
    few = commit_queries([("WIN", "1"), ("K0", "2")])  # unchanged, new
    # Unchanged, changed, and five new.
    many = commit_queries([("WIN", "1"), ("K0", "3"), *((code, "4") for code in codes[2:])])

    assert few == many
    assert Actual.objects.filter(kpi__code__in=codes).count() == 7


def test_the_commit_checks_rows_without_scoring_them_the_preview_scores_them():
    org = build_org()
    text = HEADER + f"actual,REV,{month(org)},100,,,\n"
    rows = read_upload("rows.csv", text.encode()).rows

    previewed = check_rows(rows, user=org.manager, plan=org.plan)
    committed = check_rows(rows, user=org.manager, plan=org.plan, scored=False)

    assert [row.status for row in previewed] == [row.status for row in committed]
    assert previewed[0].result is not None
    assert previewed[0].result.explanation
    assert committed[0].result is None
