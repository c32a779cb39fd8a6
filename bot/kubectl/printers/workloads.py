"""``kubectl get deployments|replicasets|jobs``: the API server's printers, client-side.

Source of truth: ``printDeployment``, ``printReplicaSet``, ``printJob`` and
``layoutContainerCells`` in kubernetes/pkg/printers/internalversion/printers.go, plus
apimachinery's label-selector formatting. Objects are plain dicts as the API returns
them (camelCase). These functions build the server's columns only; ``registry.get_table``
adds NAMESPACE / LABELS the way kubectl's client does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.kubectl.printers.duration import age, human_duration, parse_timestamp
from bot.kubectl.printers.pods import _get, _list
from bot.kubectl.printers.table import Table

__all__ = [
    "container_cells",
    "deployment_table",
    "format_label_selector",
    "job_completions",
    "job_duration",
    "job_status",
    "job_table",
    "replicaset_table",
    "selector_string",
]

Obj = Mapping[str, Any]

_TEMPLATE_WIDE = ["CONTAINERS", "IMAGES", "SELECTOR"]


def container_cells(pod_spec: Obj | None) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, each comma-joined."""
    containers = _list(pod_spec, "containers")
    names = ",".join(_get(c, "name") or "" for c in containers)
    images = ",".join(_get(c, "image") or "" for c in containers)
    return names, images


def _requirement(key: str, operator: str, values: list[str]) -> str:
    # labels.Requirement.String(); In/NotIn values are printed sorted (safeSort).
    if operator == "Exists":
        return key
    if operator == "DoesNotExist":
        return "!" + key
    if operator == "Equals":
        return f"{key}={values[0]}"
    word = {"In": "in", "NotIn": "notin"}.get(operator)
    if word is None:
        raise ValueError(f"{operator!r} is not a valid label selector operator")
    return f"{key} {word} ({','.join(sorted(values))})"


def selector_string(selector: Obj | None) -> str:
    """``LabelSelectorAsSelector(sel).String()``: requirements sorted by key, comma-joined.

    ``matchLabels`` become ``k=v``, ``matchExpressions`` ``k in (a,b)``, ``k notin (a)``,
    ``k`` (Exists), ``!k`` (DoesNotExist). A nil or empty selector gives ``""``.
    (Label syntax is not re-validated: the API server already did.)
    """
    if not isinstance(selector, Mapping):
        return ""
    requirements: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        requirements.append((key, _requirement(key, "Equals", [value])))
    for expr in selector.get("matchExpressions") or []:
        key = expr.get("key", "")
        requirements.append(
            (key, _requirement(key, expr.get("operator", ""), list(expr.get("values") or [])))
        )
    # internalSelector.Add sorts by key (sort.Sort on few items: stable in practice).
    requirements.sort(key=lambda item: item[0].encode())
    return ",".join(text for _, text in requirements)


def format_label_selector(selector: Obj | None) -> str:
    """metav1 ``FormatLabelSelector``: like ``selector_string`` but ``<none>`` when empty."""
    return selector_string(selector) or "<none>"


def _count(obj: Obj, *path: str) -> int:
    return int(_get(obj, *path) or 0)


def _replicas(obj: Obj) -> int:
    # spec.replicas defaults to 1 in the API (SetDefaults_Deployment / _ReplicaSet).
    value = _get(obj, "spec", "replicas")
    return 1 if value is None else int(value)


def _name(obj: Obj) -> str:
    return _get(obj, "metadata", "name") or ""


def _age(obj: Obj, now: datetime) -> str:
    return age(_get(obj, "metadata", "creationTimestamp"), now)


def deployment_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printDeployment``: NAME READY UP-TO-DATE AVAILABLE AGE (+ CONTAINERS IMAGES SELECTOR)."""
    headers = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"] + (_TEMPLATE_WIDE if wide else [])
    rows: list[list[str]] = []
    for obj in objects:
        row = [
            _name(obj),
            f"{_count(obj, 'status', 'readyReplicas')}/{_replicas(obj)}",
            str(_count(obj, "status", "updatedReplicas")),
            str(_count(obj, "status", "availableReplicas")),
            _age(obj, now),
        ]
        if wide:
            # Deployments print selector.String() directly: empty stays "", not <none>.
            row += [
                *container_cells(_get(obj, "spec", "template", "spec")),
                selector_string(_get(obj, "spec", "selector")),
            ]
        rows.append(row)
    return Table(headers=headers, rows=rows)


def replicaset_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printReplicaSet``: NAME DESIRED CURRENT READY AGE (+ CONTAINERS IMAGES SELECTOR)."""
    headers = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"] + (_TEMPLATE_WIDE if wide else [])
    rows: list[list[str]] = []
    for obj in objects:
        row = [
            _name(obj),
            str(_replicas(obj)),
            str(_count(obj, "status", "replicas")),
            str(_count(obj, "status", "readyReplicas")),
            _age(obj, now),
        ]
        if wide:
            row += [
                *container_cells(_get(obj, "spec", "template", "spec")),
                format_label_selector(_get(obj, "spec", "selector")),
            ]
        rows.append(row)
    return Table(headers=headers, rows=rows)


def _has_job_condition(job: Obj, condition_type: str) -> bool:
    # hasJobCondition: the *first* condition of that type decides.
    for condition in _list(job, "status", "conditions"):
        if condition.get("type") == condition_type:
            return bool(condition.get("status") == "True")
    return False


def job_status(job: Obj) -> str:
    """printJob's STATUS: Complete, Failed, Terminating, Suspended, FailureTarget,
    SuccessCriteriaMet (kubectl >= 1.34), else Running -- first match wins."""
    if _has_job_condition(job, "Complete"):
        return "Complete"
    if _has_job_condition(job, "Failed"):
        return "Failed"
    if _get(job, "metadata", "deletionTimestamp"):
        return "Terminating"
    for condition_type in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _has_job_condition(job, condition_type):
            return condition_type
    return "Running"


def job_completions(job: Obj) -> str:
    """COMPLETIONS: ``succeeded/completions``; without completions ``N/1``, or
    ``N/1 of P`` when parallelism > 1 (a work-queue job)."""
    succeeded = _count(job, "status", "succeeded")
    completions = _get(job, "spec", "completions")
    if completions is not None:
        return f"{succeeded}/{int(completions)}"
    parallelism = _count(job, "spec", "parallelism")
    if parallelism > 1:
        return f"{succeeded}/1 of {parallelism}"
    return f"{succeeded}/1"


def job_duration(job: Obj, now: datetime) -> str:
    """DURATION: empty before the job starts; startTime to completionTime, or to now."""
    start = _get(job, "status", "startTime")
    if not start:
        return ""
    completion = _get(job, "status", "completionTime")
    end = parse_timestamp(completion) if completion else now
    return human_duration(end - parse_timestamp(start))


def job_table(objects: list[dict[str, Any]], *, now: datetime, wide: bool = False) -> Table:
    """``printJob``: NAME STATUS COMPLETIONS DURATION AGE (+ CONTAINERS IMAGES SELECTOR)."""
    headers = ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"] + (
        _TEMPLATE_WIDE if wide else []
    )
    rows: list[list[str]] = []
    for obj in objects:
        row = [
            _name(obj),
            job_status(obj),
            job_completions(obj),
            job_duration(obj, now),
            _age(obj, now),
        ]
        if wide:
            row += [
                *container_cells(_get(obj, "spec", "template", "spec")),
                format_label_selector(_get(obj, "spec", "selector")),
            ]
        rows.append(row)
    return Table(headers=headers, rows=rows)
