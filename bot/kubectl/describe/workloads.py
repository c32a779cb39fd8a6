"""`kubectl describe` for Deployments, ReplicaSets and Jobs."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.kubectl.printers.duration import human_duration, parse_timestamp

from .common import (
    Obj,
    controller_of,
    describe_events,
    format_label_selector,
    go_bool,
    int_or_string,
    meta,
    print_annotations,
    print_labels,
    rfc1123z,
    selector_string,
)
from .pod import describe_pod_template
from .writer import LEVEL_0, LEVEL_1, PrefixWriter

# Deployments --------------------------------------------------------------------------------------


def describe_deployment(
    deploy: Obj,
    old_replica_sets: Sequence[Obj],
    new_replica_sets: Sequence[Obj],
    events: Sequence[Obj] | None,
    now: datetime,
    tz: tzinfo = UTC,
) -> str:
    """kubectl's `describeDeployment`; the ReplicaSets come from `split_replica_sets`."""
    w = PrefixWriter()
    m, spec, status = meta(deploy), deploy.get("spec") or {}, deploy.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(m.get('creationTimestamp'), tz)}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(LEVEL_0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{_int(spec.get('replicas'))} desired | {_int(status.get('updatedReplicas'))} updated | "
        f"{_int(status.get('replicas'))} total | {_int(status.get('availableReplicas'))} available | "
        f"{_int(status.get('unavailableReplicas'))} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    w.write(LEVEL_0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(LEVEL_0, f"MinReadySeconds:\t{_int(spec.get('minReadySeconds'))}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(
            LEVEL_0,
            f"RollingUpdateStrategy:\t{int_or_string(rolling.get('maxUnavailable'))} max unavailable, "
            f"{int_or_string(rolling.get('maxSurge'))} max surge\n",
        )
    describe_pod_template(w, spec.get("template") or {})
    _conditions(w, status.get("conditions") or [])
    if old_replica_sets or new_replica_sets:
        w.write(LEVEL_0, f"OldReplicaSets:\t{_replica_sets(old_replica_sets)}\n")
        w.write(LEVEL_0, f"NewReplicaSet:\t{_replica_sets(new_replica_sets)}\n")
    describe_events(w, events, now)
    return w.text()


def _int(value: Any) -> int:
    return int(value or 0)


def _conditions(w: PrefixWriter, conditions: Sequence[Obj]) -> None:
    if conditions:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(LEVEL_1, "----\t------\t------\n")
        for c in conditions:
            w.write(
                LEVEL_1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n"
            )


def _replica_sets(replica_sets: Sequence[Obj]) -> str:
    """`printReplicaSetsByLabels`: `name (current/desired replicas created)`, comma separated."""
    items = [
        f"{meta(rs).get('name', '')} ({_int((rs.get('status') or {}).get('replicas'))}/"
        f"{_int((rs.get('spec') or {}).get('replicas'))} replicas created)"
        for rs in replica_sets
    ]
    return ", ".join(items) or "<none>"


@dataclass(frozen=True)
class ReplicaSetSplit:
    new: Obj | None
    old: list[Obj]


def split_replica_sets(deploy: Obj, replica_sets: Sequence[Obj]) -> ReplicaSetSplit:
    """`deploymentutil.GetAllReplicaSets`: the Deployment's own ReplicaSets (controller UID),
    oldest first; the first whose pod template equals the Deployment's (ignoring
    `pod-template-hash`) is the new one, all others (even scaled to 0) are old."""
    uid = meta(deploy).get("uid")
    owned = [
        rs
        for rs in replica_sets
        if any(
            ref.get("controller") and ref.get("uid") == uid
            for ref in meta(rs).get("ownerReferences") or []
        )
    ]
    owned.sort(key=lambda rs: (_created(rs), meta(rs).get("name", "")))
    template = _semantic(_without_hash((deploy.get("spec") or {}).get("template")))
    new = next(
        (
            rs
            for rs in owned
            if _semantic(_without_hash((rs.get("spec") or {}).get("template"))) == template
        ),
        None,
    )
    return ReplicaSetSplit(new, [rs for rs in owned if rs is not new])


def _created(obj: Obj) -> datetime:
    stamp = meta(obj).get("creationTimestamp")
    return parse_timestamp(stamp) if stamp else datetime.min.replace(tzinfo=UTC)


def _without_hash(template: Any) -> Any:
    template = copy.deepcopy(template) or {}
    labels = (template.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop("pod-template-hash", None)
    return template


def _semantic(value: Any) -> Any:
    """apimachinery's `Semantic.DeepEqual` treats nil and empty maps/slices alike (and JSON omits zero values)."""
    if isinstance(value, dict):
        cleaned = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [], "", False, 0)}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


# ReplicaSets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PodCounts:
    """`getPodStatusForController`: the controller's own pods by phase."""

    running: int = 0
    waiting: int = 0
    succeeded: int = 0
    failed: int = 0

    @classmethod
    def of(cls, owner: Obj, pods: Sequence[Obj]) -> PodCounts:
        uid = meta(owner).get("uid")
        phases: list[str] = []
        for pod in pods:
            ref = next(
                (r for r in meta(pod).get("ownerReferences") or [] if r.get("controller")), None
            )
            if ref is not None and ref.get("uid") == uid:
                phases.append((pod.get("status") or {}).get("phase", ""))
        return cls(
            phases.count("Running"),
            phases.count("Pending"),
            phases.count("Succeeded"),
            phases.count("Failed"),
        )


def describe_replica_set(
    rs: Obj, pods: PodCounts | str, events: Sequence[Obj] | None, now: datetime
) -> str:
    """kubectl's `describeReplicaSet`. `pods` is the count, or the error text when listing pods failed."""
    w = PrefixWriter()
    m, spec, status = meta(rs), rs.get("spec") or {}, rs.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    w.write(LEVEL_0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    controlled_by = controller_of(rs)
    if controlled_by:
        w.write(LEVEL_0, f"Controlled By:\t{controlled_by}\n")
    w.write(
        LEVEL_0,
        f"Replicas:\t{_int(status.get('replicas'))} current / {_int(spec.get('replicas'))} desired\n",
    )
    w.write(LEVEL_0, "Pods Status:\t")
    if isinstance(pods, str):
        w.write(LEVEL_0, f"error in fetching pods: {pods}\n")
    else:
        w.write(
            LEVEL_0,
            f"{pods.running} Running / {pods.waiting} Waiting / {pods.succeeded} Succeeded / "
            f"{pods.failed} Failed\n",
        )
    describe_pod_template(w, spec.get("template") or {})
    _conditions(w, status.get("conditions") or [])
    describe_events(w, events, now)
    return w.text()


# Jobs ---------------------------------------------------------------------------------------------


def describe_job(job: Obj, events: Sequence[Obj] | None, now: datetime, tz: tzinfo = UTC) -> str:
    """kubectl's `describeJob`: pod counts come from the Job's status, not from listing pods."""
    w = PrefixWriter()
    m, spec, status = meta(job), job.get("spec") or {}, job.get("status") or {}
    w.write(LEVEL_0, f"Name:\t{m.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{m.get('namespace', '')}\n")
    w.write(LEVEL_0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    controlled_by = controller_of(job)
    if controlled_by:
        w.write(LEVEL_0, f"Controlled By:\t{controlled_by}\n")
    if spec.get("parallelism") is not None:
        w.write(LEVEL_0, f"Parallelism:\t{spec['parallelism']}\n")
    if spec.get("completions") is not None:
        w.write(LEVEL_0, f"Completions:\t{spec['completions']}\n")
    else:
        w.write(LEVEL_0, "Completions:\t<unset>\n")
    if spec.get("completionMode") is not None:
        w.write(LEVEL_0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(LEVEL_0, f"Suspend:\t{go_bool(spec['suspend'])}\n")
    if spec.get("backoffLimit") is not None:
        w.write(LEVEL_0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(LEVEL_0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if status.get("startTime"):
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(status['startTime'], tz)}\n")
    if status.get("completionTime"):
        w.write(LEVEL_0, f"Completed At:\t{rfc1123z(status['completionTime'], tz)}\n")
    if status.get("startTime") and status.get("completionTime"):
        took = parse_timestamp(status["completionTime"]) - parse_timestamp(status["startTime"])
        w.write(LEVEL_0, f"Duration:\t{human_duration(took)}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(LEVEL_0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    counts = f"{_int(status.get('active'))} Active"
    if status.get("ready") is not None:
        counts += f" ({_int(status['ready'])} Ready)"
    w.write(
        LEVEL_0,
        f"Pods Statuses:\t{counts} / {_int(status.get('succeeded'))} Succeeded / "
        f"{_int(status.get('failed'))} Failed\n",
    )
    if spec.get("completionMode") == "Indexed":
        w.write(
            LEVEL_0,
            f"Completed Indexes:\t{_cap_indexes(status.get('completedIndexes') or '', 50)}\n",
        )
    describe_pod_template(w, spec.get("template") or {})
    describe_events(w, events, now)
    return w.text()


def _cap_indexes(indexes: str, soft_limit: int) -> str:
    if not indexes:
        return "<none>"
    ix = soft_limit
    while ix < len(indexes) and indexes[ix] != ",":
        ix += 1
    return indexes if ix >= len(indexes) else indexes[: ix + 1] + "..."
