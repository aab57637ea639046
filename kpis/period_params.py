"""Parsing the periods people type on the KPI pages and in imported files: YYYY-MM or
YYYY-MM-DD. Numbers are read by `core.numbers`."""

from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"(\d{4})-(\d{1,2})\Z")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z")


def parse_month(text: str) -> date | None:
    """The first day of the month typed as YYYY-MM (or a day of it, YYYY-MM-DD); None if not."""
    day = parse_period(text)
    return None if day is None else day.replace(day=1)


def parse_period(text: str) -> date | None:
    """A period typed as YYYY-MM (its first day) or YYYY-MM-DD (that day); None if neither."""
    cleaned = (text or "").strip()
    try:
        if match := _MONTH.match(cleaned):
            return date(int(match[1]), int(match[2]), 1)
        if match := _DAY.match(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None
