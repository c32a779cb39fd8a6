"""The check kinds an exercise may declare, and their evaluation: pure functions of plain dicts.

A check names what it needs to read (`queries()`: a kind by name or by label selector); the
runner fetches exactly that and hands it back as `Observed`; `evaluate` answers with an `Outcome`
that says, on failure, what was expected and what was found, in words a participant can act on.
Nothing here does I/O, runs code, or matches regular expressions written by an exercise author.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.kubectl.errors import LogsError
from bot.kubectl.logs import choose_container, sort_for_logging
from bot.kubectl.redact import redact_credentials

Obj = dict[str, Any]


# ----------------------------------------------------------------------------------------------
# Kinds
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindInfo:
    kind: str  # as the API spells it: "Pod"
    plural: str  # the gateway's resource name: "pods"
    display_plural: str  # in sentences: "Pods"


# What Podium reads in a participant's namespace. Secrets are absent on purpose, and stay so.
KINDS: Mapping[str, KindInfo] = MappingProxyType(
    {
        "pod": KindInfo("Pod", "pods", "Pods"),
        "deployment": KindInfo("Deployment", "deployments", "Deployments"),
        "replicaset": KindInfo("ReplicaSet", "replicasets", "ReplicaSets"),
        "service": KindInfo("Service", "services", "Services"),
        "endpoints": KindInfo("Endpoints", "endpoints", "Endpoints"),
        "endpointslice": KindInfo("EndpointSlice", "endpointslices", "EndpointSlices"),
        "configmap": KindInfo("ConfigMap", "configmaps", "ConfigMaps"),
        "job": KindInfo("Job", "jobs", "Jobs"),
    }
)

# How a Job's pods are found: the label the job controller sets on them (Kubernetes >= 1.27).
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
# A check reads at most this many pods' logs, and this many lines of each.
MAX_LOG_PODS = 3
LOG_TAIL_LINES = 1000
_FOUND_TEXT_LIMIT = 120


# ----------------------------------------------------------------------------------------------
# Building blocks: selectors, comparisons, field paths
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selector:
    """An equality-based label selector, `app=web,tier=front`: every pair must match."""

    pairs: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return ",".join(f"{key}={value}" for key, value in self.pairs)

    def matches(self, labels: Mapping[str, Any] | None) -> bool:
        labels = labels or {}
        return all(key in labels and str(labels[key]) == value for key, value in self.pairs)

    def __str__(self) -> str:
        return self.text


# Longest first, so ">=" is not read as ">" followed by "=2".
OPERATORS = (">=", "<=", "==", "!=", ">", "<")
_OPERATOR_FUNCTIONS = MappingProxyType(
    {
        ">=": operator.ge,
        "<=": operator.le,
        "==": operator.eq,
        "!=": operator.ne,
        ">": operator.gt,
        "<": operator.lt,
    }
)
_OPERATOR_WORDS = MappingProxyType(
    {
        ">=": "at least",
        "<=": "at most",
        "==": "exactly",
        "!=": "other than",
        ">": "more than",
        "<": "fewer than",
    }
)


@dataclass(frozen=True)
class Comparison:
    """`>= 2`: a number compared with an operator."""

    op: str
    number: int | float

    def holds(self, value: float) -> bool:
        return bool(_OPERATOR_FUNCTIONS[self.op](value, self.number))

    @property
    def words(self) -> str:
        return f"{_OPERATOR_WORDS[self.op]} {_number_text(self.number)}"

    def __str__(self) -> str:
        return f"{self.op} {_number_text(self.number)}"


def parse_comparison(raw: Any) -> Comparison:
    """`2` (equality), `">= 2"`, `"< 1.5"`; anything else is a ValueError naming what is allowed."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError(f"{raw!r} is not a comparison")  # noqa: TRY004 — spec readers catch ValueError
    if isinstance(raw, (int, float)):
        return Comparison("==", _finite(raw, raw))
    text = raw.strip()
    op = next((candidate for candidate in OPERATORS if text.startswith(candidate)), "==")
    rest = text[len(op) :].strip() if text.startswith(op) else text
    try:
        number: int | float = int(rest)
    except ValueError:
        try:
            number = float(rest)
        except ValueError:
            raise ValueError(
                f'{raw!r} is not a comparison: use one of {", ".join(OPERATORS)} and a number, like ">= 2"'
            ) from None
    return Comparison(op, _finite(number, raw))


def _finite(number: float, raw: Any) -> int | float:
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def _number_text(number: float) -> str:
    return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)


WILDCARD = "*"
PathPart = str | int  # a key, an index, or WILDCARD (every element of a list)


def _step(part: PathPart, value: Any) -> list[Any]:
    """The values one part of a path reaches from `value` (each index narrowed by its own test)."""
    if part == WILDCARD and isinstance(value, list):
        return value
    if isinstance(part, int) and isinstance(value, list) and -len(value) <= part < len(value):
        return [value[part]]
    if isinstance(part, str) and part != WILDCARD and isinstance(value, dict) and part in value:
        return [value[part]]
    return []


@dataclass(frozen=True)
class FieldPath:
    """`spec.template.spec.containers[0].image`, `spec.containers[*].image`,
    `metadata.labels['app.kubernetes.io/name']`. Resolving never raises: a missing step finds nothing."""

    text: str
    parts: tuple[PathPart, ...]

    def resolve(self, obj: Any) -> list[Any]:
        """The values at this path: none (missing), one, or several when it has a `[*]`."""
        values = [obj]
        for part in self.parts:
            values = [found for value in values for found in _step(part, value)]
        return [v for v in values if v is not None]

    @property
    def has_wildcard(self) -> bool:
        return WILDCARD in self.parts

    def __str__(self) -> str:
        return self.text


_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_MAX_PATH = 200


def parse_path(text: str) -> FieldPath:
    """A hand-written scanner (no regex): keys joined by dots, `[N]`, `[*]`, `['quoted.key']`."""
    if not text or len(text) > _MAX_PATH:
        raise ValueError(f"a field path must be 1 to {_MAX_PATH} characters")
    parts: list[PathPart] = []
    i, expect_key = 0, True
    while i < len(text):
        char = text[i]
        if char == "[":
            end = text.find("]", i)
            if end < 0:
                raise ValueError(f"{text!r}: '[' without ']'")
            inner = text[i + 1 : end]
            if inner == WILDCARD:
                parts.append(WILDCARD)
            elif inner.isdigit():
                parts.append(int(inner))
            elif (
                len(inner) >= 3
                and inner[0] == inner[-1]
                and inner[0] in "'\""
                and inner[0] not in inner[1:-1]
            ):
                parts.append(inner[1:-1])
            else:
                raise ValueError(f"{text!r}: [{inner}] is not [N], [*] or ['key']")
            i, expect_key = end + 1, False
        elif char == ".":
            if expect_key:
                raise ValueError(f"{text!r}: empty key before '.'")
            i, expect_key = i + 1, True
        elif char in _KEY_CHARS:
            if not expect_key:
                raise ValueError(f"{text!r}: expected '.' or '[' before {char!r}")
            start = i
            while i < len(text) and text[i] in _KEY_CHARS:
                i += 1
            parts.append(text[start:i])
            expect_key = False
        else:
            raise ValueError(f"{text!r}: {char!r} is not allowed in a field path")
    if expect_key:
        raise ValueError(f"{text!r}: ends with '.'")
    return FieldPath(text, tuple(parts))


# ----------------------------------------------------------------------------------------------
# What a check reads, and what it answers
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """One read: a kind (plural) in the participant's namespace, by name or by label selector."""

    plural: str
    name: str | None = None
    selector: str | None = None


@dataclass(frozen=True)
class LogSource:
    pod: str
    container: str


@dataclass
class Observed:
    """What the runner read: each query's objects (an absent name reads as []), and log texts.
    A log that could not be read (container not started) is stored as None."""

    objects: Mapping[Query, Sequence[Obj]] = field(default_factory=dict)
    logs: Mapping[LogSource, str | None] = field(default_factory=dict)

    def of(self, query: Query) -> Sequence[Obj]:
        return self.objects.get(query, ())

    def first(self, query: Query) -> Obj | None:
        found = self.of(query)
        return found[0] if found else None


@dataclass(frozen=True)
class Outcome:
    passed: bool
    expected: str = ""
    found: str = ""


PASS = Outcome(True)


def _fail(expected: str, found: str) -> Outcome:
    return Outcome(False, expected, found)


# ----------------------------------------------------------------------------------------------
# The check kinds
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exists:
    """An object of `kind` exists, by name; or by selector, optionally how many (`count`)."""

    kind: str
    name: str | None = None
    selector: Selector | None = None
    count: Comparison | None = None
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        return (_target_query(self.kind, self.name, self.selector),)

    @property
    def title(self) -> str:
        info = KINDS[self.kind]
        if self.description:
            return self.description
        if self.name:
            return f"A {info.kind} named {self.name} exists"
        if self.count is None:
            return f"A {info.kind} labelled {self.selector} exists"
        verb = "exists" if self.count.number == 1 else "exist"
        return f"{self.count.words.capitalize()} {_noun(info, self.count.number)} labelled {self.selector} {verb}"


@dataclass(frozen=True)
class NumberIs:
    comparison: Comparison
    key: str = "value"


@dataclass(frozen=True)
class CountIs:
    comparison: Comparison
    key: str = "count"


@dataclass(frozen=True)
class Equals:
    value: str | int | float | bool
    key: str = "equals"


@dataclass(frozen=True)
class StartsWith:
    text: str
    key: str = "startswith"


@dataclass(frozen=True)
class Contains:
    text: str
    key: str = "contains"


FieldTest = NumberIs | CountIs | Equals | StartsWith | Contains


@dataclass(frozen=True)
class FieldCondition:
    """A field of the object `kind`/`name` satisfies a test. With `[*]` in the path, any one
    element satisfying it is enough (`spec.containers[*].image` startswith `nginx`)."""

    kind: str
    name: str
    path: FieldPath
    test: FieldTest
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        return (_target_query(self.kind, self.name, None),)

    @property
    def title(self) -> str:
        if self.description:
            return self.description
        subject = f"The {KINDS[self.kind].kind} {self.name}"
        test, path = self.test, self.path
        if isinstance(test, NumberIs):
            return f"{subject} has {path} {test.comparison}"
        if isinstance(test, CountIs):
            return f"{subject} has {test.comparison.words} {_items(test.comparison)} in {path}"
        if isinstance(test, Equals):
            return f"{subject} has {path} equal to {_value_text(test.value)}"
        if isinstance(test, StartsWith):
            return f"{subject} has {path} starting with {_value_text(test.text)}"
        return f"{subject} has {path} containing {_value_text(test.text)}"


@dataclass(frozen=True)
class DeploymentAvailable:
    """The Deployment has all its desired replicas available (kubectl's READY n/n)."""

    name: str
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        return (Query("deployments", self.name),)

    @property
    def title(self) -> str:
        return self.description or f"The Deployment {self.name} is available"


@dataclass(frozen=True)
class PodReady:
    """A Pod (by name), or at least one (`every`: all) of the Pods a selector picks, is Running
    with every container ready."""

    name: str | None = None
    selector: Selector | None = None
    every: bool = False
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        return (_target_query("pod", self.name, self.selector),)

    @property
    def title(self) -> str:
        if self.description:
            return self.description
        if self.name:
            return f"The Pod {self.name} is Running and Ready"
        return f"{'Every' if self.every else 'A'} Pod labelled {self.selector} is Running and Ready"


@dataclass(frozen=True)
class ServiceSelects:
    """The Service's selector picks the Deployment's Pod template labels (when `deployment` is
    given), and the Service has at least one ready endpoint."""

    service: str
    deployment: str | None = None
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        found = [Query("services", self.service)]
        if self.deployment:
            found.append(Query("deployments", self.deployment))
        found.append(_slices_query(self.service))
        return tuple(found)

    @property
    def title(self) -> str:
        if self.description:
            return self.description
        if self.deployment:
            return (
                f"The Service {self.service} selects the Pods of the Deployment {self.deployment} "
                "and has ready endpoints"
            )
        return f"The Service {self.service} has ready endpoints"


@dataclass(frozen=True)
class EndpointsCount:
    """The number of ready endpoints of a Service (its EndpointSlices) passes a comparison: what
    `kubectl get endpointslices -l kubernetes.io/service-name=web` shows after a scale."""

    service: str
    ready: Comparison
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        return (Query("services", self.service), _slices_query(self.service))

    @property
    def title(self) -> str:
        if self.description:
            return self.description
        noun = "endpoint" if self.ready.number == 1 else "endpoints"
        return f"The Service {self.service} has {self.ready.words} ready {noun}"


@dataclass(frozen=True)
class JobComplete:
    name: str
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        return (Query("jobs", self.name),)

    @property
    def title(self) -> str:
        return self.description or f"The Job {self.name} has completed"


@dataclass(frozen=True)
class LogsContain:
    """The logs of a Pod (by name) or of a Job's Pods hold `text`, a plain substring."""

    text: str
    pod: str | None = None
    job: str | None = None
    container: str | None = None
    description: str | None = None

    def queries(self) -> tuple[Query, ...]:
        if self.job:
            return (Query("pods", selector=f"{JOB_NAME_LABEL}={self.job}"),)
        return (Query("pods", self.pod),)

    @property
    def source(self) -> str:
        where = f"the Job {self.job}" if self.job else f"the Pod {self.pod}"
        return f"{where} (container {self.container})" if self.container else where

    @property
    def title(self) -> str:
        return self.description or f"The logs of {self.source} contain {_value_text(self.text)}"


Check = (
    Exists
    | FieldCondition
    | DeploymentAvailable
    | PodReady
    | ServiceSelects
    | EndpointsCount
    | JobComplete
    | LogsContain
)


def _target_query(kind: str, name: str | None, selector: Selector | None) -> Query:
    plural = KINDS[kind].plural
    if name:
        return Query(plural, name)
    assert selector is not None  # the spec loader guarantees name xor selector
    return Query(plural, selector=selector.text)


def _slices_query(service: str) -> Query:
    return Query("endpointslices", selector=f"{SERVICE_NAME_LABEL}={service}")


# ----------------------------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------------------------


def evaluate(check: Check, observed: Observed) -> Outcome:
    """Pass or fail, and on failure what was expected and what was found."""
    if isinstance(check, Exists):
        return _exists(check, observed.of(check.queries()[0]))
    if isinstance(check, FieldCondition):
        return _field(check, observed.first(check.queries()[0]))
    if isinstance(check, DeploymentAvailable):
        return _deployment_available(check, observed.first(check.queries()[0]))
    if isinstance(check, PodReady):
        return _pod_ready(check, observed.of(check.queries()[0]))
    if isinstance(check, ServiceSelects):
        deployment = (
            observed.first(Query("deployments", check.deployment)) if check.deployment else None
        )
        return _service_selects(
            check,
            observed.first(Query("services", check.service)),
            deployment,
            observed.of(_slices_query(check.service)),
        )
    if isinstance(check, EndpointsCount):
        return _endpoints_count(
            check,
            observed.first(Query("services", check.service)),
            observed.of(_slices_query(check.service)),
        )
    if isinstance(check, JobComplete):
        return _job_complete(check, observed.first(check.queries()[0]))
    return _logs_contain(check, observed.of(check.queries()[0]), observed.logs)


def _exists(check: Exists, objects: Sequence[Obj]) -> Outcome:
    info = KINDS[check.kind]
    if check.name:
        return PASS if objects else _fail(f"a {info.kind} named {check.name}", "none")
    wanted = check.count or Comparison(">=", 1)
    if wanted.holds(len(objects)):
        return PASS
    expected = (
        f"a {info.kind} labelled {check.selector}"
        if check.count is None
        else f"{wanted.words} {_noun(info, wanted.number)} labelled {check.selector}"
    )
    return _fail(expected, _count_with_names(objects))


def _field(check: FieldCondition, obj: Obj | None) -> Outcome:
    info = KINDS[check.kind]
    if obj is None:
        return _fail(f"a {info.kind} named {check.name}", "none")
    test, path = check.test, check.path
    values = path.resolve(obj)
    if isinstance(test, CountIs):
        # The API leaves out empty lists and maps: a missing one holds 0 items.
        value = values[0] if values else []
        size = len(value) if isinstance(value, (list, dict)) else None
        if size is not None and test.comparison.holds(size):
            return PASS
        expected = f"{path} to hold {test.comparison.words} {_items(test.comparison)}"
        return _fail(expected, str(size) if size is not None else _values_text(values))
    if isinstance(test, NumberIs):
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if any(test.comparison.holds(v) for v in numbers):
            return PASS
        return _fail(f"{path} {test.comparison}", _values_text(values, path))
    if isinstance(test, Equals):
        if any(_same(v, test.value) for v in values):
            return PASS
        return _fail(f"{path} to be {_value_text(test.value)}", _values_text(values, path))
    if isinstance(test, StartsWith):
        if any(isinstance(v, str) and v.startswith(test.text) for v in values):
            return PASS
        return _fail(f"{path} to start with {_value_text(test.text)}", _values_text(values, path))
    if any(isinstance(v, str) and test.text in v for v in values):
        return PASS
    return _fail(f"{path} to contain {_value_text(test.text)}", _values_text(values, path))


def _same(value: Any, wanted: str | float | bool) -> bool:
    # bool is an int in Python: `true` must not equal 1.
    if isinstance(value, bool) or isinstance(wanted, bool):
        return isinstance(value, bool) and isinstance(wanted, bool) and value == wanted
    return bool(value == wanted)


def _deployment_available(check: DeploymentAvailable, deploy: Obj | None) -> Outcome:
    if deploy is None:
        return _fail(f"a Deployment named {check.name}", "none")
    spec, status = deploy.get("spec") or {}, deploy.get("status") or {}
    desired = int(spec.get("replicas", 1) or 0)
    available = int(status.get("availableReplicas") or 0)
    condition = _condition(status, "Available")
    condition_ok = desired == 0 or (condition is not None and condition.get("status") == "True")
    if available >= desired and condition_ok:
        return PASS
    found = f"{available}/{desired} available"
    if condition is not None and condition.get("status") != "True" and condition.get("message"):
        found += f" ({_clip(str(condition['message'])).rstrip('.')})"
    return _fail(f"{desired}/{desired} replicas available", found)


def _pod_ready(check: PodReady, pods: Sequence[Obj]) -> Outcome:
    if check.name:
        pod = pods[0] if pods else None
        if pod is None:
            return _fail(f"a Pod named {check.name}", "none")
        if _is_running_and_ready(pod):
            return PASS
        total = len((pod.get("spec") or {}).get("containers") or ())
        return _fail(f"Running with {total}/{total} containers ready", _pod_state(pod))
    if not pods:
        return _fail(f"a Pod labelled {check.selector}, Running and Ready", "none")
    not_ready = [p for p in pods if not _is_running_and_ready(p)]
    ready = len(pods) - len(not_ready)
    if (check.every and not not_ready) or (not check.every and ready):
        return PASS
    expected = (
        f"all {len(pods)} Pods Running and Ready"
        if check.every
        else "at least one Pod Running and Ready"
    )
    first = not_ready[0]
    return _fail(expected, f"{ready}/{len(pods)} ready; {_name(first)}: {_pod_state(first)}")


def _is_running_and_ready(pod: Obj) -> bool:
    status = pod.get("status") or {}
    ready = _condition(status, "Ready")
    return (
        status.get("phase") == "Running"
        and not (pod.get("metadata") or {}).get("deletionTimestamp")
        and ready is not None
        and ready.get("status") == "True"
    )


def _pod_state(pod: Obj) -> str:
    """`Running, 1/2 containers ready (page-writer: CrashLoopBackOff)`."""
    status = pod.get("status") or {}
    phase = str(status.get("phase") or "Pending")
    containers = [str(c.get("name", "")) for c in (pod.get("spec") or {}).get("containers") or ()]
    statuses = {str(s.get("name", "")): s for s in status.get("containerStatuses") or ()}
    ready = sum(1 for name in containers if (statuses.get(name) or {}).get("ready"))
    reasons = []
    for name in containers:
        state = (statuses.get(name) or {}).get("state") or {}
        reason = (state.get("waiting") or {}).get("reason") or (state.get("terminated") or {}).get(
            "reason"
        )
        if reason and not (statuses.get(name) or {}).get("ready"):
            reasons.append(f"{name}: {reason}")
    text = f"{phase}, {ready}/{len(containers)} containers ready"
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        text += ", terminating"
    return text + (f" ({'; '.join(reasons)})" if reasons else "")


def _service_selects(
    check: ServiceSelects, service: Obj | None, deployment: Obj | None, slices: Sequence[Obj]
) -> Outcome:
    if service is None:
        return _fail(f"a Service named {check.service}", "none")
    selector = {
        str(k): str(v) for k, v in ((service.get("spec") or {}).get("selector") or {}).items()
    }
    if check.deployment:
        if deployment is None:
            return _fail(f"a Deployment named {check.deployment}", "none")
        template = ((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}
        labels = {str(k): str(v) for k, v in (template.get("labels") or {}).items()}
        expected = f"a selector matching the Pod labels {_labels_text(labels) or '(none)'}"
        if not selector:
            return _fail(expected, "no selector")
        if any(labels.get(key) != value for key, value in selector.items()):
            return _fail(expected, f"selector {_labels_text(selector)}")
    endpoints = [e for s in slices for e in s.get("endpoints") or ()]
    # `ready` unset means ready (EndpointConditions API); a terminating endpoint is never ready.
    ready = [e for e in endpoints if (e.get("conditions") or {}).get("ready") is not False]
    if ready:
        return PASS
    if endpoints:
        return _fail("at least one ready endpoint", f"none ready ({len(endpoints)} not ready)")
    if not selector:
        return _fail("at least one ready endpoint", "none (the Service has no selector)")
    return _fail(
        "at least one ready endpoint", f"none: no ready Pod is labelled {_labels_text(selector)}"
    )


def _endpoints_count(check: EndpointsCount, service: Obj | None, slices: Sequence[Obj]) -> Outcome:
    if service is None:
        return _fail(f"a Service named {check.service}", "none")
    # One address per endpoint; the same Pod in two slices (during an update) counts once.
    endpoints = {
        tuple(e.get("addresses") or ()): e for s in slices for e in s.get("endpoints") or ()
    }
    ready = sum(
        1 for e in endpoints.values() if (e.get("conditions") or {}).get("ready") is not False
    )
    if check.ready.holds(ready):
        return PASS
    waiting = len(endpoints) - ready
    found = f"{ready} ready" + (f", {waiting} not ready" if waiting else "")
    return _fail(f"{check.ready.words} ready endpoints", found)


def _job_complete(check: JobComplete, job: Obj | None) -> Outcome:
    if job is None:
        return _fail(f"a Job named {check.name}", "none")
    status = job.get("status") or {}
    complete = _condition(status, "Complete")
    if complete is not None and complete.get("status") == "True":
        return PASS
    failed = _condition(status, "Failed")
    if failed is not None and failed.get("status") == "True":
        reason = ": ".join(
            str(part) for part in (failed.get("reason"), failed.get("message")) if part
        )
        return _fail("Complete", f"Failed ({_clip(reason)})" if reason else "Failed")
    if (job.get("spec") or {}).get("suspend"):
        return _fail("Complete", "suspended")
    counts = ", ".join(
        f"{int(status.get(key) or 0)} {key}" for key in ("active", "succeeded", "failed")
    )
    return _fail("Complete", f"still running ({counts})")


def log_sources(check: LogsContain, pods: Sequence[Obj]) -> list[LogSource]:
    """Which logs to read, best first: Succeeded pods (a Job's result), then kubectl's order;
    at most MAX_LOG_PODS of them."""
    ordered = sorted(
        sort_for_logging(pods), key=lambda p: (p.get("status") or {}).get("phase") != "Succeeded"
    )
    sources = []
    for pod in ordered[:MAX_LOG_PODS]:
        try:
            container = choose_container(pod, check.container).name
        except LogsError:
            continue
        sources.append(LogSource(_name(pod), container))
    return sources


def logs_match(check: LogsContain, text: str | None) -> bool:
    return text is not None and check.text in text


def _logs_contain(
    check: LogsContain, pods: Sequence[Obj], logs: Mapping[LogSource, str | None]
) -> Outcome:
    expected = f"a line containing {_value_text(check.text)}"
    if not pods:
        return _fail(
            expected, "no Pod of the Job " + check.job if check.job else f"no Pod named {check.pod}"
        )
    sources = log_sources(check, pods)
    if not sources:
        return _fail(expected, f"no container {check.container} in {_name(pods[0])}")
    read = [(source, logs.get(source)) for source in sources if source in logs]
    if any(logs_match(check, text) for _, text in read):
        return PASS
    if not read:
        return _fail(expected, "no logs read")
    source, text = read[0]
    if text is None:
        return _fail(
            expected,
            f"no logs yet from {source.pod} (container {source.container} has not started)",
        )
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return _fail(expected, f"no output from {source.pod}")
    last, _ = redact_credentials(lines[-1])
    return _fail(expected, f"none in {source.pod}, whose last line is {_value_text(_clip(last))}")


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def _noun(info: KindInfo, number: float) -> str:
    return info.kind if number == 1 else info.display_plural


def _items(comparison: Comparison) -> str:
    return "item" if comparison.number == 1 else "items"


def _condition(status: Mapping[str, Any], type_: str) -> Mapping[str, Any] | None:
    return next((c for c in status.get("conditions") or () if c.get("type") == type_), None)


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _labels_text(labels: Mapping[str, str]) -> str:
    return ",".join(f"{key}={value}" for key, value in labels.items())


def _count_with_names(objects: Sequence[Obj]) -> str:
    if not objects:
        return "none"
    names = [_name(o) for o in objects[:3]]
    more = ", …" if len(objects) > 3 else ""
    return f"{len(objects)} ({', '.join(names)}{more})"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _FOUND_TEXT_LIMIT else text[: _FOUND_TEXT_LIMIT - 1] + "…"


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{_clip(value)}"'
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return _clip(str(value))


def _values_text(values: Sequence[Any], path: FieldPath | None = None) -> str:
    if not values:
        return f"nothing at {path}" if path is not None else "nothing"
    return ", ".join(_value_text(v) for v in values[:5]) + (", …" if len(values) > 5 else "")
