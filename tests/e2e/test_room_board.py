"""The room board as an instructor uses it, with Podium as a process (`python -m bot serve`), the
emulator's kubelet running and the participant's real kubectl: `/workshop board` posts the board;
a Deployment with a mistyped image shows the participant stuck on that same message; Podium is
restarted and the board it shows is the same message, still up to date; Describe on the stuck row
gives the instructor that pod's describe privately; the fixed image (`kubectl set image`) shows the
participant no longer stuck, on the same message still."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.notify.board import DESCRIBE_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender
from tests.harness.notify import (
    ALICE,
    ALICE_NS,
    deployment,
    kubectl,
    participant_kubeconfig,
    until,
    workshop_cluster,
)
from tests.harness.process import PodiumProcess, podium_env, start_podium, stop_podium

SIGNING_SECRET = "e2e-board-secret-0123456789abcdef"
READY = re.compile(r"listening on http://[^:]+:(\d+)")
TEACHER = "U0INSTRUCTOR"  # a member of the stand-in's workspace
CHANNEL = "C0WORKSHOP"
WITHIN = 30.0  # seconds for the board to show a change: debounced, on a loaded machine


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
        PODIUM_INSTRUCTORS=TEACHER,
        PODIUM_PARTICIPANTS=ALICE,
        PODIUM_WATCH="on",
        PODIUM_BOARD_INTERVAL="1",
    )
    return await start_podium(["serve", "--host", "127.0.0.1"], env, READY)


def boards(standin: SlackStandIn) -> list[dict[str, Any]]:
    """The room boards in the instructor's DM with Podium."""
    return [
        m
        for m in standin.messages(standin.dm_channel(TEACHER))
        if m.get("bot_id") and str(m.get("text") or "").startswith("Room board")
    ]


def shown(standin: SlackStandIn, ts: str) -> str:
    message = standin.message(standin.dm_channel(TEACHER), ts)
    return message_to_text(message) if message else ""


def alice_stuck(text: str) -> bool:
    return (
        f"<@{ALICE}>" in text
        and "stuck" in text
        and ("ImagePullBackOff" in text or "ErrImagePull" in text)
    )


def describe_value(standin: SlackStandIn, ts: str) -> str | None:
    message = standin.message(standin.dm_channel(TEACHER), ts) or {}
    for block in message.get("blocks") or []:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == DESCRIBE_ACTION:
            return str(accessory["value"])
    return None


async def test_the_board_follows_a_stuck_participant_across_a_restart_and_describes_the_pod(
    standin: SlackStandIn, emulator: KubeEmulator, tmp_path: Path
) -> None:
    alice = await participant_kubeconfig(emulator, ALICE_NS, tmp_path / "alice.kubeconfig")
    podium = await start(standin, emulator, tmp_path)
    try:
        async with SlackSender(str(podium.events_url), SIGNING_SECRET, standin) as sender:
            sent = await sender.slash_command(
                "/workshop", "board", user_id=TEACHER, channel_id=CHANNEL
            )
            [answer] = await standin.wait_for_responses(sent.response_url, count=1, timeout=30)
            assert answer.get("response_type") == "ephemeral"
            assert "|in your DM with Podium>, at the bottom" in answer["text"]
        [board] = boards(standin)
        ts = board["ts"]

        manifest = yaml.safe_dump(deployment("web", "ngnix", replicas=1))
        await kubectl(alice, "apply", "-f", "-", stdin=manifest)
        await until(lambda: alice_stuck(shown(standin, ts)), WITHIN, "Alice stuck on the board")
        assert "web-" in shown(standin, ts)
    finally:
        await stop_podium(podium)

    podium = await start(standin, emulator, tmp_path)  # the same state database
    try:
        # The restarted Podium re-learns what fails from the cluster; its board is the same
        # message, Alice still stuck on it, with the Describe button.
        value = await until(lambda: describe_value(standin, ts), WITHIN, "the Describe button")
        assert alice_stuck(shown(standin, ts))
        async with SlackSender(str(podium.events_url), SIGNING_SECRET, standin) as sender:
            pressed = await sender.block_action(
                DESCRIBE_ACTION,
                value,
                user_id=TEACHER,
                channel_id=standin.dm_channel(TEACHER),
                message_ts=ts,
            )
            assert pressed.status == 200
            [described] = await standin.wait_for_responses(
                pressed.response_url, count=1, timeout=30
            )
        text = message_to_text(described)
        [pod] = (await kubectl(alice, "get", "pods", "-o", "name")).split()
        assert pod.removeprefix("pod/") in text and ALICE_NS in text, text
        assert "ngnix" in text  # the image it cannot pull
        assert described.get("response_type") == "ephemeral"

        await kubectl(alice, "set", "image", "deployment/web", "web=nginx:1.27")
        await until(
            lambda: "All clear" in shown(standin, ts) and f"<@{ALICE}>" in shown(standin, ts),
            WITHIN,
            "Alice no longer stuck on the board",
        )
        assert not alice_stuck(shown(standin, ts))
        assert [b["ts"] for b in boards(standin)] == [ts]  # never a second board
    finally:
        await stop_podium(podium)
