"""Which conversations the stand-in's bot is a member of, and what Slack refuses outside them.

Real Slack, for a bot with `chat:write` and `chat:write.public` (Podium's scopes):
- in a conversation the bot is a member of, everything works;
- in a public channel it has not joined, `chat.postMessage` works (`chat:write.public`), but
  `chat.postEphemeral`, sharing a file (`files.completeUploadExternal` with `channel_id`) and
  reading history answer `not_in_channel`;
- a private channel it was not invited to, or a DM between two other people, does not exist
  for the bot: every method answers `channel_not_found`;
- the response_url of a command or button typed there always works: that is how Slack lets an
  app answer in such places (the stand-in's response_urls are not checked here).

Members by default: the channels the stand-in is created with (the tests' workshop channels)
and every DM with the bot. `SlackStandIn.add_channel(..., member=False)`, `leave`, `join` and
`add_dm_between` set up the other places.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Methods that name a conversation in their arguments, and the argument that does.
CHANNEL_ARGS: Mapping[str, str] = {
    "chat.postMessage": "channel",
    "chat.postEphemeral": "channel",
    "chat.update": "channel",
    "chat.delete": "channel",
    "chat.getPermalink": "channel",
    "conversations.history": "channel",
    "conversations.replies": "channel",
    "conversations.info": "channel",
    "conversations.members": "channel",
    "reactions.add": "channel",
    "reactions.remove": "channel",
    "files.completeUploadExternal": "channel_id",
}

# What a public channel the bot has not joined allows (with chat:write.public).
_PUBLIC_NON_MEMBER_ALLOWED = frozenset(
    {
        "chat.postMessage",
        "chat.getPermalink",
        "conversations.info",
        "conversations.members",
        "chat.update",
        "chat.delete",
    }
)


class Membership:
    """The set of conversations the bot is in."""

    def __init__(self, members: set[str] | None = None) -> None:
        self._members: set[str] = set(members or ())

    def join(self, channel_id: str) -> None:
        self._members.add(channel_id)

    def leave(self, channel_id: str) -> None:
        self._members.discard(channel_id)

    def is_member(self, channel_id: str) -> bool:
        return channel_id in self._members

    def refusal(self, method: str, channel: Mapping[str, Any]) -> str | None:
        """Slack's error for `method` on `channel` (its conversations.info record), or None."""
        return membership_error(method, channel, is_member=self.is_member(str(channel.get("id"))))


def membership_error(method: str, channel: Mapping[str, Any], *, is_member: bool) -> str | None:
    """Pure: the error code Slack answers a non-member bot, None when the call is allowed."""
    if is_member or method not in CHANNEL_ARGS:
        return None
    if channel.get("is_im") or channel.get("is_mpim") or channel.get("is_private"):
        return "channel_not_found"  # a conversation the bot is not in does not exist for it
    if method in _PUBLIC_NON_MEMBER_ALLOWED:
        return None
    return "not_in_channel"


def payload_channel_name(channel: Mapping[str, Any] | None, channel_id: str) -> str:
    """The `channel_name` Slack puts in slash commands and interactions typed in `channel`."""
    if channel is None:
        return channel_id
    if channel.get("is_im"):
        return "directmessage"
    if channel.get("is_mpim"):
        return str(channel.get("name") or "mpdm")
    if channel.get("is_private"):
        return "privategroup"
    return str(channel.get("name") or channel_id)
