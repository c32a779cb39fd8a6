"""Issue 13, "every channel post paced": a room of people pressing at once against a stand-in
that rate-limits like Slack (its defaults: ~1 post/s per channel, Tier limits per method).
Podium runs in-process over HTTP with its default pacing (PODIUM_POST_INTERVAL=1).

- 30 presses of ▶ Run in sandbox: 30 private answers, no channel post, one cluster read, one
  rendering; the instructor's Next pressed in the middle is posted;
- a busy channel (mentions, shares, questions, slides) is never answered 429 by Slack: nothing
  posts around the pacer;
- an upvote storm whose edits Slack answers 429 Retry-After 3 does not hold back `/slides prev`;
- on an exercise slide ▶ Run reads the presser's own namespace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.questions.render import UPVOTE_ACTION
from bot.slack.output import SHARE_ACTION
from bot.slides.deck import default_slides_folder, load_deck
from bot.slides.render import RUN_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import ApiCall, SlackStandIn
from tests.harness.room import BOT, CHANNEL, ROOM_ENV, TEACHER, Room
from tests.harness.running import running_podium

DECK = load_deck(default_slides_folder() / "kubernetes-101.md")
PACED = {
    **ROOM_ENV,
    "PODIUM_POST_INTERVAL": "1",  # Podium's default: Slack's pace
    "PODIUM_READ_CACHE_SECONDS": "5",
}  # the freshness window the whole room's presses fall in


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    async with running_podium(cluster, standin, tmp_path, **PACED) as running:
        yield Room(running)


def slide_posts(standin: SlackStandIn) -> list[ApiCall]:
    return [
        c
        for c in standin.calls("chat.postMessage")
        if c.ok
        and c.args.get("channel") == CHANNEL
        and "Slide " in message_to_text(c.args)
        and not c.args.get("thread_ts")
    ]


def is_slide(call: ApiCall, number: int) -> bool:
    return (
        call.method == "chat.postMessage"
        and call.ok
        and f"Slide {number}/" in message_to_text(call.args)
    )


async def show(room: Room, number: int) -> dict[str, Any]:
    """Start the deck (once) and put slide `number` on screen; the slide's message."""
    if not slide_posts(room.standin):
        await room.ask("start", "/slides", user=TEACHER)
    await room.ask(f"goto {number}", "/slides", user=TEACHER)
    call = await room.standin.wait_for_call(
        "chat.postMessage", lambda c: is_slide(c, number), timeout=20
    )
    assert call.response is not None
    message = room.standin.message(CHANNEL, call.response["ts"])
    assert message is not None
    return message


def run_button(message: dict[str, Any], starts: str) -> dict[str, Any]:
    return next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if str(e.get("action_id", "")).startswith(RUN_ACTION) and e["value"].startswith(starts)
    )


async def test_thirty_run_presses_are_thirty_private_answers_from_one_read(room: Room):
    demo = next(
        s.number
        for s in DECK.slides
        if s.exercise is None and any(c == "get pods" for c in s.commands)
    )
    live = await show(room, demo)
    run = run_button(live, "get pods")
    posts_before = len(room.standin.calls("chat.postMessage"))
    reads_before = len(room.emulator.requests)
    renderings_before = room.running.podium.delivery.renderings
    people = [f"U0P{i:04d}" for i in range(30)]

    async def press(user: str) -> Any:
        return await room.press(run["action_id"], run["value"], user=user, message_ts=live["ts"])

    first = await asyncio.gather(*(press(user) for user in people[:15]))
    nxt = await room.slash("next", "/slides", user=TEACHER)  # the instructor, in the middle of it
    rest = await asyncio.gather(*(press(user) for user in people[15:]))
    answers = await asyncio.gather(
        *(room.standin.wait_for_responses(str(s.response_url), timeout=30) for s in [*first, *rest])
    )
    await room.standin.wait_for_responses(str(nxt.response_url), timeout=30)
    next_slide = await room.standin.wait_for_call(
        "chat.postMessage", lambda c: is_slide(c, demo + 1), timeout=20
    )

    for user, [answer] in zip(people, answers):
        assert answer.get("response_type", "ephemeral") == "ephemeral", user
        assert answer.get("replace_original") is False, user  # the slide stays as it is
        assert "nginx-" in message_to_text(answer), user
        assert any(
            e["action_id"] == SHARE_ACTION
            for b in answer["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ), user
    channel_posts = [
        c
        for c in room.standin.calls("chat.postMessage")[posts_before:]
        if c.args.get("channel") == CHANNEL
    ]
    assert channel_posts == [next_slide]  # the slide, and nothing from the 30 presses
    pod_lists = [
        r
        for r in room.emulator.requests[reads_before:]
        if r.resource == "pods" and r.verb == "list"
    ]
    assert len(pod_lists) == 1
    assert (
        room.running.podium.delivery.renderings - renderings_before == 1
    )  # one rendering for 30 answers
    assert room.standin.rate_limited_calls() == []


async def test_run_shares_into_the_slides_thread_once(room: Room):
    demo = next(
        s.number
        for s in DECK.slides
        if s.exercise is None and any(c == "get pods" for c in s.commands)
    )
    live = await show(room, demo)
    run = run_button(live, "get pods")
    sent = await room.press(run["action_id"], run["value"], user="U0ALICE", message_ts=live["ts"])
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), timeout=20)
    share = next(
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == SHARE_ACTION
    )
    presses = await asyncio.gather(
        *(room.press(SHARE_ACTION, share["value"], user="U0ALICE") for _ in range(3))
    )
    await asyncio.gather(
        *(room.standin.wait_for_responses(str(p.response_url), timeout=20) for p in presses)
    )
    in_thread = [m for m in room.thread_answers(CHANNEL, live["ts"]) if m["ts"] != live["ts"]]
    assert len(in_thread) == 1 and message_to_text(in_thread[0]).startswith(
        "<@U0ALICE> ran `kubectl get pods"
    )


async def test_on_an_exercise_slide_run_reads_the_pressers_own_namespace(room: Room):
    slide = next(s for s in DECK.slides if s.exercise is not None and s.commands)
    live = await show(room, slide.number)
    command = slide.commands[0]
    run = run_button(live, command)
    reads_before = len(room.emulator.requests)
    sent = await room.press(run["action_id"], run["value"], user="U0ALICE", message_ts=live["ts"])
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), timeout=20)
    assert "-n ws-u0alice" in message_to_text(answer)
    namespaces = {r.namespace for r in room.emulator.requests[reads_before:] if r.namespace}
    assert namespaces == {"ws-u0alice"}


async def test_a_busy_channel_is_never_answered_429(room: Room):
    """Mentions, shared answers, questions and slide moves at once in one channel: Podium keeps
    Slack's pace for every post (a post around the pacer shows up as a 429 here)."""
    await show(room, 2)

    async def mention(text: str, user: str) -> None:
        message = room.standin.post_user_message(CHANNEL, user, f"<@{BOT}> {text}")
        await room.running.sender.event(
            {
                "type": "app_mention",
                "user": user,
                "text": message["text"],
                "ts": message["ts"],
                "channel": CHANNEL,
                "event_ts": message["ts"],
            }
        )
        await room.finished(CHANNEL, message["ts"], timeout=60)

    async def shared(user: str) -> None:
        [answer] = await room.standin.wait_for_responses(
            str((await room.slash("get deploy nginx", user=user)).response_url), timeout=30
        )
        share = next(
            e
            for b in answer["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == SHARE_ACTION
        )
        pressed = await room.press(SHARE_ACTION, share["value"], user=user)
        await room.standin.wait_for_responses(str(pressed.response_url), timeout=60)

    async def asked(user: str) -> None:
        await room.ask(f"a question from {user}?", "/ask", user=user, timeout=60)

    async def moved() -> None:
        await room.ask("next", "/slides", user=TEACHER, timeout=60)

    users = [f"U0B{i:03d}" for i in range(4)]
    # Kubectl answers and plain replies (help, slides about a word) to mentions, all in the channel.
    await asyncio.gather(
        *(mention("get pods", u) for u in users),
        *(mention("help", u) for u in users),
        *(mention("what is a replicaset?", u) for u in users),
        *(shared(u) for u in users),
        *(asked(u) for u in users),
        moved(),
    )
    assert room.standin.rate_limited_calls("chat.postMessage") == []
    assert (
        len(
            [
                c
                for c in room.standin.calls("chat.postMessage")
                if c.ok and c.args.get("channel") == CHANNEL
            ]
        )
        >= 22
    )


async def test_an_upvote_storm_answered_429_does_not_hold_back_slides_prev(room: Room):
    questions = next(s.number for s in DECK.slides if s.is_questions)
    live = await show(room, questions)
    await room.ask("why pods and not containers?", "/ask", user="U0ALICE")
    question = await room.standin.wait_for_call(
        "chat.postMessage",
        lambda c: c.ok and "why pods and not containers?" in message_to_text(c.args),
    )
    upvote = next(
        e
        for b in question.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == UPVOTE_ACTION
    )
    room.standin.fail_next("chat.update", status=429, retry_after=3, times=6)
    failed_before = len(room.standin.calls("chat.update"))
    await asyncio.gather(
        *(
            room.press(UPVOTE_ACTION, upvote["value"], user=u)
            for u in ("U0BOB", "U0CAROL", "U0DAVE")
        )
    )
    # The live slide's refresh is waiting out Slack's Retry-After now.
    await room.standin.wait_for_call(
        "chat.update",
        timeout=20,
        predicate=lambda c: c.status == 429 and c.args.get("ts") == live["ts"],
    )
    await room.slash("prev", "/slides", user=TEACHER)
    await room.standin.wait_for_call(
        "chat.postMessage", lambda c: is_slide(c, questions - 1), timeout=20
    )
    # Six 429s with Retry-After 3 s are 18 s of Slack saying "wait" before this edit can land;
    # the deadline leaves room for a loaded machine (the test checks order, not speed).
    await room.standin.wait_for_call(
        "chat.update",
        timeout=60,
        predicate=lambda c: (
            c.ok and c.args.get("ts") == live["ts"] and "votes" in message_to_text(c.args)
        ),
    )
    calls = room.standin.calls()
    prev_at = next(i for i, c in enumerate(calls) if is_slide(c, questions - 1))
    refreshed_at = next(
        i
        for i, c in enumerate(calls)
        if c.method == "chat.update" and c.ok and c.args.get("ts") == live["ts"]
    )
    assert prev_at < refreshed_at  # the slide did not wait for Slack's Retry-After on the refresh
    # Three upvotes, coalesced: the question's message is edited at most twice (at once, then
    # once at the end of the interval), not once per vote.
    await room.running.podium.questions.refreshes.flush()
    question_edits = [
        c
        for c in room.standin.calls("chat.update")[failed_before:]
        if c.ok and c.args.get("ts") == question.response["ts"]
    ]
    assert 1 <= len(question_edits) <= 2 and "3 votes" in message_to_text(question_edits[-1].args)
    # The old "Any questions?" slide lost its buttons, whatever order the edits landed in.
    old = room.standin.message(CHANNEL, live["ts"])
    assert old is not None and "Prev" not in message_to_text(old)
