"""One entry point for ``kubectl get <plural>`` tables.

Each kind's function builds the columns the API server's printer sends; like kubectl's
client (``decorateTable``), ``get_table`` then prepends NAMESPACE for ``-A`` and
appends LABELS for ``--show-labels``. Pods already do both in ``pod_table``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.kubectl.printers.misc import configmap_table, event_table, namespace_table
from bot.kubectl.printers.network import endpoints_table, endpointslice_table, service_table
from bot.kubectl.printers.pods import pod_table
from bot.kubectl.printers.table import Table, format_labels
from bot.kubectl.printers.workloads import deployment_table, job_table, replicaset_table

__all__ = ["get_table", "supported_plurals"]

KindPrinter = Callable[..., Table]  # (objects, *, now, wide) -> Table

_CLUSTER_SCOPED = frozenset({"namespaces"})


def _printers() -> dict[str, KindPrinter]:
    return {
        "deployments": deployment_table,
        "replicasets": replicaset_table,
        "jobs": job_table,
        "services": service_table,
        "endpoints": endpoints_table,
        "endpointslices": endpointslice_table,
        "configmaps": configmap_table,
        "events": event_table,
        "namespaces": namespace_table,
    }


def supported_plurals() -> tuple[str, ...]:
    """The plurals ``get_table`` prints."""
    return ("pods", *_printers())


def get_table(
    plural: str,
    objects: list[dict[str, Any]],
    *,
    now: datetime,
    wide: bool = False,
    with_namespace: bool = False,
    show_labels: bool = False,
) -> Table:
    """The Table ``kubectl get <plural> [-o wide] [-A] [--show-labels]`` prints, rows in
    input order. Raises ValueError for a plural without a printer (e.g. ``secrets``)."""
    if plural == "pods":
        return pod_table(
            objects, now=now, wide=wide, with_namespace=with_namespace, show_labels=show_labels
        )
    printer = _printers().get(plural)
    if printer is None:
        raise ValueError(f"no table printer for {plural!r}")
    table = printer(objects, now=now, wide=wide)
    # kubectl get: printWithNamespace is false for cluster-scoped kinds even with -A.
    if with_namespace and plural not in _CLUSTER_SCOPED:
        table.headers.insert(0, "NAMESPACE")
        for row, obj in zip(table.rows, objects):
            row.insert(0, (obj.get("metadata") or {}).get("namespace") or "")
    if show_labels:
        table.headers.append("LABELS")
        for row, obj in zip(table.rows, objects):
            row.append(format_labels((obj.get("metadata") or {}).get("labels")))
    return table
