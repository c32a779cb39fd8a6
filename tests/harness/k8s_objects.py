"""Kubernetes objects as the API server returns them, for the printer tests and the kubectl
reference tests: pods with their container states, events, services and endpoints, workloads.
Times are relative to a fixed NOW, so ages in expected tables are exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime(2026, 11, 27, 4, 30, 0, tzinfo=UTC)


def ago(**kwargs: float) -> str:
    return (NOW - timedelta(**kwargs)).strftime("%Y-%m-%dT%H:%M:%SZ")


def running(name: str = "app", *, ready: bool = True, restarts: int = 0, **extra: Any) -> dict:
    return {
        "name": name,
        "ready": ready,
        "started": True,
        "restartCount": restarts,
        "state": {"running": {"startedAt": ago(minutes=4)}},
        **extra,
    }


def waiting(reason: str, name: str = "app", *, restarts: int = 0, **extra: Any) -> dict:
    return {
        "name": name,
        "ready": False,
        "started": False,
        "restartCount": restarts,
        "state": {"waiting": {"reason": reason}},
        **extra,
    }


def terminated(
    name: str = "app",
    *,
    exit_code: int = 0,
    reason: str | None = None,
    signal: int | None = None,
    restarts: int = 0,
    **extra: Any,
) -> dict:
    state: dict[str, Any] = {"exitCode": exit_code, "finishedAt": ago(minutes=1)}
    if reason is not None:
        state["reason"] = reason
    if signal is not None:
        state["signal"] = signal
    return {
        "name": name,
        "ready": False,
        "started": False,
        "restartCount": restarts,
        "state": {"terminated": state},
        **extra,
    }


def last_terminated(finished_at: str, exit_code: int = 1, reason: str = "Error") -> dict:
    return {"terminated": {"exitCode": exit_code, "reason": reason, "finishedAt": finished_at}}


def make_pod(
    name: str = "web",
    *,
    phase: str = "Running",
    containers: list[dict] | None = None,
    statuses: list[dict] | None = None,
    init_containers: list[dict] | None = None,
    init_statuses: list[dict] | None = None,
    conditions: list[dict] | None = None,
    reason: str | None = None,
    created: str | None = None,
    deleted: str | None = None,
    **status_extra: Any,
) -> dict:
    statuses = statuses if statuses is not None else []
    if containers is None:
        containers = [{"name": s["name"], "image": "nginx"} for s in statuses] or [
            {"name": "app", "image": "nginx"}
        ]
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": "workshop",
        "creationTimestamp": created or ago(minutes=5),
    }
    if deleted:
        metadata["deletionTimestamp"] = deleted
    spec: dict[str, Any] = {"containers": containers}
    if init_containers is not None:
        spec["initContainers"] = init_containers
    status: dict[str, Any] = {"phase": phase, "containerStatuses": statuses, **status_extra}
    if init_statuses is not None:
        status["initContainerStatuses"] = init_statuses
    if conditions is not None:
        status["conditions"] = conditions
    if reason is not None:
        status["reason"] = reason
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


def cond(type_: str, status: str = "True", reason: str | None = None) -> dict:
    c = {"type": type_, "status": status}
    if reason:
        c["reason"] = reason
    return c


READY_CONDS = [cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")]


def sample_pods() -> list[dict]:
    return [
        make_pod(
            "web-7d4b9c8f5d-abcde",
            statuses=[running()],
            conditions=READY_CONDS,
            created=ago(minutes=5),
            podIP="10.244.1.17",
            podIPs=[{"ip": "10.244.1.17"}],
        ),
        make_pod(
            "api-5f6c7d8e9f-xyz12",
            statuses=[
                waiting("CrashLoopBackOff", restarts=4, lastState=last_terminated(ago(seconds=30)))
            ],
            conditions=[cond("Ready", "False")],
            created=ago(hours=26),
            podIP="10.244.2.3",
        ),
        make_pod("db-0", phase="Pending", created=ago(seconds=119)),
    ]


def with_node(pods: list[dict]) -> list[dict]:
    pods[0]["spec"]["nodeName"] = "worker-1"
    pods[1]["spec"]["nodeName"] = "worker-2"
    pods[2]["status"]["nominatedNodeName"] = "worker-3"
    pods[0]["spec"]["readinessGates"] = [{"conditionType": "example.com/lb-ready"}]
    pods[0]["status"]["conditions"].append(cond("example.com/lb-ready"))
    pods[0]["metadata"]["labels"] = {"pod-template-hash": "7d4b9c8f5d", "app": "web"}
    pods[1]["metadata"]["labels"] = {"app": "api"}
    return pods


def event(
    name: str,
    *,
    type_: str = "Normal",
    reason: str,
    kind: str = "Pod",
    obj: str = "web-1",
    message: str,
    count: int | None = 1,
    first: str | None = None,
    last: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "metadata": {
            "name": name,
            "namespace": "workshop",
            "creationTimestamp": first or ago(minutes=1),
        },
        "involvedObject": {"kind": kind, "name": obj, "namespace": "workshop"},
        "reason": reason,
        "message": message,
        "type": type_,
        "source": {"component": "kubelet", "host": "node-1"},
        **extra,
    }
    if count is not None:
        body["count"] = count
    if first:
        body["firstTimestamp"] = first
    if last:
        body["lastTimestamp"] = last
    return body


def sample_events() -> list[dict[str, Any]]:
    return [
        event(
            "web-1.17a1",
            reason="Scheduled",
            message="Successfully assigned workshop/web-1 to node-1",
            first=ago(minutes=5),
            last=ago(minutes=5),
            source={"component": "default-scheduler"},
        ),
        event(
            "web-1.17a2",
            type_="Warning",
            reason="BackOff",
            count=12,
            message="Back-off restarting failed container app in pod web-1_workshop(1234)\n",
            first=ago(minutes=10),
            last=ago(seconds=20),
            involvedObject={"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{app}"},
        ),
        event(
            "web.17a3",
            reason="ScalingReplicaSet",
            kind="Deployment",
            obj="web",
            message="Scaled up replica set web-7d9c5b8f4 from 0 to 3",
            first=ago(hours=3),
            source={"component": "deployment-controller"},
        ),  # no lastTimestamp: FIRST SEEN
        # events.k8s.io-style: eventTime and a series instead of timestamps and count.
        event(
            "web-1.17a4",
            type_="Warning",
            reason="Unhealthy",
            count=None,
            message="Readiness probe failed: HTTP probe failed with statuscode: 503",
            eventTime=ago(minutes=8),
            series={"count": 4, "lastObservedTime": ago(minutes=2)},
            source={},
            reportingComponent="kubelet",
            reportingInstance="node-2",
        ),
    ]


def service(
    name: str,
    svc_type: str | None,
    *,
    cluster_ip: str | None = "10.96.0.10",
    ports: list[dict[str, Any]] | None = None,
    created: str | None = None,
    status: dict[str, Any] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ports": ports
        if ports is not None
        else [{"port": 80, "protocol": "TCP", "targetPort": 8080}],
        **spec,
    }
    if svc_type:
        body["type"] = svc_type
    if cluster_ip:
        body["clusterIP"] = cluster_ip
        body["clusterIPs"] = [cluster_ip]
    return {
        "metadata": {
            "name": name,
            "namespace": "workshop",
            "creationTimestamp": created or ago(hours=5),
        },
        "spec": body,
        "status": status or {"loadBalancer": {}},
    }


def sample_services() -> list[dict[str, Any]]:
    return [
        service("web", "ClusterIP", selector={"app": "web"}),
        service(
            "web-np",
            "NodePort",
            cluster_ip="10.96.12.7",
            ports=[
                {"port": 80, "nodePort": 30080, "protocol": "TCP"},
                {"port": 443, "nodePort": 30443, "protocol": "TCP"},
            ],
            selector={"app": "web"},
        ),
        service(
            "lb-pending",
            "LoadBalancer",
            cluster_ip="10.96.3.4",
            ports=[{"port": 80, "nodePort": 31000, "protocol": "TCP"}],
            created=ago(seconds=30),
        ),
        service(
            "lb",
            "LoadBalancer",
            cluster_ip="10.96.3.5",
            ports=[{"port": 443, "nodePort": 31443, "protocol": "TCP"}],
            status={"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}},
        ),
        service("ext", "ExternalName", cluster_ip=None, ports=[], externalName="db.example.com"),
        service(
            "db",
            "ClusterIP",
            cluster_ip="None",
            ports=[{"port": 5432, "protocol": "TCP"}],
            selector={"app": "db", "tier": "data"},
        ),  # headless
        service(
            "dns",
            "ClusterIP",
            ports=[{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
            externalIPs=["192.0.2.1", "192.0.2.2"],
        ),
    ]


def endpoints(name: str, *subsets: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "workshop", "creationTimestamp": ago(minutes=42)},
        "subsets": list(subsets),
    }


def addrs(*ips: str) -> list[dict[str, str]]:
    return [{"ip": ip} for ip in ips]


def template(*containers: tuple[str, str]) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": n, "image": i} for n, i in containers]},
    }


def deployment(
    name: str,
    *,
    replicas: int,
    ready: int = 0,
    updated: int = 0,
    available: int = 0,
    created: str | None = None,
    **spec: Any,
) -> dict[str, Any]:
    status = {
        k: v
        for k, v in (
            ("readyReplicas", ready),
            ("updatedReplicas", updated),
            ("availableReplicas", available),
        )
        if v
    }
    return {
        "metadata": {
            "name": name,
            "namespace": "workshop",
            "creationTimestamp": created or ago(days=3, hours=4),
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": template(("nginx", "nginx:1.27")),
            **spec,
        },
        "status": {"replicas": replicas, **status},
    }


def replicaset(
    name: str, *, desired: int, current: int, ready: int, created: str
) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "workshop", "creationTimestamp": created},
        "spec": {
            "replicas": desired,
            "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7d9c"}},
            "template": template(("nginx", "nginx:1.27")),
        },
        "status": {"replicas": current, "readyReplicas": ready} if ready else {"replicas": current},
    }


def job(
    name: str,
    *,
    conditions: list[tuple[str, str]] = (),
    succeeded: int = 0,
    completions: int | None = 1,
    parallelism: int | None = None,
    start: str | None = None,
    end: str | None = None,
    created: str | None = None,
    deleting: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "c0ffee"}},
        "template": template(("pi", "perl:5.34")),
    }
    if completions is not None:
        spec["completions"] = completions
    if parallelism is not None:
        spec["parallelism"] = parallelism
    status: dict[str, Any] = {"conditions": [{"type": t, "status": s} for t, s in conditions]}
    if succeeded:
        status["succeeded"] = succeeded
    if start:
        status["startTime"] = start
    if end:
        status["completionTime"] = end
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": "workshop",
        "creationTimestamp": created or start or ago(minutes=1),
    }
    if deleting:
        metadata["deletionTimestamp"] = ago(seconds=5)
    return {"metadata": metadata, "spec": spec, "status": status}


def pod(name: str, **extra: Any) -> dict[str, Any]:
    """A pod as a list item: no kind/apiVersion, like the API's list bodies."""
    return {
        "metadata": {
            "name": name,
            "namespace": "workshop",
            "uid": f"uid-{name}",
            "resourceVersion": "42",
            "creationTimestamp": "2026-11-27T04:20:00Z",
            "labels": {"app": "web", "n": "1"},
            "managedFields": [{"manager": "kubectl", "operation": "Update"}],
            **extra.pop("meta", {}),
        },
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "ports": [{"containerPort": 80}],
                    "resources": {},
                }
            ],
            "nodeName": "node-1",
        },
        "status": {"phase": "Running", "podIP": "10.244.1.5"},
        **extra,
    }


def labelled(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index, obj in enumerate(objects):
        obj["metadata"].setdefault("namespace", "workshop" if index % 2 else "team-b")
        if index % 2 == 0:
            obj["metadata"]["labels"] = {"app": "web", "tier": str(index)}
    return objects


def samples_by_plural() -> dict[str, list[dict[str, Any]]]:
    return {
        "deployments": labelled(
            [
                deployment("web", replicas=3, ready=3, updated=3, available=3),
                deployment(
                    "api", replicas=3, ready=2, updated=1, available=2, created=ago(minutes=7)
                ),
            ]
        ),
        "replicasets": labelled(
            [
                replicaset("web-7d9c5b8f4", desired=3, current=3, ready=2, created=ago(minutes=2)),
                replicaset("web-5f6b7c8d9", desired=0, current=0, ready=0, created=ago(hours=26)),
            ]
        ),
        "jobs": labelled(
            [
                job("pi", start=ago(minutes=3, seconds=20)),
                job("pending", created=ago(seconds=4)),
            ]
        ),
        "services": labelled(sample_services()),
        "endpoints": labelled(
            [
                endpoints(
                    "api",
                    {
                        "addresses": addrs(*(f"10.244.0.{i}" for i in range(1, 6))),
                        "ports": [{"port": 80}],
                    },
                ),
                endpoints("starting", {"notReadyAddresses": addrs("10.244.4.4")}),
            ]
        ),
        "endpointslices": labelled(
            [
                {
                    "metadata": {"name": "api-x7k2p", "creationTimestamp": ago(minutes=4)},
                    "addressType": "IPv4",
                    "ports": [{"port": 80}, {"name": "metrics"}],
                    "endpoints": [{"addresses": [f"10.244.0.{i}"]} for i in range(1, 6)],
                },
                {
                    "metadata": {"name": "starting-q9w8e", "creationTimestamp": ago(seconds=9)},
                    "addressType": "IPv4",
                },
            ]
        ),
        "configmaps": labelled(
            [
                {
                    "metadata": {"name": "app-config", "creationTimestamp": ago(minutes=3)},
                    "data": {"a": "x"},
                },
                {"metadata": {"name": "kube-root-ca.crt", "creationTimestamp": ago(days=9)}},
            ]
        ),
        "events": labelled(sample_events()),
        "namespaces": [
            {
                "metadata": {
                    "name": "default",
                    "creationTimestamp": ago(days=30),
                    "labels": {"x": "y"},
                },
                "status": {"phase": "Active"},
            },
        ],
        "pods": labelled(sample_pods()),
    }
