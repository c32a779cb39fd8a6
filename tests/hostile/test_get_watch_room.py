"""`get -w` under attack: cluster data that tries to ping the room or break the code block, and
a room starting watches at once, paced as Slack paces (PODIUM_POST_INTERVAL=1) against a
stand-in that rate-limits like Slack: everyone answered, the cap held, nothing answered 429,
every watch message converging on the cluster's state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.room import CHANNEL, ROOM_ENV, Room, block_kit_problems, raw_pings
from tests.harness.running import running_podium

ROOM_SIZE = 12
MOST = 8


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    env = {**ROOM_ENV, "PODIUM_POST_INTERVAL": "1", "PODIUM_WATCHES_MAX": str(MOST)}
    async with running_podium(cluster, standin, tmp_path, **env) as running:
        yield Room(running)


async def eventually(check: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.1)
    return found


def watch_messages(standin: SlackStandIn) -> list[dict[str, Any]]:
    return [
        m
        for m in standin.messages(CHANNEL)
        if m.get("bot_id") and "watching · updates for" in message_to_text(m)
    ]


async def test_hostile_labels_in_a_watch_never_ping_and_keep_the_block(room: Room):
    await room.ask("get pods --show-labels -w")
    [message] = await eventually(lambda: watch_messages(room.standin), "the watch message", 30)
    assert raw_pings(message) == []
    assert block_kit_problems(message) == []
    text = message_to_text(message)
    assert "owner=<!channel>" in text and "team=<@U0BOB>" in text  # shown, as text


async def delete_one_nginx_pod(cluster: KubeEmulator) -> tuple[str, set[str]]:
    """The self-healing demo: a pod deleted; returns it and its replacement(s)."""
    before = {p["metadata"]["name"] for p in cluster.objects("pods", "sandbox")}
    victim = next(name for name in sorted(before) if name.startswith("nginx-"))
    url = f"{cluster.url}/api/v1/namespaces/sandbox/pods/{victim}"
    headers = {"Authorization": f"Bearer {cluster.ADMIN_TOKEN}"}
    async with aiohttp.ClientSession() as session, session.delete(url, headers=headers) as reply:
        assert reply.status == 200
    new = await eventually(
        lambda: {p["metadata"]["name"] for p in cluster.objects("pods", "sandbox")} - before,
        "the replacement",
    )
    return victim, new


def show_replacement(messages: list[dict[str, Any]], victim: str, new: set[str]) -> bool:
    tables = [message_to_text(m).split("Changes, newest last:")[0] for m in messages]
    return all(any(name in table for name in new) and victim not in table for table in tables)


async def test_a_room_typing_the_demos_watch_at_once_gets_one_message(room: Room):
    users = [f"U0P{n:03d}" for n in range(ROOM_SIZE)]
    answers = await asyncio.gather(*(room.ask("get pods -w", user=u, timeout=120) for u in users))
    said = [message_to_text(a) for a in answers]
    assert sum("Watching pods in sandbox in this channel" in s for s in said) == 1, said
    assert sum("already being watched in this channel" in s for s in said) == ROOM_SIZE - 1
    [message] = await eventually(lambda: watch_messages(room.standin), "the one watch message")
    victim, new = await delete_one_nginx_pod(room.emulator)
    await eventually(
        lambda: show_replacement(watch_messages(room.standin), victim, new), "the replacement"
    )
    assert len(watch_messages(room.standin)) == 1


async def test_watches_in_many_channels_at_once_are_capped_and_never_rate_limited(room: Room):
    users = [f"U0P{n:03d}" for n in range(ROOM_SIZE)]
    for user in users:  # everyone in a channel of their own (breakout rooms)
        room.standin.add_channel(f"C{user}", f"room-{user.lower()}", members=[user])

    async def watch(user: str) -> str:
        sent = await room.slash("get pods -w", user=user, channel=f"C{user}")
        [answer] = await room.standin.wait_for_responses(
            str(sent.response_url), count=1, timeout=120
        )
        return message_to_text(answer)

    said = await asyncio.gather(*(watch(u) for u in users))
    started = [s for s in said if "Watching pods in sandbox in this channel" in s]
    refused = [s for s in said if f"Podium is already running {MOST} watches for the room" in s]
    assert (len(started), len(refused)) == (MOST, ROOM_SIZE - MOST), said

    def posted() -> list[dict[str, Any]]:
        return [
            m
            for u in users
            for m in room.standin.messages(f"C{u}")
            if m.get("bot_id") and "watching · updates for" in message_to_text(m)
        ]

    await eventually(lambda: len(posted()) == MOST, "every watch posted")
    victim, new = await delete_one_nginx_pod(room.emulator)
    await eventually(lambda: show_replacement(posted(), victim, new), "all showing it")
    assert not [c for c in room.standin.calls() if c.rate_limited], "Slack answered 429"
    assert all(not block_kit_problems(m) for m in posted())
