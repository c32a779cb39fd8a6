"""`kubectl describe` for ConfigMaps and Namespaces."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from .common import Obj, describe_events, meta, print_annotations, print_labels, rfc1123z
from .writer import LEVEL_0, LEVEL_1, PrefixWriter

_QUOTA_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node "
    "before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long "
    "running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort "
    "quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a "
    "burstable or guaranteed quality of service.",
}


def describe_configmap(cm: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """kubectl's ConfigMapDescriber. kubectl walks the data maps in Go's random map order; we sort."""
    w = PrefixWriter()
    m = meta(cm)
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(LEVEL_0, "\nData\n====\n")
    data = cm.get("data") or {}
    for key in sorted(data):
        w.write(LEVEL_0, f"{key}:\n----\n")
        w.write(LEVEL_0, f"{data[key]}\n")
        w.write(LEVEL_0, "\n")
    w.write(LEVEL_0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for key in sorted(binary):
        w.write(LEVEL_0, f"{key}: {len(_decoded(binary[key]))} bytes\n")
    w.write(LEVEL_0, "\n")
    describe_events(w, events, now)
    return w.text()


def _decoded(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=False)
    except ValueError:
        return value.encode()


def describe_namespace(
    ns: Obj, quotas: Sequence[Obj] | None, limit_ranges: Sequence[Obj] | None, tz: tzinfo = UTC
) -> str:
    """kubectl's `describeNamespace`; a None list (not served, or not readable) omits its section."""
    w = PrefixWriter()
    m, status = meta(ns), ns.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(LEVEL_0, f"Status:\t{status.get('phase', '')}\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                LEVEL_1,
                f"{c.get('type', '')}\t{c.get('status', '')}\t{rfc1123z(c.get('lastTransitionTime'), tz)}\t"
                f"{c.get('reason', '')}\t{c.get('message', '')}\n",
            )
    if quotas is not None:
        w.write(LEVEL_0, "\n")
        _resource_quotas(w, quotas)
    if limit_ranges is not None:
        w.write(LEVEL_0, "\n")
        _limit_ranges(w, limit_ranges)
    return w.text()


def _resource_quotas(w: PrefixWriter, quotas: Sequence[Obj]) -> None:
    """`DescribeResourceQuotas`: sorted by name, resources sorted."""
    if not quotas:
        w.write(LEVEL_0, "No resource quota.\n")
        return
    w.write(LEVEL_0, "Resource Quotas\n")
    for quota in sorted(quotas, key=lambda q: meta(q).get("name", "")):
        w.write(LEVEL_1, f"Name:\t{meta(quota).get('name', '')}\n")
        scopes = sorted((quota.get("spec") or {}).get("scopes") or [])
        if scopes:
            w.write(LEVEL_1, f"Scopes:\t{', '.join(scopes)}\n")
            for scope in scopes:
                if scope in _QUOTA_SCOPE_HELP:
                    w.write(LEVEL_1, f"* {_QUOTA_SCOPE_HELP[scope]}\n")
        w.write(LEVEL_1, "Resource\tUsed\tHard\n")
        w.write(LEVEL_1, "--------\t---\t---\n")
        status = quota.get("status") or {}
        hard, used = status.get("hard") or {}, status.get("used") or {}
        for resource in sorted(hard):
            w.write(LEVEL_1, f"{resource}\t{used.get(resource, '0')}\t{hard[resource]}\n")


def _limit_ranges(w: PrefixWriter, limit_ranges: Sequence[Obj]) -> None:
    """`DescribeLimitRanges`. kubectl walks each item's resources in random map order; we sort."""
    if not limit_ranges:
        w.write(LEVEL_0, "No LimitRange resource.\n")
        return
    w.write(
        LEVEL_0,
        "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    )
    w.write(
        LEVEL_0,
        " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
    )
    for limit_range in limit_ranges:
        for item in (limit_range.get("spec") or {}).get("limits") or []:
            columns = [
                item.get(k) or {}
                for k in ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
            ]
            for resource in sorted(set().union(*columns)):
                values = "\t".join(str(c.get(resource, "-")) for c in columns)
                w.write(LEVEL_0, f" {item.get('type', '')}\t{resource}\t{values}\n")
