"""Human-readable ages, exactly as ``kubectl get`` prints them.

kubectl's server-side printers render every AGE-like cell with
``translateTimestampSince`` (pkg/printers/internalversion/printers.go)::

    if timestamp.IsZero() { return "<unknown>" }
    return duration.HumanDuration(time.Since(timestamp.Time))

``HumanDuration`` lives in k8s.io/apimachinery/pkg/util/duration. (Its sibling
``ShortHumanDuration`` -- one unit only, ``5m``/``3h``/``2d`` -- is *not* what
``get`` uses, so it is not reproduced here.)

Everything here is pure: the caller passes ``now``; nothing reads the clock.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["age", "human_duration", "parse_timestamp", "since"]

_NS_PER_US = 1_000
_NS_PER_S = 1_000_000_000
_NS_PER_MIN = 60 * _NS_PER_S
_NS_PER_HOUR = 60 * _NS_PER_MIN

# Go's time.Duration is an int64 count of nanoseconds and time.Since/Sub saturate at
# its bounds, so a creationTimestamp from year 1 prints "292y", not "2025y".
_GO_DURATION_MAX = 2**63 - 1
_GO_DURATION_MIN = -(2**63)


def _to_nanoseconds(value: timedelta | float) -> int | None:
    """Convert to a Go-like int64 nanosecond count (saturating); None for NaN."""
    if isinstance(value, timedelta):
        # timedelta is exact in microseconds; integer arithmetic avoids float error.
        ns = (value // timedelta(microseconds=1)) * _NS_PER_US
    elif isinstance(value, int):
        ns = value * _NS_PER_S
    else:
        if math.isnan(value):
            return None
        scaled = value * _NS_PER_S  # may overflow to +-inf: saturate like Go
        if not math.isfinite(scaled):
            return _GO_DURATION_MAX if scaled > 0 else _GO_DURATION_MIN
        ns = round(scaled)
    return max(_GO_DURATION_MIN, min(_GO_DURATION_MAX, ns))


def human_duration(value: timedelta | float) -> str:
    """apimachinery ``duration.HumanDuration``: ~2-3 significant figures.

    ``value`` is a timedelta or a number of seconds. Bands (all divisions truncate):

    ========================  =====================  ===========
    duration                  format                 example
    ========================  =====================  ===========
    < -1s (after truncation)  ``<invalid>``
    -1s .. 0s                 ``0s``                 clock skew
    < 2 min                   seconds                ``119s``
    < 10 min                  minutes + seconds      ``7m3s``, ``7m``
    < 3 h                     minutes                ``125m``
    < 8 h                     hours + minutes        ``3h2m``, ``3h``
    < 48 h                    hours                  ``26h``
    < 8 d                     days + hours           ``3d4h``, ``3d``
    < 2 y (730 d)             days                   ``400d``
    < 8 y                     years + days (365 d)   ``2y10d``, ``2y``
    otherwise                 years                  ``9y``
    ========================  =====================  ===========

    Like Go's ``time.Duration`` the value saturates at +-2**63 ns (so +inf and a
    creationTimestamp in year 1 give ``292y``); NaN gives ``<invalid>``. Never raises
    for numbers or timedeltas.
    """
    ns = _to_nanoseconds(value)
    if ns is None:
        return "<invalid>"

    # `int(d.Seconds())` truncates toward zero, so -1.9s still counts as -1s:
    # "deviation no more than 2 seconds (excluded)" is tolerated as clock skew.
    seconds = abs(ns) // _NS_PER_S * (1 if ns >= 0 else -1)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"

    minutes = ns // _NS_PER_MIN
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"

    hours = ns // _NS_PER_HOUR
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if dy == 0 else f"{years}y{dy}d"
    return f"{hours // 24 // 365}y"


# RFC 3339 as the API server writes it: `2026-11-27T04:30:00Z`, optionally with a
# fraction (MicroTime: `.123456Z`) or a numeric offset.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})"
)


def parse_timestamp(value: str) -> datetime:
    """Parse an RFC 3339 timestamp into an aware datetime.

    Fractions beyond microseconds (Go keeps nanoseconds) are truncated.
    Raises ValueError for anything that is not RFC 3339.
    """
    match = _RFC3339.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    if offset in ("Z", "z"):
        tz = UTC
    else:
        sign = 1 if offset[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tzinfo=tz
    )


def since(timestamp: str | datetime, now: datetime) -> timedelta:
    """``now - timestamp``, parsing the timestamp if it is a string."""
    when = parse_timestamp(timestamp) if isinstance(timestamp, str) else timestamp
    return now - when


def age(timestamp: str | datetime | None, now: datetime) -> str:
    """kubectl's ``translateTimestampSince``: ``<unknown>`` when there is no timestamp.

    ``now`` must be timezone-aware. A malformed timestamp raises ValueError (the API
    server never sends one, so hiding it would only hide a bug).
    """
    if timestamp is None or timestamp == "":
        return "<unknown>"
    return human_duration(since(timestamp, now))
