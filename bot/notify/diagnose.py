"""What is wrong with a Pod or a Job right now, in kubectl's words, and the likely cause in plain
words. Pure: objects in, findings out; nothing here reads the cluster.

A finding has a key, (namespace, owner, family): the owner is the Pod's ReplicaSet or Job (or
the Pod itself when it has neither), so the three Pods of a Deployment with a typo are one
problem and one DM, a Pod the ReplicaSet recreates with the same mistake is not a new one, and a
fixed rollout (a new ReplicaSet) that fails again is. The pull error and the back-off that
follows it are one family (`image`): one problem, one DM.

Text handling is linear and bounded: image names are cut at MAX_IMAGE_CHARS before the bounded
edit distance compares them; messages are cut at MAX_MESSAGE_CHARS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Obj = Mapping[str, Any]

MAX_IMAGE_CHARS = 128
MAX_MESSAGE_CHARS = 600
MAX_DISTANCE = 2  # "did you mean": at most this many edits (a swap counts as one)

# Families: one DM per (namespace, owner, family).
IMAGE = "image"
CRASH = "crash"
CONFIG = "config"
OOM = "oom"
UNSCHEDULABLE = "unschedulable"
JOB_FAILED = "job-failed"
SELECTS_NOTHING = "selects-nothing"
FAMILIES = (IMAGE, CRASH, CONFIG, OOM, UNSCHEDULABLE, JOB_FAILED, SELECTS_NOTHING)

_IMAGE_REASONS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
# Owners whose Pods are one problem: their Pods are made from one template.
_GROUPING_OWNERS = ("ReplicaSet", "Job", "StatefulSet", "DaemonSet")

# Images people run in workshops: what a typo is compared with, besides the images in the
# exercises' solutions and the deck's manifests (known_images adds those).
COMMON_IMAGES = (
    "nginx",
    "httpd",
    "redis",
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "memcached",
    "rabbitmq",
    "traefik",
    "caddy",
    "busybox",
    "alpine",
    "ubuntu",
    "debian",
    "fedora",
    "python",
    "node",
    "golang",
    "perl",
    "hello-world",
    "curlimages/curl",
    "hashicorp/http-echo",
    "nginxinc/nginx-unprivileged",
    "bitnami/kubectl",
    "nicolaka/netshoot",
)

_MISSING = re.compile(
    r'\b(configmap|secret) "([a-z0-9][-a-z0-9.]{0,252})" not found', re.IGNORECASE
)
_MISSING_KEY = re.compile(
    r"couldn't find key ([-._a-zA-Z0-9]{1,253}) in (ConfigMap|Secret) [-a-z0-9.]{1,63}/([-a-z0-9.]{1,253})"
)
_INSUFFICIENT = re.compile(r"Insufficient ([a-z0-9](?:[a-z0-9./-]{0,62}[a-z0-9])?)")
_IMAGE_LINE = re.compile(r"^\s*-?\s*image:\s*[\"']?([^\s\"'#]{1,256})", re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    """One object failing for one reason, with what a participant needs to act on it."""

    namespace: str
    kind: str  # "pods" or "jobs"
    name: str  # the Pod's or the Job's name
    owner: str  # "ReplicaSet/web-7d4f8", "Job/pi", "Pod/side": what the key groups by
    family: str  # one of FAMILIES
    reason: str  # kubectl's word: ImagePullBackOff, CrashLoopBackOff, OOMKilled, Unschedulable…
    message: str  # what happened, in kubectl's words (status or event message), cut
    container: str | None = None
    image: str | None = None
    exit_code: int | None = None
    missing: tuple[str, str] | None = None  # ("ConfigMap", "app"): what a container needs
    missing_key: str | None = None  # the key missing from that ConfigMap/Secret
    insufficient: tuple[str, ...] = ()  # "cpu", "memory": what no node has enough of
    requests: Mapping[str, str] | None = None  # the Pod's requests, for Unschedulable
    memory_limit: str | None = None  # for OOMKilled
    deployment: str | None = None  # the Deployment the owning ReplicaSet belongs to
    labels: Mapping[str, str] | None = None
    selector: Mapping[str, str] | None = None  # a Service's, when it selects no pod
    close_labels: Mapping[str, str] | None = None  # the pod labels it was probably meant to match

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.namespace, self.owner, self.family)


def _cut(text: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    value = str(text or "")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _controller(meta: Obj) -> tuple[str, str] | None:
    for ref in meta.get("ownerReferences") or ():
        if (
            isinstance(ref, Mapping)
            and ref.get("controller")
            and ref.get("kind") in _GROUPING_OWNERS
        ):
            return str(ref["kind"]), str(ref.get("name") or "")
    return None


def deployment_of(replicaset: str, labels: Mapping[str, Any] | None) -> str | None:
    """The Deployment a ReplicaSet belongs to: its name is `<deployment>-<pod-template-hash>`."""
    template_hash = str((labels or {}).get("pod-template-hash") or "")
    suffix = f"-{template_hash}"
    if template_hash and replicaset.endswith(suffix) and len(replicaset) > len(suffix):
        return replicaset[: -len(suffix)]
    return None


def _requests(spec: Obj) -> dict[str, str]:
    """The Pod's requests as written, per resource (one container's, or `a + b` for several)."""
    found: dict[str, list[str]] = {}
    for container in spec.get("containers") or ():
        if not isinstance(container, Mapping):
            continue
        requests = (container.get("resources") or {}).get("requests") or {}
        for resource in ("cpu", "memory"):
            if resource in requests:
                found.setdefault(resource, []).append(_cut(requests[resource], 32))
    return {resource: " + ".join(values) for resource, values in found.items()}


def _memory_limit(spec: Obj, container: str) -> str | None:
    for item in spec.get("containers") or ():
        if isinstance(item, Mapping) and item.get("name") == container:
            limit = ((item.get("resources") or {}).get("limits") or {}).get("memory")
            return _cut(limit, 32) if limit else None
    return None


def _image_of(spec: Obj, status: Obj, container: str) -> str | None:
    for item in spec.get("containers") or ():
        if isinstance(item, Mapping) and item.get("name") == container and item.get("image"):
            return _cut(item["image"], MAX_IMAGE_CHARS)
    image = status.get("image")
    return _cut(image, MAX_IMAGE_CHARS) if image else None


def diagnose_pod(pod: Obj) -> list[Finding]:
    """What is wrong with `pod` now: at most one finding per family (the first container
    showing it), none for a healthy, starting or finished Pod."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    if meta.get("deletionTimestamp"):
        return []  # going away: whatever it shows is no longer the participant's problem
    namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    controller = _controller(meta)
    owner = f"{controller[0]}/{controller[1]}" if controller else f"Pod/{name}"
    deployment = (
        deployment_of(controller[1], labels)
        if controller and controller[0] == "ReplicaSet"
        else None
    )

    def finding(family: str, reason: str, message: str, **extra: Any) -> Finding:
        return Finding(
            namespace,
            "pods",
            name,
            owner,
            family,
            reason,
            _cut(message),
            deployment=deployment,
            labels=labels,
            **extra,
        )

    found: dict[str, Finding] = {}
    for condition in status.get("conditions") or ():
        if (
            isinstance(condition, Mapping)
            and condition.get("type") == "PodScheduled"
            and condition.get("status") == "False"
            and condition.get("reason") == "Unschedulable"
        ):
            message = str(condition.get("message") or "")
            found[UNSCHEDULABLE] = finding(
                UNSCHEDULABLE,
                "Unschedulable",
                message,
                insufficient=tuple(dict.fromkeys(_INSUFFICIENT.findall(message[:2000]))),
                requests=_requests(spec),
            )
    statuses = [
        *(status.get("initContainerStatuses") or ()),
        *(status.get("containerStatuses") or ()),
    ]
    for item in statuses:
        if not isinstance(item, Mapping):
            continue
        container = str(item.get("name") or "")
        state = item.get("state") or {}
        waiting = state.get("waiting") or {}
        terminated = state.get("terminated") or {}
        last = (item.get("lastState") or {}).get("terminated") or {}
        reason = str(waiting.get("reason") or "")
        image = _image_of(spec, item, container)
        if terminated.get("reason") == "OOMKilled" or last.get("reason") == "OOMKilled":
            if OOM not in found:
                code = (terminated or last).get("exitCode")
                found[OOM] = finding(
                    OOM,
                    "OOMKilled",
                    _oom_message(container, reason, waiting.get("message")),
                    container=container,
                    image=image,
                    exit_code=int(code) if isinstance(code, int) else None,
                    memory_limit=_memory_limit(spec, container),
                )
            continue
        if reason in _IMAGE_REASONS and IMAGE not in found:
            found[IMAGE] = finding(
                IMAGE,
                reason,
                str(waiting.get("message") or reason),
                container=container,
                image=image,
            )
        elif reason == "CrashLoopBackOff" and CRASH not in found:
            code = last.get("exitCode")
            found[CRASH] = finding(
                CRASH,
                reason,
                str(waiting.get("message") or reason),
                container=container,
                image=image,
                exit_code=int(code) if isinstance(code, int) else None,
            )
        elif (
            reason in ("CreateContainerConfigError", "CreateContainerError") and CONFIG not in found
        ):
            message = str(waiting.get("message") or reason)
            missing = _MISSING.search(message[:2000])
            missing_key = _MISSING_KEY.search(message[:2000])
            what = (
                (_kind_word(missing.group(1)), missing.group(2))
                if missing
                else (missing_key.group(2), missing_key.group(3))
                if missing_key
                else None
            )
            found[CONFIG] = finding(
                CONFIG,
                reason,
                message,
                container=container,
                image=image,
                missing=what,
                missing_key=missing_key.group(1) if missing_key else None,
            )
    return [found[family] for family in FAMILIES if family in found]


def _kind_word(word: str) -> str:
    return "ConfigMap" if word.lower() == "configmap" else "Secret"


def _oom_message(container: str, waiting_reason: str, waiting_message: Any) -> str:
    shown = f"container {container}: Last State: Terminated, Reason: OOMKilled"
    if waiting_reason:
        shown += f"; now {waiting_reason}"
        if waiting_message:
            shown += f" ({waiting_message})"
    return shown


def diagnose_job(job: Obj) -> list[Finding]:
    """A Job whose Failed condition is True (e.g. BackoffLimitExceeded)."""
    meta = job.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        return []
    for condition in (job.get("status") or {}).get("conditions") or ():
        if (
            isinstance(condition, Mapping)
            and condition.get("type") == "Failed"
            and condition.get("status") == "True"
        ):
            name = str(meta.get("name") or "")
            reason = str(condition.get("reason") or "Failed")
            message = str(condition.get("message") or reason)
            return [
                Finding(
                    str(meta.get("namespace") or ""),
                    "jobs",
                    name,
                    f"Job/{name}",
                    JOB_FAILED,
                    reason,
                    _cut(message),
                )
            ]
    return []


# -- the likely cause ------------------------------------------------------------------------


def repository(image: str) -> str:
    """`nginx:1.27` → `nginx`; `docker.io/library/nginx@sha256:…` → `nginx`;
    `registry.k8s.io/pause:3.10` → `registry.k8s.io/pause`. Lower-cased, cut."""
    ref = image.strip()[:MAX_IMAGE_CHARS].split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref = ref[: len(ref) - len(last)] + last.split(":", 1)[0]
    ref = ref.lower()
    for prefix in ("docker.io/", "index.docker.io/", "library/"):
        ref = ref.removeprefix(prefix)
    return ref


def tag_of(image: str) -> str | None:
    ref = image.strip()[:MAX_IMAGE_CHARS].split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def bounded_distance(a: str, b: str, bound: int = MAX_DISTANCE) -> int | None:
    """The optimal-string-alignment distance (insert, delete, substitute, swap neighbours) of
    `a` and `b` if it is at most `bound`, else None. Only a band of width 2·bound+1 around the
    diagonal is computed: O(len · bound), on strings cut at MAX_IMAGE_CHARS."""
    a, b = a[:MAX_IMAGE_CHARS], b[:MAX_IMAGE_CHARS]
    if abs(len(a) - len(b)) > bound:
        return None
    big = bound + 1
    previous2: list[int] = []
    previous = [j if j <= bound else big for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [big] * (len(b) + 1)
        if i <= bound:
            current[0] = i
        low, high = max(1, i - bound), min(len(b), i + bound)
        for j in range(low, high + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = min(value, big)
        if min(current[max(0, low - 1) : high + 1]) > bound:
            return None
        previous2, previous = previous, current
    return previous[len(b)] if previous[len(b)] <= bound else None


def suggest_image(image: str, known: Iterable[str]) -> str | None:
    """The known image `image` was probably meant to be, keeping its tag (`ngnix:1.27` →
    `nginx:1.27`); None when it is known already or nothing is close. Short names allow one
    edit, longer ones two."""
    wanted = repository(image)
    if not wanted:
        return None
    candidates = sorted({repository(k) for k in known if k})
    if wanted in candidates:
        return None
    bound = 1 if len(wanted) <= 4 else MAX_DISTANCE
    best: tuple[int, str] | None = None
    for candidate in candidates:
        distance = bounded_distance(wanted, candidate, bound)
        if distance is not None and (best is None or (distance, candidate) < best):
            best = (distance, candidate)
    if best is None:
        return None
    tag = tag_of(image)
    return f"{best[1]}:{tag}" if tag else best[1]


def images_in_yaml(text: str) -> set[str]:
    """The `image:` values of a manifest's text (solutions, the deck's demo manifests)."""
    return set(_IMAGE_LINE.findall(text[:200_000]))


def known_images(extra: Iterable[str] = ()) -> frozenset[str]:
    """The repositories a typo is compared with: COMMON_IMAGES and `extra` (from manifests)."""
    return frozenset(repository(image) for image in (*COMMON_IMAGES, *extra) if image)


def is_known(image: str, known: Iterable[str]) -> bool:
    return repository(image) in {repository(k) for k in known}


def _text_labels(raw: Any) -> dict[str, str]:
    return (
        {str(k)[:317]: str(v)[:63] for k, v in (raw or {}).items()}
        if isinstance(raw, Mapping)
        else {}
    )


MAX_PODS_COMPARED = 200  # a Service's selector is compared with at most this many Pods' labels


def _closest_label(key: str, value: str, labels: Mapping[str, str]) -> tuple[int, str, str] | None:
    """The label `key=value` was probably meant to be: (edits, key, value), or None."""
    found: tuple[int, str, str] | None = None
    for other_key, other in labels.items():
        distance = bounded_distance(f"{key}={value}", f"{other_key}={other}")
        if distance is not None and (found is None or distance < found[0]):
            found = (distance, other_key, other)
    return found


def diagnose_service(service: Obj, pods: Sequence[Obj]) -> list[Finding]:
    """A Service whose selector matches none of the namespace's Pods, while there are Pods it
    could have meant: the likely mistake is a label, e.g. `app: wbe` for `app: web`. A Service
    without a selector (endpoints managed by hand) and a namespace without Pods say nothing."""
    meta = service.get("metadata") or {}
    selector = _text_labels((service.get("spec") or {}).get("selector"))
    live = [p for p in pods if not (p.get("metadata") or {}).get("deletionTimestamp")]
    if not selector or not live or meta.get("deletionTimestamp"):
        return []
    labelled = [_text_labels((p.get("metadata") or {}).get("labels")) for p in live]
    if any(all(labels.get(k) == v for k, v in selector.items()) for labels in labelled):
        return []
    name = str(meta.get("name") or "")
    # The Pod whose labels are closest to the selector (most pairs equal, then fewest edits on
    # the others); for each pair it misses, its label that pair probably meant.
    best: tuple[int, int, dict[str, str]] | None = None
    for labels in labelled[:MAX_PODS_COMPARED]:
        equal, edits, meant = 0, 0, {}
        for key, value in selector.items():
            if labels.get(key) == value:
                equal += 1
                continue
            near = _closest_label(key, value, labels)
            edits += near[0] if near else MAX_DISTANCE + 1
            if near:
                meant[near[1]] = near[2]
        if best is None or (-equal, edits) < (-best[0], best[1]):
            best = (equal, edits, meant)
    close = best[2] if best else {}
    wanted = ",".join(f"{k}={v}" for k, v in selector.items())
    return [
        Finding(
            str(meta.get("namespace") or ""),
            "services",
            name,
            f"Service/{name}",
            SELECTS_NOTHING,
            "NoEndpoints",
            _cut(f"Selector: {wanted}; Endpoints: <none> (no Pod has these labels)"),
            selector=selector,
            close_labels=close or None,
        )
    ]


def troubles_of(
    pods: Sequence[Obj], jobs: Sequence[Obj], services: Sequence[Obj] = ()
) -> list[Finding]:
    """Every finding of a namespace's Pods, Jobs and Services."""
    found: list[Finding] = []
    for pod in pods:
        found.extend(diagnose_pod(pod))
    for job in jobs:
        found.extend(diagnose_job(job))
    for service in services:
        found.extend(diagnose_service(service, pods))
    return found
