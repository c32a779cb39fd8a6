"""Reactions are a courtesy (👀 while working, ✅/⚠️ after): when Slack rate-limits one, Podium
skips it instead of waiting Retry-After seconds with the person's answer held behind it."""

from __future__ import annotations

from tests.harness.room import BOT, CHANNEL, Room


async def test_a_rate_limited_reaction_is_skipped_not_retried_and_the_answer_still_comes(
    room: Room,
) -> None:
    room.standin.fail_next("reactions.add", status=429, retry_after=30)  # the 👀 of this mention
    message = await room.mention("get pods")  # returns once the final ✅ is on the message
    eyes = [
        c
        for c in room.standin.calls("reactions.add")
        if c.args.get("timestamp") == message["ts"] and c.args.get("name") == "eyes"
    ]
    assert len(eyes) == 1 and eyes[0].status == 429  # tried once, not again after Retry-After
    answers = [
        c
        for c in room.standin.calls("chat.postMessage")
        if c.args.get("channel") == CHANNEL and c.args.get("thread_ts") == message["ts"]
    ]
    assert answers and "nginx-" in str(answers[-1].args), answers
    assert f"<@{BOT}>" in message["text"]
