"""Attacks on the failing-pod DMs, with Podium in-process against the emulator's kubelet: a pod
that fails over and over (or many pods at once) cannot flood its participant past the budget;
markup and credentials a container prints reach the DM escaped exactly once and redacted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.notify import (
    ALICE,
    ALICE_NS,
    create,
    dm_text,
    dms,
    sidecar_pod,
    until,
    workshop_cluster,
)
from tests.harness.running import Running, running_podium


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    async with workshop_cluster(ALICE) as emulator:
        yield emulator


@pytest.fixture
async def room(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> AsyncIterator[Running]:
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_PARTICIPANTS=ALICE, PODIUM_BUDGETS="notify=3/600s"
    ) as running:
        await running.podium.start()
        yield running


async def delete_pod(emulator: KubeEmulator, name: str) -> None:
    url = f"{emulator.url}/api/v1/namespaces/{ALICE_NS}/pods/{name}?gracePeriodSeconds=0"
    headers = {"Authorization": f"Bearer {emulator.ADMIN_TOKEN}"}
    async with aiohttp.ClientSession() as session, session.delete(url, headers=headers) as r:
        assert r.status < 300, await r.text()


async def test_a_flapping_pod_and_a_swarm_of_failing_pods_stay_within_the_budget(room: Running):
    notifier = room.podium.notifier
    # One pod deleted and created again and again, failing each time: one problem, one DM.
    for _ in range(4):
        await create(room.emulator, sidecar_pod("flappy", "exit 1"))
        await until(lambda: dms(room.standin, ALICE) and notifier.idle, what="judged")
        await delete_pod(room.emulator, "flappy")
        await until(lambda: not room.emulator.objects("pods", ALICE_NS) and notifier.idle)
    assert len(dms(room.standin, ALICE)) == 1
    # Twelve different failing pods at once: the budget (3 per window) and one note, no more.
    for i in range(12):
        await create(room.emulator, sidecar_pod(f"swarm-{i}", f"echo {i}; exit 1"))
    await until(lambda: len(dms(room.standin, ALICE)) >= 4, what="the budget's worth of DMs")
    for _ in range(3):  # the kubelet restarts them all a few times over
        seen = sum(int(p["metadata"]["resourceVersion"]) for p in room.emulator.objects("pods"))
        await until(
            lambda seen=seen: (
                sum(int(p["metadata"]["resourceVersion"]) for p in room.emulator.objects("pods"))
                > seen
                and notifier.idle
            )
        )
    texts = [dm_text(m) for m in dms(room.standin, ALICE)]
    assert len(texts) == 4, texts
    assert sum(t.startswith("More of your pods are failing") for t in texts) == 1


async def test_markup_and_credentials_a_container_prints_are_escaped_once_and_redacted(
    room: Running,
):
    script = (
        "echo '<!channel> deploy & *now*'; echo '<@U0BOB> <https://evil.example|click>'; "
        "echo 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; exit 1"
    )
    await create(room.emulator, sidecar_pod("loud", script))
    [message] = await until(lambda: dms(room.standin, ALICE), what="the DM")
    text = dm_text(message)
    assert "<!channel>" not in text and "<@U0BOB>" not in text and "<https://" not in text
    assert "&lt;!channel&gt; deploy &amp; *now*" in text
    assert "&lt;@U0BOB&gt;" in text
    assert "&amp;amp;" not in text and "&amp;lt;" not in text  # escaped once, never twice
    assert "wJalrXUtnFEMI" not in text and "[redacted: " in text


async def test_a_hostile_image_name_is_escaped_in_the_dm(room: Running):
    pod = sidecar_pod("odd", "while true; do sleep 10; done")  # the sidecar runs: one problem
    pod["spec"]["containers"][0]["image"] = "ngnix:<!here>&x"
    await create(room.emulator, pod)
    [message] = await until(lambda: dms(room.standin, ALICE), what="the DM")
    text = dm_text(message)
    assert "<!here>" not in text and "&lt;!here&gt;&amp;x" in text
    assert "&amp;amp;" not in text
