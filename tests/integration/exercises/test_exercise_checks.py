"""Each exercise checked against an emulated participant namespace with Podium's real RBAC: the
reference solution passes every check; broken attempts get the exact lines a participant reads;
a missing namespace and cluster failures answer distinctly; a run costs a bounded number of reads."""

from __future__ import annotations

import pytest

from bot.exercises import CheckReport, Exercise, check_exercise, report_lines
from tests.harness.exercises import (
    NAMESPACE,
    USER,
    Cluster,
    Start,
    fixture,
    named,
    participant_setup,
    solution,
    solved,
)

# Gateway reads per run (the Namespace, then each distinct query, then logs), by exercise.
READS = {1: 2, 2: 3, 3: 4, 4: 6}


async def run(
    cluster: Cluster, exercise: Exercise, namespace: str = NAMESPACE
) -> tuple[CheckReport, list[str]]:
    before = len(cluster.emulator.requests)
    report = await check_exercise(cluster.gateway, exercise, namespace)
    # Every read the report counts reached the API server (a fresh gateway shares nothing yet).
    assert len(cluster.emulator.requests) - before == report.requests
    assert all(r.method == "GET" for r in cluster.emulator.requests[before:])
    return report, report_lines(report)


# ----------------------------------------------------------------------------------------------
# (a) reference solutions pass, (d) at a bounded cost
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, folder",
    [
        (1, "01-multi-container-pod"),
        (2, "02-deployment"),
        (3, "03-service"),
        (4, "04-interact-with-services"),  # with exercise 3's web, scaled to 4 as the solution says
    ],
)
async def test_reference_solution_passes_every_check(
    cluster: Start,
    exercises: dict[int, Exercise],
    number: int,
    folder: str,
) -> None:
    found = await cluster(applied=solved(folder))
    report, lines = await run(found, exercises[number])
    assert report.passed, lines
    assert lines == [f"✅ {check.title}" for check in exercises[number].checks]
    assert report.requests == READS[number]


async def test_a_second_run_reads_the_same(cluster: Start, exercises: dict[int, Exercise]) -> None:
    found = await cluster(*solution("03-service"))
    first, _ = await run(found, exercises[3])
    second = await check_exercise(found.gateway, exercises[3], NAMESPACE)
    assert second.requests == first.requests == READS[3]


async def test_every_exercise_in_one_namespace(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    docs = [
        doc for folder in ("01-multi-container-pod", "02-deployment") for doc in solution(folder)
    ]
    found = await cluster(*docs, applied=solved("04-interact-with-services"))
    for number, exercise in exercises.items():
        report = await check_exercise(found.gateway, exercise, NAMESPACE)
        assert report.passed, report_lines(report)
        assert report.requests <= READS[number]


# ----------------------------------------------------------------------------------------------
# (b) broken attempts: the exact lines
# ----------------------------------------------------------------------------------------------


async def test_exercise_1_one_container(cluster: Start, exercises: dict[int, Exercise]) -> None:
    docs = solution("01-multi-container-pod")
    pod = named(docs, "Pod", "web-with-sidecar")
    pod["spec"]["containers"] = pod["spec"]["containers"][:1]
    report, lines = await run(await cluster(*docs), exercises[1])
    assert lines == [
        "✅ A Pod named web-with-sidecar exists",
        "❌ The Pod web-with-sidecar has at least 2 containers — expected spec.containers to hold at least 2 items, found 1",
        "✅ A container of web-with-sidecar runs nginx",
        "✅ The Pod web-with-sidecar is Running with every container ready",
    ]
    assert not report.passed and report.passed_count == 3


async def test_exercise_1_sidecar_crash_looping(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    _, lines = await run(await cluster(*fixture("01-sidecar-crashloop.yaml")), exercises[1])
    assert lines[:3] == [
        "✅ A Pod named web-with-sidecar exists",
        "✅ The Pod web-with-sidecar has at least 2 containers",
        "✅ A container of web-with-sidecar runs nginx",
    ]
    assert lines[3] == (
        "❌ The Pod web-with-sidecar is Running with every container ready — expected Running with 2/2 "
        "containers ready, found Running, 1/2 containers ready (page-writer: CrashLoopBackOff)"
    )


async def test_exercise_1_pod_under_another_name(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    docs = solution("01-multi-container-pod")
    named(docs, "Pod", "web-with-sidecar")["metadata"]["name"] = "two-containers"
    _, lines = await run(await cluster(*docs), exercises[1])
    assert lines == [
        "❌ A Pod named web-with-sidecar exists — expected a Pod named web-with-sidecar, found none",
        "❌ The Pod web-with-sidecar has at least 2 containers — expected a Pod named web-with-sidecar, found none",
        "❌ A container of web-with-sidecar runs nginx — expected a Pod named web-with-sidecar, found none",
        "❌ The Pod web-with-sidecar is Running with every container ready — expected a Pod named "
        "web-with-sidecar, found none",
    ]


async def test_exercise_2_one_replica(cluster: Start, exercises: dict[int, Exercise]) -> None:
    docs = solution("02-deployment")
    named(docs, "Deployment", "hello")["spec"]["replicas"] = 1
    found = await cluster(*docs)
    pod = next(
        p["metadata"]["name"]
        for p in found.emulator.objects("pods", NAMESPACE)
        if p["metadata"]["labels"].get("app") == "hello"
    )
    _, lines = await run(found, exercises[2])
    assert lines == [
        "✅ A Deployment named hello exists",
        "❌ The Deployment hello has at least 3 replicas — expected spec.replicas >= 3, found 1",
        "✅ The Deployment hello runs nginx",
        "✅ The Pods of hello are labelled app=hello",
        "✅ The Deployment hello is available",
        f"❌ At least 3 Pods labelled app=hello exist — expected at least 3 Pods labelled app=hello, found 1 ({pod})",
        "✅ Every Pod labelled app=hello is Running and Ready",
    ]


async def test_exercise_2_image_that_cannot_be_pulled(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    _, lines = await run(await cluster(*fixture("02-image-typo.yaml")), exercises[2])
    assert [line for line in lines if line.startswith("❌")] == [
        "❌ The Deployment hello is available — expected 3/3 replicas available, found 0/3 available "
        "(Deployment does not have minimum availability)",
        "❌ Every Pod labelled app=hello is Running and Ready — expected all 3 Pods Running and Ready, found 0/3 "
        "ready; hello-6d8f5b7c9d-2xkqp: Pending, 0/1 containers ready (nginx: ImagePullBackOff)",
    ]


async def test_exercise_2_wrong_image_and_labels(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    docs = solution("02-deployment")
    deploy = named(docs, "Deployment", "hello")
    deploy["spec"]["template"]["spec"]["containers"][0]["image"] = "httpd:2.4"
    deploy["spec"]["selector"]["matchLabels"] = {"app": "helo"}
    deploy["spec"]["template"]["metadata"]["labels"] = {"app": "helo"}
    _, lines = await run(await cluster(*docs), exercises[2])
    assert lines == [
        "✅ A Deployment named hello exists",
        "✅ The Deployment hello has at least 3 replicas",
        '❌ The Deployment hello runs nginx — expected spec.template.spec.containers[*].image to start with "nginx", '
        'found "httpd:2.4"',
        '❌ The Pods of hello are labelled app=hello — expected spec.template.metadata.labels.app to be "hello", '
        'found "helo"',
        "✅ The Deployment hello is available",
        "❌ At least 3 Pods labelled app=hello exist — expected at least 3 Pods labelled app=hello, found none",
        "❌ Every Pod labelled app=hello is Running and Ready — expected a Pod labelled app=hello, Running and "
        "Ready, found none",
    ]


async def test_exercise_3_selector_matches_nothing(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    docs = solution("03-service")
    named(docs, "Service", "web")["spec"]["selector"] = {"app": "wbe"}
    _, lines = await run(await cluster(*docs), exercises[3])
    assert [line for line in lines if line.startswith("❌")] == [
        "❌ The Service web selects the Pods of the Deployment web and has ready endpoints — expected a selector "
        "matching the Pod labels app=web, found selector app=wbe",
    ]


async def test_exercise_3_scaled_to_zero(cluster: Start, exercises: dict[int, Exercise]) -> None:
    docs = solution("03-service")
    named(docs, "Deployment", "web")["spec"]["replicas"] = 0
    _, lines = await run(await cluster(*docs), exercises[3])
    assert [line for line in lines if line.startswith("❌")] == [
        "❌ The Deployment web has at least 2 replicas — expected spec.replicas >= 2, found 0",
        "❌ The Service web selects the Pods of the Deployment web and has ready endpoints — expected at least "
        "one ready endpoint, found none: no ready Pod is labelled app=web",
    ]


async def test_exercise_3_service_missing_and_wrong_port(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    docs = [d for d in solution("03-service") if d["kind"] != "Service"]
    _, lines = await run(await cluster(*docs), exercises[3])
    assert lines[4:] == [
        "❌ A Service named web exists — expected a Service named web, found none",
        "❌ The Service web listens on port 80 — expected a Service named web, found none",
        "❌ The Service web selects the Pods of the Deployment web and has ready endpoints — expected a Service "
        "named web, found none",
    ]
    docs = solution("03-service")
    named(docs, "Service", "web")["spec"]["ports"][0]["port"] = 8080
    _, lines = await run(await cluster(*docs), exercises[3])
    assert [line for line in lines if line.startswith("❌")] == [
        "❌ The Service web listens on port 80 — expected spec.ports[*].port to be 80, found 8080",
    ]


async def test_exercise_4_wrong_dns_name(cluster: Start, exercises: dict[int, Exercise]) -> None:
    docs = solved("04-interact-with-services")
    command = named(docs, "Pod", "web-client")["spec"]["containers"][0]["command"]
    command[-1] = command[-1].replace(
        "http://web", "http://web.default"
    )  # the Service is not in default
    report, lines = await run(await cluster(applied=docs), exercises[4])
    assert lines == [
        "✅ The Service web (exercise 3) has ready endpoints",
        "✅ The Pod web-client is Running and Ready",
        "❌ The Pod web-client got the nginx welcome page from the Service web — expected a line containing "
        '"Welcome to nginx", found none in web-client, whose last line is "wget: bad address \'web.default\'"',
        "✅ The Deployment web is scaled to at least 4 replicas",
        "✅ The Service web has at least 4 ready endpoints",
    ]
    assert report.requests == READS[4]


async def test_exercise_4_not_scaled_yet(cluster: Start, exercises: dict[int, Exercise]) -> None:
    found = await cluster(applied=[*solution("03-service"), *solution("04-interact-with-services")])
    _, lines = await run(found, exercises[4])
    assert [line for line in lines if line.startswith("❌")] == [
        "❌ The Deployment web is scaled to at least 4 replicas — expected spec.replicas >= 4, found 2",
        "❌ The Service web has at least 4 ready endpoints — expected at least 4 ready endpoints, found 2 ready",
    ]


async def test_exercise_4_without_exercise_3(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    found = await cluster(applied=solution("04-interact-with-services"))
    _, lines = await run(found, exercises[4])
    assert lines == [
        "❌ The Service web (exercise 3) has ready endpoints — expected a Service named web, found none",
        "✅ The Pod web-client is Running and Ready",
        "❌ The Pod web-client got the nginx welcome page from the Service web — expected a line containing "
        '"Welcome to nginx", found none in web-client, whose last line is "wget: bad address \'web\'"',
        "❌ The Deployment web is scaled to at least 4 replicas — expected a Deployment named web, found none",
        "❌ The Service web has at least 4 ready endpoints — expected a Service named web, found none",
    ]


# ----------------------------------------------------------------------------------------------
# (c) the namespace is missing; the cluster cannot be read
# ----------------------------------------------------------------------------------------------

MISSING = [
    "❌ Your namespace ws-u0bob was not found — nothing to check yet; ask the instructor to set it up"
]


async def test_namespace_not_set_up_for_podium(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    """Real RBAC: Podium may not get a Namespace it was not given, nor read in it (403s)."""
    found = await cluster(*solution("02-deployment"))
    report, lines = await run(found, exercises[2], "ws-u0bob")
    assert report.namespace_missing and not report.passed and report.results == ()
    assert lines == MISSING
    assert report.requests <= READS[2]


async def test_namespace_deleted(cluster: Start, exercises: dict[int, Exercise]) -> None:
    """Set up for both participants, only Alice's namespace exists. Podium's RoleBinding went with
    Bob's namespace, so the API answers 403 (as a real one does without a grant, whether or not the
    namespace exists): the namespace and the first reads, then Podium says it is missing."""
    setup = [
        d
        for d in participant_setup(USER, "U0BOB")
        if (d["metadata"].get("namespace") or d["metadata"]["name"]) != "ws-u0bob"
    ]
    found = await cluster(*solution("02-deployment"), setup=setup)
    report, lines = await run(found, exercises[2], "ws-u0bob")
    assert report.namespace_missing and lines == MISSING
    assert report.requests <= READS[2]


async def test_namespace_missing_without_rbac(
    cluster: Start, exercises: dict[int, Exercise]
) -> None:
    found = await cluster(*solution("01-multi-container-pod"), setup=[], authorize=False)
    report, lines = await run(found, exercises[1], "ws-u0bob")
    assert report.namespace_missing and lines == MISSING and report.requests == 1


async def test_a_kind_podium_may_not_read(cluster: Start, exercises: dict[int, Exercise]) -> None:
    setup = participant_setup(USER)
    role = named(setup, "ClusterRole", "podium-read")
    role["rules"] = [r for r in role["rules"] if r["apiGroups"] != ["discovery.k8s.io"]]
    report, lines = await run(await cluster(*solution("03-service"), setup=setup), exercises[3])
    assert not report.namespace_missing and not report.passed
    assert len(lines) == 1
    assert lines[0].startswith(
        "⚠️ Could not check exercise 3: Podium may not read endpointslices in ws-u0alice ("
    )


async def test_api_server_failing(cluster: Start, exercises: dict[int, Exercise]) -> None:
    found = await cluster(*solution("02-deployment"))
    found.emulator.inject_fault(500, times=None, path_contains="/deployments/hello")
    report = await check_exercise(found.gateway, exercises[2], NAMESPACE)
    assert report.error is not None and not report.passed
    assert report_lines(report) == [
        "⚠️ Could not check exercise 2: Podium could not read deployments in ws-u0alice: "
        "InternalError: Internal error occurred: injected fault",
    ]
