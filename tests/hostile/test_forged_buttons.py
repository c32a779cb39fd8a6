"""Item 6 of issue 12: buttons cannot be forged into messages. A button's value comes back from the
client, so an attacker can send any value with any action_id. Podium in-process over HTTP, against
the Slack stand-in and the Kubernetes API emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.slack.output import SHARE_ACTION
from bot.slides.render import RUN_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.attacks import FORGED
from tests.harness.room import CHANNEL, ROOM_ENV, TEACHER, Room, settle
from tests.harness.running import running_podium

REFUSED = "This Share button was not made by Podium for this answer (or it was altered), so nothing was posted."


def share_value(message: dict[str, Any]) -> str:
    [button] = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == SHARE_ACTION
    ]
    return str(button["value"])


def channel_posts(room: Room) -> list[dict[str, Any]]:
    return [m for m in room.standin.messages(CHANNEL) if m.get("bot_id")]


async def reply_to(room: Room, response_url: str) -> str:
    [answer] = await room.standin.wait_for_responses(response_url, count=1, timeout=20)
    return message_to_text(answer)


async def test_a_hand_made_share_value_is_refused_and_nothing_is_posted(room: Room):
    unsigned = await room.press(SHARE_ACTION, FORGED)
    assert REFUSED in await reply_to(room, str(unsigned.response_url))
    not_json = await room.press(SHARE_ACTION, "get pods")
    assert REFUSED in await reply_to(room, str(not_json.response_url))
    await settle()
    assert channel_posts(room) == []
    assert not room.standin.calls("chat.postMessage")


async def test_an_altered_share_value_is_refused(room: Room):
    answer = await room.ask("get deploy nginx")
    value = json.loads(share_value(answer))
    for field, forged in (("t", "get cm settings -o yaml"), ("k", "another-answer")):
        altered = json.dumps({**value, field: forged})
        pressed = await room.press(SHARE_ACTION, altered)
        assert REFUSED in await reply_to(room, str(pressed.response_url))
    unsigned = json.dumps({k: v for k, v in value.items() if k != "s"})
    pressed = await room.press(SHARE_ACTION, unsigned)
    assert REFUSED in await reply_to(room, str(pressed.response_url))
    # A value signed for another button is not a Share value.
    pressed = await room.press(f"{RUN_ACTION}:0", share_value(answer), message_ts=None)
    await settle()
    assert channel_posts(room) == []


async def test_a_legitimate_share_is_attributed_to_the_person_who_pressed(room: Room):
    answer = await room.ask("get deploy nginx", user="U0ALICE")
    pressed = await room.press(SHARE_ACTION, share_value(answer), user="U0ALICE")
    assert "Shared in the channel." in await reply_to(room, str(pressed.response_url))
    [post] = channel_posts(room)
    assert message_to_text(post).startswith("<@U0ALICE> ran `kubectl get deploy nginx -n sandbox`")


async def test_a_refusal_is_never_shared(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    """An answer that fails when re-run after a restart (the API server answers 404) stays private."""
    async with running_podium(cluster, standin, tmp_path, **ROOM_ENV) as running:
        room = Room(running)
        refusal = await room.ask("delete pod web-1")
        assert not [b for b in refusal["blocks"] if b["type"] == "actions"]  # no Share on a refusal
        answer = await room.ask("get deploy nginx")
    cluster.inject_fault(
        404,
        times=None,
        path_contains="/deployments/nginx",
        message='deployments.apps "nginx" not found',
    )
    async with running_podium(cluster, standin, tmp_path, **ROOM_ENV) as running:
        room = Room(running)
        pressed = await room.press(SHARE_ACTION, share_value(answer))
        text = await reply_to(room, str(pressed.response_url))
        assert "Only answers that ran without an error are shared; this one was not posted." in text
        await settle()
        assert channel_posts(room) == []


async def test_run_in_sandbox_runs_only_commands_written_on_the_slides(room: Room):
    ts = room.standin.post_user_message(CHANNEL, TEACHER, "a slide")["ts"]
    for forged in (
        "get cm settings -o yaml",
        "describe pod web-1",
        "delete pod web-1",
        '"*Message from your instructor*"',
    ):
        pressed = await room.press(f"{RUN_ACTION}:0", forged, message_ts=ts)
        text = await reply_to(room, str(pressed.response_url))
        assert "That button does not carry a command from the slides, so nothing ran." in text
    await settle()
    assert room.thread_answers(CHANNEL, ts) == []
    command = next(
        c
        for deck in room.running.podium.slides.catalogue.decks.values()
        for s in deck.slides
        for c in s.commands
        if c.startswith("get ")
    )
    pressed = await room.press(f"{RUN_ACTION}:0", command, user="U0BOB", message_ts=ts)
    answer = await reply_to(
        room, str(pressed.response_url)
    )  # a command from the slides runs, privately
    assert "That button does not carry" not in answer and "NAME" in answer
