"""The check kinds as pure functions of plain dicts, the runner against a fake gateway (what it
reads, how often), and the lines and summary a participant reads."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.exercises import (
    CheckReport,
    CheckResult,
    Exercise,
    Solution,
    check_exercise,
    report_lines,
    summary_line,
)
from bot.exercises.checks import (
    MAX_LOG_PODS,
    Comparison,
    Contains,
    CountIs,
    DeploymentAvailable,
    EndpointsCount,
    Equals,
    Exists,
    FieldCondition,
    JobComplete,
    LogsContain,
    LogSource,
    NumberIs,
    Observed,
    Outcome,
    PodReady,
    Query,
    Selector,
    ServiceSelects,
    StartsWith,
    evaluate,
    log_sources,
    parse_comparison,
    parse_path,
)
from bot.kubectl.errors import ClusterError

Obj = dict[str, Any]


def pod(
    name: str,
    *,
    phase: str = "Running",
    ready: bool = True,
    labels: dict[str, str] | None = None,
    containers: tuple[str, ...] = ("app",),
    waiting: dict[str, str] | None = None,
) -> Obj:
    waiting = waiting or {}
    return {
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"containers": [{"name": c, "image": "nginx:1.27"} for c in containers]},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [
                {
                    "name": c,
                    "ready": ready and c not in waiting,
                    "state": {"waiting": {"reason": waiting[c]}}
                    if c in waiting
                    else {"running": {}},
                }
                for c in containers
            ],
        },
    }


def observed(
    check: Any, *found: list[Obj], logs: dict[LogSource, str | None] | None = None
) -> Observed:
    return Observed(dict(zip(check.queries(), found)), logs or {})


# ----------------------------------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, op, number",
    [
        (2, "==", 2),
        (">= 2", ">=", 2),
        ("<=3", "<=", 3),
        ("!= 0", "!=", 0),
        ("> 1.5", ">", 1.5),
        ("< 10", "<", 10),
        ("== 4", "==", 4),
        ("7", "==", 7),
        (0.5, "==", 0.5),
    ],
)
def test_comparisons(raw: Any, op: str, number: float) -> None:
    assert parse_comparison(raw) == Comparison(op, number)


@pytest.mark.parametrize(
    "raw", [">> 2", "=> 2", ">= two", "", ">=", True, None, [2], "~= 2", ">= inf", "nan"]
)
def test_not_comparisons(raw: Any) -> None:
    with pytest.raises(ValueError):
        parse_comparison(raw)


@given(st.text(max_size=40))
def test_parsers_fail_only_with_value_error(text: str) -> None:
    outcomes = []
    for parse in (parse_comparison, parse_path):
        try:  # any exception other than ValueError fails the test
            parse(text)
            outcomes.append("parsed")
        except ValueError:
            outcomes.append("refused")
    assert len(outcomes) == 2


def test_comparison_words() -> None:
    assert [Comparison(op, 2).words for op in (">=", "<=", "==", "!=", ">", "<")] == [
        "at least 2",
        "at most 2",
        "exactly 2",
        "other than 2",
        "more than 2",
        "fewer than 2",
    ]
    assert (
        Comparison(">=", 2).holds(2)
        and not Comparison(">", 2).holds(2)
        and Comparison("!=", 2).holds(3)
    )


def test_paths() -> None:
    obj = {
        "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
        "spec": {"containers": [{"image": "busybox"}, {"image": "nginx"}], "replicas": None},
    }
    assert parse_path("metadata.labels['app.kubernetes.io/name']").resolve(obj) == ["web"]
    assert parse_path('metadata.labels["app.kubernetes.io/name"]').resolve(obj) == ["web"]
    assert parse_path("spec.containers[*].image").resolve(obj) == ["busybox", "nginx"]
    assert parse_path("spec.containers[1].image").resolve(obj) == ["nginx"]
    assert parse_path("spec.containers[5].image").resolve(obj) == []
    assert parse_path("spec.replicas").resolve(obj) == []  # null reads as missing
    assert parse_path("spec.containers.image").resolve(obj) == []  # a key on a list finds nothing
    assert parse_path("spec").parts == ("spec",)


def test_selector() -> None:
    selector = Selector((("app", "web"), ("tier", "front")))
    assert selector.text == "app=web,tier=front"
    assert selector.matches({"app": "web", "tier": "front", "x": "y"})
    assert not selector.matches({"app": "web"}) and not selector.matches(None)


# ----------------------------------------------------------------------------------------------
# Evaluation, kind by kind
# ----------------------------------------------------------------------------------------------


def test_exists_by_selector_with_count() -> None:
    check = Exists("pod", selector=Selector((("app", "hello"),)), count=Comparison("==", 1))
    assert check.title == "Exactly 1 Pod labelled app=hello exists"
    pods = [pod(f"hello-{i}") for i in range(5)]
    assert evaluate(check, observed(check, pods)) == Outcome(
        False, "exactly 1 Pod labelled app=hello", "5 (hello-0, hello-1, hello-2, …)"
    )
    assert evaluate(check, observed(check, pods[:1])).passed
    plain = Exists("service", selector=Selector((("app", "web"),)))
    assert plain.title == "A Service labelled app=web exists"
    assert evaluate(plain, observed(plain, [])) == Outcome(
        False, "a Service labelled app=web", "none"
    )


def field(path: str, test: Any, kind: str = "deployment") -> FieldCondition:
    return FieldCondition(kind, "web", parse_path(path), test)


DEPLOY = {
    "spec": {
        "replicas": 2,
        "paused": False,
        "template": {
            "spec": {
                "containers": [
                    {"name": "a", "image": "busybox:1.37"},
                    {"name": "b", "image": "nginx:1.27"},
                ]
            }
        },
    }
}


@pytest.mark.parametrize(
    "check, outcome",
    [
        (field("spec.replicas", NumberIs(Comparison(">=", 2))), Outcome(True)),
        (
            field("spec.replicas", NumberIs(Comparison(">", 2))),
            Outcome(False, "spec.replicas > 2", "2"),
        ),
        (
            field("spec.minReadySeconds", NumberIs(Comparison(">=", 1))),
            Outcome(False, "spec.minReadySeconds >= 1", "nothing at spec.minReadySeconds"),
        ),
        (field("spec.template.spec.containers", CountIs(Comparison(">=", 2))), Outcome(True)),
        (
            field("spec.template.spec.volumes", CountIs(Comparison(">=", 1))),
            Outcome(False, "spec.template.spec.volumes to hold at least 1 item", "0"),
        ),
        (
            field("spec.replicas", CountIs(Comparison(">=", 1))),
            Outcome(False, "spec.replicas to hold at least 1 item", "2"),
        ),
        (field("spec.template.spec.containers[*].image", StartsWith("nginx")), Outcome(True)),
        (
            field("spec.template.spec.containers[*].image", StartsWith("httpd")),
            Outcome(
                False,
                'spec.template.spec.containers[*].image to start with "httpd"',
                '"busybox:1.37", "nginx:1.27"',
            ),
        ),
        (field("spec.template.spec.containers[0].image", Contains("busy")), Outcome(True)),
        (
            field("spec.template.spec.containers", Contains("nginx")),
            Outcome(False, 'spec.template.spec.containers to contain "nginx"', "a list of 2"),
        ),
        (field("spec.paused", Equals(False)), Outcome(True)),
        (field("spec.paused", Equals(0)), Outcome(False, "spec.paused to be 0", "false")),
        (field("spec.replicas", Equals(2.0)), Outcome(True)),
        (field("spec.replicas", Equals("2")), Outcome(False, 'spec.replicas to be "2"', "2")),
    ],
)
def test_field_conditions(check: FieldCondition, outcome: Outcome) -> None:
    assert evaluate(check, observed(check, [DEPLOY])) == outcome


def test_field_titles_and_missing_object() -> None:
    assert (
        field("spec.replicas", NumberIs(Comparison(">=", 2))).title
        == "The Deployment web has spec.replicas >= 2"
    )
    assert (
        field("spec.x", CountIs(Comparison("<", 3))).title
        == "The Deployment web has fewer than 3 items in spec.x"
    )
    assert field("spec.x", Equals(80)).title == "The Deployment web has spec.x equal to 80"
    assert (
        field("spec.x", StartsWith("a")).title == 'The Deployment web has spec.x starting with "a"'
    )
    assert (
        field("data.URL", Contains("a"), "configmap").title
        == 'The ConfigMap web has data.URL containing "a"'
    )
    check = field("spec.replicas", NumberIs(Comparison(">=", 2)))
    assert evaluate(check, observed(check, [])) == Outcome(False, "a Deployment named web", "none")


def deployment(desired: int, available: int, condition: str = "True", message: str = "") -> Obj:
    return {
        "spec": {"replicas": desired},
        "status": {
            "availableReplicas": available,
            "conditions": [{"type": "Available", "status": condition, "message": message}],
        },
    }


def test_deployment_available() -> None:
    check = DeploymentAvailable("web")
    assert evaluate(check, observed(check, [deployment(2, 2)])).passed
    assert evaluate(
        check, observed(check, [deployment(0, 0, "False")])
    ).passed  # 0/0, as kubectl says
    assert evaluate(check, observed(check, [deployment(3, 2)])) == Outcome(
        False, "3/3 replicas available", "2/3 available"
    )
    # Enough replicas but the controller has not said Available yet (a rollout in progress).
    assert evaluate(
        check,
        observed(
            check, [deployment(2, 2, "False", "Deployment does not have minimum availability.")]
        ),
    ) == Outcome(
        False,
        "2/2 replicas available",
        "2/2 available (Deployment does not have minimum availability)",
    )


def test_pod_ready_any_and_all() -> None:
    selector = Selector((("app", "web"),))
    pods = [
        pod("web-1", ready=False, phase="Pending", waiting={"app": "ErrImagePull"}),
        pod("web-2"),
    ]
    any_pod, every_pod = PodReady(selector=selector), PodReady(selector=selector, every=True)
    assert any_pod.title == "A Pod labelled app=web is Running and Ready"
    assert every_pod.title == "Every Pod labelled app=web is Running and Ready"
    assert evaluate(any_pod, observed(any_pod, pods)).passed
    assert evaluate(every_pod, observed(every_pod, pods)) == Outcome(
        False,
        "all 2 Pods Running and Ready",
        "1/2 ready; web-1: Pending, 0/1 containers ready (app: ErrImagePull)",
    )
    assert evaluate(any_pod, observed(any_pod, pods[:1])) == Outcome(
        False,
        "at least one Pod Running and Ready",
        "0/1 ready; web-1: Pending, 0/1 containers ready (app: ErrImagePull)",
    )


def test_pod_ready_terminating_is_not_ready() -> None:
    check = PodReady(name="web")
    leaving = pod("web")
    leaving["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z"
    assert evaluate(check, observed(check, [leaving])) == Outcome(
        False, "Running with 1/1 containers ready", "Running, 1/1 containers ready, terminating"
    )


def service(selector: dict[str, str] | None) -> Obj:
    return {"spec": {"selector": selector} if selector is not None else {}}


def template(labels: dict[str, str]) -> Obj:
    return {"spec": {"template": {"metadata": {"labels": labels}}}}


def slices(*ready: bool | None) -> list[Obj]:
    return [
        {
            "endpoints": [
                {"addresses": ["10.0.0.1"], "conditions": {} if r is None else {"ready": r}}
                for r in ready
            ]
        }
    ]


def test_service_selects() -> None:
    check = ServiceSelects("web", "web")
    labels = template({"app": "web", "tier": "front"})
    assert evaluate(
        check, observed(check, [service({"app": "web"})], [labels], slices(True))
    ).passed
    # `ready` left out means ready.
    assert evaluate(
        check, observed(check, [service({"app": "web"})], [labels], slices(None))
    ).passed
    assert evaluate(
        check, observed(check, [service({"app": "web"})], [labels], slices(False, False))
    ) == Outcome(False, "at least one ready endpoint", "none ready (2 not ready)")
    assert evaluate(
        check, observed(check, [service({"app": "web", "x": "y"})], [labels], [])
    ) == Outcome(
        False, "a selector matching the Pod labels app=web,tier=front", "selector app=web,x=y"
    )
    assert evaluate(check, observed(check, [service(None)], [labels], [])) == Outcome(
        False, "a selector matching the Pod labels app=web,tier=front", "no selector"
    )
    assert evaluate(check, observed(check, [service({"app": "web"})], [], [])) == Outcome(
        False, "a Deployment named web", "none"
    )
    alone = ServiceSelects("web")
    assert alone.queries() == (
        Query("services", "web"),
        Query("endpointslices", selector="kubernetes.io/service-name=web"),
    )
    assert evaluate(alone, observed(alone, [service(None)], [])) == Outcome(
        False, "at least one ready endpoint", "none (the Service has no selector)"
    )


def endpoint_slice(*ready: bool | None, first: int = 1) -> Obj:
    return {
        "endpoints": [
            {"addresses": [f"10.0.0.{first + i}"], "conditions": {} if r is None else {"ready": r}}
            for i, r in enumerate(ready)
        ]
    }


def test_endpoints_count_counts_ready_endpoints_across_slices() -> None:
    check = EndpointsCount("web", Comparison(">=", 4))
    assert check.queries() == (
        Query("services", "web"),
        Query("endpointslices", selector="kubernetes.io/service-name=web"),
    )
    assert check.title == "The Service web has at least 4 ready endpoints"
    assert (
        EndpointsCount("web", Comparison("==", 1)).title
        == "The Service web has exactly 1 ready endpoint"
    )
    web = [service({"app": "web"})]
    # Two slices, `ready` unset means ready.
    four = [endpoint_slice(True, None), endpoint_slice(True, True, first=3)]
    assert evaluate(check, observed(check, web, four)).passed
    # After `kubectl scale … --replicas=4` the new Pods are not ready yet.
    assert evaluate(
        check, observed(check, web, [endpoint_slice(True, True, False, False)])
    ) == Outcome(False, "at least 4 ready endpoints", "2 ready, 2 not ready")
    # The same address in two slices (a slice being replaced) counts once.
    assert evaluate(
        check, observed(check, web, [endpoint_slice(True, True), endpoint_slice(True, True)])
    ) == Outcome(False, "at least 4 ready endpoints", "2 ready")
    assert evaluate(check, observed(check, web, [])) == Outcome(
        False, "at least 4 ready endpoints", "0 ready"
    )
    assert evaluate(check, observed(check, [], [])) == Outcome(False, "a Service named web", "none")
    # Scaled to 0 on purpose: the comparison decides.
    zero = EndpointsCount("web", Comparison("==", 0))
    assert evaluate(zero, observed(zero, web, [])).passed
    assert not evaluate(zero, observed(zero, web, [endpoint_slice(True)])).passed


def job(**status: Any) -> Obj:
    return {"spec": {}, "status": status}


def test_job_complete() -> None:
    check = JobComplete("web-client")
    assert evaluate(
        check, observed(check, [job(conditions=[{"type": "Complete", "status": "True"}])])
    ).passed
    assert evaluate(check, observed(check, [job(active=1)])) == Outcome(
        False, "Complete", "still running (1 active, 0 succeeded, 0 failed)"
    )
    assert evaluate(
        check, observed(check, [job(failed=5, conditions=[{"type": "Failed", "status": "True"}])])
    ) == Outcome(False, "Complete", "Failed")
    suspended = {"spec": {"suspend": True}, "status": {}}
    assert evaluate(check, observed(check, [suspended])) == Outcome(False, "Complete", "suspended")


def test_logs_sources_prefer_succeeded_pods_and_stay_bounded() -> None:
    check = LogsContain("hello", job="client")
    pods = [pod(f"client-{i}", phase="Failed", ready=False) for i in range(5)]
    pods.append(pod("client-ok", phase="Succeeded", ready=False))
    sources = log_sources(check, pods)
    assert sources[0] == LogSource("client-ok", "app") and len(sources) == MAX_LOG_PODS
    two = pod("two", containers=("web", "sidecar"))
    assert log_sources(LogsContain("x", pod="two"), [two]) == [LogSource("two", "web")]
    assert log_sources(LogsContain("x", pod="two", container="sidecar"), [two]) == [
        LogSource("two", "sidecar")
    ]
    assert log_sources(LogsContain("x", pod="two", container="nope"), [two]) == []


def test_logs_contain_outcomes() -> None:
    check = LogsContain("Welcome", pod="client")
    source = LogSource("client", "app")
    assert evaluate(
        check, observed(check, [pod("client")], logs={source: "<h1>Welcome</h1>\n"})
    ).passed
    assert evaluate(check, observed(check, [pod("client")], logs={source: None})) == Outcome(
        False,
        'a line containing "Welcome"',
        "no logs yet from client (container app has not started)",
    )
    # A credential in the last line is not repeated in Slack.
    leaked = "connecting with password=hunter2hunter2\n"
    found = evaluate(check, observed(check, [pod("client")], logs={source: leaked})).found
    assert "hunter2" not in found and "password=[redacted: password]" in found
    assert evaluate(check, observed(check, [])) == Outcome(
        False, 'a line containing "Welcome"', "no Pod named client"
    )
    by_job = LogsContain("Welcome", job="client", container="curl")
    assert by_job.title == 'The logs of the Job client (container curl) contain "Welcome"'
    assert evaluate(by_job, observed(by_job, [pod("client-x")])) == Outcome(
        False, 'a line containing "Welcome"', "no container curl in client-x"
    )


# ----------------------------------------------------------------------------------------------
# The runner, against a fake gateway
# ----------------------------------------------------------------------------------------------


class FakeGateway:
    def __init__(
        self, objects: dict[tuple[str, str], Obj], logs: dict[str, str | ClusterError]
    ) -> None:
        self.objects, self.log_texts, self.calls = objects, logs, []  # type: ignore[var-annotated]

    async def get(self, plural: str, namespace: str | None, name: str) -> Obj:
        self.calls.append(("get", plural, name))
        if (plural, name) in self.objects:
            return self.objects[(plural, name)]
        raise ClusterError("NotFound", f'{plural} "{name}" not found', 404)

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[Obj]:
        self.calls.append(("list", plural, label_selector))
        wanted = Selector(tuple(tuple(p.split("=", 1)) for p in (label_selector or "").split(",")))  # type: ignore[misc]
        return [
            o
            for (p, _), o in self.objects.items()
            if p == plural and wanted.matches(o["metadata"].get("labels"))
        ]

    async def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
    ) -> str:
        self.calls.append(("logs", pod, container))
        text = self.log_texts.get(pod, "")
        if isinstance(text, ClusterError):
            raise text
        return text


def exercise(*checks: Any) -> Exercise:
    return Exercise(9, "test", "Test", [], Solution("manifests/x/", "x"), list(checks))


async def test_runner_reads_each_query_once_and_logs_until_found() -> None:
    labels = {"batch.kubernetes.io/job-name": "client"}
    gateway = FakeGateway(
        {
            ("namespaces", "ws"): {"metadata": {"name": "ws"}},
            ("pods", "client-a"): {
                **pod("client-a", phase="Failed", ready=False),
                "metadata": {"name": "client-a", "labels": labels},
            },
            ("pods", "client-b"): {
                **pod("client-b", phase="Succeeded", ready=False),
                "metadata": {"name": "client-b", "labels": labels},
            },
            ("pods", "client-c"): {
                **pod("client-c", phase="Failed", ready=False),
                "metadata": {"name": "client-c", "labels": labels},
            },
        },
        {
            "client-a": "curl: (7) refused",
            "client-b": "Welcome",
            "client-c": ClusterError("BadRequest", "waiting", 400),
        },
    )
    checks = (
        Exists("pod", "client-a"),
        FieldCondition(
            "pod", "client-a", parse_path("spec.containers"), CountIs(Comparison(">=", 1))
        ),
        LogsContain("Welcome", job="client"),
        LogsContain("Welcome", job="client", description="again"),
        LogsContain("nowhere", job="client"),
    )
    report = await check_exercise(gateway, exercise(*checks), "ws")
    assert [r.passed for r in report.results] == [True, True, True, True, False]
    assert gateway.calls[0] == ("get", "namespaces", "ws")
    assert sorted(gateway.calls[1:3]) == [
        ("get", "pods", "client-a"),
        ("list", "pods", "batch.kubernetes.io/job-name=client"),
    ]
    # The succeeded pod first (found at once); the failing search reads the other two, each once.
    assert gateway.calls[3:] == [
        ("logs", "client-b", "app"),
        ("logs", "client-a", "app"),
        ("logs", "client-c", "app"),
    ]
    assert report.requests == len(gateway.calls) == 6
    assert report.results[-1].found == 'none in client-b, whose last line is "Welcome"'


async def test_runner_namespace_missing_reads_nothing_else() -> None:
    gateway = FakeGateway({}, {})
    report = await check_exercise(gateway, exercise(Exists("pod", "a")), "gone")
    assert (
        report.namespace_missing
        and report.requests == 1
        and gateway.calls == [("get", "namespaces", "gone")]
    )


# ----------------------------------------------------------------------------------------------
# The lines
# ----------------------------------------------------------------------------------------------


def test_report_lines_and_summary() -> None:
    report = CheckReport(
        2,
        "Create a Deployment",
        "ws-u0alice",
        (
            CheckResult("A Pod named web-with-sidecar exists", True),
            CheckResult(
                "The Deployment web has at least 2 replicas", False, "spec.replicas >= 2", "1"
            ),
        ),
        requests=3,
    )
    assert report_lines(report) == [
        "✅ A Pod named web-with-sidecar exists",
        "❌ The Deployment web has at least 2 replicas — expected spec.replicas >= 2, found 1",
    ]
    assert (
        summary_line(report) == "Exercise 2: Create a Deployment — 1 of 2 checks pass in ws-u0alice"
    )
    passed = CheckReport(2, "Create a Deployment", "ws-u0alice", report.results[:1])
    assert (
        passed.passed
        and summary_line(passed)
        == "Exercise 2: Create a Deployment — all 1 checks pass in ws-u0alice"
    )
    missing = CheckReport(2, "Create a Deployment", "ws-u0bob", namespace_missing=True)
    assert (
        not missing.passed
        and summary_line(missing) == "Exercise 2: Create a Deployment — not checked"
    )


def test_podium_commands_in_an_exercise_text_read_the_participants_namespace() -> None:
    from bot.exercises.render import in_own_namespace

    text = (
        "READY below `3/3`? `/kubectl describe deploy hello` and `/kubectl get pods -l app=hello`; "
        "`/kubectl get pods -n sandbox` stays; `kubectl apply -f hello.yaml` is for your own kubectl."
    )
    assert in_own_namespace(text, "ws-u0alice") == (
        "READY below `3/3`? `/kubectl describe deploy hello -n ws-u0alice` and "
        "`/kubectl get pods -l app=hello -n ws-u0alice`; `/kubectl get pods -n sandbox` stays; "
        "`kubectl apply -f hello.yaml` is for your own kubectl."
    )
