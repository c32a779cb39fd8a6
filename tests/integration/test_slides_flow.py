"""Presenting the deck through the real Bolt app and the Slack stand-in: driving, permissions,
concurrency, restarts, private browsing, search and Run in sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.slides.deck import default_slides_folder, load_deck
from bot.slides.render import (
    BACK_TO_LIVE_ACTION,
    BROWSE_ACTION,
    NEXT_ACTION,
    PRIVATE_NEXT_ACTION,
    PRIVATE_PREV_ACTION,
    RUN_ACTION,
)
from podium_devkit.console import message_to_text
from podium_devkit.slack_api import SlackStandIn
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
DECK = load_deck(default_slides_folder() / "kubernetes-101.md")
LAST = len(DECK.slides)


@pytest.fixture
async def room(cluster, standin, tmp_path) -> AsyncIterator[Running]:
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as running:
        yield running


async def slides(running: Running, text: str, user: str = TEACHER) -> str:
    sent = await running.sender.slash_command("/slides", text, user_id=user, channel_id=CHANNEL)
    assert sent.status == 200
    [reply] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    return message_to_text(reply)


def channel_posts(standin: SlackStandIn) -> list:
    return [
        c for c in standin.calls("chat.postMessage") if c.args.get("channel") == CHANNEL and c.ok
    ]


def slide_number(message: dict) -> int:
    footer = [
        e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]
    ][-1]
    return int(footer.split()[1].split("/")[0])


def action_ids(message: dict) -> list[str]:
    return [
        e.get("action_id")
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def on_screen(standin: SlackStandIn) -> list[dict]:
    """The channel's slide messages as they look now (after edits)."""
    return [
        m
        for m in standin.messages(CHANNEL)
        if any(b["type"] == "header" for b in m.get("blocks", []))
    ]


async def test_start_next_prev_goto_end(room: Running):
    standin = room.standin
    assert "Started *Kubernetes 101*" in await slides(room, "start")
    await slides(room, "next")
    await slides(room, "next")
    await slides(room, "prev")
    await slides(room, "goto 12")
    numbers = [slide_number(c.args) for c in channel_posts(standin)]
    assert numbers == [1, 2, 3, 2, 12]
    messages = on_screen(standin)
    # Only the slide on screen carries the driving buttons; earlier ones were updated to drop them.
    assert [NEXT_ACTION in action_ids(m) for m in messages] == [False, False, False, False, True]
    assert "Slide 12/" in message_to_text(messages[-1]) and str(LAST) in message_to_text(
        messages[-1]
    )
    assert "live: slide 12/" in await slides(room, "status")
    notes = [
        c
        for c in standin.calls("chat.postMessage")
        if c.args["channel"] == standin.dm_channel(TEACHER)
    ]
    assert len(notes) == 5 and "Speaker notes" in message_to_text(notes[-1].args)
    assert "Ended" in await slides(room, "end")
    assert not any(action_ids(m) and NEXT_ACTION in action_ids(m) for m in on_screen(standin))
    assert "No presentation is running" in await slides(room, "status")


async def test_edges_and_usage_errors(room: Running):
    await slides(room, "start")
    assert "Already at the first slide" in await slides(room, "prev")
    # goto past either end names the valid range, not where the deck stands.
    assert (
        await slides(room, f"goto {LAST + 1}")
        == f"There is no slide {LAST + 1}: this deck has slides 1–{LAST}."
    )
    assert await slides(room, "goto 0") == f"There is no slide 0: this deck has slides 1–{LAST}."
    await slides(room, f"goto {LAST}")
    assert "Already at the last slide" in await slides(room, "next")
    assert "needs a slide number" in await slides(room, "goto x")
    assert "has no `dance`" in await slides(room, "dance")
    assert "already live here" in await slides(room, "start")
    assert "There is no deck called `nope`" in await slides(room, "start nope")
    assert len(channel_posts(room.standin)) == 2  # slide 1, then the goto to the last one


async def test_a_slide_without_notes_sends_no_dm(room: Running):
    standin = room.standin
    divider = next(s.number for s in DECK.slides if not s.notes.strip() and s.number > 1)
    with_notes = next(
        s.number for s in DECK.slides if s.notes.strip() and s.number not in (1, divider)
    )

    def dms() -> list:
        return [
            c
            for c in standin.calls("chat.postMessage")
            if c.args["channel"] == standin.dm_channel(TEACHER)
        ]

    await slides(room, "start")
    before = len(dms())
    await slides(room, f"goto {divider}")
    assert slide_number(channel_posts(standin)[-1].args) == divider
    assert len(dms()) == before  # no "_No speaker notes_" DM for a section divider
    await slides(room, f"goto {with_notes}")
    assert len(dms()) == before + 1 and "Speaker notes" in message_to_text(dms()[-1].args)


async def test_non_instructor_changes_nothing(room: Running):
    await slides(room, "start")
    before = len(room.standin.calls())
    assert "Only the presenter" in await slides(room, "next", user="U0BOB")
    first = on_screen(room.standin)[0]
    pressed = await room.sender.block_action(
        NEXT_ACTION, f"{DECK.key}:2", user_id="U0BOB", channel_id=CHANNEL, message_ts=first["ts"]
    )
    [reply] = await room.standin.wait_for_responses(pressed.response_url, count=1, timeout=10)
    assert reply["response_type"] == "ephemeral" and reply.get("replace_original") is False
    assert "Only the presenter" in message_to_text(reply) and "Browse privately" in message_to_text(
        reply
    )
    room_calls = [
        c for c in room.standin.calls()[before:] if c.method in ("chat.postMessage", "chat.update")
    ]
    assert room_calls == []
    assert "Only the workshop's instructors" in await slides(room, "start", user="U0BOB")


async def test_twenty_concurrent_next_presses_move_exactly_twenty(room: Running):
    await slides(room, "start")
    first = on_screen(room.standin)[0]
    presses = [
        room.sender.block_action(
            NEXT_ACTION,
            f"{DECK.key}:2",
            user_id=TEACHER,
            channel_id=CHANNEL,
            message_ts=first["ts"],
        )
        for _ in range(20)
    ]
    results = await asyncio.gather(*presses)
    assert all(r.status == 200 for r in results)
    deadline = asyncio.get_running_loop().time() + 30
    while len(channel_posts(room.standin)) < 21 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # nothing more may arrive
    numbers = [slide_number(c.args) for c in channel_posts(room.standin)]
    assert numbers == list(range(1, 22))  # in order, none twice
    assert [NEXT_ACTION in action_ids(m) for m in on_screen(room.standin)].count(True) == 1
    assert "slide 21/" in await slides(room, "status")


async def test_presses_beyond_the_end_stop_at_the_last_slide(room: Running):
    await slides(room, "start")
    await slides(room, f"goto {LAST - 2}")
    message = on_screen(room.standin)[-1]
    presses = [
        room.sender.block_action(
            NEXT_ACTION, "x", user_id=TEACHER, channel_id=CHANNEL, message_ts=message["ts"]
        )
        for _ in range(5)
    ]
    await asyncio.gather(*presses)
    await asyncio.sleep(1)
    numbers = [slide_number(c.args) for c in channel_posts(room.standin)]
    assert numbers == [1, LAST - 2, LAST - 1, LAST]


async def test_restart_mid_deck_continues_where_the_room_was(cluster, standin, tmp_path):
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as first:
        await slides(first, "start")
        await slides(first, "goto 7")
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as second:
        assert "slide 7/" in await slides(second, "status")
        on_air = on_screen(standin)[-1]
        pressed = await second.sender.block_action(
            NEXT_ACTION, "x", user_id=TEACHER, channel_id=CHANNEL, message_ts=on_air["ts"]
        )
        assert pressed.status == 200
        await standin.wait_for_call(
            "chat.update", predicate=lambda c: c.args.get("ts") == on_air["ts"], timeout=10
        )
        numbers = [slide_number(c.args) for c in channel_posts(standin)]
        assert numbers == [1, 7, 8]
        assert NEXT_ACTION not in action_ids(standin.message(CHANNEL, on_air["ts"]))


async def test_presenter_drives_when_no_instructors_are_configured(cluster, standin, tmp_path):
    async with running_podium(cluster, standin, tmp_path) as running:
        await slides(running, "start", user="U0BOB")
        assert "Only the presenter (<@U0BOB>)" in await slides(running, "next", user="U0ALICE")
        await slides(running, "next", user="U0BOB")
        assert [slide_number(c.args) for c in channel_posts(standin)] == [1, 2]


async def test_browse_privately_and_back_to_live(room: Running):
    standin = room.standin
    await slides(room, "start")
    await slides(room, "goto 5")
    live = on_screen(standin)[-1]
    pressed = await room.sender.block_action(
        BROWSE_ACTION, f"{DECK.key}:5", user_id="U0BOB", channel_id=CHANNEL, message_ts=live["ts"]
    )
    [reply] = await standin.wait_for_responses(pressed.response_url, count=1, timeout=10)
    assert "Opened *Kubernetes 101* at slide 5" in message_to_text(reply)
    dm = standin.dm_channel("U0BOB")
    [private] = standin.messages(dm)
    assert slide_number(private) == 5
    assert PRIVATE_NEXT_ACTION in action_ids(private) and BACK_TO_LIVE_ACTION in action_ids(private)

    async def press_in_dm(action: str, value: str) -> None:
        """Press, then wait for the DM message to be edited (the answer comes after the ack)."""
        before = len(standin.calls("chat.update"))
        await room.sender.block_action(
            action, value, user_id="U0BOB", channel_id=dm, message_ts=private["ts"]
        )
        await standin.wait_for_call(
            "chat.update",
            timeout=10,
            predicate=lambda c: (
                c.args.get("channel") == dm and len(standin.calls("chat.update")) > before
            ),
        )

    for action, value in (
        (PRIVATE_NEXT_ACTION, f"{DECK.key}:6"),
        (PRIVATE_NEXT_ACTION, f"{DECK.key}:7"),
        (PRIVATE_PREV_ACTION, f"{DECK.key}:6"),
    ):
        await press_in_dm(action, value)
    [private] = standin.messages(dm)  # edited in place, still one message
    assert slide_number(private) == 6
    await slides(room, "next")  # the room moves on: 5 → 6 → 7
    await slides(room, "next")
    await press_in_dm(BACK_TO_LIVE_ACTION, DECK.key)
    assert slide_number(standin.messages(dm)[0]) == 7
    assert [slide_number(c.args) for c in channel_posts(standin)] == [
        1,
        5,
        6,
        7,
    ]  # the room never moved for Bob


async def test_browse_command_without_presentation(room: Running):
    assert "at slide 3" in await slides(room, "browse kubernetes-101 3", user="U0BOB")
    assert slide_number(room.standin.messages(room.standin.dm_channel("U0BOB"))[0]) == 3


async def test_search_links_to_posted_slides(room: Running):
    await slides(room, "start")
    etcd = next(s.number for s in DECK.slides if s.title.lower() == "etcd")
    await slides(room, f"goto {etcd}")
    text = await slides(room, "search etcd", user="U0BOB")
    assert text.startswith("Slides about “etcd”")
    sent = await room.sender.slash_command(
        "/slides", "search replicaset", user_id="U0BOB", channel_id=CHANNEL
    )
    [reply] = await room.standin.wait_for_responses(sent.response_url, count=1, timeout=10)
    assert "ReplicaSet" in message_to_text(reply)
    sent = await room.sender.slash_command(
        "/slides", "search etcd", user_id="U0BOB", channel_id=CHANNEL
    )
    [reply] = await room.standin.wait_for_responses(sent.response_url, count=1, timeout=10)
    linked = [b["text"]["text"] for b in reply["blocks"] if "<http" in b["text"]["text"]]
    assert linked and "etcd" in linked[0]  # the posted slide has a permalink
    assert "No slide mentions" in await slides(room, "search zzyzx")


async def test_run_in_sandbox_answers_privately_and_shares_into_the_slides_thread(room: Running):
    standin = room.standin
    demo = next(
        s for s in DECK.slides if s.commands and any(c.startswith("get pods") for c in s.commands)
    )
    await slides(room, "start")
    await slides(room, f"goto {demo.number}")
    live = on_screen(standin)[-1]
    run_ids = [a for a in action_ids(live) if a and a.startswith(RUN_ACTION)]
    assert run_ids
    element = next(
        e
        for b in live["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == run_ids[0]
    )
    posts_before = len(standin.calls("chat.postMessage"))
    sent = await room.sender.block_action(
        element["action_id"],
        element["value"],
        user_id="U0BOB",
        channel_id=CHANNEL,
        message_ts=live["ts"],
    )
    [answer] = await standin.wait_for_responses(sent.response_url, count=1, timeout=10)
    assert (
        answer.get("response_type", "ephemeral") == "ephemeral"
        and answer.get("replace_original") is False
    )
    assert "nginx" in message_to_text(answer)
    assert len(standin.calls("chat.postMessage")) == posts_before  # nothing in the channel
    share = next(
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "kubectl_share"
    )
    await room.sender.block_action(
        "kubectl_share", share["value"], user_id="U0BOB", channel_id=CHANNEL
    )
    posted = await standin.wait_for_call(
        "chat.postMessage", timeout=10, predicate=lambda c: c.args.get("thread_ts") == live["ts"]
    )
    text = message_to_text(posted.args)
    assert text.startswith(f"<@U0BOB> ran `kubectl {element['value'].split()[0]}")
    assert "nginx" in text


async def test_images_are_uploaded_once(room: Running):
    standin = room.standin
    pictured = [s.number for s in DECK.slides if s.images]
    assert pictured
    await slides(room, "start")
    await slides(room, f"goto {pictured[0]}")
    await slides(room, "next")
    await slides(room, f"goto {pictured[0]}")
    uploads = standin.calls("files.completeUploadExternal")
    pictures = {i.path for s in DECK.slides for i in s.images}
    # Each picture of the deck once, when the deck started, although one slide was shown twice.
    assert len(uploads) == len(pictures)
    image_blocks = [b for b in on_screen(standin)[-1]["blocks"] if b["type"] == "image"]
    assert image_blocks and image_blocks[0]["slack_file"]["id"]


async def test_unknown_deck_lists_the_decks(room: Running):
    text = await slides(room, "start nope")
    assert "There is no deck called `nope`" in text and "`kubernetes-101`" in text
    assert "`kubernetes-101`" in await slides(room, "list")
