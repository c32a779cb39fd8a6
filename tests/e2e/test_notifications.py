"""Issue 17's process-level promises about notifications: Podium as `python -m bot serve`, the
emulator with its kubelet running, the participant's real kubectl. A mistyped image is one DM
naming the pod, the reason and the likely typo within seconds; a crash-looping sidecar is one DM
with the previous log lines; a restart of Podium neither repeats nor loses a notification; a
`410 Gone` while watching is recovered from."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.notify import (
    ALICE,
    ALICE_NS,
    deployment,
    dm_text,
    dms,
    kubectl,
    participant_kubeconfig,
    sidecar_pod,
    until,
    workshop_cluster,
)
from tests.harness.process import PodiumProcess, podium_env, start_podium, stop_podium

SIGNING_SECRET = "e2e-notify-secret-0123456789abcdef"
READY = re.compile(r"listening on http://[^:]+:(\d+)")
DM_WITHIN = 15.0  # seconds: "within a few seconds", generous for a loaded machine


@pytest.fixture
async def emulator() -> AsyncIterator[KubeEmulator]:
    async with workshop_cluster(ALICE) as cluster:
        yield cluster


async def start(standin: SlackStandIn, emulator: KubeEmulator, tmp_path: Path) -> PodiumProcess:
    kubeconfig = emulator.write_kubeconfig(tmp_path / "podium" / "kubeconfig")
    env = podium_env(
        standin,
        kubeconfig,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PODIUM_PARTICIPANTS=ALICE,
        PODIUM_WATCH="on",
    )
    return await start_podium(["serve", "--host", "127.0.0.1"], env, READY)


async def watching(emulator: KubeEmulator) -> None:
    """Until Podium's streams of Alice's pods are watching (the list is done)."""
    await until(
        lambda: any(
            r.verb == "watch" and r.resource == "pods" and r.namespace == ALICE_NS
            for r in emulator.requests
        ),
        what="Podium watching Alice's pods",
    )


async def pod_changes(emulator: KubeEmulator, count: int) -> None:
    """Until Alice's pods changed `count` more times (the kubelet's retries and back-offs): time
    in which a second DM would have arrived."""

    def versions() -> int:
        return sum(
            int(p["metadata"]["resourceVersion"]) for p in emulator.objects("pods", ALICE_NS)
        )

    seen = [versions()]

    def moved() -> bool:
        now = versions()
        if now != seen[-1]:
            seen.append(now)
        return len(seen) > count

    await until(moved, what=f"{count} pod changes")


@pytest.fixture
async def alice_kubectl(emulator: KubeEmulator, tmp_path: Path) -> Path:
    return await participant_kubeconfig(emulator, ALICE_NS, tmp_path / "alice.kubeconfig")


async def test_a_mistyped_image_applied_with_kubectl_is_one_dm_with_pod_reason_and_typo(
    standin: SlackStandIn, emulator: KubeEmulator, alice_kubectl: Path, tmp_path: Path
):
    podium = await start(standin, emulator, tmp_path)
    try:
        await watching(emulator)
        manifest = yaml.safe_dump(deployment("web", "ngnix", replicas=3))
        applied_at = time.monotonic()
        await kubectl(alice_kubectl, "apply", "-f", "-", stdin=manifest)
        [message] = await until(lambda: dms(standin, ALICE), DM_WITHIN, "the DM")
        latency = time.monotonic() - applied_at
        text = dm_text(message)
        pods = await kubectl(alice_kubectl, "get", "pods", "-o", "name")
        names = [line.removeprefix("pod/") for line in pods.split()]
        assert len(names) == 3 and all(name in text for name in names), text
        assert "ImagePullBackOff" in text or "ErrImagePull" in text
        assert "did you mean `nginx`?" in text
        print(f"mistyped image: DM {latency:.2f} s after kubectl apply returned")
        await pod_changes(emulator, 4)  # pulls retried, back-offs: still the one DM
        assert len(dms(standin, ALICE)) == 1
    finally:
        await stop_podium(podium)


async def test_a_crash_looping_sidecar_is_one_dm_with_the_previous_log_lines(
    standin: SlackStandIn, emulator: KubeEmulator, alice_kubectl: Path, tmp_path: Path
):
    podium = await start(standin, emulator, tmp_path)
    try:
        await watching(emulator)
        script = "echo writing index.html; echo cannot write /usr/share/nginx/html; exit 1"
        manifest = yaml.safe_dump(sidecar_pod("web-with-sidecar", script))
        await kubectl(alice_kubectl, "apply", "-f", "-", stdin=manifest)
        [message] = await until(lambda: dms(standin, ALICE), DM_WITHIN, "the DM")
        text = dm_text(message)
        assert "web-with-sidecar" in text and "CrashLoopBackOff" in text
        assert "cannot write /usr/share/nginx/html" in text  # the previous run's log
        assert "kubectl logs web-with-sidecar -c writer --previous -n ws-u0alice" in text
        await pod_changes(emulator, 3)  # restarts and back-offs
        assert len(dms(standin, ALICE)) == 1
    finally:
        await stop_podium(podium)


async def test_a_restart_of_podium_neither_repeats_nor_loses_a_notification(
    standin: SlackStandIn, emulator: KubeEmulator, alice_kubectl: Path, tmp_path: Path
):
    podium = await start(standin, emulator, tmp_path)
    try:
        await watching(emulator)
        manifest = yaml.safe_dump(sidecar_pod("side", "echo bye; exit 1"))
        await kubectl(alice_kubectl, "apply", "-f", "-", stdin=manifest)
        await until(lambda: dms(standin, ALICE), DM_WITHIN, "the first DM")
        # SIGTERM while watching: the streams and the notifier stop at once, a clean exit.
        podium.process.terminate()
        assert await asyncio.wait_for(podium.process.wait(), timeout=10) == 0
    finally:
        await stop_podium(podium)
    # While Podium is down, a second mistake; the first pod keeps crashing.
    await kubectl(
        alice_kubectl, "apply", "-f", "-", stdin=yaml.safe_dump(deployment("api", "redsi:7"))
    )
    await pod_changes(emulator, 2)
    emulator.clear_requests()
    podium = await start(standin, emulator, tmp_path)
    try:
        messages = await until(lambda: len(dms(standin, ALICE)) >= 2 and dms(standin, ALICE),
                               DM_WITHIN, "the DM of the failure made meanwhile")  # fmt: skip
        assert "did you mean `redis:7`?" in dm_text(messages[1])
        await pod_changes(emulator, 3)
        texts = [dm_text(m) for m in dms(standin, ALICE)]
        assert len(texts) == 2, texts  # the sidecar's DM was not repeated
        assert sum("Pod side: CrashLoopBackOff" in t for t in texts) == 1
    finally:
        await stop_podium(podium)


async def test_410_gone_while_watching_is_recovered_and_the_next_failure_told(
    standin: SlackStandIn, emulator: KubeEmulator, alice_kubectl: Path, tmp_path: Path
):
    podium = await start(standin, emulator, tmp_path)
    try:
        await watching(emulator)
        # The API server goes away; meanwhile the history Podium's watches stand on is compacted.
        port, tls_port = (int(url.rsplit(":", 1)[1]) for url in (emulator.url, emulator.https_url))
        await emulator.stop()
        emulator.store.put(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "x", "namespace": "sandbox"},
            }
        )
        emulator.compact()
        emulator.clear_requests()
        await emulator.start(port=port, tls_port=tls_port)
        await until(
            lambda: any(
                r.verb == "list" and r.resource == "pods" and r.namespace == ALICE_NS
                for r in emulator.requests
            ),
            what="a re-list of Alice's pods after 410 Gone",
        )
        # It tried to resume its watch first (answered with a 410 ERROR event, as the API server
        # does), then listed again.
        pods = [
            r.verb for r in emulator.requests if r.resource == "pods" and r.namespace == ALICE_NS
        ]
        assert pods[:2] == ["watch", "list"], pods
        await watching(emulator)
        manifest = yaml.safe_dump(deployment("web", "ngnix"))
        await kubectl(alice_kubectl, "apply", "-f", "-", stdin=manifest)
        [message] = await until(lambda: dms(standin, ALICE), DM_WITHIN, "the DM after the re-list")
        assert "did you mean `nginx`?" in dm_text(message)
    finally:
        await stop_podium(podium)
