"""human_duration / age against apimachinery's duration.HumanDuration rules."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kubectl.printers.duration import age, human_duration, parse_timestamp

NOW = datetime(2026, 11, 27, 4, 30, 0, tzinfo=UTC)
MIN, HOUR, DAY = 60, 3600, 86400
YEAR = 365 * DAY


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # clock skew tolerance: int(d.Seconds()) truncates toward zero, < -1 is invalid
        (-0.5, "0s"),
        (-1, "0s"),
        (-1.999, "0s"),
        (-2, "<invalid>"),
        (-3600, "<invalid>"),
        # < 2 minutes: seconds
        (0, "0s"),
        (1, "1s"),
        (59, "59s"),
        (119, "119s"),
        (119.9, "119s"),
        # < 10 minutes: minutes and seconds, "7m" when seconds are 0
        (120, "2m"),
        (121, "2m1s"),
        (7 * MIN + 3, "7m3s"),
        (7 * MIN, "7m"),
        (10 * MIN - 1, "9m59s"),
        # < 3 hours: minutes
        (10 * MIN, "10m"),
        (10 * MIN + 59, "10m"),
        (60 * MIN, "60m"),
        (125 * MIN, "125m"),
        (3 * HOUR - 1, "179m"),
        # < 8 hours: hours and minutes
        (3 * HOUR, "3h"),
        (3 * HOUR + 2 * MIN, "3h2m"),
        (3 * HOUR + 2 * MIN + 59, "3h2m"),
        (8 * HOUR - 1, "7h59m"),
        # < 48 hours: hours
        (8 * HOUR, "8h"),
        (26 * HOUR, "26h"),
        (48 * HOUR - 1, "47h"),
        # < 8 days: days and hours
        (2 * DAY, "2d"),
        (3 * DAY + 4 * HOUR, "3d4h"),
        (3 * DAY, "3d"),
        (8 * DAY - 1, "7d23h"),
        # < 2 years (730 days): days
        (8 * DAY, "8d"),
        (400 * DAY, "400d"),
        (730 * DAY - 1, "729d"),
        # < 8 years: years and days (a year is 365 days)
        (2 * YEAR, "2y"),
        (2 * YEAR + 10 * DAY, "2y10d"),
        (8 * YEAR - 1, "7y364d"),
        # otherwise years
        (8 * YEAR, "8y"),
        (9 * YEAR + 100 * DAY, "9y"),
    ],
)
def test_human_duration_bands(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected
    if float(seconds).is_integer():
        assert human_duration(timedelta(seconds=seconds)) == expected


def test_human_duration_saturates_like_go_duration() -> None:
    # time.Since saturates at math.MaxInt64 ns (~292.47 years).
    assert human_duration(timedelta(days=365 * 1000)) == "292y"
    assert human_duration(timedelta(days=-365 * 1000)) == "<invalid>"


def test_human_duration_non_finite() -> None:
    assert human_duration(math.nan) == "<invalid>"
    assert human_duration(math.inf) == "292y"
    assert human_duration(1e300) == "292y"
    assert human_duration(-math.inf) == "<invalid>"


def test_human_duration_sub_microsecond_timedelta() -> None:
    assert human_duration(timedelta(microseconds=1)) == "0s"
    assert human_duration(timedelta(seconds=120, microseconds=-1)) == "119s"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (None, "<unknown>"),
        ("", "<unknown>"),
        ("2026-11-27T04:25:00Z", "5m"),
        ("2026-11-27T04:30:00Z", "0s"),
        ("2026-11-27T04:29:59.5Z", "0s"),
        ("2026-11-27T04:28:00.000001Z", "119s"),
        ("2026-11-27T04:27:59.999999999Z", "2m"),  # nanoseconds truncated to micros
        ("2026-11-27T06:30:00+02:00", "0s"),  # same instant, other offset
        ("2026-11-26T23:30:00-05:00", "0s"),
        ("2026-11-26T02:30:00Z", "26h"),
        ("2026-11-27T04:30:01Z", "0s"),  # 1s in the future: tolerated skew
        ("2026-11-27T04:30:02Z", "<invalid>"),
        ("2026-11-27T04:31:00Z", "<invalid>"),
        ("2025-10-23T04:30:00Z", "400d"),
    ],
)
def test_age(timestamp: str | None, expected: str) -> None:
    assert age(timestamp, NOW) == expected


def test_age_accepts_datetime() -> None:
    assert age(NOW - timedelta(hours=3, minutes=2), NOW) == "3h2m"


@pytest.mark.parametrize(
    "bad", ["yesterday", "2026-11-27", "2026-11-27 04:30:00", "2026-11-27T04:30:00", "1700000000"]
)
def test_malformed_timestamp_raises(bad: str) -> None:
    with pytest.raises(ValueError):
        age(bad, NOW)


def test_parse_timestamp() -> None:
    parsed = parse_timestamp("2026-11-27T04:30:00.123456789+05:30")
    assert parsed.utcoffset() == timedelta(hours=5, minutes=30)
    assert parsed.microsecond == 123456
    assert parse_timestamp("2026-11-27T04:30:00Z") == NOW


# --- properties -----------------------------------------------------------------

_UNITS = {"y": YEAR, "d": DAY, "h": HOUR, "m": MIN, "s": 1}
_SHAPE = re.compile(r"<invalid>|\d+s|\d+m(\d+s)?|\d+h(\d+m)?|\d+d(\d+h)?|\d+y(\d+d)?")


def _value(text: str) -> int:
    """The number of seconds a HumanDuration string stands for ("3d4h" -> 273600)."""
    return sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)([ydhms])", text))


@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.timedeltas()))
def test_never_raises_and_has_a_known_shape(value: float | timedelta) -> None:
    assert _SHAPE.fullmatch(human_duration(value))


_nonneg = st.integers(min_value=0, max_value=20 * YEAR)


@given(_nonneg, _nonneg)
def test_monotone(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert _value(human_duration(lo)) <= _value(human_duration(hi))


@given(_nonneg)
def test_truncates_never_rounds_up(seconds: int) -> None:
    shown = _value(human_duration(seconds))
    assert shown <= seconds
    # precision: at worst one unit of the band's smallest shown unit
    assert seconds - shown < (YEAR if seconds >= 8 * YEAR else DAY if seconds >= 8 * DAY else HOUR)
