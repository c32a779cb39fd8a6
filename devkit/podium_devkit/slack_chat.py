"""The Slack stand-in's messages: chat.* (post, update, ephemeral, delete, permalink),
reactions.* and response_urls (up to 5 posts within 30 minutes, replace/delete_original)."""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any

from aiohttp import web

from podium_devkit.slack_blocks import MAX_MESSAGE_BLOCKS, block_errors
from podium_devkit.slack_records import (
    MAX_TEXT_CHARS,
    RESPONSE_URL_MAX_POSTS,
    RESPONSE_URL_TTL_SECONDS,
    JsonDict,
    ResponsePost,
    ResponseUrlEntry,
    SlackError,
)
from podium_devkit.slack_state import Handler, SlackState, truthy


class ChatApi(SlackState):
    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
        }

    async def _chat_post_message(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        self._check_content(args)
        message = self._bot_message(args, self._next_ts())
        self._store_message(channel_id, message)
        return {"channel": channel_id, "ts": message["ts"], "message": copy.deepcopy(message)}

    async def _chat_update(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        message = self._find_message(channel_id, args.get("ts"))
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise SlackError("cant_update_message")
        self._check_content(args, required=False)
        # As on Slack: fields left out keep their value; `blocks: []` removes the blocks.
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args and args[key] is not None:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel_id,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    async def _chat_post_ephemeral(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        user = args.get("user")
        if user not in self._users:
            raise SlackError("user_not_found")
        self._check_content(args)
        message = self._bot_message(args, self._next_ts())
        self._ephemerals.append(
            {"channel": channel_id, "user": user, "message": message, "via": "chat.postEphemeral"}
        )
        return {"message_ts": message["ts"]}

    async def _chat_delete(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        message = self._find_message(channel_id, args.get("ts"))
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise SlackError("cant_delete_message")
        self._messages[channel_id].remove(message)
        return {"channel": channel_id, "ts": message["ts"]}

    async def _chat_get_permalink(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        ts = str(args.get("message_ts") or "")
        if self._find_message(channel_id, ts) is None:
            raise SlackError("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
        return {"channel": channel_id, "permalink": link}

    def _reaction_target(self, args: JsonDict) -> tuple[JsonDict, str]:
        channel_id = self._resolve_channel(args.get("channel"))
        message = self._find_message(channel_id, args.get("timestamp"))
        if message is None:
            raise SlackError("message_not_found")
        name = str(args.get("name") or "").strip(":")
        if not name:
            raise SlackError("invalid_name")
        return message, name

    async def _reactions_add(self, args: JsonDict) -> JsonDict:
        message, name = self._reaction_target(args)
        reactions: list[JsonDict] = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reaction = {"name": name, "users": [], "count": 0}
            reactions.append(reaction)
        if self.bot_user_id in reaction["users"]:
            raise SlackError("already_reacted")
        reaction["users"].append(self.bot_user_id)
        reaction["count"] += 1
        return {}

    async def _reactions_remove(self, args: JsonDict) -> JsonDict:
        message, name = self._reaction_target(args)
        reactions: list[JsonDict] = message.get("reactions", [])
        reaction = next(
            (r for r in reactions if r["name"] == name and self.bot_user_id in r["users"]), None
        )
        if reaction is None:
            raise SlackError("no_reaction")
        reaction["users"].remove(self.bot_user_id)
        reaction["count"] -= 1
        if reaction["count"] == 0:
            reactions.remove(reaction)
        return {}

    # -- response_url --------------------------------------------------------------------------------

    def new_response_url(
        self,
        *,
        channel_id: str | None = "C0WORKSHOP",
        user_id: str | None = "U0ALICE",
        message_ts: str | None = None,
        kind: str = "commands",
    ) -> str:
        """A fresh response_url on this server (`kind` is `commands` or `actions`, as Slack's paths)."""
        path = f"/{kind}/{self.team_id}/{secrets.randbelow(10**13)}/{secrets.token_hex(12)}"
        self._response_urls[path] = ResponseUrlEntry(
            url=self.base_url + path,
            created_at=self.clock(),
            channel_id=channel_id,
            user_id=user_id,
            message_ts=message_ts,
        )
        return self.base_url + path

    async def _on_response_url(self, request: web.Request) -> web.StreamResponse:
        fault = self._take_fault("response_url")
        if fault is not None:
            return await self._fault_response(request, fault)
        entry = self._response_urls.get(request.path)
        if entry is None:
            return web.json_response({"ok": False, "error": "no_service"}, status=404)
        raw = await request.read()
        body: Any
        try:
            if request.content_type == "application/x-www-form-urlencoded":
                body = json.loads((await request.post()).get("payload", ""))  # type: ignore[arg-type]
            else:
                body = json.loads(raw or b"null")
        except (json.JSONDecodeError, TypeError):
            body = None

        accepted = [p for p in entry.posts if p.status == 200]
        error, status = None, 200
        if not isinstance(body, dict):
            error, status, body = "invalid_payload", 400, {"raw": raw.decode("utf-8", "replace")}
        elif self.clock() - entry.created_at > RESPONSE_URL_TTL_SECONDS:
            error, status = "expired_url", 404
        elif len(accepted) >= RESPONSE_URL_MAX_POSTS:
            error, status = "used_url", 404
        else:
            error = self._apply_response(entry, body)
            status = 400 if error else 200
        entry.posts.append(ResponsePost(entry.url, body, self.clock(), status, error))
        await self._notify()
        if error:
            return web.json_response({"ok": False, "error": error}, status=status)
        return web.json_response({"ok": True})

    def _apply_response(self, entry: ResponseUrlEntry, body: JsonDict) -> str | None:
        """Make a response_url post visible where Slack would show it; an error name if refused."""
        original = (
            self._find_message(entry.channel_id, entry.message_ts)
            if entry.channel_id and entry.message_ts
            else None
        )
        if truthy(body.get("delete_original")):
            if original is not None:
                self._messages[entry.channel_id or ""].remove(original)
            return None
        if not any(body.get(k) for k in ("text", "blocks", "attachments")):
            return "no_text"
        if self.block_kit.validate and len(str(body.get("text") or "")) > MAX_TEXT_CHARS:
            return "msg_too_long"
        if self.block_kit.message_errors(body, MAX_MESSAGE_BLOCKS, block_errors) or (
            body.get("blocks") and self.file_processing.slack_file_errors(body["blocks"])
        ):
            return "invalid_blocks"
        if truthy(body.get("replace_original")) and original is not None:
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    original[key] = body[key]
            return None
        message = self._bot_message(body, self._next_ts())
        if body.get("response_type") == "in_channel" and entry.channel_id:
            self._store_message(entry.channel_id, message)
        else:
            self._ephemerals.append(
                {
                    "channel": entry.channel_id,
                    "user": entry.user_id,
                    "message": message,
                    "via": "response_url",
                }
            )
        return None
