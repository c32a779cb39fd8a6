"""Block Kit limits through the real Bolt app and the strict Slack stand-in (issue 13): slides with
30 images or 30 commands, a 5,000-character question, 10,000 characters typed after a command.
Each is answered or posted (nothing refused by Slack) and says visibly what it left out."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.slides.render import RUN_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.slack_api import SlackStandIn
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def write_deck(folder: Path) -> None:
    (folder / "images").mkdir(parents=True)
    for i in range(30):
        (folder / "images" / f"p{i}.png").write_bytes(PNG + bytes([i]))  # 30 different files
    pictures = "\n\n".join(
        f"Step {i}\n\n![Step {i} of the rollout](images/p{i}.png)" for i in range(30)
    )
    fence = "\n".join(f"kubectl get pods -l step={i}" for i in range(30))
    (folder / "limits.md").write_text(
        "---\ntitle: Limits\nauthor: Podium\ndescription: A deck at Slack's limits\n---\n\n"
        f"# Thirty pictures\n\n{pictures}\n\n---\n\n# Thirty commands\n\n```kubectl\n{fence}\n```\n\n---\n\n# End\n"
    )


@pytest.fixture
async def room(cluster, standin, tmp_path) -> AsyncIterator[Running]:
    decks = tmp_path / "decks"
    write_deck(decks)
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER, PODIUM_SLIDES=str(decks)
    ) as running:
        yield running


def refused(standin: SlackStandIn) -> list[Any]:
    """Every Web API call or response_url post Slack refused for its content."""
    bad = ("invalid_blocks", "msg_too_long", "invalid_arguments", "msg_blocks_too_long")
    return [c for c in standin.calls() if not c.ok and (c.response or {}).get("error") in bad]


def refused_responses(standin: SlackStandIn, url: str) -> list[Any]:
    return [p for p in standin.responses(url) if p.status != 200]


async def command(
    running: Running, name: str, text: str, user: str = TEACHER
) -> tuple[str, dict[str, Any]]:
    sent = await running.sender.slash_command(name, text, user_id=user, channel_id=CHANNEL)
    assert sent.status == 200
    [reply] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    assert refused_responses(running.standin, sent.response_url) == []
    return sent.response_url, reply


def slide_posts(standin: SlackStandIn) -> list[dict[str, Any]]:
    return [
        c.args
        for c in standin.calls("chat.postMessage")
        if c.ok
        and c.args.get("channel") == CHANNEL
        and any(b["type"] == "header" for b in c.args["blocks"])
    ]


async def test_a_slide_of_thirty_images_is_posted_cut_with_a_note(room: Running) -> None:
    _, reply = await command(room, "/slides", "start limits")
    assert "Started" in message_to_text(reply)
    [posted] = slide_posts(room.standin)
    blocks = posted["blocks"]
    assert len(blocks) == 50  # 63 as written
    assert sum(b["type"] == "image" for b in blocks) > 20
    note = blocks[-3]["elements"][0]["text"]
    assert "more blocks not shown" in note and "at most 50" in note
    assert blocks[-2]["elements"][0]["text"].startswith("Slide 1/3")  # the footer and the
    assert "slides_next" in [e["action_id"] for e in blocks[-1]["elements"]]  # controls stay
    assert refused(room.standin) == []


async def test_a_fence_of_thirty_commands_gets_thirty_buttons(room: Running) -> None:
    await command(room, "/slides", "start limits")
    await command(room, "/slides", "next")
    posted = slide_posts(room.standin)[-1]
    runs = [
        b
        for b in posted["blocks"]
        if b["type"] == "actions" and b["elements"][0]["action_id"].startswith(RUN_ACTION)
    ]
    assert [len(b["elements"]) for b in runs] == [25, 5]
    assert runs[1]["elements"][4]["value"] == "get pods -l step=29"
    assert refused(room.standin) == []
    # As Slack shows it: the stored message carries all thirty.
    stored = [
        m
        for m in room.standin.messages(CHANNEL)
        if m["blocks"][0]["text"]["text"] == "Thirty commands"
    ]
    values = [
        e["value"]
        for b in stored[0]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(RUN_ACTION)
    ]
    assert values == [f"get pods -l step={i}" for i in range(30)]


@pytest.mark.parametrize(
    "typed",
    [
        "<!channel>&"
        * 910,  # `/slides` has no `…`: one word of 10,010 characters, 4 times longer escaped
        "start " + "<!here>&" * 1250,  # There is no deck called `…`
        "search " + "<b>&" * 2500,  # No slide mentions “…”
    ],
)
async def test_ten_thousand_characters_typed_are_answered_with_a_note(
    room: Running, typed: str
) -> None:
    assert len(typed) > 10_000
    _, reply = await command(room, "/slides", typed)
    text = message_to_text(reply)
    assert "more characters not shown" in text
    assert "<!channel>" not in str(reply) and "<!here>" not in str(
        reply
    )  # still escaped after the cut
    assert refused(room.standin) == []


async def test_a_ten_thousand_character_kubectl_command_is_answered(room: Running) -> None:
    _, reply = await command(room, "/kubectl", "get pods " + "<x>" * 3_400, user="U0ALICE")
    assert "characters long" in message_to_text(reply)
    assert refused(room.standin) == []


async def test_a_five_thousand_character_question_in_plain_words(room: Running) -> None:
    """Asked with an @mention during a presentation: answered, and passed on to the instructor
    (shortened, saying so) with the "Ask the instructor" button."""
    await command(room, "/slides", "start limits")
    words = "why does my pod <web> & its sidecar <!here> restart " * 100
    assert len(words) > 5_000
    message = room.standin.post_user_message(CHANNEL, "U0ALICE", f"<@U0PODIUMBOT> {words}")
    event = {
        "type": "app_mention",
        "user": "U0ALICE",
        "text": message["text"],
        "ts": message["ts"],
        "channel": CHANNEL,
        "event_ts": message["ts"],
    }
    assert (await room.sender.event(event)).status == 200
    reaction = await room.standin.wait_for_call(
        "reactions.add",
        predicate=lambda c: c.args.get("name") in ("white_check_mark", "warning"),
        timeout=15,
    )
    assert reaction.args["name"] == "white_check_mark"
    [answer] = [
        c.args
        for c in room.standin.calls("chat.postMessage")
        if c.ok and c.args.get("thread_ts") == message["ts"]
    ]
    [offer] = [
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "questions_offer"
    ]
    assert len(offer["value"]) == 2000
    pressed = await room.sender.block_action(
        "questions_offer", offer["value"], user_id="U0ALICE", channel_id=CHANNEL
    )
    [reply] = await room.standin.wait_for_responses(pressed.response_url, timeout=10)
    assert "the instructor sees its first 1,000 characters" in message_to_text(reply)
    [queued] = await room.podium.questions.top(CHANNEL)
    assert len(queued.text) == 1_000 and queued.text.endswith("…")
    posted = [
        c.args
        for c in room.standin.calls("chat.postMessage")
        if c.ok and "Q1" in str(c.args.get("text"))
    ]
    assert posted and "&lt;!here&gt;" in posted[0]["blocks"][0]["text"]["text"]
    assert refused(room.standin) == []


async def test_a_five_thousand_character_question_with_ask(room: Running) -> None:
    _, reply = await command(room, "/ask", "why " + "<b> & " * 900, user="U0ALICE")
    text = message_to_text(reply)
    assert "characters" in text and "1,000" in text
    assert refused(room.standin) == []
