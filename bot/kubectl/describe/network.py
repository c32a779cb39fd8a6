"""`kubectl describe` for Services (endpoints read from EndpointSlices), Endpoints and
EndpointSlices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .common import Obj, describe_events, format_labels, meta, print_annotations, print_labels
from .writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter


def describe_service(
    svc: Obj, endpoint_slices: Sequence[Obj], events: Sequence[Obj] | None, now: datetime
) -> str:
    """kubectl's `describeService`."""
    w = PrefixWriter()
    m, spec = meta(svc), svc.get("spec") or {}
    status = svc.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(LEVEL_0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(LEVEL_0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy") is not None:
        w.write(LEVEL_0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(LEVEL_0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(LEVEL_0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(LEVEL_0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(LEVEL_0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(LEVEL_0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(LEVEL_0, f"External Name:\t{spec['externalName']}\n")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(LEVEL_0, f"LoadBalancer Ingress:\t{_ingress(ingress)}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "")
        w.write(LEVEL_0, f"Port:\t{name}\t{port.get('port', 0)}/{protocol}\n")
        target = port.get("targetPort", 0)
        w.write(LEVEL_0, f"TargetPort:\t{target if target is not None else 0}/{protocol}\n")
        if port.get("nodePort"):
            w.write(LEVEL_0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        w.write(
            LEVEL_0,
            f"Endpoints:\t{format_endpoint_slices(endpoint_slices, {port.get('name') or ''})}\n",
        )
    w.write(LEVEL_0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(LEVEL_0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy") is not None:
        w.write(LEVEL_0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(LEVEL_0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(
            LEVEL_0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n"
        )
    if spec.get("trafficDistribution"):
        w.write(LEVEL_0, f"Traffic Distribution:\t{spec['trafficDistribution']}\n")
    describe_events(w, events, now)
    return w.text()


def _ingress(ingress: Sequence[Obj]) -> str:
    """`buildIngressString`: the IP (with its ipMode) or else the hostname, comma separated."""
    items = []
    for item in ingress:
        if item.get("ip"):
            items.append(item["ip"] + (f" ({item['ipMode']})" if item.get("ipMode") else ""))
        else:
            items.append(item.get("hostname", ""))
    return ", ".join(items)


def _host_port(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def format_endpoint_slices(slices: Sequence[Obj], ports: set[str] | None) -> str:
    """`formatEndpointSlices`: ready endpoints as `ip:port` (just `ip` for port-less slices),
    the first three, then `+ N more...`; `<none>` when there is no slice at all."""
    if not slices:
        return "<none>"
    listed: list[str] = []
    limit, more, count = 3, False, 0
    for eps in slices:
        endpoints = eps.get("endpoints") or []
        if not eps.get("ports"):
            for endpoint in endpoints:
                if len(listed) == limit:
                    more = True
                if not _ready(endpoint):
                    continue
                if not more:
                    listed.append((endpoint.get("addresses") or [""])[0])
                count += 1
            continue
        for port in eps["ports"]:
            if ports is not None and (port.get("name") or "") not in ports:
                continue
            for endpoint in endpoints:
                if len(listed) == limit:
                    more = True
                if not _ready(endpoint):
                    continue
                if not more:
                    listed.append(
                        _host_port(
                            (endpoint.get("addresses") or [""])[0], int(port.get("port") or 0)
                        )
                    )
                count += 1
    text = ",".join(listed)
    return f"{text} + {count - limit} more..." if more else text


def _ready(endpoint: Obj) -> bool:
    ready = (endpoint.get("conditions") or {}).get("ready")
    return ready is None or bool(ready)


def describe_endpoints(ep: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """kubectl's `describeEndpoints`: one block per subset, each followed by a blank line."""
    w = PrefixWriter()
    m = meta(ep)
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(LEVEL_0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or []) or "<none>"
        w.write(LEVEL_1, f"Addresses:\t{ready}\n")
        not_ready = (
            ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or []) or "<none>"
        )
        w.write(LEVEL_1, f"NotReadyAddresses:\t{not_ready}\n")
        if subset.get("ports"):
            w.write(LEVEL_1, "Ports:\n")
            w.write(LEVEL_2, "Name\tPort\tProtocol\n")
            w.write(LEVEL_2, "----\t----\t--------\n")
            for port in subset["ports"]:
                w.write(
                    LEVEL_2,
                    f"{port.get('name') or '<unset>'}\t{port.get('port', 0)}\t{port.get('protocol', '')}\n",
                )
        w.write(LEVEL_0, "\n")
    describe_events(w, events, now)
    return w.text()


def _or_unset(value: object) -> str:
    return "<unset>" if value is None else str(value)


def describe_endpoint_slice(eps: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """kubectl's `describeEndpointSliceV1`. `Ports: <unset>` and `Endpoints: <none>` are written
    without a tab, so kubectl does not align them with the other fields."""
    w = PrefixWriter()
    m = meta(eps)
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(LEVEL_0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(LEVEL_0, "Ports: <unset>\n")
    else:
        w.write(LEVEL_0, "Ports:\n")
        w.write(LEVEL_1, "Name\tPort\tProtocol\n")
        w.write(LEVEL_1, "----\t----\t--------\n")
        for port in ports:
            # The API server defaults protocol to TCP; kubectl dereferences it as is.
            w.write(
                LEVEL_1,
                f"{port.get('name') or '<unset>'}\t{_or_unset(port.get('port'))}\t"
                f"{port.get('protocol', '')}\n",
            )
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        w.write(LEVEL_0, "Endpoints: <none>\n")
    else:
        w.write(LEVEL_0, "Endpoints:\n")
        for endpoint in endpoints:
            w.write(
                LEVEL_1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or '<none>'}\n"
            )
            w.write(LEVEL_2, "Conditions:\n")
            ready = (endpoint.get("conditions") or {}).get("ready")
            w.write(
                LEVEL_3, f"Ready:\t{'<unset>' if ready is None else str(bool(ready)).lower()}\n"
            )
            w.write(LEVEL_2, f"Hostname:\t{_or_unset(endpoint.get('hostname'))}\n")
            target = endpoint.get("targetRef")
            if target is not None:
                w.write(LEVEL_2, f"TargetRef:\t{target.get('kind', '')}/{target.get('name', '')}\n")
            w.write(LEVEL_2, f"NodeName:\t{_or_unset(endpoint.get('nodeName'))}\n")
            w.write(LEVEL_2, f"Zone:\t{_or_unset(endpoint.get('zone'))}\n")
    describe_events(w, events, now)
    return w.text()
