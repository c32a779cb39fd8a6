"""The emulator's kubelet, scheduler and Job controller for the failures issue 17 turns into help:
a tag the registry does not have, a container killed at its memory limit, and the retries that
let a pod recover (a ConfigMap created late, a node that grew) or space a Job's attempts.

Flows run with back-offs shrunk to tenths of seconds and are checked through watches, the
official client and the real kubectl; the spacing of retries is checked on a fake clock with the
real kubelet's timings (10 s base), stepping the kubelet by hand."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.kube_containers import KNOWN_REPOSITORIES, image_problem, tag_exists
from podium_devkit.kube_controllers import KubeletTimings, job_retry_at, scheduler_nodes
from tests.harness.kubelet import (
    FAST,
    NS,
    core,
    events_for,
    kubectl,
    pod,
    waiting,
    watch_until,
)


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    emulator = KubeEmulator([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}],
                            authorize=False, kubelet=FAST)  # fmt: skip
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


async def until(check: Callable[[], Any], limit: float = 20) -> Any:
    """Poll ``check`` until it returns something truthy (the machine may be loaded)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"not reached within {limit}s")


def status_of(emulator: KubeEmulator, name: str) -> dict[str, Any]:
    found = emulator.get_object("pods", NS, name) or {}
    return dict(found.get("status") or {})


def first_container(emulator: KubeEmulator, name: str) -> dict[str, Any]:
    return dict((status_of(emulator, name).get("containerStatuses") or [{}])[0])


def event(emulator: KubeEmulator, name: str, reason: str) -> dict[str, Any] | None:
    return next((e for e in events_for(emulator, name) if e["reason"] == reason), None)


# Tags --------------------------------------------------------------------------------------------


def test_known_repositories_have_their_real_tags_and_not_others() -> None:
    nginx = KNOWN_REPOSITORIES["nginx"]
    real = ["1.25", "1.27.3", "1", "latest", "stable", "mainline", "alpine", "1.27-alpine",
            "1.27.3-alpine-slim", "stable-alpine-slim", "1.27-alpine3.20", "1.7.9", "perl"]  # fmt: skip
    assert all(tag_exists(nginx, f"nginx:{tag}") for tag in real)
    assert tag_exists(nginx, "nginx") and tag_exists(nginx, "nginx:9.9@sha256:" + "a" * 64)
    for tag in ("1.999", "lates", "2", "1.277", "1.27-alpnie", "latest-"):
        assert not tag_exists(nginx, f"nginx:{tag}"), tag
    assert tag_exists(KNOWN_REPOSITORIES["traefik"], "traefik:v3.1")
    assert tag_exists(KNOWN_REPOSITORIES["python"], "python:3.12-slim-bookworm")
    assert not tag_exists(KNOWN_REPOSITORIES["python"], "python:4.0")
    assert image_problem("docker.io/library/busybox:1.36") is None
    assert image_problem("registry.k8s.io/pause:3.10") is None  # other registries: not checked


async def test_an_unknown_tag_of_a_known_image_is_not_found_then_backs_off(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    watching = asyncio.create_task(
        watch_until(
            cluster,
            f"/api/v1/namespaces/{NS}/pods",
            lambda events: any(
                waiting(e["object"]).get("reason") == "ImagePullBackOff"
                and e["object"]["metadata"]["name"] == "web"
                for e in events
            ),
        )
    )
    await asyncio.sleep(0.1)
    await asyncio.to_thread(api.create_namespaced_pod, NS, pod("web", "nginx:1.999"))
    await asyncio.to_thread(api.create_namespaced_pod, NS, pod("fine", "nginx:1.25"))
    events = await watching
    pulls = [waiting(e["object"]) for e in events if e["object"]["metadata"]["name"] == "web"]
    first = next(w for w in pulls if w.get("reason") == "ErrImagePull")
    ref = "docker.io/library/nginx:1.999"
    assert first["message"] == (
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
        f'failed to resolve reference "{ref}": {ref}: not found'
    )
    assert (
        pulls[-1]["message"]
        == f'Back-off pulling image "nginx:1.999": ErrImagePull: {first["message"]}'
    )
    failed = next(
        e for e in events_for(cluster, "web") if e["message"].startswith("Failed to pull image")
    )
    assert failed["message"] == f'Failed to pull image "nginx:1.999": {first["message"]}'
    table = await kubectl(cluster, tmp_path, "get", "pods")
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:]}
    assert rows["web"][2] in ("ErrImagePull", "ImagePullBackOff")
    assert rows["fine"][1:3] == ["1/1", "Running"]


async def test_a_misspelled_latest_tag_fails_as_the_registry_answers(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    await asyncio.to_thread(api.create_namespaced_pod, NS, pod("typo", "nginx:lates"))
    await until(
        lambda: waiting({"status": status_of(cluster, "typo")}).get("reason") == "ImagePullBackOff"
    )
    described = await kubectl(cluster, tmp_path, "describe", "pod", "typo")
    assert 'Failed to pull image "nginx:lates": rpc error: code = NotFound' in described
    assert "docker.io/library/nginx:lates: not found" in described
    assert 'Back-off pulling image "nginx:lates"' in described


# OOMKilled ---------------------------------------------------------------------------------------


def stress(name: str, vm_bytes: str, limit: str | None) -> dict[str, Any]:
    """The Kubernetes docs' memory example: polinux/stress allocating ``vm_bytes``."""
    resources = {"limits": {"memory": limit}, "requests": {"memory": "50Mi"}} if limit else {}
    return pod(name, "polinux/stress", command=["stress"], container={
        "args": ["--vm", "1", "--vm-bytes", vm_bytes, "--vm-hang", "1"], "resources": resources})  # fmt: skip


async def test_a_container_over_its_memory_limit_is_oom_killed_and_crash_loops(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    watching = asyncio.create_task(watch_until(
        cluster, f"/api/v1/namespaces/{NS}/pods",
        lambda events: any(e["object"]["status"].get("containerStatuses", [{}])[0].get("restartCount", 0) >= 3
                           and waiting(e["object"]).get("reason") == "CrashLoopBackOff" for e in events)))  # fmt: skip
    await asyncio.sleep(0.1)
    await asyncio.to_thread(api.create_namespaced_pod, NS, stress("hog", "250M", "100Mi"))
    events = await watching
    terminated = [
        e["object"]["status"]["containerStatuses"][0]["state"]["terminated"]
        for e in events
        if "terminated" in e["object"]["status"].get("containerStatuses", [{}])[0].get("state", {})
    ]
    assert terminated and {(t["reason"], t["exitCode"]) for t in terminated} == {("OOMKilled", 137)}
    st = first_container(cluster, "hog")
    assert st["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert st["lastState"]["terminated"]["exitCode"] == 137
    assert st["state"]["waiting"]["reason"] == "CrashLoopBackOff" and st["restartCount"] >= 3
    backoff = event(cluster, "hog", "BackOff")
    assert backoff is not None and backoff["count"] >= 2
    described = await kubectl(cluster, tmp_path, "describe", "pod", "hog")
    assert "Reason:       OOMKilled" in described and "Exit Code:    137" in described
    previous = await asyncio.to_thread(api.read_namespaced_pod_log, "hog", NS, previous=True)
    assert previous == "stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\n"


async def test_within_its_limit_or_without_one_the_same_container_runs(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    await asyncio.to_thread(api.create_namespaced_pod, NS, stress("fits", "50M", "100Mi"))
    await asyncio.to_thread(api.create_namespaced_pod, NS, stress("free", "250M", None))
    shell = pod("tail", "busybox:1.36", command=["sh", "-c", "echo eating; tail /dev/zero"],
                container={"resources": {"limits": {"memory": "64Mi"}}})  # fmt: skip
    await asyncio.to_thread(api.create_namespaced_pod, NS, shell)
    await until(lambda: first_container(cluster, "tail").get("restartCount", 0) >= 2)
    for name in ("fits", "free"):
        st = first_container(cluster, name)
        assert "running" in st["state"] and st["restartCount"] == 0, st
    assert first_container(cluster, "tail")["lastState"]["terminated"]["reason"] == "OOMKilled"
    table = await kubectl(cluster, tmp_path, "get", "pods")
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:]}
    assert rows["fits"][1:3] == ["1/1", "Running"] and rows["free"][1:3] == ["1/1", "Running"]


# CreateContainerConfigError recovers -----------------------------------------------------------


async def test_a_pod_waiting_for_its_configmap_starts_once_it_exists(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    spec = pod("needs", "busybox:1.36", command=["sh", "-c", "echo hello $GREETING; sleep infinity"],
               container={"envFrom": [{"configMapRef": {"name": "settings"}}]})  # fmt: skip
    await asyncio.to_thread(api.create_namespaced_pod, NS, spec)

    def retried() -> bool:  # the kubelet syncs the pod again and again: the event counts up
        failed = event(cluster, "needs", "Failed")
        return failed is not None and failed["count"] >= 3

    await until(retried)
    assert (
        waiting({"status": status_of(cluster, "needs")})["reason"] == "CreateContainerConfigError"
    )
    assert status_of(cluster, "needs")["phase"] == "Pending"
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                 "data": {"GREETING": "world"}}  # fmt: skip
    await asyncio.to_thread(api.create_namespaced_config_map, NS, configmap)
    await until(lambda: "running" in (first_container(cluster, "needs").get("state") or {}))
    current = await asyncio.to_thread(api.read_namespaced_pod, "needs", NS)
    assert current.status.phase == "Running"
    assert current.status.container_statuses[0].ready is True
    assert current.status.container_statuses[0].restart_count == 0
    ready = next(c for c in current.status.conditions if c.type == "Ready")
    assert ready.status == "True"
    log = await asyncio.to_thread(api.read_namespaced_pod_log, "needs", NS)
    assert log == "hello world\n"
    table = await kubectl(cluster, tmp_path, "get", "pod", "needs")
    assert table.splitlines()[1].split()[1:4] == ["1/1", "Running", "0"]
    described = await kubectl(cluster, tmp_path, "describe", "pod", "needs")
    assert "Started" in described and 'Error: configmap "settings" not found' in described


async def test_a_deployment_behind_a_service_recovers_its_endpoints_with_the_configmap(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    apps = client.AppsV1Api(api.api_client)
    labels = {"app": "web"}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {
                      "metadata": {"labels": labels}, "spec": {"containers": [
                          {"name": "nginx", "image": "nginx:1.27",
                           "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "web", "key": "mode"}}}]}]}}}}  # fmt: skip
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": labels, "ports": [{"port": 80}]}}  # fmt: skip
    await asyncio.to_thread(apps.create_namespaced_deployment, NS, deployment)
    await asyncio.to_thread(api.create_namespaced_service, NS, service)
    endpoints = cluster.get_object("endpoints", NS, "web") or {}
    assert not any(s.get("addresses") for s in endpoints.get("subsets") or ())
    await asyncio.to_thread(api.create_namespaced_config_map, NS, {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"mode": "on"}})  # fmt: skip

    def serving() -> bool:
        found = cluster.get_object("endpoints", NS, "web") or {}
        return any(s.get("addresses") for s in found.get("subsets") or ())

    await until(serving)
    status = await asyncio.to_thread(apps.read_namespaced_deployment, "web", NS)
    assert status.status.ready_replicas == 1


# The scheduler retries -------------------------------------------------------------------------


async def test_an_unschedulable_pod_is_retried_and_placed_once_a_node_fits(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    big = pod("big", "nginx:1.27", container={"resources": {"requests": {"cpu": "8"}}})
    await asyncio.to_thread(api.create_namespaced_pod, NS, big)

    def retried() -> bool:
        found = event(cluster, "big", "FailedScheduling")
        return found is not None and found["count"] >= 2

    await until(retried)
    (scheduling,) = [e for e in events_for(cluster, "big") if e["reason"] == "FailedScheduling"]
    assert scheduling["source"]["component"] == "default-scheduler"
    described = await kubectl(cluster, tmp_path, "describe", "pod", "big")
    line = next(row for row in described.splitlines() if "FailedScheduling" in row)
    assert "(x" in line and "Insufficient cpu" in line  # kubectl's "(x2 over 2s)"
    assert status_of(cluster, "big")["phase"] == "Pending"
    # A node grows (its kubelet reports a bigger allocatable): the scheduler's next look places it.
    node = copy.deepcopy(scheduler_nodes(cluster.store, cluster.logs, datetime.now(UTC))[0])
    node["status"]["allocatable"]["cpu"] = node["status"]["capacity"]["cpu"] = "16"
    cluster.store.put(node)
    await until(lambda: status_of(cluster, "big").get("phase") == "Running")
    placed = cluster.get_object("pods", NS, "big") or {}
    assert placed["spec"]["nodeName"] == node["metadata"]["name"]
    scheduled = next(c for c in placed["status"]["conditions"] if c["type"] == "PodScheduled")
    assert scheduled["status"] == "True"
    assert event(cluster, "big", "Scheduled") is not None


# Spacing on a fake clock, with the real kubelet's timings -----------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def pass_(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def slow_cluster() -> AsyncIterator[tuple[KubeEmulator, Clock]]:
    """Real timings, a fake clock; the kubelet is stepped by the test (its own tick is an hour)."""
    clock = Clock()
    real = KubeletTimings(tick=3600)
    emulator = KubeEmulator([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}],
                            authorize=False, kubelet=real, now=clock)  # fmt: skip
    await emulator.start()
    try:
        yield emulator, clock
    finally:
        await emulator.stop()


def step(emulator: KubeEmulator, clock: Clock, seconds: float) -> None:
    clock.pass_(seconds)
    assert emulator.kubelet is not None
    emulator.advance_kubelet(emulator.kubelet)


def test_the_job_back_off_doubles_from_ten_seconds_up_to_six_minutes() -> None:
    start = datetime(2026, 12, 3, tzinfo=UTC)

    def failed(n: int) -> list[dict[str, Any]]:
        end = (start + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return [{"status": {"phase": "Failed", "containerStatuses": [
            {"state": {"terminated": {"exitCode": 1, "finishedAt": end}}}]}}] * n  # fmt: skip

    real = KubeletTimings()
    waits = [
        (job_retry_at(failed(n), real) - (start + timedelta(seconds=n))).total_seconds()  # type: ignore[operator]
        for n in range(1, 9)
    ]
    assert waits == [10, 20, 40, 80, 160, 320, 360, 360]
    assert job_retry_at([{"status": {"phase": "Running"}}], real) is None
    assert job_retry_at(failed(1), KubeletTimings(backoff_base=0.5)) == start + timedelta(
        seconds=1.5
    )


async def test_a_failing_jobs_attempts_are_spaced_by_the_job_back_off(
    slow_cluster: tuple[KubeEmulator, Clock], tmp_path: Path
) -> None:
    emulator, clock = slow_cluster
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "flaky"}, "spec": {"backoffLimit": 2, "template": {
        "spec": {"restartPolicy": "Never", "containers": [
            {"name": "main", "image": "busybox:1.36", "command": ["sh", "-c", "echo no; exit 1"]}]}}}}  # fmt: skip
    batch = client.BatchV1Api(config.new_client_from_config(
        config_file=str(emulator.write_kubeconfig(tmp_path / "kubeconfig", namespace=NS))))  # fmt: skip
    await asyncio.to_thread(batch.create_namespaced_job, NS, job)

    def attempts() -> int:
        return sum(
            1 for p in emulator.objects("pods", NS) if p["metadata"]["name"].startswith("flaky-")
        )

    def job_status() -> dict[str, Any]:
        return dict((emulator.get_object("jobs", NS, "flaky") or {}).get("status") or {})

    assert attempts() == 1 and job_status().get("failed") == 1
    assert not job_status().get("conditions")
    step(emulator, clock, 9)  # the first back-off is 10 s
    assert attempts() == 1
    step(emulator, clock, 2)
    assert attempts() == 2
    step(emulator, clock, 18)  # then 20 s after the second failure
    assert attempts() == 2 and not job_status().get("conditions")
    step(emulator, clock, 3)
    assert attempts() == 3
    failed = next(c for c in job_status()["conditions"] if c["type"] == "Failed")
    assert failed["reason"] == "BackoffLimitExceeded" and job_status()["failed"] == 3
    step(emulator, clock, 600)
    assert attempts() == 3


async def test_retries_of_a_missing_configmap_and_an_unschedulable_pod_keep_their_pace(
    slow_cluster: tuple[KubeEmulator, Clock], tmp_path: Path
) -> None:
    emulator, clock = slow_cluster
    api = core(emulator, tmp_path)
    await asyncio.to_thread(api.create_namespaced_pod, NS, pod(
        "needs", "nginx:1.27", container={"envFrom": [{"configMapRef": {"name": "missing"}}]}))  # fmt: skip
    await asyncio.to_thread(api.create_namespaced_pod, NS, pod(
        "big", "nginx:1.27", container={"resources": {"requests": {"cpu": "8"}}}))  # fmt: skip

    def count(name: str, reason: str) -> int:
        found = event(emulator, name, reason)
        return int(found["count"] or 1) if found else 0

    step(emulator, clock, 1)  # the kubelet and the scheduler take note
    assert (count("needs", "Failed"), count("big", "FailedScheduling")) == (1, 1)
    for _ in range(6):  # a minute: the kubelet syncs every 10 s, the scheduler waits 5 minutes
        step(emulator, clock, 10)
    assert count("needs", "Failed") == 7 and count("big", "FailedScheduling") == 1
    for _ in range(24):
        step(emulator, clock, 10)
    assert count("big", "FailedScheduling") == 2


async def test_a_pod_waiting_for_its_secret_starts_once_it_exists(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    env = [{"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]
    spec = pod("app", "busybox:1.36", command=["sh", "-c", "echo pw=$PASSWORD; sleep infinity"],
               container={"env": env})  # fmt: skip
    await asyncio.to_thread(api.create_namespaced_pod, NS, spec)
    await until(lambda: waiting({"status": status_of(cluster, "app")}).get("message"))
    assert waiting({"status": status_of(cluster, "app")}) == {
        "reason": "CreateContainerConfigError",
        "message": 'secret "db" not found',
    }
    wrong_key = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                 "stringData": {"user": "admin"}}  # fmt: skip
    await asyncio.to_thread(api.create_namespaced_secret, NS, wrong_key)
    expected = f"couldn't find key password in Secret {NS}/db"
    await until(lambda: waiting({"status": status_of(cluster, "app")}).get("message") == expected)
    wrong_key["stringData"] = {"password": "s3cret"}
    await asyncio.to_thread(api.replace_namespaced_secret, "db", NS, wrong_key)
    await until(lambda: "running" in (first_container(cluster, "app").get("state") or {}))
    log = await asyncio.to_thread(api.read_namespaced_pod_log, "app", NS)
    assert log == "pw=s3cret\n"
    described = await kubectl(cluster, tmp_path, "describe", "pod", "app")
    assert 'Error: secret "db" not found' in described
