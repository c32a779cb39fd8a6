"""Which Slack events Podium answers, and where. Pure: event dicts in, decisions out."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

Kind = Literal["mention", "dm"]

# Message subtypes that are still a person writing to Podium (file_share: a message with a file
# attached, answered from its text). Everything else (bot_message, message_changed,
# message_deleted, channel_join, …) is not a question.
_PERSON_SUBTYPES = (None, "thread_broadcast", "file_share")


def should_answer(event: dict[str, Any], *, kind: Kind, bot_user_id: str | None) -> bool:
    """A person's new message to Podium: never Podium's own, nor another bot's, nor an edit."""
    user = event.get("user")
    if not user or user == bot_user_id:
        return False
    if event.get("bot_id") or event.get("bot_profile"):  # Podium's own posts carry its bot_id too
        return False
    if event.get("subtype") not in _PERSON_SUBTYPES or event.get("hidden"):
        return False
    if not event.get("channel") or not event.get("ts"):
        return False
    in_dm = event.get("channel_type") == "im" or str(event["channel"]).startswith("D")
    # A mention inside a DM also arrives as a DM message: answer that one only.
    return in_dm if kind == "dm" else not in_dm


def reply_thread(event: dict[str, Any], *, kind: Kind) -> str | None:
    """Where the answer goes: a mention is answered in its thread (started on the asking message
    when it was not in one); a DM at its top level, unless it was written in a thread."""
    thread = event.get("thread_ts")
    if kind == "mention":
        return str(thread or event["ts"])
    return str(thread) if thread else None


def event_key(body: dict[str, Any]) -> str:
    """What makes two deliveries the same event: Slack's event_id (HTTP and Socket Mode alike)."""
    if body.get("event_id"):
        return str(body["event_id"])
    event = body.get("event") or {}
    return f"{event.get('channel')}:{event.get('ts')}"


def command_key(event: dict[str, Any], *, bot_user_id: str | None) -> str:
    """What makes two events the same command: the message (channel and ts) and its text without
    the mention, whitespace collapsed. Slack sends an edited mention again as a new event (new
    event_id, an `edited` field); it is answered again only if the command itself changed."""
    text = str(event.get("text") or "")
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    normalized = " ".join(text.split())
    digest = hashlib.sha256(normalized.encode()).hexdigest()[:24]
    return f"cmd:{event.get('channel')}:{event.get('ts')}:{digest}"


def attached_files_only(event: dict[str, Any], *, bot_user_id: str | None) -> bool:
    """A message that carries files but no typed words for Podium."""
    text = str(event.get("text") or "")
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", "")
    return bool(event.get("files")) and not text.strip()
