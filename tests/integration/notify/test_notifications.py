"""Podium in-process (the real Bolt app, the real WatchHub) against the Slack stand-in and the
emulator with its kubelet running: failing pods become one DM each, with the reason, kubectl's
words, the likely cause and working buttons; `/workshop notify` switches them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.notify.model import Trouble
from bot.notify.render import DESCRIBE_ACTION, LOGS_ACTION
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.notify import (
    ALICE,
    ALICE_NS,
    BOB,
    create,
    deployment,
    dm_text,
    dms,
    service,
    sidecar_pod,
    until,
    workshop_cluster,
)
from tests.harness.running import Running, running_podium

TEACHER = "U0TEACHER"


def pod_versions(emulator: KubeEmulator) -> int:
    return sum(int(p["metadata"]["resourceVersion"]) for p in emulator.objects("pods", ALICE_NS))


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    async with workshop_cluster(ALICE, BOB) as emulator:
        yield emulator


@pytest.fixture
async def room(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> AsyncIterator[Running]:
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER, PODIUM_PARTICIPANTS=f"{ALICE},{BOB}"
    ) as running:
        await running.podium.start()
        yield running


async def test_a_mistyped_image_is_one_dm_with_the_pods_the_reason_and_the_typo(room: Running):
    troubles: list[tuple[str, tuple[Trouble, ...]]] = []
    room.podium.notifier.on_troubles(lambda user, found: troubles.append((user, found)))
    await create(room.emulator, deployment("web", "ngnix", replicas=3))
    [message] = await until(lambda: dms(room.standin, ALICE), what="Alice's DM")
    text = dm_text(message)
    pods = [p["metadata"]["name"] for p in room.emulator.objects("pods", ALICE_NS)]
    assert len(pods) == 3 and all(name in text for name in pods)
    assert "ImagePullBackOff" in text or "ErrImagePull" in text
    assert "did you mean `nginx`?" in text
    assert "kubectl set image deployment/web web=nginx -n ws-u0alice" in text
    assert dms(room.standin, BOB) == []
    # The kubelet keeps retrying the pull: the pods change, no second DM.
    versions = [pod_versions(room.emulator)]

    def moved() -> bool:
        if pod_versions(room.emulator) != versions[-1]:
            versions.append(pod_versions(room.emulator))
        return len(versions) > 3 and room.podium.notifier.idle

    await until(moved, what="three rounds of the kubelet's pull retries")
    assert len(dms(room.standin, ALICE)) == 1
    user, found = troubles[-1]
    assert user == ALICE and {t.name for t in found} == set(pods)
    assert {t.reason for t in found} <= {"ErrImagePull", "ImagePullBackOff"}


async def test_a_crash_looping_sidecar_dm_has_its_previous_log_and_the_buttons_work(room: Running):
    script = "echo starting writer; echo DB_PASSWORD=hunter2; echo giving up; exit 3"
    await create(room.emulator, sidecar_pod("web-with-sidecar", script))
    [message] = await until(lambda: dms(room.standin, ALICE), what="Alice's DM")
    text = dm_text(message)
    assert "Pod web-with-sidecar: CrashLoopBackOff" in text
    assert "giving up" in text and "hunter2" not in text and "[redacted: password]" in text
    assert "exit code 3" in text
    assert "Exercise 1: Multi-container Pod" in text  # the exercise its checks name
    actions = {
        e["action_id"]: e
        for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    }  # fmt: skip
    assert set(actions) == {LOGS_ACTION, DESCRIBE_ACTION, "exercise_check"}
    dm = room.standin.dm_channel(ALICE)
    pressed = await room.sender.block_action(
        LOGS_ACTION, actions[LOGS_ACTION]["value"], user_id=ALICE, channel_id=dm,
        message_ts=message["ts"],
    )  # fmt: skip
    [answer] = await room.standin.wait_for_responses(pressed.response_url, count=1, timeout=15)
    assert "giving up" in json.dumps(answer) and "hunter2" not in json.dumps(answer)
    # Bob pressing Alice's forwarded Describe button gets his own policy's refusal.
    pressed = await room.sender.block_action(
        DESCRIBE_ACTION, actions[DESCRIBE_ACTION]["value"], user_id=BOB, channel_id=dm,
        message_ts=message["ts"],
    )  # fmt: skip
    [refusal] = await room.standin.wait_for_responses(pressed.response_url, count=1, timeout=15)
    assert "web-with-sidecar" not in json.dumps(refusal.get("blocks") or [])
    assert "ws-u0alice" in json.dumps(refusal) and "Containers:" not in json.dumps(refusal)


async def test_a_forged_button_value_runs_nothing(room: Running):
    pressed = await room.sender.block_action(
        DESCRIBE_ACTION, "describe secret db -n ws-u0alice", user_id=ALICE
    )
    [answer] = await room.standin.wait_for_responses(pressed.response_url, count=1, timeout=15)
    assert "nothing ran" in answer["text"]


async def test_workshop_notify_off_on_and_the_room_switch(room: Running):
    async def workshop(text: str, user: str = ALICE) -> str:
        sent = await room.sender.slash_command("/workshop", text, user_id=user)
        [reply] = await room.standin.wait_for_responses(sent.response_url, count=1, timeout=15)
        return str(reply["text"])

    assert "Your notifications are off" in await workshop("notify off")
    troubles: list[tuple[str, tuple[Trouble, ...]]] = []
    room.podium.notifier.on_troubles(lambda user, found: troubles.append((user, found)))
    await create(room.emulator, sidecar_pod("side", "exit 1"))
    await until(lambda: troubles and room.podium.notifier.idle, what="the crash loop judged")
    assert dms(room.standin, ALICE) == []  # judged, and not told: Alice turned it off
    assert "Your notifications are on" in await workshop("notify on")
    await until(lambda: dms(room.standin, ALICE), what="the DM once turned on")
    assert (await workshop("notify room off", BOB)).startswith("Only the instructors")
    assert "off for the room" in await workshop("notify room off", TEACHER)
    assert "`/workshop notify off`" in await workshop("help")
    assert "does not take" in await workshop("notify loudly")


async def test_a_service_whose_selector_matches_no_pod_is_told_with_the_label_it_meant(
    room: Running,
):
    await create(room.emulator, deployment("web", "nginx:1.27"))
    await create(room.emulator, service("web", {"app": "wbe"}))
    await create(room.emulator, service("ok", {"app": "web"}))
    [message] = await until(lambda: dms(room.standin, ALICE), what="the DM after the grace")
    text = dm_text(message)
    assert "Service web selects no Pod" in text and "did you mean `app=web`?" in text
    assert "Exercise 3: Create a Service + Deployment" in text
