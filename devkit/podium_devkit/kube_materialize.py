"""Turn applyable manifests into a living sandbox, as the control plane and kubelets would.

At seed time we do, once and deterministically, what the API server's defaulting, the
deployment/replicaset/job/endpoint controllers, the scheduler and the kubelet would have done a few
minutes ago: a Deployment without status gets its ReplicaSet and running Pods, Services get
cluster IPs plus Endpoints and EndpointSlices, and everything gets the Events those components emit.
Objects that already carry a ``status`` are kept as written: tests seed crash-looping, pending or
terminating pods explicitly and must see exactly what they wrote.

Names, uids, IPs and hashes derive from the input (never from randomness), so two emulators seeded
with the same documents serve the same sandbox.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from podium_devkit.kube_logs import (
    LogKey,
    LogLine,
    LogStore,
    default_logs,
    format_time,
    is_relative_time,
    parse_time,
)
from podium_devkit.kube_resources import Registry
from podium_devkit.kube_selectors import selector_from_match

Obj = dict[str, Any]

# How long ago the sandbox was "applied" when a manifest carries no creationTimestamp.
DEFAULT_AGE = timedelta(minutes=7)
BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
REGION = "eu-west-1"
K8S_VERSION = "v1.37.0-eks-4f0a6f2"

_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand.SafeEncodeString alphabet
TIME_KEYS = ("Time", "Timestamp", "At")


# ----------------------------------------------------------------------------------------------
# Deterministic identifiers
# ----------------------------------------------------------------------------------------------


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x00".join(parts).encode()).digest()


def stable_uid(*parts: str) -> str:
    return str(uuid.UUID(bytes=_digest("uid", *parts)[:16], version=4))


def hex_id(length: int, *parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def suffix(*parts: str, length: int = 5) -> str:
    """A ``generateName``-style suffix (``-x7k2p``)."""
    return "".join(
        _SAFE_ALPHABET[b % len(_SAFE_ALPHABET)] for b in _digest("suffix", *parts)[:length]
    )


def pod_template_hash(template: Mapping[str, Any]) -> str:
    """FNV-32a of the template, encoded like ``controller.ComputeHash`` (e.g. ``7c5ddbdf54``)."""
    value = 0x811C9DC5
    for byte in json.dumps(template, sort_keys=True).encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(_SAFE_ALPHABET[ord(ch) % len(_SAFE_ALPHABET)] for ch in str(value))


def _number(*parts: str) -> int:
    return int.from_bytes(_digest("n", *parts)[:4], "big")


def normalize_image(image: str) -> str:
    """``nginx:1.27`` → ``docker.io/library/nginx:1.27``, as the kubelet reports ``status.image``."""
    ref = image
    last = ref.rsplit("/", 1)[-1]
    if "@" not in ref and ":" not in last:
        ref += ":latest"
    first = ref.split("/", 1)[0]
    if "/" not in ref:
        ref = f"docker.io/library/{ref}"
    elif "." not in first and ":" not in first and first != "localhost":
        ref = f"docker.io/{ref}"
    return ref


def image_id(image: str) -> str:
    repo = normalize_image(image).split("@", 1)[0]
    repo = repo.rsplit(":", 1)[0] if ":" in repo.rsplit("/", 1)[-1] else repo
    return f"{repo}@sha256:{hex_id(64, 'image', image)}"


def owner_reference(owner: Mapping[str, Any]) -> dict[str, Any]:
    """The controller ownerReference a controller sets on what it creates."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def default_pod_spec(spec: Obj) -> Obj:
    """What the API server fills in on a pod spec (also inside workload templates)."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
        image = container.get("image", "")
        latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
        container.setdefault(
            "imagePullPolicy", "Always" if latest and "@" not in image else "IfNotPresent"
        )
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})
        for port in container.get("ports", []):
            port.setdefault("protocol", "TCP")
    return spec


def deployment_defaults(deploy: Obj) -> Obj:
    """What the API server fills in on a Deployment (the template as on a pod, so hashes agree)."""
    meta, spec = deploy["metadata"], deploy.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    # `kubectl create deployment --dry-run -o yaml` writes `strategy: {}`: the API server fills it.
    strategy = spec["strategy"] = spec.get("strategy") or {}
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {"maxUnavailable": "25%", "maxSurge": "25%"})
    template = spec.setdefault("template", {})
    template.setdefault("metadata", {})
    default_pod_spec(template.setdefault("spec", {}))
    meta["generation"] = meta.get("generation", 1)
    return deploy


def max_surge_and_unavailable(deploy: Mapping[str, Any]) -> tuple[int, int]:
    """The rolling update's bounds in pods: surge rounds up, unavailable down (never both 0)."""
    spec = deploy["spec"]
    replicas = int(spec.get("replicas", 1))
    rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}

    def pods(value: Any, round_up: bool) -> int:
        if isinstance(value, str) and value.endswith("%"):
            share = replicas * int(value[:-1])
            return -(-share // 100) if round_up else share // 100
        return int(value)

    surge, unavailable = (
        pods(rolling.get("maxSurge", "25%"), True),
        pods(rolling.get("maxUnavailable", "25%"), False),
    )
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def replicaset_for(
    deploy: Mapping[str, Any], template_hash: str, replicas: int, revision: int, created: datetime
) -> Obj:
    """The ReplicaSet the deployment controller creates for one pod template."""
    meta, spec = deploy["metadata"], deploy["spec"]
    template = spec["template"]
    rs_template = copy.deepcopy(template)
    rs_template["metadata"].setdefault("labels", {})["pod-template-hash"] = template_hash
    selector = copy.deepcopy(
        spec.get("selector") or {"matchLabels": dict(template["metadata"].get("labels", {}))}
    )
    selector.setdefault("matchLabels", {})["pod-template-hash"] = template_hash
    rs_name = f"{meta['name']}-{template_hash}"
    namespace = meta["namespace"]
    desired = int(spec.get("replicas", 1))
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": rs_name,
            "namespace": namespace,
            "uid": stable_uid("ReplicaSet", namespace, rs_name),
            "creationTimestamp": format_time(created),
            "generation": 1,
            "labels": dict(rs_template["metadata"]["labels"]),
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(desired),
                "deployment.kubernetes.io/max-replicas": str(
                    desired + max_surge_and_unavailable(deploy)[0]
                ),
                "deployment.kubernetes.io/revision": str(revision),
            },
            "ownerReferences": [owner_reference(deploy)],
        },
        "spec": {"replicas": replicas, "selector": selector, "template": rs_template},
    }


def job_defaults(job: Obj) -> Obj:
    """What the API server fills in on a Job, with the controller-uid selector and pod labels."""
    meta, spec = job["metadata"], job.setdefault("spec", {})
    uid = meta["uid"]
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("manualSelector", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    controller_labels = {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": meta["name"],
        "controller-uid": uid,
        "job-name": meta["name"],
    }
    spec.setdefault("selector", {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
    template = spec.setdefault("template", {})
    template.setdefault("metadata", {}).setdefault("labels", {}).update(controller_labels)
    default_pod_spec(template.setdefault("spec", {}))
    meta.setdefault("labels", {}).update(controller_labels)
    meta["generation"] = meta.get("generation", 1)
    return job


# ----------------------------------------------------------------------------------------------
# The sandbox
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContainerRun:
    """What one container does once its pod is started (decided by the caller from its image and
    command): fail the image pull with (reason, kubelet message), or exit with ``exit_code`` after
    printing ``timed_lines`` ((seconds after start, text)). The default keeps running, with the
    image's default logs."""

    pull_error: tuple[str, str] | None = None
    exit_code: int | None = None
    timed_lines: tuple[tuple[float, str], ...] | None = None
    duration: float = 3.0
    # Why it ended when not its own exit ("OOMKilled": the kernel killed it at its memory limit).
    reason: str | None = None


@dataclass(frozen=True)
class NodeSpec:
    name: str
    ip: str
    zone: str


DEFAULT_NODES = (
    NodeSpec("ip-192-168-23-104.eu-west-1.compute.internal", "192.168.23.104", "eu-west-1a"),
    NodeSpec("ip-192-168-71-9.eu-west-1.compute.internal", "192.168.71.9", "eu-west-1b"),
)


@dataclass
class Sandbox:
    objects: list[Obj]
    logs: LogStore


@dataclass
class Materializer:
    now: datetime
    registry: Registry = field(default_factory=Registry)
    nodes: tuple[NodeSpec, ...] = DEFAULT_NODES
    objects: list[Obj] = field(default_factory=list)
    logs: LogStore = field(default_factory=LogStore)
    _used_ips: set[str] = field(default_factory=set)
    _pulled: set[tuple[str, str]] = field(
        default_factory=set
    )  # (node, image) already on the machine
    _event_seq: int = 0

    @classmethod
    def for_cluster(
        cls, now: datetime, logs: LogStore, pods: Iterable[Mapping[str, Any]], events_seen: int
    ) -> Materializer:
        """A toolkit for controllers working on a live store: knows the IPs in use and the images
        already on each node; event names continue after ``events_seen``."""
        kit = cls(now=now, logs=logs)
        for pod in pods:
            spec, status = pod.get("spec") or {}, pod.get("status") or {}
            if status.get("podIP"):
                kit._used_ips.add(status["podIP"])
            pulled = {
                st.get("name") for st in status.get("containerStatuses") or () if st.get("imageID")
            }
            for container in spec.get("containers") or ():
                if spec.get("nodeName") and container.get("name") in pulled:
                    kit._pulled.add((spec["nodeName"], container.get("image", "")))
        kit._event_seq = events_seen
        return kit

    def take_objects(self) -> list[Obj]:
        """What was created since the last call (the events), handed over to the caller."""
        taken, self.objects = self.objects, []
        return taken

    @property
    def applied_at(self) -> datetime:
        return self.now - DEFAULT_AGE

    # Entry point -------------------------------------------------------------------------------

    def run(
        self,
        documents: Iterable[Mapping[str, Any]],
        log_documents: Iterable[Mapping[str, Any]] = (),
    ) -> Sandbox:
        docs = [self._resolve_times(copy.deepcopy(dict(d))) for d in documents]
        for doc in log_documents:
            self.logs.add_document(doc, self.now)
        for doc in docs:
            self._fill_metadata(doc)
        self.objects = docs
        self._ensure_namespaces()
        for doc in list(self.objects):
            kind, has_status = doc.get("kind"), bool(doc.get("status"))
            if kind == "Deployment" and not has_status:
                self._run_deployment(doc)
            elif kind == "ReplicaSet" and not has_status:
                self._run_replicaset(doc, self._created(doc), deployment=None)
            elif kind == "Job" and not has_status:
                self._run_job(doc)
            elif kind == "Pod" and not has_status:
                self.run_pod(doc, self._created(doc))
        for doc in list(self.objects):
            if doc.get("kind") == "Service":
                self._run_service(doc)
        self._ensure_nodes()
        self._ensure_per_namespace_defaults()
        return Sandbox(self.objects, self.logs)

    # Generic helpers ---------------------------------------------------------------------------

    def _resolve_times(self, value: Any, key: str = "") -> Any:
        """Relative times such as ``-3h`` in seed documents become RFC3339 relative to ``now``."""
        if isinstance(value, dict):
            for k, v in value.items():
                value[k] = self._resolve_times(v, k)
        elif isinstance(value, list):
            return [self._resolve_times(v, key) for v in value]
        elif key.endswith(TIME_KEYS) and is_relative_time(value):
            return format_time(parse_time(value, self.now))
        elif key.endswith(TIME_KEYS) and isinstance(value, datetime):
            return format_time(value)
        return value

    def _fill_metadata(self, doc: Obj) -> None:
        meta = doc.setdefault("metadata", {})
        resource = self.registry.for_kind(doc.get("apiVersion", ""), doc.get("kind", ""))
        if resource is not None and resource.namespaced:
            meta.setdefault("namespace", "default")
        meta.setdefault(
            "uid", stable_uid(doc.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))
        )
        meta.setdefault("creationTimestamp", format_time(self.applied_at))

    def _created(self, doc: Mapping[str, Any]) -> datetime:
        return parse_time(doc["metadata"]["creationTimestamp"], self.now)

    def _add(self, doc: Obj) -> Obj:
        self.objects.append(doc)
        return doc

    def _find(self, kind: str, namespace: str, name: str) -> Obj | None:
        return next(
            (
                o
                for o in self.objects
                if o.get("kind") == kind
                and o["metadata"].get("namespace", "") == namespace
                and o["metadata"].get("name") == name
            ),
            None,
        )

    def _of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o.get("kind") == kind]

    def event(
        self,
        involved: Mapping[str, Any],
        reason: str,
        message: str,
        component: str,
        when: datetime,
        *,
        host: str | None = None,
        field_path: str | None = None,
        type_: str = "Normal",
    ) -> None:
        meta = involved["metadata"]
        self._event_seq += 1
        # Real event names are "<object>.<hex nanoseconds>"; ours stay unique and deterministic.
        nanos = int(when.timestamp() * 1e9) + self._event_seq
        name = f"{meta['name']}.{nanos:x}"
        ref: dict[str, Any] = {
            "kind": involved["kind"],
            "namespace": meta.get("namespace", ""),
            "name": meta["name"],
            "uid": meta["uid"],
            "apiVersion": involved["apiVersion"],
        }
        if field_path:
            ref["fieldPath"] = field_path
        source: dict[str, Any] = {"component": component}
        if host:
            source["host"] = host
        stamp = format_time(when)
        namespace = meta.get("namespace") or "default"
        self._add(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "uid": stable_uid("Event", namespace, name),
                    "creationTimestamp": stamp,
                },
                "involvedObject": ref,
                "reason": reason,
                "message": message,
                "source": source,
                "firstTimestamp": stamp,
                "lastTimestamp": stamp,
                "count": 1,
                "type": type_,
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": host or "",
            }
        )

    # Namespaces, nodes, per-namespace defaults -------------------------------------------------

    def _ensure_namespaces(self) -> None:
        wanted = list(BUILTIN_NAMESPACES)
        wanted += [
            o["metadata"]["namespace"] for o in self.objects if o["metadata"].get("namespace")
        ]
        for name in dict.fromkeys(wanted):
            if self._find("Namespace", "", name) is None:
                self._add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
                self._fill_metadata(self.objects[-1])
                if name in BUILTIN_NAMESPACES:
                    self.objects[-1]["metadata"]["creationTimestamp"] = format_time(
                        self.now - timedelta(days=3)
                    )
        for ns in self._of_kind("Namespace"):
            labels = ns["metadata"].setdefault("labels", {})
            labels.setdefault("kubernetes.io/metadata.name", ns["metadata"]["name"])
            ns.setdefault("spec", {"finalizers": ["kubernetes"]})
            ns.setdefault("status", {"phase": "Active"})

    def _ensure_nodes(self) -> None:
        named = {
            p["spec"].get("nodeName")
            for p in self._of_kind("Pod")
            if (p.get("spec") or {}).get("nodeName")
        }
        known = {n.name: n for n in self.nodes}
        for name in sorted(named):
            if self._find("Node", "", name) is not None:
                continue
            spec = known.get(name) or NodeSpec(name, "192.168.99.99", f"{REGION}a")
            self._add(self._node(spec))

    def _node(self, spec: NodeSpec) -> Obj:
        created = format_time(self.now - timedelta(days=3))
        instance = f"i-0{hex_id(16, 'instance', spec.name)}"
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": spec.name,
                "uid": stable_uid("Node", "", spec.name),
                "creationTimestamp": created,
                "labels": {
                    "beta.kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/instance-type": "t3.medium",
                    "beta.kubernetes.io/os": "linux",
                    "eks.amazonaws.com/capacityType": "ON_DEMAND",
                    "eks.amazonaws.com/nodegroup": "workshop",
                    "kubernetes.io/arch": "amd64",
                    "kubernetes.io/hostname": spec.name,
                    "kubernetes.io/os": "linux",
                    "node.kubernetes.io/instance-type": "t3.medium",
                    "topology.kubernetes.io/region": REGION,
                    "topology.kubernetes.io/zone": spec.zone,
                },
            },
            "spec": {"providerID": f"aws:///{spec.zone}/{instance}"},
            "status": {
                "addresses": [
                    {"type": "InternalIP", "address": spec.ip},
                    {"type": "InternalDNS", "address": spec.name},
                    {"type": "Hostname", "address": spec.name},
                ],
                "capacity": {"cpu": "2", "ephemeral-storage": "20959212Ki", "memory": "3919784Ki", "pods": "17"},
                "allocatable": {"cpu": "1930m", "ephemeral-storage": "18242267924", "memory": "3364776Ki", "pods": "17"},
                "conditions": [
                    self._node_condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", created),
                    self._node_condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", created),
                    self._node_condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", created),
                    self._node_condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", created),
                ],
                "nodeInfo": {
                    "architecture": "amd64",
                    "bootID": stable_uid("boot", spec.name),
                    "containerRuntimeVersion": "containerd://1.7.27",
                    "kernelVersion": "6.1.128-136.201.amzn2023.x86_64",
                    "kubeProxyVersion": "",
                    "kubeletVersion": K8S_VERSION,
                    "machineID": hex_id(32, "machine", spec.name),
                    "operatingSystem": "linux",
                    "osImage": "Amazon Linux 2023.7.20250414",
                    "systemUUID": stable_uid("system", spec.name),
                },
            },
        }  # fmt: skip

    @staticmethod
    def _node_condition(
        type_: str, status: str, reason: str, message: str, when: str
    ) -> dict[str, Any]:
        return {"type": type_, "status": status, "reason": reason, "message": message,
                "lastHeartbeatTime": when, "lastTransitionTime": when}  # fmt: skip

    def _ensure_per_namespace_defaults(self) -> None:
        """What every real namespace holds: the ``default`` ServiceAccount and ``kube-root-ca.crt``."""
        for ns in self._of_kind("Namespace"):
            name, created = ns["metadata"]["name"], ns["metadata"]["creationTimestamp"]
            if self._find("ServiceAccount", name, "default") is None:
                self._add({"apiVersion": "v1", "kind": "ServiceAccount",
                           "metadata": {"name": "default", "namespace": name,
                                        "uid": stable_uid("ServiceAccount", name, "default"),
                                        "creationTimestamp": created}})  # fmt: skip
            if self._find("ConfigMap", name, "kube-root-ca.crt") is None:
                self._add({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "kube-root-ca.crt", "namespace": name,
                                 "uid": stable_uid("ConfigMap", name, "kube-root-ca.crt"),
                                 "creationTimestamp": created,
                                 "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                    "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIPodiumDevkitMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNV\n-----END CERTIFICATE-----\n"},
                })  # fmt: skip

    # Defaulting (what the API server fills in on create) --------------------------------------

    def admit_pod(self, pod: Obj) -> None:
        """Admission on create: service account, its token volume, default tolerations."""
        spec = default_pod_spec(pod.setdefault("spec", {}))
        account = spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
        spec.setdefault("serviceAccount", account)
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        spec.setdefault("priority", 0)
        spec.setdefault("tolerations", [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ])  # fmt: skip
        if spec.get("automountServiceAccountToken") is False:
            return
        if any(v.get("name", "").startswith("kube-api-access-") for v in spec.get("volumes") or ()):
            return  # admitted already (by the API server on create): one token volume only
        volume = f"kube-api-access-{suffix(pod['metadata']['uid'], 'vol')}"
        spec.setdefault("volumes", []).append({
            "name": volume,
            "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
            ]},
        })  # fmt: skip
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            container.setdefault("volumeMounts", []).append(
                {
                    "name": volume,
                    "readOnly": True,
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                }
            )

    # Workloads ---------------------------------------------------------------------------------

    def _run_deployment(self, deploy: Obj) -> None:
        deployment_defaults(deploy)
        meta, spec = deploy["metadata"], deploy["spec"]
        created = self._created(deploy)
        replicas = spec["replicas"]
        template = spec["template"]
        meta.setdefault("annotations", {})["deployment.kubernetes.io/revision"] = "1"

        template_hash = pod_template_hash(template)
        rs_name = f"{meta['name']}-{template_hash}"
        rs = replicaset_for(deploy, template_hash, replicas, 1, created)
        self._add(rs)
        self.event(
            deploy, "ScalingReplicaSet", f"Scaled up replica set {rs_name} from 0 to {replicas}",
            "deployment-controller", created,
        )  # fmt: skip
        ready_at = self._run_replicaset(rs, created, deployment=deploy)
        stamp, ready_stamp = format_time(created), format_time(ready_at)
        deploy["status"] = {
            "observedGeneration": meta["generation"],
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "conditions": [
                {"type": "Available", "status": "True", "lastUpdateTime": ready_stamp, "lastTransitionTime": ready_stamp,
                 "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "True", "lastUpdateTime": ready_stamp, "lastTransitionTime": stamp,
                 "reason": "NewReplicaSetAvailable", "message": f'ReplicaSet "{rs_name}" has successfully progressed.'},
            ],
        }  # fmt: skip
        if replicas == 0:
            for key in ("readyReplicas", "availableReplicas", "updatedReplicas"):
                deploy["status"].pop(key)

    def _run_replicaset(self, rs: Obj, created: datetime, deployment: Obj | None) -> datetime:
        meta, spec = rs["metadata"], rs.setdefault("spec", {})
        replicas = spec.setdefault("replicas", 1)
        template = spec.setdefault("template", {"metadata": {}, "spec": {}})
        default_pod_spec(template.setdefault("spec", {}))
        ready_at = created
        for i in range(replicas):
            name = f"{meta['name']}-{suffix(meta['namespace'], meta['name'], str(i))}"
            pod = self.pod_from_template(template, name, meta["namespace"], rs)
            pod_created = created + timedelta(seconds=1 if deployment else 0)
            pod["metadata"]["creationTimestamp"] = format_time(pod_created)
            self._add(pod)
            self.event(
                rs, "SuccessfulCreate", f"Created pod: {name}", "replicaset-controller", pod_created
            )
            ready_at = max(ready_at, self.run_pod(pod, pod_created))
        rs["status"] = {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": meta.get("generation", 1),
        }
        if replicas == 0:
            rs["status"] = {"replicas": 0, "observedGeneration": meta.get("generation", 1)}
        return ready_at

    def pod_from_template(
        self, template: Mapping[str, Any], name: str, namespace: str, owner: Obj
    ) -> Obj:
        tmeta = template.get("metadata") or {}
        meta: Obj = {
            "name": name,
            "generateName": f"{owner['metadata']['name']}-",
            "namespace": namespace,
            "uid": stable_uid("Pod", namespace, name),
            "labels": dict(tmeta.get("labels") or {}),
            "ownerReferences": [owner_reference(owner)],
        }
        if tmeta.get("annotations"):
            meta["annotations"] = dict(tmeta["annotations"])
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta,
            "spec": copy.deepcopy(template.get("spec") or {}),
        }

    def _run_job(self, job: Obj) -> None:
        job_defaults(job)
        meta, spec = job["metadata"], job["spec"]
        created = self._created(job)
        template = spec["template"]
        completions = int(spec.get("completions") or 1)
        finished = created
        for i in range(completions):
            name = f"{meta['name']}-{suffix(meta['namespace'], meta['name'], str(i))}"
            pod = self.pod_from_template(template, name, meta["namespace"], job)
            pod["metadata"]["creationTimestamp"] = format_time(created)
            self._add(pod)
            self.event(job, "SuccessfulCreate", f"Created pod: {name}", "job-controller", created)
            finished = max(finished, self.run_pod(pod, created, complete=True))
        done = finished + timedelta(seconds=2)
        self.event(job, "Completed", "Job completed", "job-controller", done)
        message = "Reached expected number of succeeded pods"
        job["status"] = {
            "conditions": [
                {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": message,
                 "lastProbeTime": format_time(done), "lastTransitionTime": format_time(done)},
                {"type": "Complete", "status": "True", "reason": "CompletionsReached", "message": message,
                 "lastProbeTime": format_time(done), "lastTransitionTime": format_time(done)},
            ],
            "startTime": format_time(created),
            "completionTime": format_time(done),
            "succeeded": completions,
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
        }  # fmt: skip

    def place(self, pod: Obj) -> tuple[NodeSpec, str]:
        """The scheduler's node and the CNI's IP for ``pod`` (kept if it has both already)."""
        meta = pod["metadata"]
        assigned = (pod.get("status") or {}).get("podIP")
        known = next(
            (n for n in self.nodes if n.name == (pod.get("spec") or {}).get("nodeName")), None
        )
        if assigned and known is not None:
            return known, assigned
        node = self.nodes[_number("node", meta["namespace"], meta["name"]) % len(self.nodes)]
        if pod["spec"].get("nodeName"):
            node = next((n for n in self.nodes if n.name == pod["spec"]["nodeName"]), node)
        base = node.ip.rsplit(".", 2)[0]
        third = int(node.ip.split(".")[2])
        n = _number("ip", meta["namespace"], meta["name"])
        while True:
            ip = f"{base}.{third + (n // 230) % 4}.{n % 230 + 10}"
            if ip not in self._used_ips and ip != node.ip:
                self._used_ips.add(ip)
                return node, ip
            n += 1

    def run_pod(
        self,
        pod: Obj,
        created: datetime,
        *,
        complete: bool = False,
        runs: Mapping[str, ContainerRun] | None = None,
        restarts: bool | None = None,
    ) -> datetime:
        """Schedule and start ``pod`` (or run it to completion); returns when it became ready.

        ``runs`` (by container name) says what a container does instead of running forever:
        fail its image pull, or exit with a code after printing its lines."""
        self.admit_pod(pod)
        meta, spec = pod["metadata"], pod["spec"]
        runs = runs or {}
        node, ip = self.place(pod)
        spec["nodeName"] = node.name
        t_scheduled = created
        self.event(pod, "Scheduled", f"Successfully assigned {meta['namespace']}/{meta['name']} to {node.name}",
                    "default-scheduler", t_scheduled)  # fmt: skip
        t = t_scheduled + timedelta(seconds=1)
        statuses: list[Obj] = []
        # Seed-time Jobs (complete=True) run to completion whatever their restartPolicy says;
        # ``restarts=False``: a container that exits stays terminated (one Job attempt per pod).
        policy = spec.get("restartPolicy", "Always")
        for container in spec.get("containers", []):
            cname, image = container["name"], container.get("image", "")
            run = runs.get(cname) or (ContainerRun(exit_code=0) if complete else ContainerRun())
            field_path = f"spec.containers{{{cname}}}"
            kubelet = {"host": node.name, "field_path": field_path}
            status: Obj = {
                "name": cname,
                "image": image,
                "imageID": "",
                "restartCount": 0,
                "lastState": {},
            }
            if run.pull_error is not None:
                # The kubelet's events for each way a container cannot start.
                reason, message = run.pull_error
                if reason == "ErrImagePull":
                    self.event(pod, "Pulling", f'Pulling image "{image}"', "kubelet", t, **kubelet)
                    self.event(pod, "Failed", f'Failed to pull image "{image}": {message}', "kubelet", t,
                               type_="Warning", **kubelet)  # fmt: skip
                elif reason == "InvalidImageName":
                    self.event(
                        pod, "InspectFailed", message, "kubelet", t, type_="Warning", **kubelet
                    )
                self.event(pod, "Failed", f"Error: {message if reason == 'CreateContainerConfigError' else reason}",
                           "kubelet", t, type_="Warning", **kubelet)  # fmt: skip
                status.update(
                    ready=False,
                    started=False,
                    state={"waiting": {"reason": reason, "message": message}},
                )
                statuses.append(status)
                continue
            if container.get("imagePullPolicy") != "Always" and (node.name, image) in self._pulled:
                self.event(
                    pod,
                    "Pulled",
                    f'Container image "{image}" already present on machine',
                    "kubelet",
                    t,
                    **kubelet,
                )
            else:
                self.event(pod, "Pulling", f'Pulling image "{image}"', "kubelet", t, **kubelet)
                pull = 2.0 + (_number("pull", image, node.name) % 9000) / 1000
                t = t + timedelta(seconds=pull)
                size = 48_000_000 + _number("size", image) % 40_000_000
                self.event(pod, "Pulled", f'Successfully pulled image "{image}" in {pull:.3f}s ({pull:.3f}s including '
                            f"waiting). Image size: {size} bytes.", "kubelet", t, **kubelet)  # fmt: skip
                self._pulled.add((node.name, image))
            self.event(pod, "Created", f"Created container: {cname}", "kubelet", t, **kubelet)
            self.event(pod, "Started", f"Started container {cname}", "kubelet", t, **kubelet)
            started = t
            status.update(
                image=normalize_image(image),
                imageID=image_id(image),
                containerID=f"containerd://{hex_id(64, meta['uid'], cname)}",
            )
            status = {
                k: status[k]
                for k in ("name", "image", "imageID", "containerID", "restartCount", "lastState")
            }
            if run.exit_code is not None:
                finished = started + timedelta(seconds=run.duration)
                terminated = {"exitCode": run.exit_code, "reason": run.reason or ("Completed" if run.exit_code == 0 else "Error"),
                              "startedAt": format_time(started), "finishedAt": format_time(finished),
                              "containerID": status["containerID"]}  # fmt: skip
                restart = policy == "Always" or (policy == "OnFailure" and run.exit_code != 0)
                if restart and not complete and restarts is not False:
                    # The kubelet restarts it, it exits again: back-off between restarts.
                    status.update(ready=False, started=False, restartCount=1, lastState={"terminated": terminated},
                                  state={"waiting": {"reason": "CrashLoopBackOff", "message":
                                         f"back-off 10s restarting failed container={cname} pod={meta['name']}_"
                                         f"{meta['namespace']}({meta['uid']})"}})  # fmt: skip
                    self.event(pod, "BackOff", f"Back-off restarting failed container {cname} in pod "
                               f"{meta['name']}_{meta['namespace']}({meta['uid']})", "kubelet", finished,
                               type_="Warning", **kubelet)  # fmt: skip
                else:
                    status.update(ready=False, started=False, state={"terminated": terminated})
                t = max(t, finished)
            else:
                status.update(
                    ready=True, started=True, state={"running": {"startedAt": format_time(started)}}
                )
            if container.get("volumeMounts"):
                status["volumeMounts"] = [
                    {k: m[k] for k in ("name", "mountPath", "readOnly") if k in m}
                    | ({"recursiveReadOnly": "Disabled"} if m.get("readOnly") else {})
                    for m in container["volumeMounts"]
                ]
            statuses.append(status)
            if run.timed_lines is not None:
                # Restarted once already: the run before printed the same (`logs --previous`).
                self._run_logs(
                    pod, cname, run.timed_lines, started, bool(status.get("restartCount"))
                )
            else:
                self._default_logs(pod, cname, image, started)
        ready = t + timedelta(seconds=1)
        s_created, s_ready = format_time(created), format_time(ready)
        phase = _pod_phase(statuses, spec.get("restartPolicy", "Always"))
        if phase in ("Succeeded", "Failed"):
            why = "PodCompleted" if phase == "Succeeded" else "PodFailed"
            conditions = [
                self._pod_condition("PodReadyToStartContainers", "False", s_ready),
                self._pod_condition("Initialized", "True", s_created, "PodCompleted"),
                self._pod_condition("Ready", "False", s_ready, why),
                self._pod_condition("ContainersReady", "False", s_ready, why),
                self._pod_condition("PodScheduled", "True", s_created),
            ]
        elif all(st.get("ready") for st in statuses):
            conditions = [
                self._pod_condition("PodReadyToStartContainers", "True", s_ready),
                self._pod_condition("Initialized", "True", s_created),
                self._pod_condition("Ready", "True", s_ready),
                self._pod_condition("ContainersReady", "True", s_ready),
                self._pod_condition("PodScheduled", "True", s_created),
            ]
        else:
            unready = " ".join(st["name"] for st in statuses if not st.get("ready"))
            message = f"containers with unready status: [{unready}]"
            conditions = [
                self._pod_condition("PodReadyToStartContainers", "True", s_ready),
                self._pod_condition("Initialized", "True", s_created),
                self._pod_condition("Ready", "False", s_ready, "ContainersNotReady")
                | {"message": message},
                self._pod_condition("ContainersReady", "False", s_ready, "ContainersNotReady")
                | {"message": message},
                self._pod_condition("PodScheduled", "True", s_created),
            ]
        pod["status"] = {
            "phase": phase,
            "conditions": conditions,
            "hostIP": node.ip,
            "hostIPs": [{"ip": node.ip}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": s_created,
            "containerStatuses": statuses,
            "qosClass": self._qos_class(spec),
        }
        return ready

    @staticmethod
    def _pod_condition(type_: str, status: str, when: str, reason: str | None = None) -> Obj:
        condition: Obj = {
            "type": type_,
            "status": status,
            "lastProbeTime": None,
            "lastTransitionTime": when,
        }
        if reason:
            condition["reason"] = reason
        return condition

    @staticmethod
    def _qos_class(spec: Mapping[str, Any]) -> str:
        resources = [c.get("resources") or {} for c in spec.get("containers", [])]
        if not any(r.get("limits") or r.get("requests") for r in resources):
            return "BestEffort"
        guaranteed = all(
            all((r.get("limits") or {}).get(k) and (r.get("requests") or r.get("limits") or {}).get(k)
                == (r.get("limits") or {}).get(k) for k in ("cpu", "memory"))
            for r in resources
        )  # fmt: skip
        return "Guaranteed" if guaranteed else "Burstable"

    def _run_logs(
        self,
        pod: Obj,
        container: str,
        lines: Sequence[tuple[float, str]],
        started: datetime,
        restarted: bool = False,
    ) -> None:
        """What a container printed, at the moments it printed it."""
        meta = pod["metadata"]
        for previous in (False, True) if restarted else (False,):
            self.logs.add(
                LogKey(meta["namespace"], meta["name"], container, previous),
                [LogLine(started + timedelta(seconds=offset), text) for offset, text in lines],
            )

    def _default_logs(self, pod: Obj, container: str, image: str, started: datetime) -> None:
        meta = pod["metadata"]
        single = len(pod["spec"].get("containers", [])) == 1
        if (
            self.logs.lookup(
                meta["namespace"], meta["name"], container, False, single_container=single
            )
            is not None
        ):
            return
        lines = default_logs(image, started, _number("logs", meta["name"], container))
        if lines:
            self.logs.add(LogKey(meta["namespace"], meta["name"], container), lines)

    # Services ----------------------------------------------------------------------------------

    def _run_service(self, svc: Obj) -> None:
        service_defaults(svc)
        spec = svc["spec"]
        if spec.get("selector") and spec["type"] != "ExternalName":
            self._run_endpoints(svc)

    def _run_endpoints(self, svc: Obj) -> None:
        meta = svc["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        content = endpoints_content(svc, self._of_kind("Pod"), self.nodes)
        created = self._created(svc)
        if self._find("Endpoints", namespace, name) is None:
            self._add(endpoints_object(svc, content, created, created + timedelta(seconds=10)))
        has_slice = any(
            s["metadata"].get("namespace") == namespace
            and (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == name
            for s in self._of_kind("EndpointSlice")
        )
        if not has_slice:
            slice_name = f"{name}-{suffix(namespace, name, 'slice')}"
            self._add(
                endpoint_slice_object(
                    svc, slice_name, content, created, created + timedelta(seconds=10)
                )
            )


def service_defaults(svc: Obj) -> None:
    """What the API server fills in on a Service: cluster IP, IP families, port defaults, node ports."""
    meta, spec = svc["metadata"], svc.setdefault("spec", {})
    namespace, name = meta["namespace"], meta["name"]
    type_ = spec.setdefault("type", "ClusterIP")
    if type_ != "ExternalName":
        if not spec.get("clusterIP"):
            n = _number("clusterip", namespace, name)
            spec["clusterIP"] = f"10.100.{(n >> 8) % 254 + 1}.{n % 254 + 1}"
        spec.setdefault(
            "clusterIPs", [spec["clusterIP"]] if spec["clusterIP"] != "None" else ["None"]
        )
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("sessionAffinity", "None")
    for i, port in enumerate(spec.get("ports", [])):
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
        if type_ in ("NodePort", "LoadBalancer") and not port.get("nodePort"):
            port["nodePort"] = 30000 + _number("nodeport", namespace, name, str(i)) % 2768
    if type_ in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    status = svc.setdefault("status", {"loadBalancer": {}})
    if type_ == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
        if not status.get("loadBalancer"):
            host = f"a{hex_id(32, 'elb', namespace, name)}-{_number('elb', name) % 10**9}.{REGION}.elb.amazonaws.com"
            status["loadBalancer"] = {"ingress": [{"hostname": host}]}


def target_port(port: Mapping[str, Any], pod: Mapping[str, Any]) -> int | None:
    """A Service port's targetPort on one pod: a number, or a container port looked up by name."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for container in pod["spec"].get("containers", []):
        for cport in container.get("ports", []):
            if cport.get("name") == target:
                return int(cport["containerPort"])
    return None


@dataclass(frozen=True)
class EndpointsContent:
    """What the endpoints and endpointslice controllers derive from a Service and its pods."""

    subsets: list[Obj]
    slice_endpoints: list[Obj]
    slice_ports: list[Obj]


def endpoints_content(
    svc: Mapping[str, Any],
    pods: Iterable[Mapping[str, Any]],
    nodes: Iterable[NodeSpec] = DEFAULT_NODES,
) -> EndpointsContent:
    """The addresses of the pods the Service selects (by IP), ready and not-ready apart."""
    meta, spec = svc["metadata"], svc["spec"]
    namespace = meta["namespace"]
    zones = {n.name: n.zone for n in nodes}
    selector = selector_from_match({"matchLabels": spec.get("selector") or {}})
    chosen = sorted(
        (
            p
            for p in pods
            if p.get("kind", "Pod") == "Pod"
            and p["metadata"].get("namespace") == namespace
            and spec.get("selector")
            and selector.matches(p["metadata"].get("labels"))
            and (p.get("status") or {}).get("podIP")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ),
        key=lambda p: tuple(int(x) for x in p["status"]["podIP"].split(".")),
    )
    ports = spec.get("ports", [])
    # Endpoints: one subset per distinct resolved port list, ready and not-ready addresses apart.
    subsets: dict[tuple[tuple[str, int, str], ...], Obj] = {}
    slice_endpoints: list[Obj] = []
    slice_ports: list[Obj] = []
    for pod in chosen:
        resolved = tuple(
            (p.get("name", ""), tp, p.get("protocol", "TCP"))
            for p in ports
            if (tp := target_port(p, pod)) is not None
        )
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        ready = is_ready(pod) and not terminating
        node = pod["spec"].get("nodeName", "")
        target = {
            "kind": "Pod",
            "namespace": namespace,
            "name": pod["metadata"]["name"],
            "uid": pod["metadata"]["uid"],
        }
        if not terminating:
            subset = subsets.setdefault(resolved, {"ports": [
                {**({"name": pname} if pname else {}), "port": tp, "protocol": proto} for pname, tp, proto in resolved
            ]})  # fmt: skip
            address = {"ip": pod["status"]["podIP"], "nodeName": node, "targetRef": target}
            subset.setdefault("addresses" if ready else "notReadyAddresses", []).append(address)
        endpoint: Obj = {
            "addresses": [pod["status"]["podIP"]],
            "conditions": {"ready": ready, "serving": is_ready(pod), "terminating": terminating},
            "targetRef": target,
        }
        if node:
            endpoint["nodeName"] = node
            if zones.get(node):
                endpoint["zone"] = zones[node]
        slice_endpoints.append(endpoint)
        if not slice_ports:
            slice_ports = [
                {"name": pname, "port": tp, "protocol": proto} for pname, tp, proto in resolved
            ]
    if not slice_ports:
        slice_ports = [
            {
                "name": p.get("name", ""),
                "port": p.get("targetPort"),
                "protocol": p.get("protocol", "TCP"),
            }
            for p in ports
            if isinstance(p.get("targetPort"), int)
        ]
    return EndpointsContent(list(subsets.values()), slice_endpoints, slice_ports)


def endpoints_object(
    svc: Mapping[str, Any], content: EndpointsContent, created: datetime, changed: datetime
) -> Obj:
    meta = svc["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    labels = dict(meta.get("labels") or {})
    endpoints: Obj = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": stable_uid("Endpoints", namespace, name),
            "creationTimestamp": format_time(created),
            "annotations": {
                "endpoints.kubernetes.io/last-change-trigger-time": format_time(changed)
            },
        },
    }
    if labels:
        endpoints["metadata"]["labels"] = labels
    if content.subsets:
        endpoints["subsets"] = copy.deepcopy(content.subsets)
    return endpoints


def endpoint_slice_object(
    svc: Mapping[str, Any],
    slice_name: str,
    content: EndpointsContent,
    created: datetime,
    changed: datetime,
) -> Obj:
    meta = svc["metadata"]
    namespace, name = meta["namespace"], meta["name"]
    labels = dict(meta.get("labels") or {})
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": slice_name,
            "generateName": f"{name}-",
            "namespace": namespace,
            "uid": stable_uid("EndpointSlice", namespace, slice_name),
            "creationTimestamp": format_time(created),
            "generation": 1,
            "labels": {**labels, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                       "kubernetes.io/service-name": name},
            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": format_time(changed)},
            "ownerReferences": [owner_reference(svc)],
        },
        "addressType": "IPv4",
        "endpoints": copy.deepcopy(content.slice_endpoints),
        "ports": copy.deepcopy(content.slice_ports),
    }  # fmt: skip


def _pod_phase(statuses: Sequence[Mapping[str, Any]], restart_policy: str) -> str:
    """The kubelet's phase: Pending until every container started; Succeeded/Failed once every
    container terminated and will not be restarted; Running otherwise."""
    states = [st.get("state") or {} for st in statuses]
    if any("waiting" in state and not st.get("lastState") for state, st in zip(states, statuses)):
        return "Pending"
    if states and all("terminated" in state for state in states):
        failed = any(state["terminated"].get("exitCode") for state in states)
        if not failed:
            return "Succeeded"
        return "Failed" if restart_policy == "Never" else "Running"
    return "Running"


def is_ready(pod: Mapping[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def materialize(
    documents: Iterable[Mapping[str, Any]],
    log_documents: Iterable[Mapping[str, Any]] = (),
    *,
    now: datetime,
    registry: Registry | None = None,
) -> Sandbox:
    """Seed documents (API objects only) → every object a running cluster would hold, plus logs."""
    return Materializer(now=now, registry=registry or Registry()).run(documents, log_documents)
