"""The instructor's room board through the real Bolt app and the Slack stand-in: `/workshop board`
posts it in the instructor's DM, troubles and passed exercises update that message in place (a
burst costs few chat.update calls), a restart keeps updating the same message, a deleted board
is posted again, and Describe on a stuck row shows the instructor that pod from the emulator
while a participant pressing it for a neighbour is refused. `board` typed to Podium (in the DM or
with @Podium) does what `/workshop board` does, answered privately; help lists it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.notify.board import DESCRIBE_ACTION
from bot.notify.model import Trouble
from bot.notify.room_board import ONLY_INSTRUCTORS
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import SlackStandIn
from tests.harness.conversation import direct, finished, mention
from tests.harness.exercises import participant_setup, solution
from tests.harness.room import block_kit_problems, raw_pings
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
STUCK_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-7d4", "namespace": "ws-u0bob", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "web", "image": "ngnix:1.27"}]},
}


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    # Alice has exercise 2 solved in her namespace; Bob has a pod that will not start.
    seed = [*participant_setup("U0ALICE", "U0BOB"), *solution("02-deployment"), STUCK_POD]
    async with KubeEmulator([*load_documents(*demo_seed_paths()), *seed]) as emulator:
        yield emulator


def env() -> dict[str, str]:
    return {"PODIUM_INSTRUCTORS": TEACHER, "PODIUM_USER_RATE": "0/1s"}


@pytest.fixture
async def room(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> AsyncIterator[Running]:
    async with running_podium(cluster, standin, tmp_path, **env()) as running:
        yield running


def stuck(user: str, name: str, *, ago: float = 240.0, summary: str = "Back-off") -> Trouble:
    return Trouble(
        user, f"ws-{user.lower()}", "pods", name, "ImagePullBackOff", time.time() - ago, summary
    )


async def workshop(running: Running, text: str, user: str = TEACHER) -> dict[str, Any]:
    sent = await running.sender.slash_command("/workshop", text, user_id=user, channel_id=CHANNEL)
    assert sent.status == 200
    [answer] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=20)
    return answer


def board_messages(standin: SlackStandIn) -> list[dict[str, Any]]:
    return [
        m
        for m in standin.messages(standin.dm_channel(TEACHER))
        if m.get("bot_id") and "Room board" in str(m.get("text"))
    ]


def updates_of(standin: SlackStandIn, ts: str) -> int:
    return sum(1 for c in standin.calls("chat.update") if c.args.get("ts") == ts and c.ok)


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll with a generous deadline: the machine may be loaded; never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_the_board_is_posted_in_the_dm_and_updated_in_place(room: Running) -> None:
    answer = await workshop(room, "board")
    assert "The room board is <https://" in answer["text"]
    assert "|in your DM with Podium>, at the bottom" in answer["text"]
    assert answer.get("response_type") == "ephemeral"
    [board] = board_messages(room.standin)
    assert not block_kit_problems(board)
    ts = board["ts"]

    for i in range(20):  # a burst of changes, as a flapping namespace makes them
        room.podium.board.troubles_changed("U0BOB", (stuck("U0BOB", f"web-{i}"),))
        await asyncio.sleep(0.01)
    await until(lambda: "web-19" in str(room.standin.message(room.standin.dm_channel(TEACHER), ts)))
    await room.podium.board.refreshes.flush()
    assert 1 <= updates_of(room.standin, ts) <= 3
    [board] = board_messages(room.standin)  # the same message: nothing new was posted
    assert board["ts"] == ts
    text = message_to_text(board)
    assert "<@U0BOB> · 0/4 passed · *stuck 4m*" in text and "web-18" not in text
    assert not block_kit_problems(board)


async def test_passing_an_exercise_shows_on_the_board(room: Running) -> None:
    await workshop(room, "board")
    [board] = board_messages(room.standin)
    sent = await room.sender.slash_command(
        "/exercise", "check 2", user_id="U0ALICE", channel_id=CHANNEL
    )
    await room.standin.wait_for_responses(sent.response_url, count=1, timeout=20)
    channel = room.standin.dm_channel(TEACHER)
    await until(
        lambda: "<@U0ALICE> · 1/4 passed" in str(room.standin.message(channel, board["ts"]))
    )
    assert "<@U0ALICE> · 1/4 passed" in message_to_text(room.standin.message(channel, board["ts"]))


async def test_a_participant_is_told_who_may_see_the_board(room: Running) -> None:
    answer = await workshop(room, "board", user="U0ALICE")
    assert answer["text"] == ONLY_INSTRUCTORS
    assert board_messages(room.standin) == []


async def test_after_a_restart_the_same_message_keeps_being_updated(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> None:
    async with running_podium(cluster, standin, tmp_path, **env()) as first:
        await workshop(first, "board")
        [board] = board_messages(standin)
    async with running_podium(cluster, standin, tmp_path, **env()) as second:
        second.podium.board.troubles_changed("U0BOB", (stuck("U0BOB", "after-restart"),))
        channel = standin.dm_channel(TEACHER)
        await until(lambda: "after-restart" in str(standin.message(channel, board["ts"])))
        assert [m["ts"] for m in board_messages(standin)] == [board["ts"]]


async def test_a_deleted_board_is_posted_again(room: Running) -> None:
    await workshop(room, "board")
    [old] = board_messages(room.standin)
    # Slack says the message is gone (deleted by the instructor, or retention).
    room.standin.fail_next("chat.update", status=200, error="message_not_found")
    room.podium.board.troubles_changed("U0BOB", (stuck("U0BOB", "web-7d4"),))
    await until(lambda: len(board_messages(room.standin)) == 2)
    new = board_messages(room.standin)[-1]
    assert new["ts"] != old["ts"] and "web-7d4" in message_to_text(new)
    # From then on the new one is updated.
    room.podium.board.troubles_changed("U0BOB", ())
    channel = room.standin.dm_channel(TEACHER)
    await until(lambda: "All clear" in str(room.standin.message(channel, new["ts"])))


async def test_showing_the_board_again_moves_it_to_the_bottom(room: Running) -> None:
    await workshop(room, "board")
    [old] = board_messages(room.standin)
    await workshop(room, "board")
    [new] = board_messages(room.standin)  # the old one was deleted
    assert float(new["ts"]) > float(old["ts"])


async def describe_button(running: Running) -> tuple[str, str]:
    """The Describe button's value on the board, once Bob's stuck pod shows."""
    await workshop(running, "board")
    running.podium.board.troubles_changed(
        "U0BOB", (stuck("U0BOB", "web-7d4", summary='Back-off pulling image "ngnix:1.27"'),)
    )
    channel = running.standin.dm_channel(TEACHER)

    def value() -> str | None:
        for message in board_messages(running.standin):
            for block in message.get("blocks") or []:
                accessory = block.get("accessory") or {}
                if accessory.get("action_id") == DESCRIBE_ACTION:
                    return str(accessory["value"])
        return None

    await until(lambda: value() is not None)
    return channel, str(value())


async def test_describe_shows_the_instructor_the_stuck_pod(room: Running) -> None:
    channel, value = await describe_button(room)
    sent = await room.sender.block_action(
        DESCRIBE_ACTION, value, user_id=TEACHER, channel_id=channel
    )
    assert sent.status == 200
    [answer] = await room.standin.wait_for_responses(sent.response_url, count=1, timeout=20)
    text = message_to_text(answer)
    assert "Name:" in text and "web-7d4" in text and "ws-u0bob" in text
    assert "ngnix:1.27" in text
    assert answer.get("response_type") == "ephemeral" and not raw_pings(answer)


async def test_a_participant_pressing_describe_for_a_neighbour_is_refused(room: Running) -> None:
    _, value = await describe_button(room)
    alice_dm = room.standin.dm_channel("U0ALICE")
    sent = await room.sender.block_action(
        DESCRIBE_ACTION, value, user_id="U0ALICE", channel_id=alice_dm
    )
    [answer] = await room.standin.wait_for_responses(sent.response_url, count=1, timeout=20)
    text = message_to_text(answer)
    assert "ws-u0bob" in text and "Name:" not in text and "ngnix" not in text


async def test_a_forged_describe_value_gets_one_line(room: Running) -> None:
    sent = await room.sender.block_action(
        DESCRIBE_ACTION,
        '{"u":"U0BOB","ns":"kube-system","k":"secrets","n":"x"}',
        user_id=TEACHER,
        channel_id=room.standin.dm_channel(TEACHER),
    )
    [answer] = await room.standin.wait_for_responses(sent.response_url, count=1, timeout=20)
    assert answer["text"].startswith("That button does not name a pod Podium put on the room board")


async def test_board_typed_in_the_dm_posts_the_board_above_the_answer(room: Running) -> None:
    asked = await direct(room, "board", user=TEACHER)
    await finished(room, asked)
    channel = room.standin.dm_channel(TEACHER)
    posts = [m for m in room.standin.messages(channel) if m.get("bot_id")]
    assert [str(m.get("text")) for m in posts][-2].startswith("Room board")
    assert posts[-1]["text"].startswith("The room board is just above")
    assert "`board` again brings it back to the bottom" in posts[-1]["text"]


async def test_board_mentioned_in_a_channel_is_answered_privately(room: Running) -> None:
    asked = await mention(room, "board", user=TEACHER)
    await finished(room, asked)
    [board] = board_messages(room.standin)
    assert "Room board" in message_to_text(board)
    [private] = [
        c for c in room.standin.calls("chat.postEphemeral") if c.args.get("user") == TEACHER
    ]
    assert "in your DM with Podium>, at the bottom" in private.args["text"]
    assert [m for m in room.standin.messages(CHANNEL) if m.get("bot_id")] == []


async def test_a_participant_typing_board_gets_the_same_refusal(room: Running) -> None:
    asked = await direct(room, "board", user="U0ALICE")
    await finished(room, asked)
    [answer] = [
        m for m in room.standin.messages(room.standin.dm_channel("U0ALICE")) if m.get("bot_id")
    ]
    assert answer["text"] == ONLY_INSTRUCTORS
    asked = await mention(room, "board", user="U0ALICE")
    await finished(room, asked)
    [private] = room.standin.calls("chat.postEphemeral")
    assert private.args["text"] == ONLY_INSTRUCTORS
    assert board_messages(room.standin) == []


async def test_help_lists_the_board_command(room: Running) -> None:
    asked = await direct(room, "help", user=TEACHER)
    await finished(room, asked)
    [answer] = [
        m for m in room.standin.messages(room.standin.dm_channel(TEACHER)) if m.get("bot_id")
    ]
    assert "`@Podium board`  instructors: the room board in your DM" in answer["text"]
    usage = await workshop(room, "help", user="U0ALICE")
    assert "`/workshop board` (or `@Podium board`) posts the room board" in usage["text"]
