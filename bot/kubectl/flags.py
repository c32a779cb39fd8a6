"""kubectl's flag values, parsed as kubectl (pflag and Go) parses them: `--since` (a Go
`time.Duration`), `--tail` and other integer flags (`strconv.ParseInt`).

Pure and on its own so that the policy can validate a request without importing how logs are
fetched (bot/kubectl/logs.py), and both can share one set of Go rules and error messages.
"""

from __future__ import annotations

from bot.kubectl.errors import LogsError

_NANOSECOND_UNITS: dict[str, int] = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # µ (micro sign)
    "\u03bcs": 1_000,  # μ (Greek mu)
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_MAX_UINT = 1 << 63  # Go parses into a uint64 and rejects anything above 1<<63


def go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_go_duration(text: str) -> int:
    """Go's `time.ParseDuration`, in nanoseconds: `10s`, `5m`, `1h30m`, `1.5h`, `-2m`, `0`.
    Raises ValueError with Go's own message (`time: unknown unit "d" in duration "1d"`)."""
    invalid = ValueError(f"time: invalid duration {go_quote(text)}")
    rest, negative = text, False
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise invalid
    total = 0
    while rest:
        if not (rest[0] == "." or (rest[0].isascii() and rest[0].isdigit())):
            raise invalid
        digits = len(rest) - len(rest.lstrip("0123456789"))
        whole_text, rest = rest[:digits], rest[digits:]
        whole = int(whole_text or "0")
        if whole > _MAX_UINT:
            raise invalid
        fraction, scale, has_fraction = 0, 1, False
        if rest.startswith("."):
            rest = rest[1:]
            digits = len(rest) - len(rest.lstrip("0123456789"))
            fraction_text, rest = rest[:digits], rest[digits:]
            has_fraction = bool(fraction_text)
            for ch in fraction_text:  # Go stops accumulating (silently) before overflowing
                if fraction > (_MAX_UINT - 1) // 10 or fraction * 10 + int(ch) > _MAX_UINT:
                    break
                fraction, scale = fraction * 10 + int(ch), scale * 10
        if not whole_text and not has_fraction:
            raise invalid  # ".s", "-.s"
        unit_length = next(
            (i for i, ch in enumerate(rest) if ch == "." or ch in "0123456789"), len(rest)
        )
        if unit_length == 0:
            raise ValueError(f"time: missing unit in duration {go_quote(text)}")
        unit_text, rest = rest[:unit_length], rest[unit_length:]
        unit = _NANOSECOND_UNITS.get(unit_text)
        if unit is None:
            raise ValueError(
                f"time: unknown unit {go_quote(unit_text)} in duration {go_quote(text)}"
            )
        if whole > _MAX_UINT // unit:
            raise invalid
        value = whole * unit
        if fraction:
            value += int(float(fraction) * (float(unit) / scale))  # Go uses float64 here too
            if value > _MAX_UINT:
                raise invalid
        total += value
        if total > _MAX_UINT:
            raise invalid
    if negative:
        return -total
    if total > _MAX_UINT - 1:
        raise invalid
    return total


def _round_to_seconds(nanoseconds: int) -> int:
    """Go's `Duration.Round(time.Second).Seconds()`: halves round away from zero."""
    second = 1_000_000_000
    magnitude, remainder = divmod(abs(nanoseconds), second)
    if remainder + remainder >= second:
        magnitude += 1
    return -magnitude if nanoseconds < 0 else magnitude


def parse_since(text: str) -> int | None:
    """`--since` → `sinceSeconds` as kubectl sends it; None when kubectl sends none (`0`, `0s`).

    A non-zero duration under half a second rounds to 0 and is sent as 0, which the API server
    rejects (`sinceSeconds: Invalid value: 0: must be greater than 0`), exactly as with kubectl."""
    try:
        nanoseconds = parse_go_duration(text)
    except ValueError as exc:
        raise LogsError(f'invalid argument {go_quote(text)} for "--since" flag: {exc}') from None
    if nanoseconds == 0:
        return None
    seconds = _round_to_seconds(nanoseconds)
    if seconds < 0:
        raise LogsError("--since must be greater than 0")
    return seconds


def parse_int_flag(flag: str, text: str) -> int:
    """An integer flag as pflag reads it (Int / Int64: `strconv.ParseInt`), with its errors."""
    stripped = text[1:] if text[:1] in ("+", "-") else text
    if not stripped or not (stripped.isascii() and stripped.isdigit()):
        raise LogsError(
            f'invalid argument {go_quote(text)} for "--{flag}" flag: '
            f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax"
        )
    value = int(text)
    if not -(1 << 63) <= value < (1 << 63):
        raise LogsError(
            f'invalid argument {go_quote(text)} for "--{flag}" flag: '
            f"strconv.ParseInt: parsing {go_quote(text)}: value out of range"
        )
    return value


def parse_tail(text: str) -> int:
    """`--tail` as pflag's Int64 reads it (`-1` = all lines)."""
    value = parse_int_flag("tail", text)
    if value < -1:
        raise LogsError("--tail must be greater than or equal to -1")
    return value
