"""A channel post that Slack may have made although it answered with a failure is not made twice.

Slack documents `internal_error` / 5xx as "some aspect of the operation may have succeeded", and
a timeout or a connection reset after the request was sent says nothing either. Retrying
`chat.postMessage` blindly then shows a slide (or a shared answer) twice. So every post carries
a marker in its message metadata (`metadata: {event_type, event_payload}`, which Slack stores
and returns from conversations.history/replies with `include_all_metadata`), and after an
ambiguous failure Podium looks for the marker since just before the first attempt: found, the
post is done; not found, it is posted again. Where it cannot look (history refused: a public
channel Podium has not joined), it posts again, as before: a missing slide is worse than a twin.

Pure helpers here; the client (bot/slack/client.py) does the calls.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

MARKER_TYPE = "podium_post"
# Seconds looked back before the first attempt: the clocks of Podium and Slack may disagree a bit.
CLOCK_MARGIN = 60.0
# Slack codes that say nothing about whether the call took effect.
AMBIGUOUS_CODES = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
AMBIGUOUS_STATUS = frozenset({500, 502, 503, 504})


def with_marker(message: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The message with a fresh post marker in its metadata, and the marker's id (None when the
    message already carries metadata of its own: it is left as it is)."""
    if message.get("metadata"):
        return message, None
    post_id = uuid.uuid4().hex
    return {
        **message,
        "metadata": {"event_type": MARKER_TYPE, "event_payload": {"post_id": post_id}},
    }, post_id


def is_ambiguous(error: BaseException) -> bool:
    """A failure after which the post may exist: 5xx, Slack's internal errors, timeouts, resets."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", 200)
        code = str(response.get("error") or "") if response is not None else ""
        return status in AMBIGUOUS_STATUS or code in AMBIGUOUS_CODES
    return isinstance(
        error,
        (
            asyncio.TimeoutError,
            aiohttp.ServerDisconnectedError,
            aiohttp.ClientOSError,
            aiohttp.ServerConnectionError,
            aiohttp.ClientPayloadError,
        ),
    )


def marked(messages: list[dict[str, Any]], post_id: str) -> dict[str, Any] | None:
    """The message carrying marker `post_id`, if any."""
    for message in messages:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == MARKER_TYPE
            and (metadata.get("event_payload") or {}).get("post_id") == post_id
        ):
            return message
    return None
