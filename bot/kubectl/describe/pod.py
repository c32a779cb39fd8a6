"""`kubectl describe pod`, and the container/volume/pod-template blocks other kinds reuse."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from .common import (
    Obj,
    controller_of,
    describe_events,
    describe_resources,
    format_label_selector,
    go_bool,
    go_quote,
    int_or_string,
    meta,
    print_annotations,
    print_bool,
    print_labels,
    print_tolerations,
    rfc1123z,
    since,
)
from .writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter

EnvResolver = Callable[[Obj], str]


def describe_pod(pod: Obj, events: Sequence[Obj] | None, now: datetime, tz: tzinfo = UTC) -> str:
    """kubectl's `describePod`. `events` None omits the Events section (kubectl's --show-events=false)."""
    w = PrefixWriter()
    m, spec, status = meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(LEVEL_0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(LEVEL_0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(LEVEL_0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(LEVEL_0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if not spec.get("nodeName"):
        w.write(LEVEL_0, "Node:\t<none>\n")
    else:
        w.write(LEVEL_0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    if status.get("startTime"):
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(status['startTime'], tz)}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    phase = status.get("phase", "")
    if m.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(LEVEL_0, f"Status:\tTerminating (lasts {since(m['deletionTimestamp'], now)})\n")
        w.write(LEVEL_0, f"Termination Grace Period:\t{m.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(LEVEL_0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(LEVEL_0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(LEVEL_0, f"Message:\t{status['message']}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(LEVEL_0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(LEVEL_0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(LEVEL_0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if not ips:
        w.write(LEVEL_0, "IPs:\t<none>\n")
    else:
        w.write(LEVEL_0, "IPs:\n")
        for ip in ips:
            w.write(LEVEL_1, f"IP:\t{ip.get('ip', '')}\n")
    controlled_by = controller_of(pod)
    if controlled_by:
        w.write(LEVEL_0, f"Controlled By:\t{controlled_by}\n")
    if status.get("nominatedNodeName"):
        w.write(LEVEL_0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(LEVEL_0, "Resources:\n")
        describe_resources(w, spec["resources"], LEVEL_1)
    resolver = env_resolver(pod)
    if spec.get("initContainers"):
        describe_containers(
            w,
            "Init Containers",
            spec["initContainers"],
            status.get("initContainerStatuses"),
            resolver,
            "",
            tz,
        )
    describe_containers(
        w,
        "Containers",
        spec.get("containers") or [],
        status.get("containerStatuses"),
        resolver,
        "",
        tz,
    )
    if spec.get("ephemeralContainers"):
        describe_containers(
            w,
            "Ephemeral Containers",
            spec["ephemeralContainers"],
            status.get("ephemeralContainerStatuses"),
            resolver,
            "",
            tz,
        )
    conditions = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            gate_type = gate.get("conditionType", "")
            value = next(
                (str(c.get("status", "")) for c in conditions if c.get("type") == gate_type),
                "<none>",
            )
            w.write(LEVEL_1, f"{gate_type} \t{value} \n")
    if conditions:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n")
        for condition in conditions:
            w.write(LEVEL_1, f"{condition.get('type', '')} \t{condition.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes") or [], "")
    w.write(LEVEL_0, f"QoS Class:\t{pod_qos(pod)}\n")
    print_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "Tolerations", spec.get("tolerations"))
    describe_topology_spread(w, spec.get("topologySpreadConstraints") or [], "")
    describe_events(w, events, now)
    return w.text()


def describe_pod_template(w: PrefixWriter, template: Obj | None) -> None:
    """`DescribePodTemplate`, used by Deployments, ReplicaSets and Jobs (no statuses, no env values)."""
    w.write(LEVEL_0, "Pod Template:\n")
    if template is None:
        w.write(LEVEL_1, "<unset>")
        return
    m, spec = template.get("metadata") or {}, template.get("spec") or {}
    print_labels(w, "  Labels", m.get("labels"))
    if m.get("annotations"):
        print_annotations(w, "  Annotations", m["annotations"])
    if spec.get("serviceAccountName"):
        w.write(LEVEL_1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    describe_topology_spread(w, spec.get("topologySpreadConstraints") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(LEVEL_1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    print_labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "  Tolerations", spec.get("tolerations"))


# Containers ---------------------------------------------------------------------------------------


def describe_containers(
    w: PrefixWriter,
    label: str,
    containers: Sequence[Obj],
    statuses: Sequence[Obj] | None,
    resolver: EnvResolver | None,
    space: str,
    tz: tzinfo = UTC,
) -> None:
    """`describeContainers`: identity, command, state, resources, probes, env and mounts."""
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(LEVEL_0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        _basic_info(w, container, status, space)
        _command(w, container)
        if status is not None:
            _state(w, status, tz)
        describe_resources(w, container.get("resources") or {}, LEVEL_2)
        _probes(w, container)
        if container.get("envFrom"):
            _env_from(w, container)
        _env(w, container, resolver)
        _mounts(w, container)


def _basic_info(w: PrefixWriter, container: Obj, status: Obj | None, space: str) -> None:
    name_indent = " " if space else ""
    w.write(LEVEL_1, f"{name_indent}{container.get('name', '')}:\n")
    if status is not None:
        w.write(LEVEL_2, f"Container ID:\t{status.get('containerID', '')}\n")
    w.write(LEVEL_2, f"Image:\t{container.get('image', '')}\n")
    if status is not None:
        w.write(LEVEL_2, f"Image ID:\t{status.get('imageID', '')}\n")
    ports = container.get("ports") or []
    # kubectl 1.37 names named ports: `8080/TCP (http)`.
    port_text = ", ".join(
        f"{p.get('containerPort', 0)}/{p.get('protocol', '')}{_port_name(p)}" for p in ports
    )
    if "," in port_text:
        w.write(LEVEL_2, f"Ports:\t{port_text}\n")
    else:
        w.write(LEVEL_2, f"Port:\t{port_text or '<none>'}\n")
    host_text = ", ".join(
        f"{p.get('hostPort', 0)}/{p.get('protocol', '')}{_port_name(p)}" for p in ports
    )
    if "," in host_text:
        w.write(LEVEL_2, f"Host Ports:\t{host_text}\n")
    else:
        w.write(LEVEL_2, f"Host Port:\t{host_text or '<none>'}\n")
    seccomp = (container.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(LEVEL_2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(LEVEL_3, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")


def _port_name(port: Obj) -> str:
    return f" ({port['name']})" if port.get("name") else ""


def _command(w: PrefixWriter, container: Obj) -> None:
    for title, key in (("Command", "command"), ("Args", "args")):
        if container.get(key):
            w.write(LEVEL_2, f"{title}:\n")
            for item in container[key]:
                for line in str(item).split("\n"):
                    w.write(LEVEL_3, f"{line}\n")


def _state(w: PrefixWriter, status: Obj, tz: tzinfo) -> None:
    """`describeContainerState`: State, Last State (only when terminated), Ready, Restart Count."""
    _status_block(w, "State", status.get("state") or {}, tz)
    last = status.get("lastState") or {}
    if last.get("terminated"):
        _status_block(w, "Last State", last, tz)
    w.write(LEVEL_2, f"Ready:\t{print_bool(status.get('ready'))}\n")
    w.write(LEVEL_2, f"Restart Count:\t{int(status.get('restartCount') or 0)}\n")


def _status_block(w: PrefixWriter, title: str, state: Obj, tz: tzinfo) -> None:
    if state.get("running") is not None:
        w.write(LEVEL_2, f"{title}:\tRunning\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(state['running'].get('startedAt'), tz)}\n")
    elif state.get("waiting") is not None:
        w.write(LEVEL_2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(LEVEL_3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        term = state["terminated"]
        w.write(LEVEL_2, f"{title}:\tTerminated\n")
        if term.get("reason"):
            w.write(LEVEL_3, f"Reason:\t{term['reason']}\n")
        if term.get("message"):
            w.write(LEVEL_3, f"Message:\t{term['message']}\n")
        w.write(LEVEL_3, f"Exit Code:\t{int(term.get('exitCode') or 0)}\n")
        if int(term.get("signal") or 0) > 0:
            w.write(LEVEL_3, f"Signal:\t{term['signal']}\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(term.get('startedAt'), tz)}\n")
        w.write(LEVEL_3, f"Finished:\t{rfc1123z(term.get('finishedAt'), tz)}\n")
    else:
        w.write(LEVEL_2, f"{title}:\tWaiting\n")


def _probes(w: PrefixWriter, container: Obj) -> None:
    for title, key in (
        ("Liveness", "livenessProbe"),
        ("Readiness", "readinessProbe"),
        ("Startup", "startupProbe"),
    ):
        if container.get(key) is not None:
            w.write(LEVEL_2, f"{title}:\t{describe_probe(container[key])}\n")


def describe_probe(probe: Obj) -> str:
    """`DescribeProbe`: `http-get http://:8080/healthz delay=0s timeout=1s period=10s successThreshold=1 failureThreshold=3`."""
    attrs = (
        f"delay={int(probe.get('initialDelaySeconds') or 0)}s timeout={int(probe.get('timeoutSeconds') or 0)}s "
        f"period={int(probe.get('periodSeconds') or 0)}s successThreshold={int(probe.get('successThreshold') or 0)} "
        f"failureThreshold={int(probe.get('failureThreshold') or 0)}"
    )
    if probe.get("exec") is not None:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        http = probe["httpGet"]
        scheme = str(http.get("scheme") or "").lower()
        port = "" if http.get("port") is None else int_or_string(http["port"])
        host = str(http.get("host") or "")
        hostport = _join_host_port(host, port) if port else host
        url = (f"{scheme}:" if scheme else "") + (f"//{hostport}" if hostport or scheme else "")
        url += str(http.get("path") or "")
        return f"http-get {url} {attrs}"
    if probe.get("tcpSocket") is not None:
        tcp = probe["tcpSocket"]
        return f"tcp-socket {tcp.get('host') or ''}:{int_or_string(tcp.get('port'))} {attrs}"
    if probe.get("grpc") is not None:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port', 0)} {grpc.get('service') or ''} {attrs}"
    return f"unknown {attrs}"


def _join_host_port(host: str, port: str) -> str:
    """Go's `net.JoinHostPort`."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _env_from(w: PrefixWriter, container: Obj) -> None:
    w.write(LEVEL_2, "Environment Variables from:\n")
    for source in container.get("envFrom") or []:
        kind, name, optional = "", "", False
        if source.get("configMapRef") is not None:
            kind, ref = "ConfigMap", source["configMapRef"]
            name, optional = ref.get("name", ""), bool(ref.get("optional"))
        elif source.get("secretRef") is not None:
            kind, ref = "Secret", source["secretRef"]
            name, optional = ref.get("name", ""), bool(ref.get("optional"))
        if source.get("prefix"):
            w.write(
                LEVEL_3,
                f"{name}\t{kind} with prefix '{source['prefix']}'\tOptional: {go_bool(optional)}\n",
            )
        else:
            w.write(LEVEL_3, f"{name}\t{kind}\tOptional: {go_bool(optional)}\n")


def _env(w: PrefixWriter, container: Obj, resolver: EnvResolver | None) -> None:
    env = container.get("env") or []
    w.write(LEVEL_2, f"Environment:{'' if env else chr(9) + '<none>'}\n")
    for var in env:
        name, source = var.get("name", ""), var.get("valueFrom")
        if source is None:
            for i, line in enumerate(str(var.get("value") or "").split("\n")):
                w.write(LEVEL_3, f"{name}:\t{line}\n" if i == 0 else f"\t{line}\n")
            continue
        if source.get("fieldRef") is not None:
            ref = source["fieldRef"]
            value = resolver(ref) if resolver is not None else ""
            w.write(
                LEVEL_3,
                f"{name}:\t{value} ({ref.get('apiVersion', '')}:{ref.get('fieldPath', '')})\n",
            )
        elif source.get("resourceFieldRef") is not None:
            ref = source["resourceFieldRef"]
            resource = ref.get("resource", "")
            value = _resource_value(ref, container)
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(LEVEL_3, f"{name}:\t{value} ({resource})\n")
        elif source.get("secretKeyRef") is not None:
            ref = source["secretKeyRef"]
            w.write(
                LEVEL_3,
                f"{name}:\t<set to the key '{ref.get('key', '')}' in secret '{ref.get('name', '')}'>\t"
                f"Optional: {go_bool(ref.get('optional'))}\n",
            )
        elif source.get("configMapKeyRef") is not None:
            ref = source["configMapKeyRef"]
            w.write(
                LEVEL_3,
                f"{name}:\t<set to the key '{ref.get('key', '')}' of config map '{ref.get('name', '')}'>\t"
                f"Optional: {go_bool(ref.get('optional'))}\n",
            )


# kubectl describe.go: maxAnnotationLen, where a CSI volume's attributes are cut.
MAX_ANNOTATION_LEN = 140
_QUANTITY = re.compile(r"^([0-9.]+)([a-zA-Z]*)$")
_SUFFIX = {
    "": 1,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


def _quantity(text: str) -> float | None:
    match = _QUANTITY.match(str(text).strip())
    if not match or match.group(2) not in _SUFFIX:
        return None
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def _resource_value(ref: Obj, container: Obj) -> str:
    """`resourcehelper.ExtractContainerResourceValue`: the value divided by the divisor, rounded up."""
    kind, _, name = str(ref.get("resource", "")).partition(".")
    resources = (container.get("resources") or {}).get(kind) or {}
    value = _quantity(resources.get(name, "0")) or 0.0
    divisor = _quantity(ref.get("divisor") or "1") or 1.0
    if name == "cpu" and not ref.get("divisor"):
        divisor = 1.0
    return str(math.ceil(value / divisor - 1e-12))


def _mounts(w: PrefixWriter, container: Obj) -> None:
    mounts = container.get("volumeMounts") or []
    none = "" if mounts else "\t<none>"
    w.write(LEVEL_2, f"Mounts:{none}\n")
    for mount in sorted(mounts, key=lambda m: m.get("mountPath", "")):
        flags = ["ro" if mount.get("readOnly") else "rw"]
        if mount.get("subPath"):
            flags.append(f"path={go_quote(mount['subPath'])}")
        w.write(
            LEVEL_3,
            f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({','.join(flags)})\n",
        )
    devices = container.get("volumeDevices") or []
    if devices:
        w.write(LEVEL_2, f"Devices:{none}\n")
        for device in sorted(devices, key=lambda d: d.get("devicePath", "")):
            w.write(LEVEL_3, f"{device.get('devicePath', '')} from {device.get('name', '')}\n")


def env_resolver(pod: Obj) -> EnvResolver:
    """`EnvValueRetriever` + kubectl's `fieldpath.ExtractFieldPathAsString` (metadata only)."""
    m = meta(pod)

    def resolve(ref: Obj) -> str:
        path = str(ref.get("fieldPath", ""))
        subscripted = re.fullmatch(r"(metadata\.(?:annotations|labels))\['(.*)'\]", path)
        if subscripted:
            source = (
                m.get("annotations" if subscripted.group(1).endswith("annotations") else "labels")
                or {}
            )
            return str(source.get(subscripted.group(2), ""))
        if path in ("metadata.annotations", "metadata.labels"):
            values = m.get(path.split(".")[1]) or {}
            return "\n".join(f"{k}={go_quote(str(values[k]))}" for k in sorted(values))
        if path in ("metadata.name", "metadata.namespace", "metadata.uid"):
            return str(m.get(path.split(".")[1], ""))
        return ""

    return resolve


# Volumes ------------------------------------------------------------------------------------------


def describe_volumes(w: PrefixWriter, volumes: Sequence[Obj], space: str) -> None:
    """`describeVolumes` for the volume sources a workshop sandbox uses; others print their type."""
    if not volumes:
        w.write(LEVEL_0, f"{space}Volumes:\t<none>\n")
        return
    w.write(LEVEL_0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(LEVEL_1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        _volume_source(w, volume)


def _volume_source(w: PrefixWriter, v: Obj) -> None:
    if v.get("hostPath") is not None:
        src = v["hostPath"]
        w.write(
            LEVEL_2,
            f"Type:\tHostPath (bare host directory volume)\n    Path:\t{src.get('path', '')}\n"
            f"    HostPathType:\t{src.get('type') if src.get('type') is not None else '<none>'}\n",
        )
    elif v.get("emptyDir") is not None:
        src = v["emptyDir"]
        size = src.get("sizeLimit")
        size_text = str(size) if size and (_quantity(size) or 0) > 0 else "<unset>"
        w.write(
            LEVEL_2,
            "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
            f"    Medium:\t{src.get('medium', '')}\n    SizeLimit:\t{size_text}\n",
        )
    elif v.get("secret") is not None:
        src = v["secret"]
        w.write(
            LEVEL_2,
            "Type:\tSecret (a volume populated by a Secret)\n"
            f"    SecretName:\t{src.get('secretName', '')}\n    Optional:\t{go_bool(src.get('optional'))}\n",
        )
    elif v.get("configMap") is not None:
        src = v["configMap"]
        w.write(
            LEVEL_2,
            "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
            f"    Name:\t{src.get('name', '')}\n    Optional:\t{go_bool(src.get('optional'))}\n",
        )
    elif v.get("persistentVolumeClaim") is not None:
        src = v["persistentVolumeClaim"]
        w.write(
            LEVEL_2,
            "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
            f"    ClaimName:\t{src.get('claimName', '')}\n    ReadOnly:\t{go_bool(src.get('readOnly'))}\n",
        )
    elif v.get("downwardAPI") is not None:
        w.write(
            LEVEL_2,
            "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
        )
        for item in v["downwardAPI"].get("items") or []:
            if item.get("fieldRef") is not None:
                w.write(
                    LEVEL_3, f"{item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n"
                )
            if item.get("resourceFieldRef") is not None:
                w.write(
                    LEVEL_3,
                    f"{item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n",
                )
    elif v.get("projected") is not None:
        w.write(
            LEVEL_2,
            "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
        )
        for source in v["projected"].get("sources") or []:
            if source.get("secret") is not None:
                w.write(
                    LEVEL_2,
                    f"SecretName:\t{source['secret'].get('name', '')}\n"
                    f"    Optional:\t{go_bool(source['secret'].get('optional'))}\n",
                )
            elif source.get("downwardAPI") is not None:
                w.write(LEVEL_2, "DownwardAPI:\ttrue\n")
            elif source.get("configMap") is not None:
                w.write(
                    LEVEL_2,
                    f"ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                    f"    Optional:\t{go_bool(source['configMap'].get('optional'))}\n",
                )
            elif source.get("serviceAccountToken") is not None:
                w.write(
                    LEVEL_2,
                    f"TokenExpirationSeconds:\t{source['serviceAccountToken'].get('expirationSeconds', 0)}\n",
                )
    elif v.get("nfs") is not None:
        src = v["nfs"]
        w.write(
            LEVEL_2,
            "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n"
            f"    Server:\t{src.get('server', '')}\n    Path:\t{src.get('path', '')}\n"
            f"    ReadOnly:\t{go_bool(src.get('readOnly'))}\n",
        )
    elif v.get("csi") is not None:
        src = v["csi"]
        w.write(
            LEVEL_2,
            "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n"
            f"    Driver:\t{src.get('driver', '')}\n    FSType:\t{src.get('fsType') or ''}\n"
            f"    ReadOnly:\t{go_bool(src.get('readOnly'))}\n",
        )
        attributes = src.get("volumeAttributes") or {}
        w.write(LEVEL_2, "VolumeAttributes:\t")
        if not attributes:
            w.write_line("<none>")
        for i, key in enumerate(sorted(attributes)):
            if i:
                w.write(LEVEL_2, "\t")
            line = f"{key}={attributes[key]}"
            w.write(
                LEVEL_2,
                f"{line[:MAX_ANNOTATION_LEN]}...\n"
                if len(line) > MAX_ANNOTATION_LEN
                else f"{line}\n",
            )
    elif v.get("image") is not None:
        src = v["image"]
        w.write(
            LEVEL_2,
            "Type:\tImage (a container image or OCI artifact)\n"
            f"    Reference:\t{src.get('reference', '')}\n    PullPolicy:\t{src.get('pullPolicy', '')}\n",
        )
    else:
        w.write(LEVEL_1, "<unknown>\n")


def describe_topology_spread(w: PrefixWriter, constraints: Sequence[Obj], space: str) -> None:
    """`describeTopologySpreadConstraints`: sorted by topology key."""
    if not constraints:
        return
    w.write(LEVEL_0, f"{space}Topology Spread Constraints:\t")
    for i, tsc in enumerate(sorted(constraints, key=lambda c: c.get("topologyKey", ""))):
        if i:
            w.write(LEVEL_0, space)
            w.write(LEVEL_0, "\t")
        text = f"{tsc.get('topologyKey', '')}:{tsc.get('whenUnsatisfiable', '')} when max skew {tsc.get('maxSkew', 0)} is exceeded"
        if tsc.get("labelSelector") is not None:
            text += f" for selector {format_label_selector(tsc['labelSelector'])}"
        w.write(LEVEL_0, text + "\n")


# QoS ----------------------------------------------------------------------------------------------


def pod_qos(pod: Obj) -> str:
    """kubectl's `qos.GetPodQOS`: `status.qosClass` when set, else computed from cpu/memory."""
    recorded = (pod.get("status") or {}).get("qosClass")
    if recorded:
        return str(recorded)
    spec = pod.get("spec") or {}
    containers: list[Mapping[str, Any]] = [
        *(spec.get("initContainers") or []),
        *(spec.get("containers") or []),
    ]
    requests: dict[str, float] = {}
    limits: dict[str, float] = {}
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        for name, value in (resources.get("requests") or {}).items():
            if name in ("cpu", "memory") and (_quantity(value) or 0) > 0:
                requests[name] = requests.get(name, 0) + (_quantity(value) or 0)
        container_limits = {
            n: _quantity(v) or 0
            for n, v in (resources.get("limits") or {}).items()
            if n in ("cpu", "memory") and (_quantity(v) or 0) > 0
        }
        for name, value in container_limits.items():
            limits[name] = limits.get(name, 0) + value
        if set(container_limits) != {"cpu", "memory"}:
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if (
        guaranteed
        and all(limits.get(n) == v for n, v in requests.items())
        and set(requests) <= set(limits)
    ):
        return "Guaranteed"
    return "Burstable"
