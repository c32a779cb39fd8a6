"""The room board under attack and under Slack's refusals: cluster text that tries to ping the
room or break the layout, a crowded room, a flood of changes while Slack rate-limits the edits,
and Describe buttons altered to reach what the board never offered."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from bot.notify.board import DESCRIBE_ACTION
from bot.notify.model import Trouble
from podium_devkit.console import message_to_text
from tests.harness.room import (
    CHANNEL,
    HOSTILE,
    LONG_LINE,
    MULTILINE,
    TEACHER,
    Room,
    block_kit_problems,
    raw_pings,
)


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def show_board(room: Room) -> dict[str, Any]:
    answer = await room.ask("board", command="/workshop", user=TEACHER)
    assert "in your DM with Podium" in answer["text"]
    [board] = boards(room)
    return board


def boards(room: Room) -> list[dict[str, Any]]:
    dm = room.standin.dm_channel(TEACHER)
    return [
        m
        for m in room.standin.messages(dm)
        if m.get("bot_id") and "Room board" in str(m.get("text"))
    ]


def hostile_trouble(user: str, i: int) -> Trouble:
    return Trouble(
        user,
        f"ws-{user.lower()}",
        "pods",
        f"web-{i}",
        f"{HOSTILE} CrashLoopBackOff",
        time.time() - 600 + i,
        [HOSTILE, LONG_LINE, MULTILINE][i % 3],
    )


async def test_cluster_text_on_the_board_pings_nobody_and_fits(room: Room) -> None:
    board = await show_board(room)
    for n in range(120):  # a crowded room, every summary hostile
        user = f"U{n:05d}H"
        room.running.podium.board.troubles_changed(
            user, tuple(hostile_trouble(user, i) for i in range(6))
        )
    dm = room.standin.dm_channel(TEACHER)
    await until(lambda: "… and 100 more stuck" in str(room.standin.message(dm, board["ts"])))
    shown = room.standin.message(dm, board["ts"])
    assert shown is not None
    assert raw_pings(shown) == [] and block_kit_problems(shown) == []
    assert "<@U00000H>" in message_to_text(shown)  # stuck longest: on top
    refused = [
        (c.response or {}).get("error") for c in room.standin.calls("chat.update") if not c.ok
    ]
    assert [error for error in refused if error != "ratelimited"] == []


async def test_a_flood_while_slack_rate_limits_still_ends_with_the_latest_state(
    room: Room,
) -> None:
    board = await show_board(room)
    # Slack refuses the next edits (429, Retry-After 1 s): the client's retries and then the
    # board's own retry carry the last state through.
    room.standin.fail_next("chat.update", status=429, retry_after=1, times=6)
    for i in range(50):
        room.running.podium.board.troubles_changed("U0BOB", (hostile_trouble("U0BOB", i),))
        await asyncio.sleep(0)
    dm = room.standin.dm_channel(TEACHER)
    await until(lambda: "web-49" in str(room.standin.message(dm, board["ts"])), timeout=60)
    assert [m["ts"] for m in boards(room)] == [board["ts"]]
    # Far fewer edits than changes, refused ones included.
    assert len(room.standin.calls("chat.update")) <= 12


async def test_altered_describe_values_run_nothing_beyond_the_pressers_policy(room: Room) -> None:
    base = {"u": "U0BOB", "ns": "ws-u0bob", "k": "pods", "n": "web"}
    altered = [
        {**base, "n": "web -n kube-system"},
        {**base, "n": "web --all-namespaces"},
        {**base, "ns": "kube-system", "k": "secrets"},
        {**base, "n": "x" * 300},
        {**base, "ns": "ws-u0bob\n-o yaml"},
    ]
    requests_before = len(room.emulator.requests)
    for value in altered:
        sent = await room.press(DESCRIBE_ACTION, json.dumps(value), user=TEACHER, channel=CHANNEL)
        [answer] = await room.standin.wait_for_responses(
            str(sent.response_url), count=1, timeout=20
        )
        assert answer["text"].startswith("That button does not name a pod"), value
    assert room.emulator.requests[requests_before:] == []  # nothing reached the cluster
    # A well-formed value for a namespace the presser may not read: their policy refuses.
    sent = await room.press(DESCRIBE_ACTION, json.dumps(base), user="U0ALICE", channel=CHANNEL)
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), count=1, timeout=20)
    assert "outside the workshop namespaces you may read" in message_to_text(answer)
    assert raw_pings(answer) == []
