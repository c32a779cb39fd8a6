"""Issue 13: no duplicate slide after an ambiguous failure. Slack may post a message and still
answer 500 / internal_error, or the connection may drop after it posted: Podium looks for its
post's marker (message metadata) before posting again."""

from __future__ import annotations

import pytest

from podium_devkit.console import message_to_text
from tests.harness.attacks import is_slide
from tests.harness.room import CHANNEL, TEACHER, Room


def slides(room: Room, number: int) -> list[dict]:
    return [m for m in room.standin.messages(CHANNEL) if m.get("bot_id") and is_slide(m, number)]


async def next_slide(room: Room, number: int) -> None:
    await room.slash("next", command="/slides", user=TEACHER)
    await room.standin.wait_for_call(
        "chat.postMessage", timeout=20, predicate=lambda c: c.ok and is_slide(c.args, number)
    )


async def started(room: Room) -> None:
    answer = await room.ask("start", command="/slides", user=TEACHER)
    assert message_to_text(answer).startswith("Started *Kubernetes 101*")


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 503},
        {"status": 200, "error": "internal_error"},
        {"status": 500, "drop": True},  # posted, then the connection reset (as after a timeout)
    ],
    ids=["500", "503", "internal_error", "dropped-after-posting"],
)
async def test_a_slide_slack_posted_despite_an_error_is_shown_once(room: Room, fault: dict):
    await started(room)
    room.standin.fail_next("chat.postMessage", applied=True, **fault)
    await room.slash("next", command="/slides", user=TEACHER)
    await room.standin.wait_for_call(
        "conversations.history", timeout=20
    )  # Podium looked before re-posting
    await next_slide(room, 3)  # the presentation went on from the slide Slack did post
    [two] = slides(room, 2)
    assert len(slides(room, 3)) == 1
    # Its controls move on to slide 3: Podium knew the ts of the slide 2 Slack had posted.
    await room.standin.wait_for_call(
        "chat.update", timeout=20, predicate=lambda c: c.args.get("ts") == two["ts"]
    )
    [two] = slides(room, 2)
    assert not any(b.get("type") == "actions" and "Next" in str(b) for b in two.get("blocks", []))
    posts = [c for c in room.standin.calls("chat.postMessage") if is_slide(c.args, 2)]
    assert [c.fault for c in posts] == [True]  # never sent a second time


async def test_a_slide_slack_did_not_post_is_posted_again_once(room: Room):
    await started(room)
    room.standin.fail_next("chat.postMessage", status=500)  # refused, nothing posted
    await next_slide(room, 2)
    assert len(slides(room, 2)) == 1
    posts = [c for c in room.standin.calls("chat.postMessage") if is_slide(c.args, 2)]
    assert [c.fault for c in posts] == [True, False]
    look = room.standin.calls("conversations.history")[-1]
    assert look.args.get("include_all_metadata") in (True, "true", "1", 1) and look.args.get(
        "oldest"
    )


async def test_a_shared_answer_in_a_thread_is_not_posted_twice(room: Room):
    await started(room)
    asked = room.standin.post_user_message(CHANNEL, "U0ALICE", "<@U0PODIUMBOT> get deploy nginx")
    room.standin.fail_next("chat.postMessage", status=500, applied=True)
    sent = await room.running.sender.event(
        {
            "type": "app_mention",
            "user": "U0ALICE",
            "text": asked["text"],
            "ts": asked["ts"],
            "channel": CHANNEL,
            "event_ts": asked["ts"],
        }
    )
    assert sent.status == 200
    await room.finished(CHANNEL, asked["ts"])
    assert room.standin.calls("conversations.replies")  # a thread post is looked for in its thread
    answers = room.thread_answers(CHANNEL, asked["ts"])
    assert len(answers) == 1 and "ran `kubectl get deploy nginx" in message_to_text(answers[0])
