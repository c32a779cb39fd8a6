"""Slack calls that features share: paced channel posts, DMs, updates, image uploads.
The only place besides Bolt's listeners that holds the Web API client."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.pacing import BACKGROUND, SLIDES, WAITED_FOR, ChannelPacer, UpdateBudget
from bot.slack.places import refusal_reason
from bot.slack.slide_images import SlideImages

log = logging.getLogger(__name__)

# A chat.update Slack answers 429 is tried again after Retry-After (the Web API client leaves
# chat.update's 429s to the Publisher: bot/slack/client.py), up to this many times in all and
# while Slack's waits add up to at most a minute. The slides go first after every pause, so they
# meet most of a 429 streak: a count alone would give them up first.
UPDATE_ATTEMPTS = 10
UPDATE_PATIENCE = 60.0
MAX_RETRY_AFTER = 300.0


def retry_after(error: Exception) -> float | None:
    """Slack's Retry-After (seconds) when `error` is a 429; None for any other failure."""
    if not isinstance(error, SlackApiError) or error.response is None:
        return None
    code = str(error.response.get("error") or "")
    if code != "ratelimited" and getattr(error.response, "status_code", 0) != 429:
        return None
    headers = getattr(error.response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after") or "1"
    try:
        return max(1.0, min(float(value), MAX_RETRY_AFTER))
    except ValueError:
        return 1.0


class Publisher:
    def __init__(
        self,
        client: AsyncWebClient,
        pacer: ChannelPacer,
        images: SlideImages,
        updates: UpdateBudget | None = None,
    ) -> None:
        self.client = client
        self._pacer = pacer
        self.updates = updates or UpdateBudget()  # every chat.update Podium makes, one budget
        self.images = images  # slide images as Slack files: uploaded early, used once processed
        self._dm_channels: dict[str, str] = {}

    async def post(
        self,
        channel: str,
        message: dict[str, Any],
        *,
        thread_ts: str | None = None,
        first: bool = False,
    ) -> str:
        """Post in a channel within its rate budget; returns the message ts. `first`: the
        instructor's slides, posted before any other post waiting for the channel."""
        await self._pacer.wait(channel, first=first)
        options: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        response = await self.client.chat_postMessage(channel=channel, **message, **options)
        return str(response["ts"])

    async def update(
        self,
        channel: str,
        ts: str,
        message: dict[str, Any] | Callable[[], dict[str, Any]],
        *,
        first: bool = False,
        background: bool = False,
    ) -> None:
        """Edit a message within the app's one chat.update budget. `first`: the instructor's
        slides, before every other edit waiting; `background` (`get -w`, the room board): after
        every other edit, and replaced by a newer background edit of the same message while it
        waits (then nothing is sent: the newer content is). A 429 pauses every edit for
        Retry-After, then this one is tried again; other failures are raised as they are.
        `message` may be a function: it renders when the edit's turn comes, so an edit that
        waited shows what is current then, not what was when it was queued."""
        rank = SLIDES if first else BACKGROUND if background else WAITED_FOR
        waited = 0.0
        for attempt in range(1, UPDATE_ATTEMPTS + 1):
            if not await self.updates.wait(channel, ts, rank=rank):
                return  # a newer edit of this message is on its way
            try:
                content = message() if callable(message) else message
                await self.client.chat_update(channel=channel, ts=ts, **content)
                return
            except SlackApiError as error:
                pause = retry_after(error)
                waited += pause or 0.0
                if pause is None or attempt == UPDATE_ATTEMPTS or waited > UPDATE_PATIENCE:
                    raise
                log.info("chat.update rate limited: every edit waits %g s", pause)
                self.updates.pause(pause)

    async def dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm_channels:
            opened = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = str(opened["channel"]["id"])
        return self._dm_channels[user_id]

    async def post_dm(self, user_id: str, message: dict[str, Any]) -> tuple[str, str]:
        """Post in the user's DM with Podium; returns (channel, ts)."""
        channel = await self.dm_channel(user_id)
        return channel, await self.post(channel, message)

    def refusal_reason(self, error: Exception, channel: str) -> str | None:
        """Why Slack refused a post in `channel`, as advice for the person (Podium is not a
        member, an archived channel, …); None for any other failure."""
        code = str(error.response.get("error") or "") if isinstance(error, SlackApiError) else ""
        return refusal_reason(code, channel)

    async def permalink(self, channel: str, ts: str) -> str | None:
        try:
            response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except Exception as error:  # noqa: BLE001 — a missing link is not worth failing a search for
            log.info("no permalink for %s/%s: %s", channel, ts, error)
            return None
        return str(response.get("permalink") or "") or None
