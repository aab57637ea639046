"""Parsing the periods people type on the KPI pages and in imported files: YYYY-MM or
YYYY-MM-DD; and the view asked for in an address (month, quarter or year to date). Numbers are
read by `core.numbers`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from kpis.scoring import View
from kpis.selectors.scores import MONTH

# The views a page offers, in the order offered, with their labels.
VIEW_LABELS = {
    MONTH: "Month",
    View.QUARTER.value: "Quarter",
    View.YEAR_TO_DATE.value: "Year to date",
}

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


def parse_view(query: Mapping[str, str]) -> tuple[str, list[str]]:
    """The view the address asks for (`view=month|quarter|ytd`, the month when absent) and a
    sentence naming a value that is not a view, which is then replaced by the month."""
    view = query.get("view", "").strip() or MONTH
    if view not in VIEW_LABELS:
        return MONTH, [f"“{view}” is not a view: choose month, quarter or ytd; showing the month."]
    return view, []
