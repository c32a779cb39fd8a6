"""``kubectl get pods``: the API server's pod printer, reproduced client-side.

Source of truth: ``printPod`` in kubernetes/pkg/printers/internalversion/printers.go
(the server builds the Table that kubectl prints). Pods are plain dicts as the API
returns them in JSON (camelCase keys); missing fields mean Go zero values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.kubectl.printers.duration import age, parse_timestamp
from bot.kubectl.printers.table import Table, format_labels

__all__ = [
    "PodSummary",
    "pod_headers",
    "pod_ready",
    "pod_restarts",
    "pod_status",
    "pod_table",
    "summarize_pod",
]

Obj = Mapping[str, Any]

# node.NodeUnreachablePodReason: set by the node lifecycle controller.
_NODE_LOST = "NodeLost"
# v1.PodReasonSchedulingGated
_SCHEDULING_GATED = "SchedulingGated"


@dataclass(frozen=True)
class PodSummary:
    """The computed READY / STATUS / RESTARTS of one pod (see ``printPod``)."""

    ready: int
    total: int
    status: str
    restarts: int
    last_restart: datetime | None  # latest lastState.terminated.finishedAt counted

    @property
    def ready_text(self) -> str:
        return f"{self.ready}/{self.total}"

    def restarts_text(self, now: datetime) -> str:
        # printPod: `fmt.Sprintf("%d (%s ago)", restarts, translateTimestampSince(lastRestartDate))`
        if self.restarts != 0 and self.last_restart is not None:
            return f"{self.restarts} ({age(self.last_restart, now)} ago)"
        return str(self.restarts)


def _get(obj: Obj | None, *path: str) -> Any:
    """Nested lookup that treats missing / null as absent."""
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _list(obj: Obj | None, *path: str) -> list[Any]:
    value = _get(obj, *path)
    return value if isinstance(value, list) else []


def _is_restartable_init_container(container: Obj | None) -> bool:
    # podutil.IsRestartableInitContainer: a "sidecar" is an init container with
    # restartPolicy Always (nil-safe, so statuses without a spec entry are not sidecars).
    return container is not None and container.get("restartPolicy") == "Always"


def _condition_true(pod: Obj, condition_type: str, *, first_only: bool) -> bool:
    for condition in _list(pod, "status", "conditions"):
        if condition.get("type") == condition_type:
            if condition.get("status") == "True":
                return True
            if first_only:
                return False
    return False


def _finished_at(status: Obj) -> datetime | None:
    """``lastState.terminated.finishedAt``; None plays the role of Go's zero time."""
    finished = _get(status, "lastState", "terminated", "finishedAt")
    return parse_timestamp(finished) if finished else None


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    # `if lastRestartDate.Before(&terminatedDate) { lastRestartDate = terminatedDate }`
    if candidate is None:
        return current
    if current is None or current < candidate:
        return candidate
    return current


def _terminated_reason(terminated: Obj, prefix: str) -> str:
    """Reason of a terminated state, else ``Signal:N``, else ``ExitCode:N``."""
    reason = terminated.get("reason") or ""
    if reason:
        return prefix + reason
    signal = terminated.get("signal") or 0
    if signal != 0:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{terminated.get('exitCode') or 0}"


def summarize_pod(pod: Obj) -> PodSummary:
    """READY, STATUS and RESTARTS exactly as ``printPod`` computes them."""
    spec_containers = _list(pod, "spec", "containers")
    spec_init = _list(pod, "spec", "initContainers")
    phase = _get(pod, "status", "phase") or ""
    pod_reason = _get(pod, "status", "reason") or ""

    restarts = 0
    restartable_init_restarts = 0
    total = len(spec_containers)
    ready = 0
    last_restart: datetime | None = None
    last_restartable_init_restart: datetime | None = None

    # 1. Start from the phase; status.reason (e.g. Evicted) replaces it.
    reason = pod_reason or phase
    # A {type: PodScheduled, reason: SchedulingGated} condition wins over both.
    for condition in _list(pod, "status", "conditions"):
        if condition.get("type") == "PodScheduled" and condition.get("reason") == _SCHEDULING_GATED:
            reason = _SCHEDULING_GATED

    # Sidecars (restartable init containers) count towards the READY total.
    init_by_name: dict[str, Obj] = {}
    for container in spec_init:
        init_by_name[container.get("name", "")] = container
        if _is_restartable_init_container(container):
            total += 1

    # 2. Init containers in order; the first one not yet done decides the status.
    initializing = False
    for index, status in enumerate(_list(pod, "status", "initContainerStatuses")):
        restarts += status.get("restartCount") or 0
        finished = _finished_at(status)
        last_restart = _later(last_restart, finished)
        sidecar = _is_restartable_init_container(init_by_name.get(status.get("name", "")))
        if sidecar:
            restartable_init_restarts += status.get("restartCount") or 0
            last_restartable_init_restart = _later(last_restartable_init_restart, finished)

        terminated = _get(status, "state", "terminated")
        waiting_reason = _get(status, "state", "waiting", "reason") or ""
        if terminated is not None and (terminated.get("exitCode") or 0) == 0:
            continue  # completed successfully
        if sidecar and status.get("started") is True:
            if status.get("ready") is True:
                ready += 1
            continue  # a started sidecar does not block initialization
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")  # initialization failed
        elif waiting_reason and waiting_reason != "PodInitializing":
            reason = "Init:" + waiting_reason
        else:
            reason = f"Init:{index}/{len(spec_init)}"
        initializing = True
        break

    # 3. Regular containers, last to first, so the first container's reason wins.
    if not initializing or _condition_true(pod, "Initialized", first_only=True):
        # Restarts of run-to-completion init containers no longer count.
        restarts = restartable_init_restarts
        last_restart = last_restartable_init_restart
        has_running = False
        for status in reversed(_list(pod, "status", "containerStatuses")):
            restarts += status.get("restartCount") or 0
            last_restart = _later(last_restart, _finished_at(status))
            waiting_reason = _get(status, "state", "waiting", "reason") or ""
            terminated = _get(status, "state", "terminated")
            if waiting_reason:
                reason = waiting_reason
            elif terminated is not None:
                reason = _terminated_reason(terminated, "")
            elif status.get("ready") is True and _get(status, "state", "running") is not None:
                has_running = True
                ready += 1

        # 4. "Completed" while another container still runs is not really completed.
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(pod, "Ready", first_only=False) else "NotReady"

    # 5. Deletion requested: Unknown for pods on a lost node, else Terminating
    #    (unless the pod already finished: Succeeded/Failed keep their status).
    if _get(pod, "metadata", "deletionTimestamp"):
        if pod_reason == _NODE_LOST:
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"

    return PodSummary(
        ready=ready, total=total, status=reason, restarts=restarts, last_restart=last_restart
    )


def pod_status(pod: Obj) -> str:
    """The STATUS column (``Running``, ``CrashLoopBackOff``, ``Init:1/2``, ...)."""
    return summarize_pod(pod).status


def pod_ready(pod: Obj) -> str:
    """The READY column, ``ready/total``."""
    return summarize_pod(pod).ready_text


def pod_restarts(pod: Obj, now: datetime) -> str:
    """The RESTARTS column: ``3`` or ``3 (5m ago)`` when the last termination is known."""
    return summarize_pod(pod).restarts_text(now)


def _pod_ip(pod: Obj) -> str:
    # The internal Pod only has PodIPs; v1 -> internal conversion puts status.podIP
    # first when set, else keeps status.podIPs. printPod shows PodIPs[0].
    ip = _get(pod, "status", "podIP") or ""
    if not ip:
        ips = _list(pod, "status", "podIPs")
        ip = (_get(ips[0], "ip") or "") if ips else ""
    return ip or "<none>"


def _readiness_gates(pod: Obj) -> str:
    # Count gates whose condition (first of that type) is True.
    gates = _list(pod, "spec", "readinessGates")
    if not gates:
        return "<none>"
    conditions = _list(pod, "status", "conditions")
    true_count = 0
    for gate in gates:
        for condition in conditions:
            if condition.get("type") == gate.get("conditionType"):
                if condition.get("status") == "True":
                    true_count += 1
                break
    return f"{true_count}/{len(gates)}"


def pod_headers(
    *, wide: bool = False, with_namespace: bool = False, show_labels: bool = False
) -> list[str]:
    """Column headers for ``kubectl get pods`` with the given options."""
    headers = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    if wide:
        headers += ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    if with_namespace:
        headers.insert(0, "NAMESPACE")  # kubectl's decorateTable prepends it
    if show_labels:
        headers.append("LABELS")  # ...and appends LABELS last
    return headers


def pod_table(
    pods: list[dict[str, Any]],
    *,
    now: datetime,
    wide: bool = False,
    with_namespace: bool = False,
    show_labels: bool = False,
) -> Table:
    """The Table ``kubectl get pods [-o wide] [-A] [--show-labels]`` prints, rows in input order."""
    rows: list[list[str]] = []
    for pod in pods:
        summary = summarize_pod(pod)
        row = [
            _get(pod, "metadata", "name") or "",
            summary.ready_text,
            summary.status,
            summary.restarts_text(now),
            age(_get(pod, "metadata", "creationTimestamp"), now),
        ]
        if wide:
            row += [
                _pod_ip(pod),
                _get(pod, "spec", "nodeName") or "<none>",
                _get(pod, "status", "nominatedNodeName") or "<none>",
                _readiness_gates(pod),
            ]
        if with_namespace:
            row.insert(0, _get(pod, "metadata", "namespace") or "")
        if show_labels:
            row.append(format_labels(_get(pod, "metadata", "labels")))
        rows.append(row)
    return Table(
        headers=pod_headers(wide=wide, with_namespace=with_namespace, show_labels=show_labels),
        rows=rows,
    )
