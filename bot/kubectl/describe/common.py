"""Helpers shared by the describers, each mirroring a function of kubectl's describe.go."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.kubectl.printers.duration import human_duration, parse_timestamp

from .writer import LEVEL_0, LEVEL_1, PrefixWriter

Obj = Mapping[str, Any]

# kubectl skips this annotation everywhere (`skipAnnotations`).
_SKIP_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
MAX_ANNOTATION_LEN = 140
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Go's zero time.Time, which kubectl prints for a missing metav1.Time.
_ZERO = "Mon, 01 Jan 0001 00:00:00 +0000"


def meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def rfc1123z(timestamp: str | None, tz: tzinfo = UTC) -> str:
    """Go's `time.RFC1123Z` (`Mon, 02 Jan 2006 15:04:05 -0700`), in kubectl's local zone `tz`."""
    if not timestamp:
        return _ZERO
    moment = parse_timestamp(timestamp).astimezone(tz)
    offset = moment.utcoffset() or (moment - moment)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return (
        f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} {moment.year:04d} "
        f"{moment:%H:%M:%S} {sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def since(timestamp: str | None, now: datetime) -> str:
    """`translateTimestampSince`: `<unknown>` for a zero time, else HumanDuration(now - t)."""
    if not timestamp:
        return "<unknown>"
    return human_duration(now - parse_timestamp(timestamp))


def go_bool(value: Any) -> str:
    """`%v` of a Go bool."""
    return "true" if value else "false"


def print_bool(value: Any) -> str:
    """kubectl's `printBool`: `True` / `False`."""
    return "True" if value else "False"


def int_or_string(value: Any) -> str:
    """`intstr.IntOrString.String()`."""
    if value is None:
        return "0"
    return str(value)


def print_labels(
    w: PrefixWriter,
    title: str,
    labels: Mapping[str, str] | None,
    initial_indent: str = "",
    inner_indent: str = "\t",
) -> None:
    """`printLabelsMultilineWithIndent`: `key=value`, sorted, one a line; `<none>` when empty."""
    w.write(LEVEL_0, f"{initial_indent}{title}:{inner_indent}")
    if not labels:
        w.write_line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(LEVEL_0, initial_indent)
            w.write(LEVEL_0, inner_indent)
        w.write(LEVEL_0, f"{key}={labels[key]}\n")


def print_annotations(w: PrefixWriter, title: str, annotations: Mapping[str, str] | None) -> None:
    """`printAnnotationsMultiline`: long or multi-line values go below their key, cut at 140."""
    w.write(LEVEL_0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k not in _SKIP_ANNOTATIONS)
    if not keys:
        w.write_line("<none>")
        return
    assert annotations is not None
    for i, key in enumerate(keys):
        if i:
            w.write(LEVEL_0, "\t")
        value = str(annotations[key]).removesuffix("\n")
        if len(value.encode()) + len(key.encode()) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(LEVEL_0, f"{key}:\n")
            for line in value.split("\n"):
                w.write(LEVEL_0, f"\t  {_shorten(line, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(LEVEL_0, f"{key}: {value}\n")


def _shorten(text: str, limit: int) -> str:
    # Go slices bytes; for ASCII that is characters.
    data = text.encode()
    if len(data) > limit:
        return data[:limit].decode(errors="ignore") + "..."
    return text


def print_tolerations(w: PrefixWriter, title: str, tolerations: Sequence[Obj] | None) -> None:
    """`printTolerationsMultilineWithIndent`: sorted by key; `op=Exists`; `for Ns`."""
    w.write(LEVEL_0, f"{title}:\t")
    if not tolerations:
        w.write_line("<none>")
        return
    for i, tol in enumerate(sorted(tolerations, key=lambda t: t.get("key") or "")):
        if i:
            w.write(LEVEL_0, "\t")
        key, value, effect = tol.get("key") or "", tol.get("value") or "", tol.get("effect") or ""
        text = key
        if value:
            text += f"={value}"
        if effect:
            text += f":{effect}"
        if tol.get("operator") == "Exists" and not value:
            text += " op=Exists" if key or effect else "op=Exists"
        if tol.get("tolerationSeconds") is not None:
            text += f" for {tol['tolerationSeconds']}s"
        w.write(LEVEL_0, text + "\n")


def controller_of(obj: Obj) -> str:
    """`printController`: `Kind/name` of the owner reference with `controller: true`."""
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def format_labels(labels: Mapping[str, str] | None) -> str:
    """`labels.FormatLabels`: `a=b,c=d` sorted, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_string(selector: Obj | None) -> str:
    """`metav1.LabelSelectorAsSelector(s).String()`: requirements sorted by key ("" when none)."""
    if not selector:
        return ""
    requirements: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        requirements.append((key, f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key, op, values = (
            expr.get("key", ""),
            expr.get("operator", ""),
            sorted(expr.get("values") or []),
        )
        if op == "In":
            requirements.append((key, f"{key} in ({','.join(values)})"))
        elif op == "NotIn":
            requirements.append((key, f"{key} notin ({','.join(values)})"))
        elif op == "Exists":
            requirements.append((key, key))
        elif op == "DoesNotExist":
            requirements.append((key, f"!{key}"))
    return ",".join(text for _, text in sorted(requirements, key=lambda r: r[0]))


def format_label_selector(selector: Obj | None) -> str:
    """`metav1.FormatLabelSelector`: like `selector_string`, `<none>` when empty."""
    return selector_string(selector) or "<none>"


def sorted_resources(resources: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    present = resources or {}
    return [(name, str(present[name])) for name in sorted(present)]


def describe_resources(w: PrefixWriter, resources: Obj | None, level: int) -> None:
    """`describeResources`: Limits then Requests, names sorted."""
    if resources is None:
        return
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    if limits:
        w.write(level, "Limits:\n")
    for name, quantity in sorted_resources(limits):
        w.write(level + 1, f"{name}:\t{quantity}\n")
    if requests:
        w.write(level, "Requests:\n")
    for name, quantity in sorted_resources(requests):
        w.write(level + 1, f"{name}:\t{quantity}\n")


def _zero_or_time(value: str | None) -> datetime:
    return parse_timestamp(value) if value else datetime.min.replace(tzinfo=UTC)


def event_sort_time(event: Obj) -> datetime:
    """`event.SortableEvents`: series.lastObservedTime, else lastTimestamp, else eventTime."""
    series = event.get("series")
    if series:
        return _zero_or_time(series.get("lastObservedTime"))
    if event.get("lastTimestamp"):
        return _zero_or_time(event["lastTimestamp"])
    return _zero_or_time(event.get("eventTime"))


def describe_events(w: PrefixWriter, events: Sequence[Obj] | None, now: datetime) -> None:
    """`DescribeEvents`: oldest first; `Age` is `last (xN over first)` for repeated events."""
    if events is None:
        return
    if not events:
        w.write(LEVEL_0, "Events:\t<none>\n")
        return
    # Go's sort.Sort is an insertion sort (stable) for up to 12 events; Python's sort is stable.
    ordered = sorted(events, key=event_sort_time)
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n")
    for event in ordered:
        first = (
            since(event.get("eventTime"), now)
            if event.get("eventTime")
            else since(event.get("firstTimestamp"), now)
        )
        series = event.get("series")
        count = int(event.get("count") or 0)
        if series:
            interval = f"{since(series.get('lastObservedTime'), now)} (x{int(series.get('count') or 0)} over {first})"
        elif count > 1:
            interval = f"{since(event.get('lastTimestamp'), now)} (x{count} over {first})"
        else:
            interval = first
        source = (
            (event.get("source") or {}).get("component") or event.get("reportingComponent") or ""
        )
        message = str(event.get("message") or "").strip()
        field_path = (event.get("involvedObject") or {}).get("fieldPath")
        if field_path:  # kubectl 1.37 says which container an event is about
            message = f"{field_path}: {message}"
        w.write(
            LEVEL_1,
            f"{event.get('type', '')}\t{event.get('reason', '')}\t{interval}\t{source}\t{message}\n",
        )


def go_quote(text: str) -> str:
    """Go's `%q` for ordinary strings."""
    return json.dumps(text, ensure_ascii=False)
