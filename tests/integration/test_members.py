"""Issue 13: places Podium is not a member of, against the stand-in's default (Slack's) membership
rules. Every answer is true for the place: what worked, where the rest went, `/invite` only where
it can work, and no question queued that nobody can see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.questions.render import ASK_DIALOG
from bot.slack.output import SHARE_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths
from podium_devkit.slack_api import SlackStandIn
from tests.harness.running import Running, running_podium

HOSTILE = (
    Path(__file__).parents[1] / "fixtures" / "hostile.yaml"
)  # `logs chatty`: output longer than a message
TEACHER = "U0INSTRUCTOR"
LOBBY = "C0LOBBY"  # public, Podium has not joined
SECRET = "C0SECRET"  # private, Podium was not invited


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Running]:
    async with (
        KubeEmulator.from_paths(*demo_seed_paths(), HOSTILE) as emulator,
        SlackStandIn() as standin,
    ):
        standin.add_channel(LOBBY, "lobby", member=False)
        standin.add_channel(SECRET, "secret", is_private=True, member=False)
        async with running_podium(
            emulator, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER
        ) as running:
            yield running


async def command(
    room: Running, name: str, text: str, *, channel: str, user: str = "U0ALICE"
) -> dict[str, Any]:
    sent = await room.sender.slash_command(name, text, user_id=user, channel_id=channel)
    assert sent.status == 200
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), timeout=15)
    return answer


def share_value(message: dict[str, Any]) -> str:
    [button] = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == SHARE_ACTION
    ]
    return str(button["value"])


async def press_share(
    room: Running, answer: dict[str, Any], *, channel: str, count: int = 2
) -> list[dict[str, Any]]:
    pressed = await room.sender.block_action(
        SHARE_ACTION, share_value(answer), user_id="U0ALICE", channel_id=channel
    )
    assert pressed.status == 200
    return await room.standin.wait_for_responses(str(pressed.response_url), count=count, timeout=15)


def bot_messages(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [m for m in standin.messages(channel) if m.get("bot_id")]


async def test_kubectl_answers_in_every_place_through_the_response_url(room: Running):
    dm = room.standin.add_dm_between("U0ALICE", "U0BOB")
    for channel in (LOBBY, SECRET, dm):
        answer = await command(room, "/kubectl", "get deploy nginx", channel=channel)
        assert "nginx" in message_to_text(answer)


async def test_share_of_long_output_in_a_public_channel_not_joined_says_where_the_snippet_is(
    room: Running,
):
    answer = await command(room, "/kubectl", "logs chatty", channel=LOBBY)
    [note] = await press_share(room, answer, channel=LOBBY, count=1)
    told = message_to_text(note)
    [post] = [m for m in bot_messages(room.standin, LOBBY) if not m.get("upload")]
    shown = message_to_text(post)
    assert "<@U0ALICE> ran `kubectl logs chatty" in shown
    assert (
        "The full output is in <@U0ALICE>'s DM with Podium" in shown
        and "in the thread" not in shown
    )
    assert not [f for f in room.standin.files() if f.channel_id == LOBBY]
    [snippet] = [
        f
        for f in room.standin.files()
        if f.channel_id == room.standin.dm_channel("U0ALICE")
        and f.thread_ts is None
        and f.text.count("\n") > 100
    ][-1:]
    assert snippet.completed
    assert told.startswith(
        "`kubectl logs chatty"
    )  # the original answer, its button replaced by the note
    assert "Shared. The full output is in your DM with Podium" in told
    assert "`/invite @Podium`" in told  # possible in a public channel
    assert "could not post" not in told


async def test_share_in_someone_elses_dm_goes_through_the_response_url_without_invite_advice(
    room: Running,
):
    dm = room.standin.add_dm_between("U0ALICE", "U0BOB")
    answer = await command(room, "/kubectl", "logs chatty", channel=dm)
    shared, note = await press_share(room, answer, channel=dm)
    assert shared["response_type"] == "in_channel"
    [visible] = room.standin.messages(dm)  # what both people in the DM see
    assert "<@U0ALICE> ran `kubectl logs chatty" in message_to_text(visible)
    assert "The full output is in <@U0ALICE>'s DM with Podium" in message_to_text(visible)
    told = message_to_text(note)
    assert "Shared here through Slack's reply to your button" in told and "/invite" not in told
    assert "The full output is in your DM with Podium" in told
    assert not [
        c for c in room.standin.calls("chat.postMessage") if c.ok and c.args.get("channel") == dm
    ]


async def test_share_in_a_private_channel_not_joined_posts_through_the_response_url_and_says_invite(
    room: Running,
):
    answer = await command(room, "/kubectl", "get deploy nginx", channel=SECRET)
    shared, note = await press_share(room, answer, channel=SECRET)
    assert shared["response_type"] == "in_channel"
    assert "<@U0ALICE> ran `kubectl get deploy nginx" in message_to_text(
        room.standin.messages(SECRET)[0]
    )
    told = message_to_text(note)
    assert "private channel" in told and "`/invite @Podium`" in told


async def test_a_second_share_press_in_a_dm_does_not_post_twice(room: Running):
    dm = room.standin.add_dm_between("U0ALICE", "U0BOB")
    answer = await command(room, "/kubectl", "get deploy nginx", channel=dm)
    await press_share(room, answer, channel=dm)
    [again] = await press_share(room, answer, channel=dm, count=1)
    assert "Already shared" in message_to_text(again)
    assert len(room.standin.messages(dm)) == 1


async def test_ask_in_a_private_channel_not_joined_leaves_no_ghost_question(room: Running):
    answer = message_to_text(await command(room, "/ask", "Why is my pod pending?", channel=SECRET))
    assert answer.startswith("Your question was not posted.")
    assert "private channel" in answer and "`/invite @Podium`" in answer
    queued = message_to_text(await command(room, "/questions", "", channel=SECRET, user=TEACHER))
    assert queued.startswith("No open questions")
    room.standin.join(SECRET)  # invited: asking again works, and only that question is queued
    again = message_to_text(await command(room, "/ask", "Why is my pod pending?", channel=SECRET))
    assert again.startswith("Your question (Q")
    queued = message_to_text(await command(room, "/questions", "", channel=SECRET, user=TEACHER))
    assert queued.startswith("*1 open question*") and queued.count("Why is my pod pending?") == 1


async def test_ask_dialog_in_a_public_channel_not_joined_confirms_in_the_dm_without_a_failure(
    room: Running,
):
    values = {
        "question": {"text": {"type": "plain_text_input", "value": "Can a Pod span two nodes?"}}
    }
    sent = await room.sender.view_submission(
        ASK_DIALOG, values, user_id="U0BOB", private_metadata=LOBBY
    )
    assert sent.status == 200
    dm = room.standin.dm_channel("U0BOB")
    await room.standin.wait_for_call(
        "chat.postMessage",
        predicate=lambda c: (
            c.args.get("channel") in ("U0BOB", dm) and "Your question" in str(c.args.get("text"))
        ),
        timeout=15,
    )
    await asyncio.sleep(0.3)  # nothing else (a failure line) is on its way
    posted = [
        m
        for m in bot_messages(room.standin, LOBBY)
        if "Can a Pod span two nodes?" in message_to_text(m)
    ]
    assert len(posted) == 1
    told = [message_to_text(m) for m in bot_messages(room.standin, dm)]
    assert len(told) == 1 and told[0].startswith(
        "Your question (Q1) is in this channel's questions thread"
    )
    assert not any("ref " in t or "could not" in t or "not a member" in t for t in told)


async def test_share_in_a_public_channel_not_joined_never_claims_a_snippet_that_failed(
    room: Running,
):
    answer = await command(room, "/kubectl", "logs chatty", channel=LOBBY)
    # The channel refuses the file (not a member), and then the DM upload fails as well.
    room.standin.fail_next(
        "files.completeUploadExternal", status=200, error="not_in_channel", times=2
    )
    [note] = await press_share(room, answer, channel=LOBBY, count=1)
    [post] = [m for m in bot_messages(room.standin, LOBBY) if not m.get("upload")]
    shown = message_to_text(post)
    assert "not attached: Podium cannot attach files in this channel" in shown and "DM" not in shown
    told = message_to_text(note)
    assert "The full output is too long for Slack, and the snippet upload failed" in told
    assert "in your DM" not in told
