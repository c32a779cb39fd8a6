"""``kubectl get configmaps|events|namespaces``: the API server's printers, client-side.

Source of truth: ``printConfigMap``, ``printEvent`` (with ``formatEventSource``) and
``printNamespace`` in kubernetes/pkg/printers/internalversion/printers.go.

Events are printed in the order given: neither the server printer nor ``kubectl get``
sorts them (use ``--sort-by``; the "(x3 over 10m)" style belongs to ``describe``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.kubectl.printers.duration import age
from bot.kubectl.printers.pods import _get
from bot.kubectl.printers.table import Table

__all__ = ["configmap_table", "event_object", "event_source", "event_table", "namespace_table"]

Obj = Mapping[str, Any]

# Go's unicode.IsSpace, for strings.TrimSpace (Python's str.strip also trims \x1c-\x1f).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _name_age(obj: Obj, now: datetime) -> tuple[str, str]:
    return _get(obj, "metadata", "name") or "", age(_get(obj, "metadata", "creationTimestamp"), now)


def configmap_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printConfigMap``: NAME DATA AGE; DATA counts ``data`` plus ``binaryData`` keys."""
    rows = []
    for cm in objects:
        name, created = _name_age(cm, now)
        count = len(_get(cm, "data") or {}) + len(_get(cm, "binaryData") or {})
        rows.append([name, str(count), created])
    return Table(headers=["NAME", "DATA", "AGE"], rows=rows)


def namespace_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printNamespace``: NAME STATUS AGE (STATUS is ``status.phase``)."""
    rows = []
    for ns in objects:
        name, created = _name_age(ns, now)
        rows.append([name, _get(ns, "status", "phase") or "", created])
    return Table(headers=["NAME", "STATUS", "AGE"], rows=rows)


def event_object(event: Obj) -> str:
    """OBJECT: ``kind/name`` with the kind lower-cased, or just the kind without a name."""
    kind = (_get(event, "involvedObject", "kind") or "").lower()
    name = _get(event, "involvedObject", "name") or ""
    return f"{kind}/{name}" if name else kind


def event_source(event: Obj) -> str:
    """``formatEventSource``: component (else reportingController), then ``, host``
    (else reportingInstance) when there is one."""
    component = _get(event, "source", "component") or _get(event, "reportingComponent") or ""
    instance = _get(event, "source", "host") or _get(event, "reportingInstance") or ""
    return f"{component}, {instance}" if instance else component


def _event_times(event: Obj, now: datetime) -> tuple[str, str, int]:
    """(LAST SEEN, FIRST SEEN, COUNT) with printEvent's fallbacks."""
    first_ts = _get(event, "firstTimestamp")
    first = age(first_ts, now) if first_ts else age(_get(event, "eventTime"), now)
    last_ts = _get(event, "lastTimestamp")
    last = age(last_ts, now) if last_ts else first
    series = _get(event, "series")
    if isinstance(series, Mapping):
        # events.k8s.io-style series: its last observation and count win.
        return age(_get(series, "lastObservedTime"), now), first, int(series.get("count") or 0)
    count = int(_get(event, "count") or 0)
    return last, first, count or 1  # singleton events of the new API have no count


def event_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printEvent``: LAST SEEN TYPE REASON OBJECT MESSAGE; ``-o wide`` interleaves its
    columns as the server defines them: LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE
    MESSAGE FIRST SEEN COUNT NAME."""
    if wide:
        headers = [
            "LAST SEEN",
            "TYPE",
            "REASON",
            "OBJECT",
            "SUBOBJECT",
            "SOURCE",
            "MESSAGE",
            "FIRST SEEN",
            "COUNT",
            "NAME",
        ]
    else:
        headers = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    rows = []
    for event in objects:
        last, first, count = _event_times(event, now)
        message = (_get(event, "message") or "").strip(_GO_SPACE)
        head = [last, _get(event, "type") or "", _get(event, "reason") or "", event_object(event)]
        if wide:
            rows.append(
                head
                + [
                    _get(event, "involvedObject", "fieldPath") or "",
                    event_source(event),
                    message,
                    first,
                    str(count),
                    _get(event, "metadata", "name") or "",
                ]
            )
        else:
            rows.append(head + [message])
    return Table(headers=headers, rows=rows)
