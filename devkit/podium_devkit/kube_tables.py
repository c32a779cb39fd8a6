"""The ``meta.k8s.io/v1`` Table the API server sends for ``kubectl get`` (server-side printing).

kubectl asks for a Table (Accept ``application/json;as=Table;v=v1;g=meta.k8s.io,...``) and prints
whatever columns the server defines; against a plain list it falls back to ``NAME  AGE``. The API
server builds the Table with its printers (kubernetes ``pkg/printers/internalversion/printers.go``:
column definitions with ``priority`` 1 for the ``-o wide`` ones, cells that are already
humanized -- an Age cell is ``7m``, not a timestamp) and, for kinds without a printer, with the
default table convertor (apiserver ``registry/rest/table.go``: ``Name`` and ``Created At``, a
``date`` column holding the RFC 3339 creation time).

The devkit reuses the product's printers (``bot.kubectl.printers.registry.get_table``) for the
cells instead of writing them twice. That does not make the fidelity tests self-confirming for
what they claim: the tests compare the REAL kubectl's output for the emulator's Table (kubectl's
own column selection by priority, wide columns where the server puts them, NAMESPACE/LABELS
decoration from the row objects, sanitising and tabwriter) with Podium's ``/kubectl get`` text for
the same objects (Podium's own ``render_get``/``render_table`` and decoration), so a wrong column
order, priority, type or row object shows up as a mismatch. They do NOT check the cell values
against upstream -- both sides share them; that is the job of the printers' own tests
(``tests/unit/kubectl/printers/``, expectations taken from upstream's printers.go). The column
definitions here (names, types, descriptions) are upstream's, copied from printers.go.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.kubectl.printers.duration import parse_timestamp
from bot.kubectl.printers.registry import get_table, supported_plurals

__all__ = [
    "TABLE_MEDIA_TYPE",
    "default_table",
    "server_table",
    "table_for",
    "wants_table",
    "watch_table",
]

Obj = dict[str, Any]

# What the API server sends as Content-Type for a v1 Table (kubectl accepts it).
TABLE_MEDIA_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"

_NAME_DOC = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically."
_AGE_DOC = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations."
_SELECTOR_DOC = "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."
_CONTAINERS_DOC = "Names of each container in the template."
_IMAGES_DOC = "Images referenced by each container in the template."

# Upstream column definitions by the header kubectl prints: (Name, Type, Description). The
# order and which ones are default come from Podium's wide/default printers (checked against
# upstream: kubectl prints wide columns where the server puts them).
_COLUMNS: dict[str, dict[str, tuple[str, str, str]]] = {
    "pods": {
        "READY": (
            "Ready",
            "string",
            "The aggregate readiness state of this pod for accepting traffic.",
        ),
        "STATUS": ("Status", "string", "The aggregate status of the containers in this pod."),
        "RESTARTS": (
            "Restarts",
            "string",
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        ),
        "IP": (
            "IP",
            "string",
            "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
        ),
        "NODE": ("Node", "string", "NodeName indicates in which node this pod is scheduled."),
        "NOMINATED NODE": (
            "Nominated Node",
            "string",
            "nominatedNodeName is set only when this pod preempts other pods on the node.",
        ),
        "READINESS GATES": (
            "Readiness Gates",
            "string",
            "If specified, all readiness gates will be evaluated for pod readiness.",
        ),
    },
    "deployments": {
        "READY": ("Ready", "string", "Number of the pod with ready state"),
        "UP-TO-DATE": (
            "Up-to-date",
            "string",
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
        ),
        "AVAILABLE": (
            "Available",
            "string",
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
        ),
        "CONTAINERS": ("Containers", "string", _CONTAINERS_DOC),
        "IMAGES": ("Images", "string", _IMAGES_DOC),
        "SELECTOR": ("Selector", "string", _SELECTOR_DOC),
    },
    "replicasets": {
        "DESIRED": ("Desired", "integer", "Replicas is the number of desired replicas."),
        "CURRENT": (
            "Current",
            "integer",
            "Replicas is the most recently observed number of replicas.",
        ),
        "READY": ("Ready", "integer", "The number of ready replicas for this replica set."),
        "CONTAINERS": ("Containers", "string", _CONTAINERS_DOC),
        "IMAGES": ("Images", "string", _IMAGES_DOC),
        "SELECTOR": (
            "Selector",
            "string",
            "Selector is a label query over pods that should match the replica count.",
        ),
    },
    "jobs": {
        "STATUS": ("Status", "string", "Status of the job."),
        "COMPLETIONS": (
            "Completions",
            "string",
            "The number of successfully completed pods and the desired number of completions.",
        ),
        "DURATION": ("Duration", "string", "Time required to complete the job."),
        "CONTAINERS": ("Containers", "string", _CONTAINERS_DOC),
        "IMAGES": ("Images", "string", _IMAGES_DOC),
        "SELECTOR": (
            "Selector",
            "string",
            "A label query over pods that should match the pod count.",
        ),
    },
    "services": {
        "TYPE": ("Type", "string", "type determines how the Service is exposed."),
        "CLUSTER-IP": (
            "Cluster-IP",
            "string",
            "clusterIP is the IP address of the service and is usually assigned randomly.",
        ),
        "EXTERNAL-IP": (
            "External-IP",
            "string",
            "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
        ),
        "PORT(S)": ("Port(s)", "string", "The list of ports that are exposed by this service."),
        "SELECTOR": (
            "Selector",
            "string",
            "Route service traffic to pods with label keys and values matching this selector.",
        ),
    },
    "endpoints": {
        "ENDPOINTS": ("Endpoints", "string", "Endpoints is the list of ports and addresses."),
    },
    "endpointslices": {
        "ADDRESSTYPE": (
            "AddressType",
            "string",
            "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported:\n* IPv4: Represents an IPv4 Address.\n* IPv6: Represents an IPv6 Address.\n* FQDN: Represents a Fully Qualified Domain Name.",
        ),
        "PORTS": (
            "Ports",
            "string",
            'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
        ),
        "ENDPOINTS": (
            "Endpoints",
            "string",
            "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.",
        ),
    },
    "configmaps": {
        "DATA": ("Data", "string", "Data contains the configuration data."),
    },
    "namespaces": {
        "STATUS": ("Status", "string", "The status of the namespace"),
    },
    "events": {
        "LAST SEEN": (
            "Last Seen",
            "string",
            "The time at which the most recent occurrence of this event was recorded.",
        ),
        "TYPE": (
            "Type",
            "string",
            "Type of this event (Normal, Warning), new types could be added in the future",
        ),
        "REASON": (
            "Reason",
            "string",
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
        ),
        "OBJECT": ("Object", "string", "The object that this event is about."),
        "SUBOBJECT": (
            "Subobject",
            "string",
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
        ),
        "SOURCE": (
            "Source",
            "string",
            "The component reporting this event. Should be a short machine understandable string.",
        ),
        "MESSAGE": (
            "Message",
            "string",
            "A human-readable description of the status of this operation.",
        ),
        "FIRST SEEN": (
            "First Seen",
            "string",
            "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
        ),
        "COUNT": ("Count", "string", "The number of times this event has occurred."),
        "NAME": ("Name", "string", _NAME_DOC),
    },
}

# Cells upstream's printers append as integers (int64), not strings; kubectl prints them with %v.
_INTEGER_CELLS: dict[str, frozenset[str]] = {
    "deployments": frozenset({"UP-TO-DATE", "AVAILABLE"}),
    "replicasets": frozenset({"DESIRED", "CURRENT", "READY"}),
    "configmaps": frozenset({"DATA"}),
    "events": frozenset({"COUNT"}),
}

# printPod marks finished pods with a Completed row condition.
_POD_FINISHED = {
    "Succeeded": {
        "type": "Completed",
        "status": "True",
        "reason": "Succeeded",
        "message": "The pod has completed successfully.",
    },
    "Failed": {
        "type": "Completed",
        "status": "True",
        "reason": "Failed",
        "message": "The pod failed.",
    },
}


def wants_table(accept: str) -> bool:
    """True when the first media range the server can serve is a ``meta.k8s.io/v1`` Table.

    The API server walks the Accept list in order and takes the first it supports: a v1 Table,
    plain JSON (or a wildcard); v1beta1 Tables and other types are skipped here (the emulator
    serves neither, and kubectl always offers v1 first)."""
    for media_range in accept.split(","):
        media, *raw = (part.strip() for part in media_range.split(";"))
        params = dict(p.split("=", 1) for p in raw if "=" in p)
        if media not in ("application/json", "application/*", "*/*"):
            continue
        if "as" not in params:
            return False  # plain JSON comes first: a list
        if (
            params.get("as") == "Table"
            and params.get("v") == "v1"
            and params.get("g") == "meta.k8s.io"
        ):
            return True
    return False


def _row_object(
    obj: Mapping[str, Any], include_object: str, kind: str, api_version: str
) -> Obj | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return {
            "kind": kind,
            "apiVersion": api_version,
            **{k: copy.deepcopy(v) for k, v in obj.items() if k not in ("kind", "apiVersion")},
        }
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": copy.deepcopy(obj.get("metadata") or {}),
    }


def _table(
    columns: list[Obj] | None, rows: list[Obj], list_metadata: Mapping[str, Any] | None
) -> Obj:
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(list_metadata or {}),
        "columnDefinitions": columns,
        "rows": rows,
    }


def table_for(
    resource: str,
    objects: list[dict[str, Any]],
    now: datetime,
    *,
    include_object: str = "Metadata",
    kind: str = "",
    api_version: str = "",
    list_metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The Table the API server's printer sends for ``objects`` of ``resource`` (a plural), or
    None when Podium has no printer for it (use ``default_table``).

    ``include_object`` is the ``includeObject`` query parameter: ``Metadata`` (default; rows carry
    a PartialObjectMetadata), ``Object`` (the whole object, with ``kind``/``apiVersion``) or
    ``None``. ``list_metadata`` becomes the Table's ``metadata`` (resourceVersion, continue)."""
    if resource not in supported_plurals() or resource not in _COLUMNS:
        return None
    wide = get_table(resource, objects, now=now, wide=True)
    default_headers = set(get_table(resource, [], now=now).headers)
    definitions = _COLUMNS[resource]
    columns: list[Obj] = []
    for index, header in enumerate(wide.headers):
        if index == 0 and header == "NAME":
            name, ctype, description, fmt = "Name", "string", _NAME_DOC, "name"
        elif header == "AGE":
            name, ctype, description, fmt = "Age", "string", _AGE_DOC, ""
        else:
            name, ctype, description = definitions[header]
            fmt = "name" if header == "NAME" else ""
        columns.append(
            {
                "name": name,
                "type": ctype,
                "format": fmt,
                "description": description,
                "priority": 0 if header in default_headers else 1,
            }
        )
    integers = _INTEGER_CELLS.get(resource, frozenset())
    rows: list[Obj] = []
    for obj, cells in zip(objects, wide.rows):
        values: list[Any] = [
            int(cell) if header in integers and cell.isdigit() else cell
            for header, cell in zip(wide.headers, cells)
        ]
        row: Obj = {"cells": values}
        if resource == "pods":
            condition = _POD_FINISHED.get(((obj.get("status") or {}).get("phase")) or "")
            if condition:
                row["conditions"] = [dict(condition)]
        row["object"] = _row_object(obj, include_object, kind, api_version)
        rows.append(row)
    return _table(columns, rows, list_metadata)


def _rfc3339(value: Any) -> str:
    # Go's Time.UTC().Format(time.RFC3339); a missing timestamp is the zero time.
    try:
        when = parse_timestamp(value) if isinstance(value, str) and value else None
    except ValueError:
        when = None
    if when is None:
        return "0001-01-01T00:00:00Z"
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_table(
    objects: list[dict[str, Any]],
    *,
    include_object: str = "Metadata",
    kind: str = "",
    api_version: str = "",
    list_metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The API server's default table convertor: ``Name`` and ``Created At`` (type ``date``,
    the RFC 3339 creation time, which kubectl prints as is)."""
    columns = [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": _NAME_DOC,
            "priority": 0,
        },
        {
            "name": "Created At",
            "type": "date",
            "format": "",
            "description": _AGE_DOC,
            "priority": 0,
        },
    ]
    rows = [
        {
            "cells": [
                (obj.get("metadata") or {}).get("name", ""),
                _rfc3339((obj.get("metadata") or {}).get("creationTimestamp")),
            ],
            "object": _row_object(obj, include_object, kind, api_version),
        }
        for obj in objects
    ]
    return _table(columns, rows, list_metadata)


def server_table(
    resource: str,
    objects: list[dict[str, Any]],
    now: datetime,
    *,
    include_object: str = "Metadata",
    kind: str = "",
    api_version: str = "",
    list_metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the API server answers a Table request with: the printer's Table, else the default."""
    options = {
        "include_object": include_object,
        "kind": kind,
        "api_version": api_version,
        "list_metadata": list_metadata,
    }
    table = table_for(resource, objects, now, **options)
    return table if table is not None else default_table(objects, **options)


def watch_table(
    resource: str,
    obj: dict[str, Any],
    now: datetime,
    *,
    headers: bool,
    bookmark: bool = False,
    include_object: str = "Metadata",
    kind: str = "",
    api_version: str = "",
) -> dict[str, Any]:
    """One watch event's object when the watch asked for Tables (``kubectl get -w``): a Table of
    that one object. Only the first event carries ``columnDefinitions`` (the API server's watch
    encoder switches to ``NoHeaders`` after it; kubectl keeps the columns it was given). A
    BOOKMARK is a Table with only the resourceVersion."""
    meta = obj.get("metadata") or {}
    list_metadata = {"resourceVersion": meta.get("resourceVersion", "")}
    if bookmark:
        return _table(None, [], list_metadata)
    table = server_table(
        resource,
        [obj],
        now,
        include_object=include_object,
        kind=kind,
        api_version=api_version,
        list_metadata=list_metadata,
    )
    if not headers:
        table["columnDefinitions"] = None
    return table
