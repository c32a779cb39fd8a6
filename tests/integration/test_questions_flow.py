"""The question queue through the real Bolt app and the Slack stand-in."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.questions.render import ANSWERED_ACTION, ASK_ACTION, ASK_DIALOG, HIDE_ACTION, UPVOTE_ACTION
from bot.slides.deck import default_slides_folder, load_deck
from podium_devkit.console import message_to_text
from podium_devkit.slack_api import SlackStandIn
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
DECK = load_deck(default_slides_folder() / "kubernetes-101.md")


@pytest.fixture
async def room(cluster, standin, tmp_path) -> AsyncIterator[Running]:
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as running:
        yield running


async def command(
    running: Running, name: str, text: str, user: str = "U0ALICE", channel: str = CHANNEL
) -> dict:
    sent = await running.sender.slash_command(name, text, user_id=user, channel_id=channel)
    assert sent.status == 200
    [reply] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    return reply


def thread_messages(standin: SlackStandIn) -> list[dict]:
    return [
        m for m in standin.messages(CHANNEL) if m.get("thread_ts") and m["thread_ts"] != m["ts"]
    ]


def question_post(standin: SlackStandIn, number: int) -> dict:
    return next(
        m
        for m in thread_messages(standin)
        if f"*Q{number}*" in message_to_text(m) or f"Q{number} was hidden" in message_to_text(m)
    )


async def test_ask_posts_in_the_questions_thread_with_the_slide(room: Running):
    await command(room, "/slides", "start", user=TEACHER)
    await command(room, "/slides", "goto 11", user=TEACHER)
    reply = await command(room, "/ask", "Why does etcd need an odd number of members?")
    assert "Q1" in message_to_text(reply) and "questions thread" in message_to_text(reply)
    post = question_post(room.standin, 1)
    text = message_to_text(post)
    assert f"asked by <@U0ALICE> on slide 11 · {DECK.slide(11).title}" in text
    assert "> Why does etcd need an odd number of members?" in text
    parent = next(m for m in room.standin.messages(CHANNEL) if m["ts"] == post["thread_ts"])
    assert "Questions for *Kubernetes 101*" in message_to_text(parent)


async def test_anonymous_question_never_shows_the_asker(room: Running):
    reply = await command(room, "/ask", "--anon is a Pod the same as a container?", user="U0BOB")
    assert "without your name" in message_to_text(reply)
    post = question_post(room.standin, 1)
    assert "asked by anonymous" in message_to_text(post)
    assert "U0BOB" not in json.dumps(post)
    queue = await command(room, "/questions", "", user=TEACHER)
    assert "U0BOB" not in json.dumps(queue) and "anonymous" in message_to_text(queue)


async def test_upvote_once_per_person_and_ordering(room: Running):
    for text in ("first question", "second question", "third question"):
        await command(room, "/ask", text)

    async def upvote(number: int, user: str, votes_after: int) -> None:
        """Press Upvote and wait until the question's post shows the new count."""
        post = question_post(room.standin, number)
        await room.sender.block_action(
            UPVOTE_ACTION, str(number), user_id=user, channel_id=CHANNEL, message_ts=post["ts"]
        )
        shown = f"{votes_after} vote{'s' if votes_after != 1 else ''}"
        await room.standin.wait_for_call(
            "chat.update",
            timeout=10,
            predicate=lambda c: c.args.get("ts") == post["ts"] and shown in json.dumps(c.args),
        )

    await upvote(2, "U0BOB", 1)
    post = question_post(room.standin, 2)
    again = await room.sender.block_action(
        UPVOTE_ACTION, "2", user_id="U0BOB", channel_id=CHANNEL, message_ts=post["ts"]
    )
    [reply] = await room.standin.wait_for_responses(again.response_url, timeout=10)
    assert "already upvoted Q2" in message_to_text(reply)
    await upvote(2, TEACHER, 2)
    await upvote(3, "U0BOB", 1)
    assert ":arrow_up_small: 2 votes" in message_to_text(question_post(room.standin, 2))
    queue = message_to_text(await command(room, "/questions", "", user=TEACHER))
    order = [queue.index(t) for t in ("second question", "third question", "first question")]
    assert order == sorted(order)
    assert "3 open questions" in queue


async def test_only_instructors_moderate(room: Running):
    await command(room, "/ask", "a question")
    assert "for the instructors" in message_to_text(
        await command(room, "/questions", "", user="U0BOB")
    )
    post = question_post(room.standin, 1)
    pressed = await room.sender.block_action(
        HIDE_ACTION, "1", user_id="U0BOB", channel_id=CHANNEL, message_ts=post["ts"]
    )
    [reply] = await room.standin.wait_for_responses(pressed.response_url, count=1, timeout=10)
    assert "Only the instructors" in message_to_text(reply)
    assert "a question" in message_to_text(question_post(room.standin, 1))


async def test_answer_and_hide(room: Running):
    await command(room, "/ask", "to be answered")
    await command(room, "/ask", "to be hidden")
    pressed = await room.sender.block_action(
        ANSWERED_ACTION, "1", user_id=TEACHER, channel_id=CHANNEL
    )
    [reply] = await room.standin.wait_for_responses(pressed.response_url, count=1, timeout=10)
    assert reply["replace_original"] is True and "*1 open question*" in message_to_text(reply)
    assert ":white_check_mark: answered" in message_to_text(question_post(room.standin, 1))
    assert UPVOTE_ACTION not in json.dumps(question_post(room.standin, 1))
    await room.sender.block_action(HIDE_ACTION, "2", user_id=TEACHER, channel_id=CHANNEL)
    await room.standin.wait_for_call(
        "chat.update", predicate=lambda c: "hidden" in json.dumps(c.args), timeout=10
    )
    assert "*Q2* was hidden by the instructor" in message_to_text(question_post(room.standin, 2))
    assert "No open questions" in message_to_text(
        await command(room, "/questions", "", user=TEACHER)
    )


async def test_questions_survive_a_restart(cluster, standin, tmp_path):
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as first:
        await command(first, "/ask", "will I survive?")
        await command(first, "/ask", "--anon and me?")
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as second:
        queue = message_to_text(await command(second, "/questions", "", user=TEACHER))
        assert "will I survive?" in queue and "and me?" in queue
        post = question_post(standin, 1)
        await second.sender.block_action(
            UPVOTE_ACTION, "1", user_id="U0BOB", channel_id=CHANNEL, message_ts=post["ts"]
        )
        await standin.wait_for_call(
            "chat.update", predicate=lambda c: "1 vote" in json.dumps(c.args), timeout=10
        )
        await command(second, "/ask", "a third one")
        assert (
            len(thread_messages(standin)) == 3
        )  # one thread for the room, kept across the restart


async def test_questions_without_a_presentation_reach_the_instructors(room: Running):
    await command(room, "/ask", "is anyone there?")
    dm = room.standin.dm_channel(TEACHER)
    [note] = room.standin.messages(dm)
    assert f"<#{CHANNEL}>" in note["text"] and "is anyone there?" in note["text"]


async def test_any_questions_slide_shows_the_top_open_ones_live(room: Running):
    questions_slide = next(s.number for s in DECK.slides if s.is_questions)
    await command(room, "/ask", "what about Helm?")
    await command(room, "/slides", "start", user=TEACHER)
    await command(room, "/slides", f"goto {questions_slide}", user=TEACHER)
    live = [
        m
        for m in room.standin.messages(CHANNEL)
        if any(b["type"] == "header" for b in m.get("blocks", []))
    ][-1]
    assert "Top open questions" in message_to_text(live) and "what about Helm?" in message_to_text(
        live
    )
    await command(room, "/ask", "and Kustomize?")
    # Refreshes of the live slide are coalesced (at most one every few seconds per room).
    await room.standin.wait_for_call(
        "chat.update",
        timeout=10,
        predicate=lambda c: (
            c.args.get("ts") == live["ts"] and "and Kustomize?" in message_to_text(c.args)
        ),
    )
    refreshed = room.standin.message(CHANNEL, live["ts"])
    assert "and Kustomize?" in message_to_text(refreshed)


async def test_ask_a_question_button_opens_a_dialog_and_submits(room: Running):
    await command(room, "/slides", "start", user=TEACHER)
    live = [
        m
        for m in room.standin.messages(CHANNEL)
        if any(b["type"] == "header" for b in m.get("blocks", []))
    ][-1]
    assert ASK_ACTION in json.dumps(live)
    await room.sender.block_action(
        ASK_ACTION, "ask", user_id="U0BOB", channel_id=CHANNEL, message_ts=live["ts"]
    )
    opened = await room.standin.wait_for_call("views.open", timeout=10)
    view = opened.args["view"]
    assert view["callback_id"] == ASK_DIALOG and view["private_metadata"] == CHANNEL
    values = {
        "question": {"text": {"type": "plain_text_input", "value": "Can a Pod span two nodes?"}},
        "anonymous": {"anon": {"type": "checkboxes", "selected_options": [{"value": "anon"}]}},
    }
    sent = await room.sender.view_submission(
        ASK_DIALOG, values, user_id="U0BOB", private_metadata=CHANNEL
    )
    assert sent.status == 200
    await room.standin.wait_for_call("chat.postEphemeral", timeout=10)
    post = question_post(room.standin, 1)
    assert "Can a Pod span two nodes?" in message_to_text(post) and "anonymous" in message_to_text(
        post
    )


async def test_usage_errors(room: Running):
    assert "What is your question?" in message_to_text(await command(room, "/ask", "  --anon  "))
    assert "keep it under" in message_to_text(await command(room, "/ask", "x" * 1200))
