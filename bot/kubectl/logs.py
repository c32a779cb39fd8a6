"""`kubectl logs`, as kubectl 1.37 does it: which pod, which container, which options, which notes.

Everything but `fetch_logs` is pure. The references are kubectl's own sources:
`pkg/cmd/logs/logs.go` (flags, validation, options), `pkg/polymorphichelpers/logsforobject.go`
(default container, `--all-containers`, the `Found N pods` note), `attachablepodforobject.go` /
`helpers.go` (`SelectorsForObject`, `GetFirstPod`) and `pkg/util/podutils` (`ByLogging`).

Errors:
- `LogsError` (bot/kubectl/errors.py): what kubectl decides on its own side and prints as `error: <message>` (`line`).
- `ClusterError` (bot/kubectl/errors.py, raised by the gateway) propagates unchanged: the API server's own refusal, which
  kubectl prints as `Error from server (<reason>): <message>` (see `answer.cluster_error_line`).
  One exception, as in kubectl: a target that does not exist becomes a LogsError worded like
  kubectl's resource builder (`error: error from server (NotFound): pods "x" not found in
  namespace "sandbox"`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.kubectl.errors import ClusterError, LogsError
from bot.kubectl.flags import go_quote
from bot.kubectl.policy import LogsRequest
from bot.kubectl.ports import ClusterLogReads

Obj = Mapping[str, Any]

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"
DEFAULT_TAIL_CAP = 200
# Every log read asks the API server for at most this many bytes (`limitBytes`, the first bytes
# of what --tail/--since select): a chat answer or snippet has no use for more, and a 20 MB log
# must not be read, redacted and uploaded whole.
LOG_READ_LIMIT_BYTES = 1024 * 1024
# kubectl's --pod-running-timeout default for logs (GetFirstPod waits this long for a pod).
POD_RUNNING_TIMEOUT = "20s"
# logs.go selectorTail: with -l and no --tail, kubectl asks each container for its last 10 lines.
SELECTOR_TAIL = 10


# ----------------------------------------------------------------------------------------------
# Which container
# ----------------------------------------------------------------------------------------------


def _names(pod: Obj, field_name: str) -> list[str]:
    return [str(c.get("name", "")) for c in (pod.get("spec") or {}).get(field_name) or ()]


def containers_in_order(pod: Obj) -> list[str]:
    """Every container kubectl reads for `--all-containers`: init, regular, then ephemeral.
    (kubectl collects them in this order into a Go map, so it prints them in random order.)"""
    return (
        _names(pod, "initContainers")
        + _names(pod, "containers")
        + _names(pod, "ephemeralContainers")
    )


def all_container_names(pod: Obj) -> str:
    """podcmd.AllContainerNames: `web, sidecar, setup (init), debugger (ephem)`."""
    return ", ".join(
        _names(pod, "containers")
        + [f"{name} (init)" for name in _names(pod, "initContainers")]
        + [f"{name} (ephem)" for name in _names(pod, "ephemeralContainers")]
    )


@dataclass(frozen=True)
class ContainerChoice:
    name: str
    notes: tuple[str, ...] = ()


def choose_container(pod: Obj, requested: str | None) -> ContainerChoice:
    """logsForObjectWithClient for one Pod: `-c`, else the annotation, else the first container."""
    meta = pod.get("metadata") or {}
    pod_name = str(meta.get("name", ""))
    known = containers_in_order(pod)
    notes: list[str] = []
    name = requested or ""
    if not name:
        wanted = str((meta.get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION) or "")
        if wanted and wanted in known:
            name = wanted
        elif wanted:
            notes.append(f"Default container name {go_quote(wanted)} not found in pod {pod_name}")
    if not name:
        regular = _names(pod, "containers")
        if not regular:  # the API server never stores such a pod; kubectl would crash on it
            raise LogsError(f"pod {pod_name} has no containers")
        name = regular[0]
        if len(known) > 1:  # several containers, or any init / ephemeral one
            notes.append(f"Defaulted container {go_quote(name)} out of: {all_container_names(pod)}")
    if name not in known:
        raise LogsError(
            f"container {name} is not valid for pod {pod_name} out of: {all_container_names(pod)}"
        )
    return ContainerChoice(name, tuple(notes))


# ----------------------------------------------------------------------------------------------
# Which pod, for deploy/x, rs/x, job/x, svc/x
# ----------------------------------------------------------------------------------------------


def selector_string(label_selector: Obj | None) -> str:
    """metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key."""
    requirements: list[tuple[str, str]] = []
    selector = label_selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        requirements.append((str(key), f"{key}={value}"))
    for expression in selector.get("matchExpressions") or ():
        key, operator = str(expression.get("key", "")), expression.get("operator")
        values = ",".join(sorted(str(v) for v in expression.get("values") or ()))
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(str(operator))
        if text is None:
            raise LogsError(f'"{operator}" is not a valid label selector operator')
        requirements.append((key, text))
    return ",".join(text for _, text in sorted(requirements, key=lambda item: item[0]))


def owner_selector(owner: Obj) -> str:
    """polymorphichelpers.SelectorsForObject for the kinds `kubectl logs KIND/NAME` reads."""
    kind = str(owner.get("kind", ""))
    spec = owner.get("spec") or {}
    if kind in ("Deployment", "ReplicaSet", "Job", "StatefulSet", "DaemonSet"):
        return selector_string(spec.get("selector"))
    if kind == "Service":
        labels = spec.get("selector") or {}
        if not labels:
            name = (owner.get("metadata") or {}).get("name", "")
            raise LogsError(
                f"cannot get the logs from *v1.Service: invalid service '{name}': "
                "Service is defined without a selector"
            )
        return ",".join(f"{key}={labels[key]}" for key in sorted(labels))
    raise LogsError(f"cannot get the logs from *v1.{kind}: selector for *v1.{kind} not implemented")


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))  # 3.11 reads the trailing Z itself
    except ValueError:
        return None


def _ready_since(pod: Obj) -> tuple[bool, datetime | None]:
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            ready = condition.get("status") == "True"
            return ready, _time(condition.get("lastTransitionTime")) if ready else None
    return False, None


def _max_restarts(pod: Obj) -> int:
    # Regular containers only, as podutils.maxContainerRestarts.
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    return max((int(s.get("restartCount") or 0) for s in statuses), default=0)


def _after_or_zero(t1: datetime | None, t2: datetime | None) -> bool:
    """podutils.afterOrZero: t1 after t2, a zero (missing) time counting as the latest."""
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


# podutils.ByLogging: Running < Unknown < Pending; any other phase (Succeeded, Failed) is looked
# up in a Go map that lacks it, so it counts as 0, like Running.
_PHASE_ORDER = {"Running": 0, "Unknown": 1, "Pending": 2}


def _logging_less(a: Obj, b: Obj) -> bool:
    """podutils.ByLogging.Less: is `a` a better pod to read logs from than `b`?"""
    node_a = (a.get("spec") or {}).get("nodeName") or ""
    node_b = (b.get("spec") or {}).get("nodeName") or ""
    if node_a != node_b and (not node_a or not node_b):
        return bool(node_a)  # 1. scheduled before unscheduled
    phase_a = _PHASE_ORDER.get((a.get("status") or {}).get("phase") or "", 0)
    phase_b = _PHASE_ORDER.get((b.get("status") or {}).get("phase") or "", 0)
    if phase_a != phase_b:
        return phase_a < phase_b  # 2. Running, then Unknown, then Pending
    (ready_a, since_a), (ready_b, since_b) = _ready_since(a), _ready_since(b)
    if ready_a != ready_b:
        return ready_a  # 3. ready before not ready
    if ready_a and ready_b and since_a != since_b:
        return _after_or_zero(since_b, since_a)  # 4. ready for longer first
    if _max_restarts(a) != _max_restarts(b):
        return _max_restarts(a) > _max_restarts(b)  # 5. more restarts first
    created_a = _time((a.get("metadata") or {}).get("creationTimestamp"))
    created_b = _time((b.get("metadata") or {}).get("creationTimestamp"))
    if created_a != created_b:
        return _after_or_zero(created_b, created_a)  # 6. older first
    return False


def sort_for_logging(pods: Sequence[Obj]) -> list[Obj]:
    """Pods in ByLogging order. Stable, like Go's sort.Sort on up to 12 items (insertion sort);
    on longer lists Go's pdqsort may order exact ties differently."""

    def compare(a: Obj, b: Obj) -> int:
        return -1 if _logging_less(a, b) else 1 if _logging_less(b, a) else 0

    return sorted(pods, key=functools.cmp_to_key(compare))


@dataclass(frozen=True)
class PodChoice:
    pod: Obj
    notes: tuple[str, ...] = ()


def choose_pod(pods: Sequence[Obj]) -> PodChoice:
    """GetFirstPod + logsForObject: the best pod, and `Found N pods, using pod/x` when N > 1."""
    if not pods:
        raise ValueError("choose_pod needs at least one pod")
    best = sort_for_logging(pods)[0]
    name = (best.get("metadata") or {}).get("name", "")
    notes = (f"Found {len(pods)} pods, using pod/{name}",) if len(pods) > 1 else ()
    return PodChoice(best, notes)


# ----------------------------------------------------------------------------------------------
# The chat-friendly cap
# ----------------------------------------------------------------------------------------------


def keep_last_lines(text: str, limit: int) -> tuple[str, bool]:
    """The last `limit` lines of `text` (the kubelet counts lines by `\\n`); True if any were cut."""
    lines = text.split("\n")
    ends_with_newline = lines[-1] == ""
    if ends_with_newline:
        lines.pop()
    if len(lines) <= limit:
        return text, False
    return "\n".join(lines[len(lines) - limit :]) + ("\n" if ends_with_newline else ""), True


def byte_cap_note(limit: int = LOG_READ_LIMIT_BYTES, *, each_container: bool = False) -> str:
    scope = " of each container" if each_container else ""
    size = f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit:,} bytes"
    return (
        f"Podium read only the first {size}{scope} of this log (the log is cut there); "
        "narrow it with --tail=N, --since=10m or -c CONTAINER."
    )


def cap_note(cap: int, *, each_container: bool = False) -> str:
    scope = " of each container" if each_container else ""
    return f"Showing the last {cap} lines{scope}; add --tail=N for more or fewer."


# ----------------------------------------------------------------------------------------------
# The orchestrator
# ----------------------------------------------------------------------------------------------


# The part of ClusterGateway that logs needs (tests may pass a fake).
LogsGateway = ClusterLogReads


@dataclass(frozen=True)
class LogsResult:
    """`text` is kubectl's stdout; `notes` its stderr lines (in its order), then Podium's cap note."""

    text: str
    pod: str  # "" for `-l`, which may read several pods (see `streams`)
    containers: tuple[str, ...]  # one, or every container read for --all-containers
    notes: list[str] = field(default_factory=list)
    capped: bool = False  # the default cap cut lines (the last note says so)
    cut_at_bytes: bool = False  # LOG_READ_LIMIT_BYTES cut the log (a note says so)
    streams: tuple[tuple[str, str], ...] = ()  # (pod, container) in the order read

    @property
    def container(self) -> str:
        return self.containers[0] if self.containers else ""


def validate(request: LogsRequest) -> None:
    """LogsOptions.Validate, for what a LogsRequest can carry."""
    if request.all_containers and request.container:
        raise LogsError(
            f"--all-containers=true should not be specified with container name {request.container}"
        )
    if request.since_seconds is not None and request.since_seconds < 0:
        raise LogsError("--since must be greater than 0")
    if request.tail is not None and request.tail < -1:
        raise LogsError("--tail must be greater than or equal to -1")


async def _target(gateway: LogsGateway, request: LogsRequest) -> Obj:
    kind = request.target_kind
    try:
        return await gateway.get(kind.plural, request.namespace, request.target_name)
    except ClusterError as error:
        if error.reason != "NotFound":
            raise
        # kubectl's resource builder words it so (note the lower-case "error from server").
        raise LogsError(
            f'error from server (NotFound): {kind.kubectl_name} "{request.target_name}" '
            f'not found in namespace "{request.namespace}"'
        ) from None


async def resolve_pod(gateway: LogsGateway, request: LogsRequest) -> PodChoice:
    """The pod kubectl reads: the named one, or the best of the owner's pods."""
    target = await _target(gateway, request)
    if request.target_kind.plural == "pods":
        return PodChoice(target)
    target = {"kind": request.target_kind.kind, **target}
    selector = owner_selector(target)
    pods = await gateway.list("pods", request.namespace, label_selector=selector)
    if not pods:
        # kubectl watches for a matching pod for --pod-running-timeout, then gives up so.
        raise LogsError(
            "timed out waiting for the condition",
            hint=(
                f"{request.target_kind.singular}/{request.target_name} has no pods (selector "
                f"`{selector}`); kubectl waits {POD_RUNNING_TIMEOUT} for one to appear, then says this."
            ),
        )
    return choose_pod(pods)


def pod_streams(pod: Obj, request: LogsRequest) -> tuple[list[tuple[str, str]], list[str]]:
    """The (pod, container) pairs kubectl reads from one pod, and its notes about the choice."""
    pod_name = str((pod.get("metadata") or {}).get("name", ""))
    if request.all_containers:  # kubectl: no default-container notes here
        return [(pod_name, name) for name in containers_in_order(pod)], []
    container = choose_container(pod, request.container)
    return [(pod_name, container.name)], list(container.notes)


def with_prefix(text: str, pod: str, container: str) -> str:
    """`--prefix`: kubectl's prefixingWriter puts `[pod/NAME/CONTAINER] ` before every line it
    writes (a last line without a newline too)."""
    head = f"[pod/{pod}/{container}] "
    lines = text.split("\n")
    last = lines.pop()
    return "".join(f"{head}{line}\n" for line in lines) + (f"{head}{last}" if last else "")


def too_many_streams(streams: int, pods: int, limit: int) -> LogsError:
    return LogsError(
        f"this selects {streams} log streams ({pods} pods); Podium reads at most {limit} per command",
        hint="Narrow the selector (e.g. `-l app=web,tier=front`), or name one pod.",
    )


async def _selected(
    gateway: LogsGateway, request: LogsRequest
) -> tuple[list[tuple[str, str]], list[str]]:
    """`logs -l`: every matching pod in the namespace (kubectl's builder lists them), each with
    the containers `logs POD` would read; none is `No resources found`, on stderr, and success."""
    assert request.selector is not None
    pods = await gateway.list("pods", request.namespace, label_selector=request.selector)
    if not pods:
        return [], [f"No resources found in {request.namespace} namespace."]
    streams: list[tuple[str, str]] = []
    notes: list[str] = []
    for pod in pods:
        pod_pairs, pod_notes = pod_streams(pod, request)
        streams += pod_pairs
        notes += pod_notes
    return streams, notes


async def fetch_logs(
    gateway: LogsGateway,
    request: LogsRequest,
    *,
    default_tail: int = DEFAULT_TAIL_CAP,
    limit_bytes: int = LOG_READ_LIMIT_BYTES,
    max_streams: int = 0,
) -> LogsResult:
    """Run `kubectl logs` for `request`. With no `--tail`, read at most the last `default_tail`
    lines per container (asking for one more, to know whether there were more) and say so in a
    note when lines were cut; `default_tail <= 0` disables the cap. With `-l` and no `--tail`,
    kubectl's own default of SELECTOR_TAIL lines per container applies instead. Every read asks
    for at most `limit_bytes` bytes, and a note says when a log was cut there. `max_streams > 0`
    refuses (before reading any log) a `-l` that would read more containers than that.

    Raises LogsError (kubectl's client-side errors) and ClusterError (the API server's)."""
    validate(request)
    if request.selector is not None:
        streams, notes = await _selected(gateway, request)
        pods = list(dict.fromkeys(pod for pod, _ in streams))
        if max_streams > 0 and len(streams) > max_streams:
            raise too_many_streams(len(streams), len(pods), max_streams)
        pod_name = ""
    else:
        choice = await resolve_pod(gateway, request)
        pod_name = str(choice.pod["metadata"]["name"])
        streams, container_notes = pod_streams(choice.pod, request)
        notes = list(choice.notes) + container_notes
    containers = list(dict.fromkeys(container for _, container in streams))

    tail_lines: int | None
    if request.selector is not None and request.tail is None:
        cap, tail_lines = None, SELECTOR_TAIL  # kubectl asks for exactly this: nothing to cut
    else:
        cap = default_tail if request.tail is None and default_tail > 0 else None
        if cap is not None:
            tail_lines = cap + 1  # one more than shown, to know whether lines were cut
        else:
            tail_lines = (
                None if request.tail == -1 else request.tail
            )  # kubectl sends no tailLines for -1
    chunks: list[str] = []
    capped = cut_at_bytes = False
    for pod, name in streams:  # sequentially, as kubectl's sequentialConsumeRequest
        text = await gateway.logs(
            request.namespace,
            pod,
            container=name,
            tail_lines=tail_lines,
            since_seconds=request.since_seconds,
            previous=request.previous,
            timestamps=request.timestamps,
            limit_bytes=limit_bytes,
        )
        # A log of exactly `limit_bytes` bytes reads as cut too: the API cannot tell us otherwise.
        if (
            len(text) * 4 >= limit_bytes
            and len(text.encode("utf-8", errors="replace")) >= limit_bytes
        ):
            cut_at_bytes = True
        if cap is not None:
            text, cut = keep_last_lines(text, cap)
            capped = capped or cut
        chunks.append(with_prefix(text, pod, name) if request.prefix else text)
    if capped and cap is not None:
        notes.append(cap_note(cap, each_container=len(streams) > 1))
    if cut_at_bytes:
        notes.append(byte_cap_note(limit_bytes, each_container=len(streams) > 1))
    return LogsResult(
        text="".join(chunks),
        pod=pod_name,
        containers=tuple(containers),
        notes=notes,
        capped=capped,
        cut_at_bytes=cut_at_bytes,
        streams=tuple(streams),
    )
