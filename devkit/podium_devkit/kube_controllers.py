"""The controllers of the Kubernetes API emulator: after every write, bring a namespace in line.

``reconcile`` does in one synchronous pass what kube-controller-manager, the scheduler and the
kubelets do over a few seconds: Deployments roll out ReplicaSets (a new one per pod template,
old ones scaled to 0 and kept as revision history), ReplicaSets keep their number of Pods (a
deleted pod is replaced under a new name and IP), Pods are scheduled and started (see
``kube_containers`` for what their containers do), Jobs run a pod per attempt until one
succeeds or ``backoffLimit`` is exceeded, Services get their Endpoints and EndpointSlice, and
what lost its owner is garbage-collected. Every step leaves the Events real components emit.

The pass is idempotent: a second call with nothing written in between puts nothing, so
resourceVersions do not churn. Objects read from the store are copied before they are changed;
only objects that really differ are ``put``. Pod names, IPs and uids stay deterministic (as in
``kube_materialize``); a replacement pod takes the next name its controller never used.

A pod whose requests fit no node stays Pending, unschedulable (``unschedulable``). What happens
later, the ``Kubelet`` does over time when the emulator runs one: failed pulls back off and retry,
crashing containers restart with the kubelet's doubling back-off.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from podium_devkit.kube_containers import container_run
from podium_devkit.kube_logs import LogKey, LogLine, LogStore, default_logs, format_time, parse_time
from podium_devkit.kube_materialize import (
    TIME_KEYS,
    ContainerRun,
    Materializer,
    Obj,
    _number,
    _pod_phase,
    deployment_defaults,
    endpoint_slice_object,
    endpoints_content,
    endpoints_object,
    hex_id,
    image_id,
    is_ready,
    job_defaults,
    max_surge_and_unavailable,
    normalize_image,
    pod_template_hash,
    replicaset_for,
    service_defaults,
    suffix,
)
from podium_devkit.kube_writes import apply_limit_ranges, parse_quantity, quota_refusal


class ObjectStore(Protocol):
    """What the controllers need from the emulator's store."""

    def list(self, resource: str, namespace: str | None = None) -> list[dict]: ...

    def get(self, resource: str, namespace: str, name: str) -> dict | None: ...

    def put(self, obj: dict) -> dict:
        """Create or replace; the store assigns uid, creationTimestamp (if missing), resourceVersion."""
        ...

    def remove(self, resource: str, namespace: str, name: str) -> dict | None: ...


REVISION = "deployment.kubernetes.io/revision"
# Owner kinds whose dependents the garbage collector here removes, by the owner's resource.
OWNER_RESOURCES = {
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "Job": "jobs",
    "Service": "services",
}
# Fields the store sets: never a reason to put.
_STORE_FIELDS = ("resourceVersion", "managedFields")
# Bounds of the rollout loop: each round moves at least one replica, so this is never reached
# by a sane Deployment; it keeps a bug from hanging the emulator.
_MAX_ROUNDS = 200


def reconcile(
    store: ObjectStore,
    logs: LogStore,
    namespace: str,
    now: datetime,
    timings: KubeletTimings | None = None,
) -> None:
    """Bring every derived object of ``namespace`` in line with what the user wrote.

    ``timings`` (when the emulator runs a kubelet, so time moves): a Job's next pod after a
    failure waits for the Job back-off; without, every attempt is made in this one pass."""
    _Pass(_NothingInTheFuture(store, now), logs, namespace, now, timings).run()


class _NothingInTheFuture:
    """The store as the controllers see it: a time they record after ``now`` is recorded as ``now``.

    One pass works out a pod's whole start-up at once (pull, create, start, run to completion),
    which on a cluster takes seconds after the write. Until the emulator moves objects along over
    time, those steps are shown as having happened at once: a future time would make kubectl print
    ``<invalid>`` for its age."""

    def __init__(self, store: ObjectStore, now: datetime) -> None:
        self._store, self._now = store, now

    def list(self, resource: str, namespace: str | None = None) -> list[Obj]:
        return self._store.list(resource, namespace)

    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        return self._store.get(resource, namespace, name)

    def remove(self, resource: str, namespace: str, name: str) -> Obj | None:
        return self._store.remove(resource, namespace, name)

    def put(self, obj: Obj) -> Obj:
        return self._store.put(_clamped(obj, self._now))


def _clamped(value: Any, now: datetime, key: str = "") -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            value[k] = _clamped(v, now, k)
    elif isinstance(value, list):
        return [_clamped(v, now, key) for v in value]
    elif isinstance(value, str) and key.endswith(TIME_KEYS) and value[:1].isdigit():
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment > now:
            # Keep the field's own precision: eventTime is a MicroTime, the others whole seconds.
            return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if "." in value else format_time(now)
    return value


def same_object(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Equal but for what the store maintains (resourceVersion, managedFields)."""

    def strip(obj: Mapping[str, Any]) -> Obj:
        copied = dict(obj)
        copied["metadata"] = {
            k: v for k, v in (obj.get("metadata") or {}).items() if k not in _STORE_FIELDS
        }
        return copied

    return strip(a) == strip(b)


def _revision(obj: Mapping[str, Any]) -> int:
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, "0")
    return int(value) if str(value).isdigit() else 0


def _owned_by(obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    uid = owner["metadata"].get("uid")
    return any(
        ref.get("uid") == uid and ref.get("controller")
        for ref in obj["metadata"].get("ownerReferences") or ()
    )


def _active(pod: Mapping[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") and not pod[
        "metadata"
    ].get("deletionTimestamp")


def _condition(status: Mapping[str, Any], type_: str) -> Mapping[str, Any] | None:
    return next((c for c in status.get("conditions") or () if c.get("type") == type_), None)


class _Pass:
    def __init__(
        self,
        store: ObjectStore,
        logs: LogStore,
        namespace: str,
        now: datetime,
        timings: KubeletTimings | None = None,
    ) -> None:
        self.store, self.logs, self.namespace, self.now = store, logs, namespace, now
        self.timings = timings
        events = store.list("events", namespace)
        self.kit = Materializer.for_cluster(now, logs, store.list("pods"), len(events))
        # Every pod name ever used here (live pods and the ones events still remember): a
        # replacement never takes the name of a pod that was deleted.
        self.used_names = {p["metadata"]["name"] for p in store.list("pods", namespace)}
        self.used_names |= {
            (e.get("involvedObject") or {}).get("name", "")
            for e in events
            if (e.get("involvedObject") or {}).get("kind") == "Pod"
        }

    def run(self) -> None:
        self.collect_garbage()
        for deploy in self.store.list("deployments", self.namespace):
            self.deployment(deploy)
        for rs in self.store.list("replicasets", self.namespace):
            self.replicaset(rs)
        for pod in self.store.list("pods", self.namespace):
            self.bare_pod(pod)
        self.services()  # before Jobs: their pods reach Services through these endpoints
        for job in self.store.list("jobs", self.namespace):
            self.job(job)
        self.services()
        self.flush_events()

    # Store helpers -----------------------------------------------------------------------------

    def save(self, current: Mapping[str, Any] | None, desired: Obj) -> Obj:
        if current is not None and same_object(current, desired):
            return dict(current)
        return self.store.put(desired)

    def flush_events(self) -> None:
        for event in self.kit.take_objects():
            meta = event["metadata"]
            while self.store.get("events", meta["namespace"], meta["name"]) is not None:
                base, _, nanos = meta["name"].rpartition(".")
                meta["name"] = f"{base}.{int(nanos, 16) + 1:x}"
            self.store.put(event)

    def owned(self, resource: str, owner: Mapping[str, Any]) -> list[Obj]:
        return [o for o in self.store.list(resource, self.namespace) if _owned_by(o, owner)]

    def fresh_pod_name(self, owner: str) -> str:
        i = 0
        while True:
            name = f"{owner}-{suffix(self.namespace, owner, str(i))}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
            i += 1

    # Garbage collection ------------------------------------------------------------------------

    def collect_garbage(self) -> None:
        """Dependents whose controller owner is gone go too (ReplicaSets before their Pods)."""
        for resource in ("replicasets", "pods", "endpointslices"):
            for obj in self.store.list(resource, self.namespace):
                refs = [
                    r
                    for r in obj["metadata"].get("ownerReferences") or ()
                    if r.get("kind") in OWNER_RESOURCES
                ]
                if refs and not any(self._owner_exists(ref) for ref in refs):
                    self.store.remove(resource, self.namespace, obj["metadata"]["name"])
        for endpoints in self.store.list("endpoints", self.namespace):
            if self.store.get("services", self.namespace, endpoints["metadata"]["name"]) is None:
                self.store.remove("endpoints", self.namespace, endpoints["metadata"]["name"])

    def _owner_exists(self, ref: Mapping[str, Any]) -> bool:
        owner = self.store.get(OWNER_RESOURCES[ref["kind"]], self.namespace, ref.get("name", ""))
        return owner is not None and owner["metadata"].get("uid") == ref.get("uid")

    # Pods --------------------------------------------------------------------------------------

    def start_pod(self, pod: Obj, *, restarts: bool | None = None) -> datetime:
        """Schedule and start a pod that has no status yet; the caller puts it."""
        refusal = unschedulable(pod, self.nodes())
        if refusal is not None:
            # The scheduler leaves it Pending, with no node, and says why.
            pod["status"] = {"phase": "Pending", "conditions": [{
                "type": "PodScheduled", "status": "False", "lastProbeTime": None,
                "lastTransitionTime": format_time(self.now), "reason": "Unschedulable", "message": refusal}],
                "qosClass": Materializer._qos_class(pod.get("spec") or {})}  # fmt: skip
            self.kit.event(
                pod, "FailedScheduling", refusal, "default-scheduler", self.now, type_="Warning"
            )
            return self.now
        # Placed first, so what the containers do already knows the pod's IP (servers log it).
        node, ip = self.kit.place(pod)
        pod.setdefault("spec", {})["nodeName"] = node.name
        pod["status"] = {"phase": "Pending", "podIP": ip}
        runs: dict[str, ContainerRun] = {}
        for container in pod.get("spec", {}).get("containers") or ():
            runs[container["name"]] = container_run(container, pod, self.store, self.logs, self.now)
        created = parse_time(pod["metadata"].get("creationTimestamp") or self.now, self.now)
        return self.kit.run_pod(pod, created, runs=runs, restarts=restarts)

    def nodes(self) -> list[Obj]:
        """The nodes the scheduler places on (stored once a pod ran there; their object otherwise)."""
        return _nodes(self.store, self.kit)

    def bare_pod(self, pod: Obj) -> None:
        """A pod the user created (or any pod nobody started yet): schedule and start it."""
        # The API server creates a pod Pending with no node; the scheduler and kubelet take it from there.
        phase = (pod.get("status") or {}).get("phase")
        if (
            phase not in (None, "Pending")
            or pod.get("spec", {}).get("nodeName")
            or pod["metadata"].get("deletionTimestamp")
        ):
            return
        if _condition(pod.get("status") or {}, "PodScheduled") is not None:
            return  # the scheduler already said it does not fit (requests are immutable)
        desired = copy.deepcopy(pod)
        desired["metadata"].setdefault("creationTimestamp", format_time(self.now))
        self.start_pod(desired)
        self.save(pod, desired)

    def admitted(self, pod: Obj, owner: Obj, component: str) -> bool:
        """Controllers create pods through the API server, so LimitRange defaults and quotas apply to
        them as to anyone's; a refusal is the owner's FailedCreate event, and the next write retries."""
        apply_limit_ranges(pod, self.store.list("limitranges", self.namespace))
        refusal = quota_refusal(
            pod,
            self.store.list("resourcequotas", self.namespace),
            self.store.list("pods", self.namespace),
        )
        if refusal is None:
            return True
        self.kit.event(
            owner,
            "FailedCreate",
            f'Error creating: pods "{pod["metadata"]["name"]}" is forbidden: {refusal}',
            component,
            self.now,
            type_="Warning",
        )
        return False

    def delete_pod(self, pod: Obj, owner: Obj, component: str) -> None:
        meta = pod["metadata"]
        for status in (pod.get("status") or {}).get("containerStatuses") or ():
            if "running" in (status.get("state") or {}):
                self.kit.event(
                    pod,
                    "Killing",
                    f"Stopping container {status['name']}",
                    "kubelet",
                    self.now,
                    host=pod["spec"].get("nodeName"),
                    field_path=f"spec.containers{{{status['name']}}}",
                )
        self.store.remove("pods", self.namespace, meta["name"])
        self.kit.event(
            owner, "SuccessfulDelete", f"Deleted pod: {meta['name']}", component, self.now
        )

    # ReplicaSets -------------------------------------------------------------------------------

    def replicaset(self, rs: Obj) -> Obj:
        """Create or delete pods until the ReplicaSet has spec.replicas active ones; its status."""
        desired = copy.deepcopy(rs)
        spec = desired.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        want = int(spec["replicas"])
        pods = [p for p in self.owned("pods", desired) if _active(p)]
        while len(pods) < want:
            name = self.fresh_pod_name(desired["metadata"]["name"])
            pod = self.kit.pod_from_template(
                spec.get("template") or {}, name, self.namespace, desired
            )
            pod["metadata"]["creationTimestamp"] = format_time(self.now)
            if not self.admitted(pod, desired, "replicaset-controller"):
                break
            self.kit.event(
                desired,
                "SuccessfulCreate",
                f"Created pod: {name}",
                "replicaset-controller",
                self.now,
            )
            self.start_pod(pod)
            pods.append(self.store.put(pod))
        if len(pods) > want:
            # The ReplicaSet controller deletes not-ready pods first, then the newest.
            newest_first = sorted(
                pods,
                key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]),
                reverse=True,
            )
            doomed = sorted(newest_first, key=is_ready)[: len(pods) - want]
            for pod in doomed:
                self.delete_pod(pod, desired, "replicaset-controller")
            pods = [p for p in pods if p not in doomed]
        ready = sum(1 for p in pods if is_ready(p))
        status: Obj = {
            "replicas": len(pods),
            "fullyLabeledReplicas": len(pods),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": desired["metadata"].get("generation", 1),
        }
        desired["status"] = {
            k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")
        }
        return self.save(rs, desired)

    # Deployments -------------------------------------------------------------------------------

    def deployment(self, deploy: Obj) -> None:
        desired = deployment_defaults(copy.deepcopy(deploy))
        meta, spec = desired["metadata"], desired["spec"]
        replicas = int(spec["replicas"])
        template_hash = pod_template_hash(spec["template"])
        new_name = f"{meta['name']}-{template_hash}"
        owned = self.owned("replicasets", desired)
        top = max((_revision(rs) for rs in owned), default=0)
        new = next((rs for rs in owned if rs["metadata"]["name"] == new_name), None)
        olds = [rs for rs in owned if rs["metadata"]["name"] != new_name]
        surge, unavailable = max_surge_and_unavailable(desired)
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        if new is None:
            old_total = sum(int(rs["spec"].get("replicas", 0)) for rs in olds)
            start = (
                replicas
                if not olds
                else 0
                if recreate
                else max(0, min(replicas, replicas + surge - old_total))
            )
            created = replicaset_for(desired, template_hash, start, top + 1, self.now)
            new = self.store.put(created)
            if start:
                self.scaled(desired, new_name, 0, start)
        elif _revision(new) < top:
            # Back to an older template (rollout undo, a re-apply): that ReplicaSet is the newest revision.
            bumped = copy.deepcopy(new)
            bumped["metadata"]["annotations"][REVISION] = str(top + 1)
            new = self.store.put(bumped)
        for _ in range(_MAX_ROUNDS):
            new = self.replicaset(new)
            olds = [self.replicaset(rs) for rs in olds]
            if not self.rollout_step(desired, new, olds, replicas, surge, unavailable, recreate):
                break
            new = self.store.get("replicasets", self.namespace, new_name) or new
            olds = [
                self.store.get("replicasets", self.namespace, rs["metadata"]["name"]) or rs
                for rs in olds
            ]
        self.prune_history(desired, new, olds)
        meta.setdefault("annotations", {})[REVISION] = str(_revision(new))
        desired["status"] = self.deployment_status(deploy, desired, new, olds, unavailable)
        self.save(deploy, desired)

    def rollout_step(
        self,
        deploy: Obj,
        new: Obj,
        olds: list[Obj],
        replicas: int,
        surge: int,
        unavailable: int,
        recreate: bool,
    ) -> bool:
        """One move of the rolling update (or Recreate); False when nothing is left to move."""
        old_replicas = sum(int(rs["spec"].get("replicas", 0)) for rs in olds)
        new_replicas = int(new["spec"].get("replicas", 0))
        if recreate:
            if old_replicas:
                for rs in olds:
                    self.scale(deploy, rs, 0)
                return True
            if new_replicas != replicas:
                self.scale(deploy, new, replicas)
                return True
            return False
        if new_replicas > replicas:
            self.scale(deploy, new, replicas)
            return True
        room = replicas + surge - (old_replicas + new_replicas)
        if new_replicas < replicas and room > 0:
            self.scale(deploy, new, min(replicas, new_replicas + room))
            return True
        if old_replicas:
            available = sum(
                int((rs.get("status") or {}).get("availableReplicas", 0)) for rs in [new, *olds]
            )
            can_remove = available - (replicas - unavailable)
            moved = False
            for rs in sorted(olds, key=_revision):
                current = int(rs["spec"].get("replicas", 0))
                unhealthy = current - int((rs.get("status") or {}).get("availableReplicas", 0))
                remove = min(current, unhealthy + max(0, can_remove))
                if remove > 0:
                    can_remove -= max(0, remove - unhealthy)
                    self.scale(deploy, rs, current - remove)
                    moved = True
            return moved
        return False

    def scale(self, deploy: Obj, rs: Obj, to: int) -> None:
        desired = copy.deepcopy(rs)
        before = int(desired["spec"].get("replicas", 0))
        desired["spec"]["replicas"] = to
        annotations = desired["metadata"].setdefault("annotations", {})
        annotations["deployment.kubernetes.io/desired-replicas"] = str(deploy["spec"]["replicas"])
        annotations["deployment.kubernetes.io/max-replicas"] = str(
            int(deploy["spec"]["replicas"]) + max_surge_and_unavailable(deploy)[0]
        )
        self.store.put(desired)
        self.scaled(deploy, rs["metadata"]["name"], before, to)

    def scaled(self, deploy: Obj, rs_name: str, before: int, to: int) -> None:
        verb = "up" if to > before else "down"
        self.kit.event(
            deploy,
            "ScalingReplicaSet",
            f"Scaled {verb} replica set {rs_name} from {before} to {to}",
            "deployment-controller",
            self.now,
        )

    def prune_history(self, deploy: Obj, new: Obj, olds: list[Obj]) -> None:
        """Keep at most revisionHistoryLimit old ReplicaSets, the oldest scaled-down ones go."""
        limit = int(deploy["spec"].get("revisionHistoryLimit", 10))
        idle = sorted(
            (
                rs
                for rs in olds
                if not int(rs["spec"].get("replicas", 0))
                and not int((rs.get("status") or {}).get("replicas", 0))
            ),
            key=_revision,
        )
        for rs in idle[: max(0, len(idle) - limit)]:
            self.store.remove("replicasets", self.namespace, rs["metadata"]["name"])
            olds.remove(rs)

    def deployment_status(
        self, current: Obj, deploy: Obj, new: Obj, olds: list[Obj], unavailable: int
    ) -> Obj:
        replicas = int(deploy["spec"]["replicas"])
        all_rs = [new, *olds]

        def total(key: str, sets: Iterable[Obj] = all_rs) -> int:
            return sum(int((rs.get("status") or {}).get(key, 0)) for rs in sets)

        available = total("availableReplicas")
        updated = total("replicas", [new])
        status: Obj = {
            "observedGeneration": deploy["metadata"].get("generation", 1),
            "replicas": total("replicas"),
            "updatedReplicas": updated,
            "readyReplicas": total("readyReplicas"),
            "availableReplicas": available,
            "unavailableReplicas": max(0, total("replicas") - available),
        }
        status = {k: v for k, v in status.items() if v or k in ("observedGeneration", "replicas")}
        rs_name = new["metadata"]["name"]
        if available >= replicas - unavailable:
            available_condition = (
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
        else:
            available_condition = (
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            )
        if updated == replicas and available == replicas and total("replicas") == replicas:
            progressing = (
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{rs_name}" has successfully progressed.',
            )
        else:
            progressing = ("True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
        before = current.get("status") or {}
        status["conditions"] = [
            self._deployment_condition(before, "Available", *available_condition),
            self._deployment_condition(before, "Progressing", *progressing),
        ]
        return status

    def _deployment_condition(
        self, before: Mapping[str, Any], type_: str, status: str, reason: str, message: str
    ) -> Obj:
        """Times move only when the condition does: lastTransitionTime on a status flip,
        lastUpdateTime on any change."""
        old = _condition(before, type_) or {}
        stamp = format_time(self.now)
        same_status = old.get("status") == status
        unchanged = same_status and old.get("reason") == reason and old.get("message") == message
        return {
            "type": type_,
            "status": status,
            "lastUpdateTime": old.get("lastUpdateTime", stamp) if unchanged else stamp,
            "lastTransitionTime": old.get("lastTransitionTime", stamp) if same_status else stamp,
            "reason": reason,
            "message": message,
        }

    # Jobs --------------------------------------------------------------------------------------

    def job(self, job: Obj) -> None:
        """A pod per attempt until one succeeds (Complete) or backoffLimit is exceeded (Failed)."""
        desired = job_defaults(copy.deepcopy(job))
        meta, spec = desired["metadata"], desired["spec"]
        status = desired.setdefault("status", {})
        finished = any(
            c.get("status") == "True" and c.get("type") in ("Complete", "Failed")
            for c in status.get("conditions") or ()
        )
        if finished or spec.get("suspend"):
            self.save(job, desired)
            return
        completions, backoff = int(spec.get("completions") or 1), int(spec.get("backoffLimit", 6))
        done = self.now
        while True:
            pods = self.owned("pods", desired)
            succeeded = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Succeeded")
            failed = sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Failed")
            active = [p for p in pods if _active(p)]
            if succeeded >= completions or failed > backoff or active:
                break
            if self.timings is not None:
                retry = job_retry_at(pods, self.timings)
                if retry is not None and retry > self.now:
                    break  # the Job back-off: the kubelet's tick brings the namespace back then
            name = self.fresh_pod_name(meta["name"])
            pod = self.kit.pod_from_template(spec["template"], name, self.namespace, desired)
            pod["metadata"]["creationTimestamp"] = format_time(self.now)
            if not self.admitted(pod, desired, "job-controller"):
                break
            self.kit.event(
                desired, "SuccessfulCreate", f"Created pod: {name}", "job-controller", self.now
            )
            # One pod per attempt: a failing container is not restarted in place, even with OnFailure.
            done = max(done, self.start_pod(pod, restarts=False))
            self.store.put(pod)
        status.setdefault("startTime", format_time(self.now))
        status.update(
            active=len(active),
            succeeded=succeeded,
            failed=failed,
            ready=sum(1 for p in active if is_ready(p)),
            terminating=0,
            uncountedTerminatedPods={},
        )
        for key in ("active", "succeeded", "failed"):
            if not status[key]:
                status.pop(key)
        stamp = format_time(done)
        if succeeded >= completions:
            message = "Reached expected number of succeeded pods"
            status["conditions"] = [
                {
                    "type": "SuccessCriteriaMet",
                    "status": "True",
                    "reason": "CompletionsReached",
                    "message": message,
                    "lastProbeTime": stamp,
                    "lastTransitionTime": stamp,
                },
                {
                    "type": "Complete",
                    "status": "True",
                    "reason": "CompletionsReached",
                    "message": message,
                    "lastProbeTime": stamp,
                    "lastTransitionTime": stamp,
                },
            ]
            status["completionTime"] = stamp
            self.kit.event(desired, "Completed", "Job completed", "job-controller", done)
        elif failed > backoff:
            message = "Job has reached the specified backoff limit"
            status["conditions"] = [
                {
                    "type": "FailureTarget",
                    "status": "True",
                    "reason": "BackoffLimitExceeded",
                    "message": message,
                    "lastProbeTime": stamp,
                    "lastTransitionTime": stamp,
                },
                {
                    "type": "Failed",
                    "status": "True",
                    "reason": "BackoffLimitExceeded",
                    "message": message,
                    "lastProbeTime": stamp,
                    "lastTransitionTime": stamp,
                },
            ]
            self.kit.event(
                desired, "BackoffLimitExceeded", message, "job-controller", done, type_="Warning"
            )
        self.save(job, desired)

    # Services ----------------------------------------------------------------------------------

    def services(self) -> None:
        pods = self.store.list("pods", self.namespace)
        for svc in self.store.list("services", self.namespace):
            desired = copy.deepcopy(svc)
            service_defaults(desired)
            svc = self.save(svc, desired)
            spec = svc["spec"]
            if spec.get("selector") and spec.get("type") != "ExternalName":
                self.endpoints(svc, pods)

    def endpoints(self, svc: Obj, pods: list[Obj]) -> None:
        """Endpoints and the EndpointSlice of a Service with a selector, from the pods it selects."""
        name = svc["metadata"]["name"]
        content = endpoints_content(svc, pods, self.kit.nodes)
        created = parse_time(svc["metadata"].get("creationTimestamp") or self.now, self.now)
        trigger = "endpoints.kubernetes.io/last-change-trigger-time"

        current = self.store.get("endpoints", self.namespace, name)
        wanted = endpoints_object(svc, content, created, self.now)
        if current is not None:
            for key in ("uid", "creationTimestamp"):
                wanted["metadata"][key] = current["metadata"].get(key, wanted["metadata"][key])
            wanted["metadata"]["annotations"][trigger] = (
                current["metadata"].get("annotations") or {}
            ).get(trigger, wanted["metadata"]["annotations"][trigger])
            if not same_object(current, wanted):
                wanted["metadata"]["annotations"][trigger] = format_time(self.now)
        self.save(current, wanted)

        slices = [
            s
            for s in self.store.list("endpointslices", self.namespace)
            if (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == name
        ]
        current = slices[0] if slices else None
        slice_name = (
            current["metadata"]["name"]
            if current
            else f"{name}-{suffix(self.namespace, name, 'slice')}"
        )
        wanted = endpoint_slice_object(svc, slice_name, content, created, self.now)
        if current is not None:
            for key in ("uid", "creationTimestamp", "generation"):
                wanted["metadata"][key] = current["metadata"].get(key, wanted["metadata"][key])
            wanted["metadata"]["annotations"][trigger] = (
                current["metadata"].get("annotations") or {}
            ).get(trigger, wanted["metadata"]["annotations"][trigger])
            if not same_object(current, wanted):
                wanted["metadata"]["annotations"][trigger] = format_time(self.now)
                wanted["metadata"]["generation"] = int(current["metadata"].get("generation", 1)) + 1
        self.save(current, wanted)


def _nodes(store: ObjectStore, kit: Materializer) -> list[Obj]:
    stored = {n["metadata"]["name"]: n for n in store.list("nodes")}
    return [stored.get(spec.name) or kit._node(spec) for spec in kit.nodes]  # one model of a node


def scheduler_nodes(store: ObjectStore, logs: LogStore, now: datetime) -> list[Obj]:
    """The nodes as the scheduler sees them now (a stored node's allocatable wins)."""
    return _nodes(store, Materializer.for_cluster(now, logs, (), 0))


def job_retry_at(pods: Iterable[Mapping[str, Any]], timings: KubeletTimings) -> datetime | None:
    """When the Job controller may create the next pod after its failed ones: the last failure
    plus the Job back-off (10 s doubling per failure, capped at 6 min, scaled like the kubelet's
    by ``timings.backoff_base``); None when no pod failed yet."""
    failures: list[datetime] = []
    for pod in pods:
        status = pod.get("status") or {}
        if status.get("phase") != "Failed":
            continue
        ends = [
            ((st.get("state") or {}).get("terminated") or {}).get("finishedAt")
            for st in status.get("containerStatuses") or ()
        ]
        stamps = [parse_time(end, _EPOCH) for end in ends if end]
        if stamps:
            failures.append(max(stamps))
    if not failures:
        return None
    delay = min(
        timings.backoff_base * 2 ** (len(failures) - 1),
        timings.backoff_base * JOB_BACKOFF_CAP_FACTOR,
    )
    return max(failures) + timedelta(seconds=delay)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The Job controller's back-off cap (6 min) over its base (10 s), as the kubelet timings scale it.
JOB_BACKOFF_CAP_FACTOR = 36


# ----------------------------------------------------------------------------------------------
# The scheduler's fit check
# ----------------------------------------------------------------------------------------------


def pod_requests(pod: Mapping[str, Any]) -> dict[str, Any]:
    """What the scheduler reserves for a pod: its containers' requests (limits stand in for
    requests that are not set, as the API server defaults them)."""
    total: dict[str, Any] = {"cpu": parse_quantity(0), "memory": parse_quantity(0)}
    for container in (pod.get("spec") or {}).get("containers") or ():
        resources = container.get("resources") or {}
        wanted = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
        for key in total:
            if key in wanted:
                total[key] += parse_quantity(wanted[key])
    return total


def unschedulable(pod: Mapping[str, Any], nodes: list[Obj]) -> str | None:
    """The scheduler's FailedScheduling message when no node's allocatable fits the pod's requests
    (None: some node does). Only each node's size counts, not what other pods already use."""
    if not nodes:
        return None
    wanted = pod_requests(pod)
    short: dict[str, int] = {}
    for node in nodes:
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        missing = [
            key
            for key in ("cpu", "memory")
            if key in allocatable and wanted[key] > parse_quantity(allocatable[key])
        ]
        if not missing:
            return None
        for key in missing:
            short[key] = short.get(key, 0) + 1
    count = len(nodes)
    reasons = ", ".join(f"{n} Insufficient {key}" for key, n in short.items())
    return (
        f"0/{count} nodes are available: {reasons}. preemption: 0/{count} nodes are available: "
        f"{count} No preemption victims found for incoming pod."
    )


# ----------------------------------------------------------------------------------------------
# The kubelet over time: back-offs, restarts, image pull retries
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KubeletTimings:
    """How fast the emulator's kubelet moves failing containers along. The defaults are the real
    kubelet's (10 s doubling to 5 min for restarts and image pulls); tests shrink ``backoff_base``."""

    backoff_base: float = 10.0
    backoff_cap: float = 300.0  # the kubelet's MaxContainerBackOff
    tick: float = 0.5  # how often the kubelet looks at its pods

    def backoff(self, attempt: int) -> float:
        """The wait before retry ``attempt`` (1, 2, 3 …): base, 2×base, 4×base … capped."""
        return float(min(self.backoff_base * 2 ** max(attempt - 1, 0), self.backoff_cap))


def go_duration(seconds: float) -> str:
    """Go's time.Duration text, as kubelet messages print it: 10s, 1m20s, 5m0s, 200ms."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    minutes, rest = divmod(seconds, 60)
    text = f"{rest:g}s"
    return f"{int(minutes)}m{text}" if minutes else text


# The waiting reasons the kubelet moves along over time (the others stay until the pod changes).
_MOVING = ("ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff", "CreateContainerConfigError")


@dataclass
class _Plan:
    """What the kubelet does next to one container, and when."""

    step: str  # "backoff" (ErrImagePull → ImagePullBackOff), "pull" (retry), "restart", "exit:<code>", "crashed",
    # "config" (CreateContainerConfigError: look for the ConfigMap/Secret again), "schedule" (an unschedulable pod)
    due: datetime
    attempt: int
    reason: str = ""  # how an "exit" ends when not by itself: OOMKilled


@dataclass
class Kubelet:
    """The kubelets of every node, over time: ``advance`` (called periodically by the emulator)
    moves each failing container one step when its time has come, as the real kubelet does:

    - a failed pull: ``ErrImagePull`` → ``ImagePullBackOff`` → after the back-off a new pull, which
      fails again (events Pulling, Failed, BackOff "Back-off pulling image"), back-off doubling;
    - a container in ``CrashLoopBackOff``: after the back-off it restarts (restartCount + 1, events
      Pulled/Created/Started, the last run's logs become ``--previous``), runs, exits with its
      code (``terminated``, "Error"; "OOMKilled", 137 past its memory limit), then waits again
      (``lastState.terminated``, CrashLoopBackOff) with the doubled back-off;
    - ``CreateContainerConfigError``: every ``backoff_base`` the pod is synced again (the Failed
      event counts up) until the ConfigMap/Secret appears, then the container starts;
    - the scheduler: a pod left Pending as unschedulable is placed as soon as a node fits (a node
      grew); until then it is retried every ``backoff_cap`` (the scheduler's 5 minutes in the
      unschedulable queue), each retry counting up its FailedScheduling event;
    - the Job controller's back-off between attempts (``job_retry_at``): the namespace is
      reconciled when a failed Job's next pod is due.

    Each step is one write of the pod (a MODIFIED watch event) and its Events, aggregated as the
    kubelet does (count and lastTimestamp of a repeated event). When to act is kept here, in
    memory, as the real kubelet keeps its back-off."""

    timings: KubeletTimings = field(default_factory=KubeletTimings)
    plans: dict[tuple[str, str], _Plan] = field(default_factory=dict)

    def advance(self, store: ObjectStore, logs: LogStore, now: datetime) -> set[str]:
        """One look at every pod; returns the namespaces where a pod's readiness changed (what
        Endpoints and Deployment status follow)."""
        changed: set[str] = set()
        alive: set[tuple[str, str]] = set()
        nodes: list[Obj] | None = None
        pods = store.list("pods")
        for pod in pods:
            meta, status = pod["metadata"], pod.get("status") or {}
            if meta.get("deletionTimestamp") or status.get("phase") in ("Succeeded", "Failed"):
                continue
            refused = _condition(status, "PodScheduled")
            if refused is not None and refused.get("reason") == "Unschedulable":
                alive.add((meta.get("uid", ""), ""))
                if nodes is None:
                    nodes = scheduler_nodes(store, logs, now)
                if self._schedule(pod, nodes, store, logs, now):
                    changed.add(meta["namespace"])
                continue
            statuses = status.get("containerStatuses") or ()
            keys = [(meta.get("uid", ""), st.get("name", "")) for st in statuses]
            alive.update(keys)
            if not any(self._due(key, st, now) for key, st in zip(keys, statuses)):
                continue  # nothing to do yet: no copy, no write
            desired = copy.deepcopy(pod)
            events: list[tuple[str, str, str, str]] = []  # reason, message, type, container
            for st in (desired.get("status") or {}).get("containerStatuses") or ():
                self._container(
                    desired, st, (meta.get("uid", ""), st["name"]), store, logs, now, events
                )
            new_status = desired.get("status") or {}
            phase = _pod_phase(
                new_status.get("containerStatuses") or (),
                desired["spec"].get("restartPolicy", "Always"),
            )
            if new_status.get("phase") == "Pending" and phase == "Running":
                new_status["phase"] = phase  # a container started at last (its ConfigMap came)
            if events or not same_object(pod, desired):
                if not same_object(pod, desired):
                    store.put(desired)
                for reason, message, type_, container in events:
                    record_event(
                        store, logs, desired, reason, message, now, type_=type_, container=container
                    )
                # Only owners and Services follow readiness: a bare pod nobody selects needs no pass.
                followed = meta.get("ownerReferences") or store.list("services", meta["namespace"])
                if is_ready(pod) != is_ready(desired) and followed:
                    changed.add(meta["namespace"])
        for key in set(self.plans) - alive:
            del self.plans[key]
        return changed | self._jobs_due(store, pods, now)

    def _schedule(
        self, pod: Obj, nodes: list[Obj], store: ObjectStore, logs: LogStore, now: datetime
    ) -> bool:
        """The scheduler's retry of an unschedulable pod; True when it fits now (the controllers'
        pass then places and starts it)."""
        key = (pod["metadata"].get("uid", ""), "")
        refusal = unschedulable(pod, nodes)
        if refusal is None:
            desired = copy.deepcopy(pod)
            # Back to how the API server created it: the next pass schedules and starts it.
            desired["status"] = {"phase": "Pending"}
            store.put(desired)
            self.plans.pop(key, None)
            return True
        plan = self.plans.get(key)
        if plan is None:
            self.plans[key] = _Plan(
                "schedule", now + timedelta(seconds=self.timings.backoff_cap), 1
            )
        elif plan.due <= now:
            desired = copy.deepcopy(pod)
            for condition in desired["status"].get("conditions") or ():
                if condition.get("type") == "PodScheduled":
                    condition["message"] = refusal
            if not same_object(pod, desired):
                store.put(desired)
            record_event(store, logs, desired, "FailedScheduling", refusal, now, type_="Warning",
                         component="default-scheduler")  # fmt: skip
            self.plans[key] = _Plan(
                "schedule", now + timedelta(seconds=self.timings.backoff_cap), plan.attempt + 1
            )
        return False

    def _jobs_due(self, store: ObjectStore, pods: list[Obj], now: datetime) -> set[str]:
        """Namespaces with a failed Job whose next attempt is due (the Job back-off is over)."""
        due: set[str] = set()
        for job in store.list("jobs"):
            spec, status = job.get("spec") or {}, job.get("status") or {}
            finished = any(
                c.get("status") == "True" and c.get("type") in ("Complete", "Failed")
                for c in status.get("conditions") or ()
            )
            if finished or spec.get("suspend"):
                continue
            owned = [p for p in pods if _owned_by(p, job)]
            failed = sum(1 for p in owned if (p.get("status") or {}).get("phase") == "Failed")
            if any(_active(p) for p in owned) or failed > int(spec.get("backoffLimit", 6)):
                continue
            retry = job_retry_at(owned, self.timings)
            if retry is not None and retry <= now:
                due.add(job["metadata"]["namespace"])
        return due

    def _due(self, key: tuple[str, str], st: Mapping[str, Any], now: datetime) -> bool:
        plan = self.plans.get(key)
        if plan is not None:
            return plan.due <= now
        return ((st.get("state") or {}).get("waiting") or {}).get("reason") in _MOVING

    def _container(
        self,
        pod: Obj,
        st: Obj,
        key: tuple[str, str],
        store: ObjectStore,
        logs: LogStore,
        now: datetime,
        events: list[tuple[str, str, str, str]],
    ) -> None:
        name = st["name"]
        container: Obj = next(
            (c for c in pod["spec"].get("containers") or () if c.get("name") == name), {}
        )
        image = container.get("image", st.get("image", ""))
        state = st.get("state") or {}
        waiting = (state.get("waiting") or {}).get("reason")
        plan = self.plans.get(key)
        if plan is None:
            if waiting == "ErrImagePull":
                self.plans[key] = _Plan(
                    "backoff",
                    now + timedelta(seconds=min(self.timings.tick, self.timings.backoff_base)),
                    1,
                )
            elif waiting == "ImagePullBackOff":
                self.plans[key] = _Plan("pull", now + timedelta(seconds=self.timings.backoff(1)), 1)
            elif waiting == "CreateContainerConfigError":
                self.plans[key] = _Plan(
                    "config", now + timedelta(seconds=self.timings.backoff_base), 1
                )
            elif waiting == "CrashLoopBackOff":
                wait = self.timings.backoff(int(st.get("restartCount") or 1))
                st["state"] = {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": _crash_message(pod, name, wait),
                    }
                }
                self.plans[key] = _Plan(
                    "restart", now + timedelta(seconds=wait), int(st.get("restartCount") or 1)
                )
            return
        if now < plan.due:
            return
        if plan.step == "backoff":  # the next sync finds the pull backing off
            original = (state.get("waiting") or {}).get("message", "")
            st["state"] = {
                "waiting": {
                    "reason": "ImagePullBackOff",
                    "message": f'Back-off pulling image "{image}": ErrImagePull: {original}',
                }
            }
            events += [
                ("BackOff", f'Back-off pulling image "{image}"', "Normal", name),
                ("Failed", "Error: ImagePullBackOff", "Warning", name),
            ]
            self.plans[key] = _Plan(
                "pull", now + timedelta(seconds=self.timings.backoff(plan.attempt)), plan.attempt
            )
        elif plan.step == "pull":  # the retry fails as the first pull did
            message = ((state.get("waiting") or {}).get("message", "")).partition(
                ": ErrImagePull: "
            )[2] or "not found"
            st["state"] = {"waiting": {"reason": "ErrImagePull", "message": message}}
            events += [
                ("Pulling", f'Pulling image "{image}"', "Normal", name),
                ("Failed", f'Failed to pull image "{image}": {message}', "Warning", name),
                ("Failed", "Error: ErrImagePull", "Warning", name),
            ]
            self.plans[key] = _Plan(
                "backoff",
                now + timedelta(seconds=min(self.timings.tick, self.timings.backoff_base)),
                plan.attempt + 1,
            )
        elif plan.step == "config":
            self._config_retry(pod, st, container, key, plan, store, logs, now, events)
        elif plan.step == "restart":
            run = container_run(container, pod, store, logs, now)
            if run.pull_error is not None:  # e.g. the ConfigMap it reads is gone by now
                reason, message = run.pull_error
                st.update(
                    ready=False,
                    started=False,
                    state={"waiting": {"reason": reason, "message": message}},
                )
                events.append(
                    (
                        "Failed",
                        f"Error: {message if reason == 'CreateContainerConfigError' else reason}",
                        "Warning",
                        name,
                    )
                )
                del self.plans[key]
                _ready_conditions(pod, now)
                return
            _restart_logs(logs, pod, name, run, now)
            st.update(
                restartCount=int(st.get("restartCount") or 0) + 1,
                ready=True,
                started=True,
                state={"running": {"startedAt": format_time(now)}},
            )
            events += [
                ("Pulled", f'Container image "{image}" already present on machine', "Normal", name),
                ("Created", f"Created container: {name}", "Normal", name),
                ("Started", f"Started container {name}", "Normal", name),
            ]
            if (
                run.exit_code is None
            ):  # it runs now (what it does changed, e.g. a ConfigMap it reads)
                del self.plans[key]
                return
            runs_for = min(run.duration, self.timings.backoff_base)
            self.plans[key] = _Plan(
                f"exit:{run.exit_code}",
                now + timedelta(seconds=runs_for),
                plan.attempt + 1,
                run.reason or "",
            )
        elif plan.step.startswith("exit:"):  # it exits: terminated until the kubelet's next sync
            code = int(plan.step.partition(":")[2])
            started = ((state.get("running") or {}).get("startedAt")) or format_time(now)
            st.update(ready=False, started=False,
                      state={"terminated": {"exitCode": code,
                                            "reason": plan.reason or ("Completed" if code == 0 else "Error"),
                                            "startedAt": started, "finishedAt": format_time(now),
                                            "containerID": st.get("containerID", "")}})  # fmt: skip
            self.plans[key] = _Plan(
                "crashed",
                now + timedelta(seconds=min(self.timings.tick, self.timings.backoff_base)),
                plan.attempt,
            )
        elif plan.step == "crashed":  # the next sync backs off before restarting it
            wait = self.timings.backoff(int(st.get("restartCount") or 1))
            terminated = state.get("terminated") or {}
            st.update(
                lastState={"terminated": terminated},
                state={
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": _crash_message(pod, name, wait),
                    }
                },
            )
            meta = pod["metadata"]
            backoff = f"Back-off restarting failed container {name} in pod {meta['name']}_{meta['namespace']}({meta['uid']})"
            events.append(("BackOff", backoff, "Warning", name))
            self.plans[key] = _Plan("restart", now + timedelta(seconds=wait), plan.attempt)
        _ready_conditions(pod, now)

    def _config_retry(
        self,
        pod: Obj,
        st: Obj,
        container: Obj,
        key: tuple[str, str],
        plan: _Plan,
        store: ObjectStore,
        logs: LogStore,
        now: datetime,
        events: list[tuple[str, str, str, str]],
    ) -> None:
        """The pod's next sync: still missing (the Failed event counts up), or the container starts."""
        name, image = st["name"], container.get("image", st.get("image", ""))
        run = container_run(container, pod, store, logs, now)
        if run.pull_error is not None:
            reason, message = run.pull_error
            st["state"] = {"waiting": {"reason": reason, "message": message}}
            failed = message if reason == "CreateContainerConfigError" else reason
            events.append(("Failed", f"Error: {failed}", "Warning", name))
            if reason == "CreateContainerConfigError":
                self.plans[key] = _Plan(
                    "config", now + timedelta(seconds=self.timings.backoff_base), plan.attempt + 1
                )
            else:  # e.g. the image changed meanwhile: the pull's own back-off takes over
                del self.plans[key]
            return
        meta = pod["metadata"]
        st.update(
            image=normalize_image(image),
            imageID=image_id(image),
            containerID=f"containerd://{hex_id(64, meta.get('uid', ''), name, format_time(now))}",
            ready=True,
            started=True,
            state={"running": {"startedAt": format_time(now)}},
        )
        events += [
            ("Pulled", f'Container image "{image}" already present on machine', "Normal", name),
            ("Created", f"Created container: {name}", "Normal", name),
            ("Started", f"Started container {name}", "Normal", name),
        ]
        log_key = LogKey(meta["namespace"], meta["name"], name)
        if run.timed_lines is not None:
            logs.streams[log_key] = [
                LogLine(now + timedelta(seconds=offset), text) for offset, text in run.timed_lines
            ]
        else:
            logs.streams[log_key] = default_logs(image, now, _number("logs", meta["name"], name))
        del self.plans[key]
        if run.exit_code is not None:  # it runs, then exits as on any start
            self.plans[key] = _Plan(
                f"exit:{run.exit_code}",
                now + timedelta(seconds=min(run.duration, self.timings.backoff_base)),
                1,
                run.reason or "",
            )


def _crash_message(pod: Mapping[str, Any], container: str, wait: float) -> str:
    meta = pod["metadata"]
    return (
        f"back-off {go_duration(wait)} restarting failed container={container} "
        f"pod={meta['name']}_{meta['namespace']}({meta['uid']})"
    )


def _restart_logs(
    logs: LogStore, pod: Mapping[str, Any], container: str, run: ContainerRun, now: datetime
) -> None:
    """The last run's output becomes the previous container's; the new run prints again."""
    meta = pod["metadata"]
    single = len(pod["spec"].get("containers") or ()) == 1
    current = (
        logs.lookup(meta["namespace"], meta["name"], container, False, single_container=single)
        or []
    )
    logs.streams[LogKey(meta["namespace"], meta["name"], container, True)] = list(current)
    lines = [
        LogLine(now + timedelta(seconds=offset), text) for offset, text in run.timed_lines or ()
    ]
    logs.streams[LogKey(meta["namespace"], meta["name"], container)] = lines
    logs.streams.pop(LogKey(meta["namespace"], meta["name"], ""), None)


def _ready_conditions(pod: Obj, now: datetime) -> None:
    """Ready / ContainersReady follow the containers, with the kubelet's message when they are not."""
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or ()
    unready = " ".join(st["name"] for st in statuses if not st.get("ready"))
    for condition in status.get("conditions") or ():
        if condition.get("type") not in ("Ready", "ContainersReady"):
            continue
        ready = "False" if unready else "True"
        if condition.get("status") != ready:
            condition["lastTransitionTime"] = format_time(now)
        condition["status"] = ready
        if unready:
            condition.update(
                reason="ContainersNotReady", message=f"containers with unready status: [{unready}]"
            )
        else:
            condition.pop("reason", None)
            condition.pop("message", None)


def record_event(
    store: ObjectStore,
    logs: LogStore,
    involved: Mapping[str, Any],
    reason: str,
    message: str,
    now: datetime,
    *,
    type_: str = "Normal",
    container: str = "",
    component: str = "kubelet",
) -> None:
    """A kubelet (or ``component``) event about ``involved``: a repeat of the same event (object, reason, message)
    counts up and moves its lastTimestamp, as the event recorder aggregates; a new one is created."""
    meta = involved["metadata"]
    for event in store.list("events", meta["namespace"]):
        ref = event.get("involvedObject") or {}
        if (
            ref.get("uid") == meta.get("uid")
            and event.get("reason") == reason
            and event.get("message") == message
        ):
            updated = copy.deepcopy(event)
            updated["count"] = int(event.get("count") or 1) + 1
            updated["lastTimestamp"] = format_time(now)
            store.put(updated)
            return
    kit = Materializer.for_cluster(now, logs, (), len(store.list("events", meta["namespace"])))
    node = (involved.get("spec") or {}).get("nodeName")
    kit.event(
        involved,
        reason,
        message,
        component,
        now,
        host=node if component == "kubelet" else None,
        field_path=f"spec.containers{{{container}}}" if container else None,
        type_=type_,
    )
    for event in kit.take_objects():
        event_meta = event["metadata"]
        while store.get("events", event_meta["namespace"], event_meta["name"]) is not None:
            base, _, nanos = event_meta["name"].rpartition(".")
            event_meta["name"] = f"{base}.{int(nanos, 16) + 1:x}"
        store.put(event)
