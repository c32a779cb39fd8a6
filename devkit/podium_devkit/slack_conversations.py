"""The Slack stand-in's conversations.* (open, info, history, replies, members) and users.info."""

from __future__ import annotations

import base64
import copy

from podium_devkit.slack_records import (
    JsonDict,
    SlackError,
)
from podium_devkit.slack_state import Handler, SlackState, truthy


class ConversationsApi(SlackState):
    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "conversations.members": self._conversations_members,
        }

    async def _conversations_open(self, args: JsonDict) -> JsonDict:
        if args.get("channel"):
            channel_id = self._resolve_channel(args["channel"])
            return {"channel": {"id": channel_id}}
        users = args.get("users")
        user_ids = (
            users if isinstance(users, list) else [u for u in str(users or "").split(",") if u]
        )
        if not user_ids:
            raise SlackError("users_list_not_supplied")
        for user_id in user_ids:
            if user_id not in self._users:
                raise SlackError("user_not_found")
        if len(user_ids) > 1:
            raise SlackError("not_supported", detail="group DMs are not supported by the stand-in")
        already_open = "D" + user_ids[0][1:] in self._channels
        channel_id = self.dm_channel(user_ids[0])
        body: JsonDict = {"channel": {"id": channel_id}}
        if truthy(args.get("return_im")):
            body["channel"] = copy.deepcopy(self._channels[channel_id])
        if already_open:
            body.update(no_op=True, already_open=True)
        return body

    async def _conversations_info(self, args: JsonDict) -> JsonDict:
        return {
            "channel": copy.deepcopy(self._channels[self._resolve_channel(args.get("channel"))])
        }

    async def _conversations_history(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        limit = int(args.get("limit") or 100)
        roots = [
            m for m in self._messages.get(channel_id, []) if m.get("thread_ts", m["ts"]) == m["ts"]
        ]
        roots = _in_time_window(roots, args)
        newest_first = [_as_read(m, args) for m in reversed(roots)][:limit]
        return {"messages": newest_first, "has_more": len(roots) > limit, "pin_count": 0}

    async def _conversations_replies(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        ts = args.get("ts")
        if self._find_message(channel_id, ts) is None:
            raise SlackError("thread_not_found")
        thread = [
            m
            for m in self._messages.get(channel_id, [])
            if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        # As Slack: the parent always comes first, the replies within oldest/latest after it.
        replies = _in_time_window([m for m in thread if m["ts"] != ts], args)
        return {"messages": [_as_read(m, args) for m in thread[:1] + replies], "has_more": False}

    async def _conversations_members(self, args: JsonDict) -> JsonDict:
        """Slack's conversations.members: user IDs in join order, the bot among them while it is a
        member; `limit` (default 100, at most 1000), `response_metadata.next_cursor` ("" at the end).
        The scope depends on the conversation's type; a public channel the bot is not in works,
        a private one (or a DM) it is not in is `channel_not_found` (devkit/podium_devkit/slack_membership.py)."""
        channel_id = self._resolve_channel(args.get("channel"))
        channel = self._channels[channel_id]
        needed = (
            "im:read"
            if channel.get("is_im")
            else "mpim:read"
            if channel.get("is_mpim")
            else "groups:read"
            if channel.get("is_private")
            else "channels:read"
        )
        if self.scopes is not None and needed not in self.scopes:
            raise SlackError("missing_scope", needed=needed, provided=",".join(self.scopes))
        try:
            limit = int(args.get("limit") or 100)
        except (TypeError, ValueError):
            raise SlackError("invalid_limit") from None
        if not 1 <= limit <= 1000:
            raise SlackError("invalid_limit")
        if channel.get("is_im"):
            everyone = [self.bot_user_id, str(channel.get("user"))]
        else:
            everyone = [
                u for u in self._channel_members.get(channel_id, []) if u != self.bot_user_id
            ]
            if self.membership.is_member(channel_id):
                everyone.append(self.bot_user_id)
        start = 0
        if args.get("cursor"):
            start = _cursor_index(str(args["cursor"]), everyone)
        page = everyone[start : start + limit]
        rest = everyone[start + limit :]
        return {
            "members": page,
            "response_metadata": {"next_cursor": _cursor_for(rest[0]) if rest else ""},
        }

    async def _users_info(self, args: JsonDict) -> JsonDict:
        user = self._users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_api(self.team_id)}


def _in_time_window(messages: list[JsonDict], args: JsonDict) -> list[JsonDict]:
    """conversations.history/replies `oldest`/`latest` (exclusive unless `inclusive`)."""
    inclusive = truthy(args.get("inclusive"))
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")

    def inside(ts: float) -> bool:
        return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

    return [m for m in messages if inside(float(m["ts"]))]


def _as_read(message: JsonDict, args: JsonDict) -> JsonDict:
    """A message as conversations.history/replies return it: metadata only on request, as Slack."""
    read = copy.deepcopy(message)
    if not truthy(args.get("include_all_metadata")):
        read.pop("metadata", None)
    return read


def _cursor_for(user_id: str) -> str:
    # Slack's cursors are opaque; they look like base64 of "user:U061NFTT2".
    return base64.b64encode(f"user:{user_id}".encode()).decode()


def _cursor_index(cursor: str, members: list[str]) -> int:
    try:
        user_id = base64.b64decode(cursor, validate=True).decode().removeprefix("user:")
    except (ValueError, UnicodeDecodeError):
        raise SlackError("invalid_cursor") from None
    if user_id not in members:
        raise SlackError("invalid_cursor")
    return members.index(user_id)
