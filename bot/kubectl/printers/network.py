"""``kubectl get services|endpoints|endpointslices``: the API server's printers, client-side.

Source of truth: ``printService`` (with ``getServiceExternalIP``,
``loadBalancerStatusStringer``, ``makePortString``), ``printEndpoints`` (with
``formatEndpoints``) and ``printEndpointSlice`` (with ``formatDiscoveryPorts``,
``formatDiscoveryEndpoints``, ``listWithMoreString``) in
kubernetes/pkg/printers/internalversion/printers.go.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.kubectl.printers.duration import age
from bot.kubectl.printers.pods import _get, _list
from bot.kubectl.printers.table import Table, format_labels

__all__ = [
    "endpoints_table",
    "endpointslice_table",
    "format_discovery_endpoints",
    "format_discovery_ports",
    "format_endpoints",
    "service_external_ip",
    "service_ports",
    "service_table",
]

Obj = Mapping[str, Any]

_LOAD_BALANCER_WIDTH = 16  # printers.go: loadBalancerWidth
_MAX_ENDPOINTS = 3  # formatEndpoints: max


def _service_type(svc: Obj) -> str:
    # spec.type defaults to ClusterIP in the API (SetDefaults_Service).
    return _get(svc, "spec", "type") or "ClusterIP"


def _load_balancer_ips(svc: Obj, wide: bool) -> str:
    """``loadBalancerStatusStringer``: unique ingress IPs (else hostnames), sorted,
    comma-joined; clipped to 16 characters (13 + ``...``) unless ``-o wide``."""
    found = {
        ingress.get("ip") or ingress.get("hostname")
        for ingress in _list(svc, "status", "loadBalancer", "ingress")
        if ingress.get("ip") or ingress.get("hostname")
    }
    text = ",".join(sorted(found))
    if not wide and len(text) > _LOAD_BALANCER_WIDTH:
        text = text[: _LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(svc: Obj, *, wide: bool = False) -> str:
    """``getServiceExternalIP``: EXTERNAL-IP for each service type."""
    svc_type = _service_type(svc)
    external_ips = [str(ip) for ip in _list(svc, "spec", "externalIPs")]
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else "<none>"
    if svc_type == "LoadBalancer":
        lb_ips = _load_balancer_ips(svc, wide)
        if external_ips:
            return ",".join((lb_ips.split(",") if lb_ips else []) + external_ips)
        return lb_ips or "<pending>"
    if svc_type == "ExternalName":
        return _get(svc, "spec", "externalName") or ""
    return "<unknown>"


def service_ports(svc: Obj) -> str:
    """``makePortString``: ``80/TCP`` or ``80:30080/TCP`` (node port), comma-joined; ``<none>``."""
    pieces = []
    for port in _list(svc, "spec", "ports"):
        protocol = port.get("protocol") or "TCP"  # API default
        node_port = port.get("nodePort") or 0
        if node_port > 0:
            pieces.append(f"{port.get('port', 0)}:{node_port}/{protocol}")
        else:
            pieces.append(f"{port.get('port', 0)}/{protocol}")
    return ",".join(pieces) or "<none>"


def _cluster_ip(svc: Obj) -> str:
    # The server prints spec.clusterIPs[0] (headless services show "None").
    cluster_ips = _list(svc, "spec", "clusterIPs")
    if cluster_ips:
        return str(cluster_ips[0])
    return _get(svc, "spec", "clusterIP") or "<none>"


def service_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printService``: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (+ SELECTOR)."""
    headers = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"] + (
        ["SELECTOR"] if wide else []
    )
    rows: list[list[str]] = []
    for svc in objects:
        row = [
            _get(svc, "metadata", "name") or "",
            _service_type(svc),
            _cluster_ip(svc),
            service_external_ip(svc, wide=wide),
            service_ports(svc),
            age(_get(svc, "metadata", "creationTimestamp"), now),
        ]
        if wide:
            row.append(format_labels(_get(svc, "spec", "selector")))
        rows.append(row)
    return Table(headers=headers, rows=rows)


def _host_port(ip: str, port: int) -> str:
    # net.JoinHostPort brackets IPv6 literals.
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def format_endpoints(endpoints: Obj) -> str:
    """``formatEndpoints``: ready ``ip:port`` pairs (every port of every subset), at most
    three, then ``+ N more...``. No subsets: ``<none>``; subsets with only
    notReadyAddresses print an empty cell, as kubectl does."""
    subsets = _list(endpoints, "subsets")
    if not subsets:
        return "<none>"
    shown: list[str] = []
    more = False
    count = 0
    for subset in subsets:
        addresses = [a.get("ip") or "" for a in _list(subset, "addresses")]
        ports = _list(subset, "ports")
        # Headless services may have no ports: the bare IPs are listed.
        groups = (
            [list(addresses)]
            if not ports
            else [
                [_host_port(ip, int(port.get("port") or 0)) for ip in addresses] for port in ports
            ]
        )
        for group in groups:
            count += len(group)
            for item in group:
                if len(shown) == _MAX_ENDPOINTS:
                    more = True
                    break
                shown.append(item)
    text = ",".join(shown)
    return f"{text} + {count - _MAX_ENDPOINTS} more..." if more else text


def endpoints_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printEndpoints``: NAME ENDPOINTS AGE (no wide columns)."""
    rows = [
        [
            _get(ep, "metadata", "name") or "",
            format_endpoints(ep),
            age(_get(ep, "metadata", "creationTimestamp"), now),
        ]
        for ep in objects
    ]
    return Table(headers=["NAME", "ENDPOINTS", "AGE"], rows=rows)


def _list_with_more(items: list[str], count: int) -> str:
    """``listWithMoreString``: the first three joined by commas, then ``+ N more...``; an empty
    list is ``<unset>``."""
    if count > _MAX_ENDPOINTS:
        return f"{','.join(items[:_MAX_ENDPOINTS])} + {count - _MAX_ENDPOINTS} more..."
    return ",".join(items) or "<unset>"


def format_discovery_ports(ports: list[Any]) -> str:
    """``formatDiscoveryPorts``: each port's number, else its name, else ``*``."""
    items = []
    for port in ports:
        number = port.get("port") if isinstance(port, Mapping) else None
        name = port.get("name") if isinstance(port, Mapping) else None
        items.append(
            str(int(number)) if number is not None else (name if name is not None else "*")
        )
    return _list_with_more(items, len(items))


def format_discovery_endpoints(endpoints: list[Any]) -> str:
    """``formatDiscoveryEndpoints``: every address of every endpoint, ready or not."""
    items = [
        str(address)
        for endpoint in endpoints
        if isinstance(endpoint, Mapping)
        for address in _list(endpoint, "addresses")
    ]
    return _list_with_more(items, len(items))


def endpointslice_table(
    objects: list[dict[str, Any]], *, now: datetime, wide: bool = False
) -> Table:
    """``printEndpointSlice``: NAME ADDRESSTYPE PORTS ENDPOINTS AGE (no wide columns)."""
    rows = [
        [
            _get(eps, "metadata", "name") or "",
            str(eps.get("addressType") or ""),
            format_discovery_ports(_list(eps, "ports")),
            format_discovery_endpoints(_list(eps, "endpoints")),
            age(_get(eps, "metadata", "creationTimestamp"), now),
        ]
        for eps in objects
    ]
    return Table(headers=["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], rows=rows)
