"""The emulator's kubelet, scheduler and Job controller change status over time, as a cluster
does (issue 17): failed pulls back off, crashing containers restart with a doubling back-off,
missing ConfigMaps, Jobs past their backoffLimit, pods no node fits. Each change is a watch
event; the Events are what `kubectl describe` shows. Back-offs are shrunk to tenths of seconds."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from kubernetes import client, config, watch

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.kube_controllers import KubeletTimings, go_duration, unschedulable
from podium_devkit.kube_materialize import DEFAULT_NODES
from tests.harness.kubectl_binary import kubectl_binary
from tests.harness.kubelet import FAST, NS, core, events_for, kubectl, pod, waiting, watch_until


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    emulator = KubeEmulator([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}],
                            authorize=False, kubelet=FAST)  # fmt: skip
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


def test_back_off_doubles_up_to_its_cap_and_prints_like_go() -> None:
    real = KubeletTimings()
    assert [real.backoff(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]
    assert [go_duration(s) for s in (10, 80, 300, 0.2, 1.5)] == [
        "10s",
        "1m20s",
        "5m0s",
        "200ms",
        "1.5s",
    ]


def test_the_scheduler_says_which_resource_no_node_has() -> None:
    node = {"status": {"allocatable": {"cpu": "1930m", "memory": "3364776Ki"}}}
    big = pod("big", "nginx", container={"resources": {"requests": {"cpu": "3", "memory": "64Mi"}}})
    assert unschedulable(big, [node, node, node]) == (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
        "3 No preemption victims found for incoming pod."
    )
    both = pod("both", "nginx", container={"resources": {"limits": {"cpu": "4", "memory": "8Gi"}}})
    assert unschedulable(
        both, [node]
    ) is not None and "1 Insufficient cpu, 1 Insufficient memory" in str(
        unschedulable(both, [node])
    )
    small = pod("small", "nginx", container={"resources": {"requests": {"cpu": "500m"}}})
    assert unschedulable(small, [node]) is None


async def test_a_mistyped_image_goes_err_image_pull_then_image_pull_back_off_again_and_again(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    watching = asyncio.create_task(
        watch_until(
            cluster,
            f"/api/v1/namespaces/{NS}/pods",
            lambda events: (
                [waiting(e["object"]).get("reason") for e in events].count("ImagePullBackOff") >= 2
            ),
        )
    )
    await asyncio.sleep(0.1)
    await asyncio.to_thread(api.create_namespaced_pod, NS, pod("web", "ngnix:1.27"))
    events = await watching
    reasons: list[str] = []
    for event in events:  # the pod is ADDED with no status yet; a reason may repeat (other changes)
        reason = waiting(event["object"]).get("reason")
        if reason and reasons[-1:] != [reason]:
            reasons.append(reason)
    assert reasons[:4] == ["ErrImagePull", "ImagePullBackOff", "ErrImagePull", "ImagePullBackOff"]
    assert [e["type"] for e in events] == ["ADDED"] + ["MODIFIED"] * (len(events) - 1)
    first_back_off = next(
        e for e in events if waiting(e["object"]).get("reason") == "ImagePullBackOff"
    )
    assert waiting(first_back_off["object"])["message"].startswith(
        'Back-off pulling image "ngnix:1.27": ErrImagePull: '
    )
    assert all(e["object"].get("status", {}).get("phase", "Pending") == "Pending" for e in events)
    kubelet = {(e["reason"], e["message"]): e for e in events_for(cluster, "web")}
    failed = next(
        e
        for (reason, message), e in kubelet.items()
        if reason == "Failed" and message.startswith('Failed to pull image "ngnix:1.27": ')
    )
    assert (
        failed["count"] >= 2 and failed["type"] == "Warning"
    )  # the retry counts up the same event
    assert kubelet[("BackOff", 'Back-off pulling image "ngnix:1.27"')]["count"] >= 2
    described = await kubectl(cluster, tmp_path, "describe", "pod", "web")
    assert "ImagePullBackOff" in described or "ErrImagePull" in described
    assert 'Back-off pulling image "ngnix:1.27"' in described
    assert 'Failed to pull image "ngnix:1.27"' in described


async def test_a_crashing_container_restarts_with_a_doubling_back_off_and_keeps_its_previous_logs(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    created = await asyncio.to_thread(
        api.create_namespaced_pod,
        NS,
        pod("crash", "busybox:1.36", command=["sh", "-c", "echo boom; exit 3"]),
    )
    seen: list[tuple[str, int, str]] = []

    def follow() -> None:
        stream = watch.Watch().stream(
            api.list_namespaced_pod,
            NS,
            resource_version=created.metadata.resource_version,
            timeout_seconds=10,
        )
        for event in stream:
            st = event["object"].status.container_statuses[0]
            if st.state.running:
                state = "running"
            elif st.state.terminated:
                state = f"terminated {st.state.terminated.reason} {st.state.terminated.exit_code}"
            else:
                state = (st.state.waiting.message or "").split(" restarting")[0]
            seen.append((event["type"], st.restart_count, state))
            if st.restart_count >= 4 and st.state.waiting:
                return

    started = time.monotonic()
    await asyncio.wait_for(asyncio.to_thread(follow), 15)
    assert time.monotonic() - started < 8
    assert {t for t, _, _ in seen} == {"MODIFIED"}
    counts = [count for _, count, _ in seen]
    assert counts == sorted(counts) and counts[-1] == 4
    # Between restarts the container waits in CrashLoopBackOff: 200ms, 400ms, 800ms, then the cap.
    # (The controllers' first pass writes the kubelet's default 10s; the running kubelet's own follows.)
    backoffs = [
        state for _, _, state in seen if state.startswith("back-off") and state != "back-off 10s"
    ]
    assert backoffs[0] == "back-off 200ms" and backoffs[-1] == "back-off 800ms"
    firsts = [backoffs.index(b) for b in ("back-off 200ms", "back-off 400ms", "back-off 800ms")]
    assert firsts == sorted(firsts)
    # Each run: running, then terminated (Error, its exit code), then the back-off.
    for restarts in (2, 3, 4):
        run = [state for _, count, state in seen if count == restarts]
        assert run[:2] == ["running", "terminated Error 3"] and run[2].startswith("back-off"), run

    current = await asyncio.to_thread(api.read_namespaced_pod, "crash", NS)
    st = current.status.container_statuses[0]
    assert st.state.waiting.reason == "CrashLoopBackOff" and st.ready is False
    assert (st.last_state.terminated.exit_code, st.last_state.terminated.reason) == (3, "Error")
    assert current.status.phase == "Running"
    previous = await asyncio.to_thread(api.read_namespaced_pod_log, "crash", NS, previous=True)
    assert previous == "boom\n"
    backoff = next(e for e in events_for(cluster, "crash") if e["reason"] == "BackOff")
    assert backoff["type"] == "Warning" and backoff["count"] >= 3
    assert backoff["message"].startswith(
        "Back-off restarting failed container main in pod crash_ws("
    )
    described = await kubectl(cluster, tmp_path, "describe", "pod", "crash")
    assert "CrashLoopBackOff" in described and "Exit Code:    3" in described
    table = await kubectl(cluster, tmp_path, "get", "pod", "crash")
    assert table.splitlines()[1].split()[2:4] == ["CrashLoopBackOff", "4"]


async def test_a_missing_configmap_is_create_container_config_error(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    spec = pod(
        "needs", "nginx:1.27", container={"envFrom": [{"configMapRef": {"name": "settings"}}]}
    )
    await asyncio.to_thread(api.create_namespaced_pod, NS, spec)
    await asyncio.sleep(0.3)  # the kubelet looks a few times: the reason stays
    st = (await asyncio.to_thread(api.read_namespaced_pod, "needs", NS)).status.container_statuses[
        0
    ]
    assert (st.state.waiting.reason, st.state.waiting.message) == (
        "CreateContainerConfigError",
        'configmap "settings" not found',
    )
    assert [e["message"] for e in events_for(cluster, "needs") if e["reason"] == "Failed"] == [
        'Error: configmap "settings" not found'
    ]


async def test_a_failing_job_retries_up_to_its_backoff_limit_then_fails(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"}, "spec": {"backoffLimit": 2, "template": {
        "spec": {"restartPolicy": "Never", "containers": [
            {"name": "main", "image": "busybox:1.36", "command": ["sh", "-c", "echo failing; exit 1"]}]}}}}  # fmt: skip
    batch = client.BatchV1Api(
        config.new_client_from_config(
            config_file=str(cluster.write_kubeconfig(tmp_path / "kubeconfig", namespace=NS))
        )
    )
    watching = asyncio.create_task(watch_until(
        cluster, f"/apis/batch/v1/namespaces/{NS}/jobs",
        lambda events: any(c.get("type") == "Failed" for e in events
                           for c in (e["object"].get("status") or {}).get("conditions") or ())))  # fmt: skip
    await asyncio.sleep(0.1)
    await asyncio.to_thread(batch.create_namespaced_job, NS, job)
    events = await watching
    failed = next(c for c in events[-1]["object"]["status"]["conditions"] if c["type"] == "Failed")
    assert (failed["status"], failed["reason"]) == ("True", "BackoffLimitExceeded")
    assert events[-1]["object"]["status"]["failed"] == 3
    pods = [p for p in cluster.objects("pods", NS) if p["metadata"]["name"].startswith("once-")]
    assert len(pods) == 3 and {p["status"]["phase"] for p in pods} == {"Failed"}
    assert [
        e["message"] for e in events_for(cluster, "once") if e["reason"] == "BackoffLimitExceeded"
    ] == ["Job has reached the specified backoff limit"]


async def test_a_pod_no_node_fits_stays_pending_unschedulable(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    await asyncio.to_thread(
        api.create_namespaced_pod,
        NS,
        pod("huge", "nginx:1.27", container={"resources": {"requests": {"cpu": "8"}}}),
    )
    await asyncio.sleep(0.2)
    current = await asyncio.to_thread(api.read_namespaced_pod, "huge", NS)
    assert current.status.phase == "Pending" and current.spec.node_name is None
    (scheduled,) = current.status.conditions
    nodes = len(DEFAULT_NODES)  # the emulator's two nodes (stored once a pod ran there)
    assert (scheduled.type, scheduled.status, scheduled.reason) == (
        "PodScheduled",
        "False",
        "Unschedulable",
    )
    assert scheduled.message.startswith(f"0/{nodes} nodes are available: {nodes} Insufficient cpu.")
    (event,) = list(events_for(cluster, "huge"))
    assert (event["reason"], event["type"], event["source"]["component"]) == (
        "FailedScheduling",
        "Warning",
        "default-scheduler",
    )
    described = await kubectl(cluster, tmp_path, "describe", "pod", "huge")
    assert "FailedScheduling" in described and "Insufficient cpu" in described


async def test_without_the_kubelet_knob_nothing_moves_by_itself(tmp_path: Path) -> None:
    fixed = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    emulator = KubeEmulator([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}], authorize=False,
                            now=lambda: fixed)  # fmt: skip
    async with emulator:
        api = core(emulator, tmp_path)
        await asyncio.to_thread(
            api.create_namespaced_pod, NS, pod("crash", "busybox", command=["sh", "-c", "exit 1"])
        )
        revision = emulator.store.revision
        await asyncio.sleep(0.5)
        assert emulator.store.revision == revision
        st = emulator.get_object("pods", NS, "crash")["status"]["containerStatuses"][0]  # type: ignore[index]
        assert st["restartCount"] == 1 and st["state"]["waiting"]["reason"] == "CrashLoopBackOff"


async def test_the_standalone_server_runs_the_kubelet_when_asked(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "podium_devkit.kube_api", "--seed", str(seed), "--no-authorize", "--kubelet-backoff", "0.1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)  # fmt: skip
    try:
        assert process.stdout is not None
        url = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        auth = {"Authorization": f"Bearer {KubeEmulator.DEFAULT_TOKEN}"}
        async with aiohttp.ClientSession(url) as session:
            async with session.post(
                f"/api/v1/namespaces/{NS}/pods",
                headers=auth,
                json=pod("crash", "busybox:1.36", command=["sh", "-c", "exit 2"]),
            ) as response:
                assert response.status == 201
            restarts = 0
            deadline = time.monotonic() + 15
            while restarts < 3 and time.monotonic() < deadline:
                async with session.get(
                    f"/api/v1/namespaces/{NS}/pods/crash", headers=auth
                ) as response:
                    body = await response.json()
                restarts = body["status"]["containerStatuses"][0]["restartCount"]
                await asyncio.sleep(0.1)
        assert restarts >= 3
        assert body["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 2
    finally:
        process.terminate()
        await process.wait()


async def test_kubectl_get_watch_shows_the_crash_loop_as_it_happens(
    cluster: KubeEmulator, tmp_path: Path
) -> None:
    api = core(cluster, tmp_path)
    await asyncio.to_thread(
        api.create_namespaced_pod, NS, pod("crash", "busybox:1.36", command=["sh", "-c", "exit 1"])
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "KUBECONFIG": str(cluster.write_kubeconfig(tmp_path / "kc", namespace=NS)),
           "HOME": str(home), "NO_COLOR": "1"}  # fmt: skip
    watcher = await asyncio.create_subprocess_exec(
        kubectl_binary(),
        "get",
        "pod",
        "crash",
        "-w",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    rows: list[list[str]] = []
    try:
        assert watcher.stdout is not None
        while len(rows) < 2 or int(rows[-1][3]) < 3 or rows[-1][2] != "CrashLoopBackOff":
            line = await asyncio.wait_for(watcher.stdout.readline(), 15)
            assert line, rows
            rows.append(line.decode().split())
    finally:
        watcher.terminate()
        await watcher.wait()
    assert rows[0][:4] == ["NAME", "READY", "STATUS", "RESTARTS"]
    statuses = [row[2] for row in rows[1:]]
    # One line per change, in place of polling: the pod runs, fails, backs off, again and again.
    later = statuses[statuses.index("Running") :]
    assert later.index("Running") < later.index("Error") < later.index("CrashLoopBackOff")
    restarts = [int(row[3]) for row in rows[1:]]
    assert restarts == sorted(restarts) and restarts[-1] == 3
