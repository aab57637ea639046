"""Logs are one JSON object per line in production and plain lines in development."""

import json
import logging
import sys

from core.log_format import JsonFormatter
from tests.scorecard.test_settings import PRODUCTION, manage

LOG_A_LINE = "import logging; logging.getLogger('bearing.check').warning('Saved %s rows', 3)"


def record(message: str, *args: object, exc_info=None) -> logging.LogRecord:  # type: ignore[no-untyped-def]
    return logging.LogRecord(
        "kpis.tasks", logging.ERROR, __file__, 1, message, args, exc_info=exc_info
    )


def test_a_record_is_one_json_line_with_time_level_logger_and_message():
    line = JsonFormatter().format(record("Report for plan %s failed", 7))

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "kpis.tasks"
    assert entry["message"] == "Report for plan 7 failed"
    assert entry["time"].endswith("+00:00")
    assert "exception" not in entry


def test_an_exception_is_kept_on_the_same_line():
    try:
        raise ValueError("bad value")
    except ValueError:
        exc_info = sys.exc_info()

    line = JsonFormatter().format(record("Failed", exc_info=exc_info))

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["exception"].startswith("Traceback")
    assert "ValueError: bad value" in entry["exception"]


def test_production_logs_json_lines(tmp_path):
    result = manage(tmp_path, "shell", "-c", LOG_A_LINE, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"level": "WARNING", "logger": "bearing.check", "message": "Saved 3 rows"}.items() <= (
        entries[-1].items()
    )


def test_development_logs_plain_lines(tmp_path):
    result = manage(tmp_path, "shell", "-c", LOG_A_LINE)

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("WARNING bearing.check: Saved 3 rows")
