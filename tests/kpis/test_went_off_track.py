"""`went_off_track` decides a value's status from the thresholds and the score alone (a bulk
write asks it for every row): it must agree with the status every page shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.models import Kpi, Target
from kpis.scoring import ScoreStatus
from kpis.selectors import target_result
from kpis.services.webhooks import went_off_track

JAN = datetime.date(2026, 1, 1)
values = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    direction=st.sampled_from(["increase", "decrease", "range"]),
    goal=values,
    red_flag=st.none() | values,
    band=st.decimals(min_value=0, max_value=100, places=2),
    before=st.none() | values,
    after=values,
    has_target=st.booleans(),
)
def test_an_event_is_told_exactly_when_the_page_shows_the_value_newly_off_track(
    direction: str,
    goal: Decimal,
    red_flag: Decimal | None,
    band: Decimal,
    before: Decimal | None,
    after: Decimal,
    has_target: bool,
) -> None:
    kpi = Kpi(code="K", direction=direction, tolerance=Decimal("0.1"))
    target = None
    if has_target:
        target = Target(kpi=kpi, period=JAN, goal=goal, red_flag=red_flag)
        if direction == "range":
            target.goal_high = goal + band
            target.red_flag_high = None if red_flag is None else goal + band + abs(goal - red_flag)
            target.red_flag = None if red_flag is None else goal - abs(goal - red_flag)

    event = went_off_track(kpi=kpi, target=target, period=JAN, before=before, after=after)

    now = target_result(kpi, target, after).status
    then = target_result(kpi, target, before).status if before is not None else None
    expected = now is ScoreStatus.OFF_TRACK and then is not ScoreStatus.OFF_TRACK
    assert (event is not None) == expected
    if event is not None:
        assert event.result.status is ScoreStatus.OFF_TRACK
        assert event.value == after


@pytest.mark.parametrize("direction", ["increase", "decrease"])
def test_a_value_beyond_the_red_flag_goes_off_track_once(direction: str) -> None:
    kpi = Kpi(code="K", direction=direction, tolerance=Decimal("0.1"))
    target = Target(kpi=kpi, period=JAN, goal=Decimal(100), red_flag=Decimal(90))
    if direction == "decrease":
        target.red_flag = Decimal(110)
    bad = Decimal(50) if direction == "increase" else Decimal(150)

    assert went_off_track(kpi=kpi, target=target, period=JAN, before=None, after=bad)
    assert went_off_track(kpi=kpi, target=target, period=JAN, before=Decimal(100), after=bad)
    assert not went_off_track(kpi=kpi, target=target, period=JAN, before=bad, after=bad)
    assert not went_off_track(kpi=kpi, target=target, period=JAN, before=bad, after=Decimal(100))
