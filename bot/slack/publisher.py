"""Slack calls that features share: paced channel posts, DMs, updates, image uploads.
The only place besides Bolt's listeners that holds the Web API client."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.pacing import ChannelPacer
from bot.slack.places import refusal_reason
from bot.slack.slide_images import SlideImages

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer, images: SlideImages) -> None:
        self.client = client
        self._pacer = pacer
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

    async def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        await self.client.chat_update(channel=channel, ts=ts, **message)

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
