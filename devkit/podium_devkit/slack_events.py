"""Events API payloads for what people do in Slack, shaped as Slack sends them (the `event` part;
`slack_sender.event_callback_envelope` wraps it with a fresh `event_id`).

- `mention_event`: a new message that mentions the app (`app_mention`).
- `edited_mention_event`: the same message after its author edited it. Slack sends `app_mention`
  again, with the original `ts`, the new text, a new `event_ts` and `edited: {user, ts}`; it is a
  new event (new `event_id`), not a redelivery.
- `file_share_event`: a message with a file attached: `message` with `subtype: file_share`, the
  typed text (possibly empty) and `files`.
"""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]


def mention_event(message: JsonDict, channel: str) -> JsonDict:
    """The `app_mention` for a stored message (`text`, `user`, `ts`, maybe `thread_ts`)."""
    event: JsonDict = {
        "type": "app_mention",
        "user": message["user"],
        "text": message["text"],
        "ts": message["ts"],
        "channel": channel,
        "event_ts": message["ts"],
        "team": message.get("team"),
    }
    if message.get("thread_ts"):
        event["thread_ts"] = message["thread_ts"]
    return event


def edited_mention_event(message: JsonDict, channel: str) -> JsonDict:
    """The `app_mention` Slack sends again when a message mentioning the app was edited."""
    edited = message.get("edited")
    if not edited:
        raise ValueError("the message was not edited")
    return {**mention_event(message, channel), "edited": dict(edited), "event_ts": edited["ts"]}


def file_share_event(message: JsonDict, channel: str, *, channel_type: str = "im") -> JsonDict:
    """The `message` event (subtype `file_share`) for a stored message with files attached."""
    return {
        "type": "message",
        "subtype": "file_share",
        "channel_type": channel_type,
        "channel": channel,
        "user": message["user"],
        "text": message.get("text", ""),
        "ts": message["ts"],
        "event_ts": message["ts"],
        "files": [dict(f) for f in message.get("files", [])],
        "upload": False,
        "display_as_bot": False,
        "team": message.get("team"),
    }
