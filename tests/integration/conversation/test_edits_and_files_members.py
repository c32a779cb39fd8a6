"""Issue 13: edited mentions and DMs with a file attached, as Slack sends them.

Decision: an edited message is answered again only when the command in it changed (its text
without the mention, whitespace collapsed); an edit that leaves the command as it was (a typo
fixed elsewhere… or nothing) is not answered twice. A DM with a file attached is answered from
its text; one with no text says Podium reads text, not files."""

from __future__ import annotations

import asyncio
import logging

from podium_devkit.slack_events import edited_mention_event, file_share_event, mention_event
from tests.harness.conversation import BOT, CHANNEL, Asked, finished, mention, replies_to, text_of
from tests.harness.running import Running

NOT_AGAIN = "edited, but the command is the same"


async def edit(podium: Running, asked: Asked, text: str):
    edited = podium.standin.edit_user_message(asked.channel, asked.ts, text)
    sent = await podium.sender.event(edited_mention_event(edited, asked.channel))  # a new event_id
    assert sent.status == 200
    return edited


async def test_an_edit_that_keeps_the_command_is_not_answered_again(podium: Running, caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.mentions")
    asked = await mention(podium, "get deploy nginx")
    await finished(podium, asked)
    await edit(podium, asked, f"<@{BOT}>   get deploy nginx ")
    for _ in range(100):  # until Podium has decided about the edited event
        if any(NOT_AGAIN in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.1)
    assert any(NOT_AGAIN in r.getMessage() for r in caplog.records)
    assert len(replies_to(podium, asked)) == 1
    assert (
        len(
            [
                c
                for c in podium.standin.calls("reactions.add")
                if c.args.get("timestamp") == asked.ts
            ]
        )
        == 2
    )


async def test_an_edit_that_changes_the_command_is_answered_in_the_same_thread(podium: Running):
    asked = await mention(podium, "get deploy nginx")
    await finished(podium, asked)
    await edit(podium, asked, f"<@{BOT}> get svc nginx")
    await podium.standin.wait_for_call(
        "chat.postMessage",
        timeout=15,
        predicate=lambda c: (
            c.args.get("thread_ts") == asked.ts and "get svc nginx" in str(c.args.get("blocks"))
        ),
    )
    first, second = replies_to(podium, asked)
    assert "ran `kubectl get deploy nginx -n sandbox`" in text_of(first)
    assert "ran `kubectl get svc nginx -n sandbox`" in text_of(second)


async def test_the_stand_in_sends_an_edit_as_slack_does(podium: Running):
    message = podium.standin.post_user_message(CHANNEL, "U0ALICE", f"<@{BOT}> get pods")
    edited = podium.standin.edit_user_message(CHANNEL, message["ts"], f"<@{BOT}> get deploy")
    event = edited_mention_event(edited, CHANNEL)
    assert event["type"] == "app_mention" and event["ts"] == message["ts"]
    assert (
        event["edited"] == {"user": "U0ALICE", "ts": edited["edited"]["ts"]}
        and event["event_ts"] != event["ts"]
    )
    assert event["text"] == f"<@{BOT}> get deploy"
    assert "edited" not in mention_event(message, CHANNEL)


async def test_a_dm_with_a_file_attached_is_answered_from_its_text(podium: Running):
    dm = podium.standin.dm_channel("U0ALICE")
    message = podium.standin.post_user_file(
        dm, "U0ALICE", "get deploy nginx", filename="error.png", content=b"\x89PNG"
    )
    event = file_share_event(message, dm)
    assert event["subtype"] == "file_share" and event["files"][0]["name"] == "error.png"
    assert (await podium.sender.event(event)).status == 200
    done = await finished(podium, Asked(dm, message, None))  # type: ignore[arg-type]
    assert done.args["name"] == "white_check_mark"
    [answer] = [m for m in podium.standin.messages(dm) if m.get("bot_id") and not m.get("upload")]
    assert "ran `kubectl get deploy nginx -n sandbox`" in text_of(answer)


async def test_a_dm_with_only_a_file_says_podium_reads_text(podium: Running):
    dm = podium.standin.dm_channel("U0BOB")
    message = podium.standin.post_user_file(
        dm, "U0BOB", "", filename="kubeconfig.yaml", content=b"apiVersion: v1"
    )
    assert (await podium.sender.event(file_share_event(message, dm))).status == 200
    done = await finished(podium, Asked(dm, message, None))  # type: ignore[arg-type]
    assert done.args["name"] == "warning"
    [answer] = [m for m in podium.standin.messages(dm) if m.get("bot_id")]
    assert text_of(answer).startswith("Podium reads what you type, not attached files")


def test_command_key_ignores_the_mention_and_spacing_only():
    from bot.conversation.events import command_key, should_answer

    base = {"channel": CHANNEL, "ts": "1.000001", "text": f"<@{BOT}> get pods"}
    same = {**base, "text": f"  <@{BOT}>\tget   pods  ", "edited": {"user": "U0ALICE", "ts": "2.0"}}
    other = {**base, "text": f"<@{BOT}> get Pods"}
    assert command_key(base, bot_user_id=BOT) == command_key(same, bot_user_id=BOT)
    assert command_key(base, bot_user_id=BOT) != command_key(other, bot_user_id=BOT)
    assert command_key(base, bot_user_id=BOT) != command_key(
        {**base, "ts": "1.000002"}, bot_user_id=BOT
    )
    file_dm = {
        "type": "message",
        "subtype": "file_share",
        "channel": "D0ALICE",
        "channel_type": "im",
        "user": "U0ALICE",
        "ts": "1.0",
        "text": "get pods",
        "files": [{"id": "F1"}],
    }
    assert should_answer(file_dm, kind="dm", bot_user_id=BOT)
