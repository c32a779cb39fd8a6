"""Which Slack events Podium answers, and where. Pure: event dicts in, decisions out."""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["mention", "dm"]

# Message subtypes that are still a person writing to Podium. Everything else (bot_message,
# message_changed, message_deleted, channel_join, …) is not a question.
_PERSON_SUBTYPES = (None, "thread_broadcast")


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
