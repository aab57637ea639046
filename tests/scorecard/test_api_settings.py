"""The API's settings come from the environment and fail loudly on a bad value."""

import pytest

from tests.scorecard.test_settings import manage_check


@pytest.mark.parametrize("rate", ["1000", "ten/hour", "1000/week", "0/hour"])
def test_a_bad_api_rate_limit_stops_start_up_naming_the_variable(tmp_path, rate):
    result = manage_check(tmp_path, API_RATE_LIMIT=rate)
    assert result.returncode != 0
    assert "API_RATE_LIMIT must look like 1000/hour" in result.stderr


def test_an_api_rate_limit_per_minute_is_accepted(tmp_path):
    result = manage_check(tmp_path, API_RATE_LIMIT="120/minute")
    assert result.returncode == 0, result.stderr
