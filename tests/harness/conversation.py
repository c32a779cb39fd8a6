"""Podium running in-process against the Slack stand-in and the Kubernetes emulator, plus helpers
that write to Podium the way people do: a message in Slack, then the event Slack sends for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from podium_devkit.console import message_to_text
from podium_devkit.slack_api import ApiCall
from podium_devkit.slack_sender import SentRequest
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
BOT = "U0PODIUMBOT"
FINAL = ("white_check_mark", "warning")


@pytest.fixture
async def podium(cluster, standin, tmp_path) -> AsyncIterator[Running]:
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_INSTRUCTORS="U0INSTRUCTOR"
    ) as running:
        yield running


@dataclass
class Asked:
    channel: str
    message: dict[str, Any]  # the asking message as stored in Slack
    sent: SentRequest  # Podium's answer to the event delivery

    @property
    def ts(self) -> str:
        return str(self.message["ts"])


async def mention(
    running: Running,
    text: str,
    *,
    user: str = "U0ALICE",
    channel: str = CHANNEL,
    thread_ts: str | None = None,
    event_id: str | None = None,
) -> Asked:
    """`text` written in a channel (or thread) with Podium mentioned, and its app_mention event."""
    message = running.standin.post_user_message(
        channel, user, f"<@{BOT}> {text}", thread_ts=thread_ts
    )
    event = {
        "type": "app_mention",
        "user": user,
        "text": message["text"],
        "ts": message["ts"],
        "channel": channel,
        "event_ts": message["ts"],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    sent = await running.sender.event(event, event_id=event_id)
    return Asked(channel, message, sent)


def dm_event(channel: str, message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": message.get("user"),
        "text": message.get("text", ""),
        "ts": message["ts"],
        "event_ts": message["ts"],
        **extra,
    }


async def direct(
    running: Running, text: str, *, user: str = "U0ALICE", event_id: str | None = None
) -> Asked:
    """`text` written in the DM with Podium, and its message.im event."""
    channel = running.standin.dm_channel(user)
    message = running.standin.post_user_message(channel, user, text)
    sent = await running.sender.event(dm_event(channel, message), event_id=event_id)
    return Asked(channel, message, sent)


async def finished(running: Running, asked: Asked, timeout: float = 15) -> ApiCall:
    """The ✅ or ⚠️ reaction that says Podium is done with the message."""
    return await running.standin.wait_for_call(
        "reactions.add",
        timeout=timeout,
        predicate=lambda c: c.args.get("timestamp") == asked.ts and c.args.get("name") in FINAL,
    )


def bot_posts(running: Running, channel: str) -> list[dict[str, Any]]:
    return [m for m in running.standin.messages(channel) if m.get("bot_id")]


def replies_to(
    running: Running, asked: Asked, thread_ts: str | None = None
) -> list[dict[str, Any]]:
    """Podium's messages in the thread where `asked` should be answered."""
    thread = thread_ts or asked.ts
    return [m for m in bot_posts(running, asked.channel) if m.get("thread_ts") == thread]


def text_of(message: dict[str, Any]) -> str:
    return message_to_text(message)
