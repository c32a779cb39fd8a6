"""Service and Endpoints tables against printService / printEndpoints
(kubernetes/pkg/printers/internalversion/printers.go). Expected tables by hand."""

from __future__ import annotations

from typing import Any

import pytest

from bot.kubectl.printers.network import (
    endpoints_table,
    format_endpoints,
    service_external_ip,
    service_ports,
    service_table,
)
from bot.kubectl.printers.table import render_table
from tests.harness.k8s_objects import NOW, addrs, ago, endpoints, sample_services, service


def test_services_of_every_type() -> None:
    expected = (
        "NAME         TYPE           CLUSTER-IP   EXTERNAL-IP           PORT(S)                      AGE\n"
        "web          ClusterIP      10.96.0.10   <none>                80/TCP                       5h\n"
        "web-np       NodePort       10.96.12.7   <none>                80:30080/TCP,443:30443/TCP   5h\n"
        "lb-pending   LoadBalancer   10.96.3.4    <pending>             80:31000/TCP                 30s\n"
        "lb           LoadBalancer   10.96.3.5    203.0.113.10          443:31443/TCP                5h\n"
        "ext          ExternalName   <none>       db.example.com        <none>                       5h\n"
        "db           ClusterIP      None         <none>                5432/TCP                     5h\n"
        "dns          ClusterIP      10.96.0.10   192.0.2.1,192.0.2.2   53/UDP,53/TCP                5h"
    )
    assert render_table(service_table(sample_services(), now=NOW)) == expected


def test_services_wide_add_selector() -> None:
    expected = (
        "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP           PORT(S)         AGE   SELECTOR\n"
        "web    ClusterIP   10.96.0.10   <none>                80/TCP          5h    app=web\n"
        "db     ClusterIP   None         <none>                5432/TCP        5h    app=db,tier=data\n"
        "dns    ClusterIP   10.96.0.10   192.0.2.1,192.0.2.2   53/UDP,53/TCP   5h    <none>"
    )
    services = [s for s in sample_services() if s["metadata"]["name"] in ("web", "db", "dns")]
    assert render_table(service_table(services, now=NOW, wide=True)) == expected


def test_load_balancer_ingress_is_sorted_deduplicated_and_clipped() -> None:
    svc = service(
        "lb",
        "LoadBalancer",
        status={
            "loadBalancer": {
                "ingress": [
                    {"hostname": "a1b2c3.elb.example.com"},
                    {"ip": "198.51.100.7"},
                    {"ip": "198.51.100.7"},
                ]
            }
        },
    )
    # "198.51.100.7,a1b2c3.elb.example.com" is longer than 16: 13 characters + "..."
    assert service_external_ip(svc) == "198.51.100.7,..."
    assert service_external_ip(svc, wide=True) == "198.51.100.7,a1b2c3.elb.example.com"
    svc["spec"]["externalIPs"] = ["192.0.2.9"]
    assert service_external_ip(svc, wide=True) == "198.51.100.7,a1b2c3.elb.example.com,192.0.2.9"
    pending_with_external = service("lb", "LoadBalancer", externalIPs=["192.0.2.9"])
    assert service_external_ip(pending_with_external) == "192.0.2.9"


def test_service_defaults() -> None:
    svc = service("web", None, ports=[{"port": 8080}])
    assert service_external_ip(svc) == "<none>"
    assert service_ports(svc) == "8080/TCP"
    assert service_table([svc], now=NOW).rows[0][1] == "ClusterIP"


def test_endpoints_table() -> None:
    eps = [
        endpoints(
            "web",
            {
                "addresses": addrs("10.244.1.5", "10.244.2.7"),
                "notReadyAddresses": addrs("10.244.3.9"),
                "ports": [{"port": 8080}],
            },
        ),
        # 5 ready addresses: three shown, then "+ 2 more...".
        endpoints(
            "api",
            {
                "addresses": addrs(*(f"10.244.0.{i}" for i in range(1, 6))),
                "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
            },
        ),
        endpoints("pending"),  # no subsets
        endpoints("starting", {"notReadyAddresses": addrs("10.244.4.4"), "ports": [{"port": 80}]}),
    ]
    assert render_table(endpoints_table(eps, now=NOW)) == (
        "NAME       ENDPOINTS                                               AGE\n"
        "web        10.244.1.5:8080,10.244.2.7:8080                         42m\n"
        "api        10.244.0.1:80,10.244.0.2:80,10.244.0.3:80 + 2 more...   42m\n"
        "pending    <none>                                                  42m\n"
        # Only notReadyAddresses: kubectl prints an empty cell, not <none>.
        "starting                                                           42m"
    )


@pytest.mark.parametrize(
    ("subsets", "text"),
    [
        # Every port of a subset repeats its addresses; "more" counts all pairs.
        (
            [{"addresses": addrs("10.0.0.1", "10.0.0.2"), "ports": [{"port": 80}, {"port": 443}]}],
            "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...",
        ),
        # Headless service without ports: bare IPs.
        ([{"addresses": addrs("10.0.0.1", "10.0.0.2")}], "10.0.0.1,10.0.0.2"),
        # Several subsets; IPv6 in brackets.
        (
            [
                {"addresses": addrs("10.0.0.1"), "ports": [{"port": 80}]},
                {"addresses": addrs("fd00::1"), "ports": [{"port": 8080}]},
            ],
            "10.0.0.1:80,[fd00::1]:8080",
        ),
        (
            [
                {"addresses": addrs("a", "b", "c"), "ports": [{"port": 1}]},
                {"addresses": addrs("d", "e"), "ports": [{"port": 2}]},
            ],
            "a:1,b:1,c:1 + 2 more...",
        ),
    ],
)
def test_format_endpoints(subsets: list[dict[str, Any]], text: str) -> None:
    assert format_endpoints({"subsets": subsets}) == text


# --- EndpointSlices: printEndpointSlice, formatDiscoveryPorts, formatDiscoveryEndpoints ---------


def test_discovery_ports_number_then_name_then_star_and_more() -> None:
    from bot.kubectl.printers.network import format_discovery_ports

    assert format_discovery_ports([]) == "<unset>"
    assert format_discovery_ports([{"port": 80, "name": "http"}, {"port": 443}]) == "80,443"
    assert format_discovery_ports([{"name": "http"}, {}]) == "http,*"  # nil port: the name, else *
    assert format_discovery_ports([{"port": p} for p in (1, 2, 3)]) == "1,2,3"
    assert format_discovery_ports([{"port": p} for p in (1, 2, 3, 4, 5)]) == "1,2,3 + 2 more..."


def test_discovery_endpoints_every_address_ready_or_not() -> None:
    from bot.kubectl.printers.network import format_discovery_endpoints

    assert format_discovery_endpoints([]) == "<unset>"
    assert format_discovery_endpoints([{"addresses": []}]) == "<unset>"
    endpoints = [
        {"addresses": ["10.0.0.1"], "conditions": {"ready": True}},
        {"addresses": ["10.0.0.2"], "conditions": {"ready": False}},  # listed too
        {"addresses": ["10.0.0.3", "10.0.0.4"]},
    ]
    assert format_discovery_endpoints(endpoints[:2]) == "10.0.0.1,10.0.0.2"
    assert format_discovery_endpoints(endpoints) == "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more..."


def test_endpointslice_table() -> None:
    from bot.kubectl.printers.network import endpointslice_table

    slices = [
        {
            "metadata": {"name": "nginx-abc12", "creationTimestamp": ago(minutes=5)},
            "addressType": "IPv4",
            "ports": [{"name": "", "port": 80, "protocol": "TCP"}],
            "endpoints": [{"addresses": [f"10.244.0.{i}"]} for i in range(1, 6)],
        },
        {
            "metadata": {"name": "empty-xyz34", "creationTimestamp": ago(seconds=30)},
            "addressType": "IPv6",
        },
    ]
    table = endpointslice_table(slices, now=NOW)
    assert table.headers == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    assert table.rows == [
        ["nginx-abc12", "IPv4", "80", "10.244.0.1,10.244.0.2,10.244.0.3 + 2 more...", "5m"],
        ["empty-xyz34", "IPv6", "<unset>", "<unset>", "30s"],
    ]
    assert (
        endpointslice_table(slices, now=NOW, wide=True).headers == table.headers
    )  # no wide columns
