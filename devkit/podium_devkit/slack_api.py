"""A stand-in for Slack that speaks Slack's real wire protocols on loopback.

The product code cannot tell it from Slack: it is reached only through `SLACK_API_URL` (the
`api_url` below, used as `AsyncWebClient(base_url=...)`), the tokens and the signing secret.

What it serves, on one aiohttp server at 127.0.0.1:<random port>:
- `/api/<method>`: the Web API subset Podium uses, with Slack's response shapes and errors,
  bearer-token checks, optional scope checks, Block Kit checks as strict as Slack's
  (devkit/podium_devkit/slack_blocks.py) and injectable faults;
- `/upload/v1/<id>`: the upload URLs of `files.getUploadURLExternal` (files_upload_v2 step 2); an
  upload is usable in a `slack_file` block only once processed (~1 s, devkit/podium_devkit/slack_files.py);
- `/commands/...` and `/actions/...`: response_urls, limited to 5 posts within 30 minutes;
- `/socket-mode`: the Socket Mode WebSocket handed out by `apps.connections.open`.

Everything the app did is kept for assertions: calls, channel messages (edited in place by
`chat.update`), ephemerals, App Home views, uploaded file contents, response_url posts.

Deliberate stand-in choices (Slack does not document these precisely):
- a 6th post to a response_url, or any post after 30 minutes, gets HTTP 404 with
  `{"ok": false, "error": "used_url"}` / `"expired_url"`; successful posts get 200 `{"ok": true}`;
- injected 500/503 faults answer `{"ok": false, "error": "internal_error" / "service_unavailable"}`;
- unknown methods answer HTTP 200 `{"ok": false, "error": "unknown_method", "req_method": ...}`;
- scopes are checked (`missing_scope`) only when `scopes=` is given, e.g. the manifest's bot scopes;
- Slack's rate limits are on by default (devkit/podium_devkit/slack_limits.py: ~1 post/s per channel with a
  burst of 4, tiers per method), answered 429 + `Retry-After`; `rate_limits=RateLimits.off()` turns
  them off for a test that says why.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from podium_devkit.slack_blocks import BlockKitRules
from podium_devkit.slack_membership import CHANNEL_ARGS, Membership, payload_channel_name
from podium_devkit.slack_sender import (
    SlackWorkspace,
    block_actions_payload,
    event_callback_envelope,
    new_trigger_id,
    slash_command_fields,
)
from podium_devkit.slack_files import DEFAULT_PROCESSING_SECONDS, FileProcessing
from podium_devkit.slack_limits import CHANNEL_POST_METHOD, RateLimiter, RateLimits
from podium_devkit.slack_socket import SocketAck, SocketModeHub, new_ticket_url

JsonDict = dict[str, Any]

RESPONSE_URL_MAX_POSTS = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
TRIGGER_ID_TTL_SECONDS = 3.0
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_CHARS = 40_000

# Arguments Slack accepts as JSON strings in form-encoded bodies.
_JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")

# Bot scope each method needs; enforced only when the stand-in is given `scopes=`.
_METHOD_SCOPES: Mapping[str, str] = MappingProxyType({
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.delete": "chat:write",
    "conversations.open": "im:write",
    "conversations.info": "channels:read",
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "users.info": "users:read",
    "reactions.add": "reactions:write",
    "reactions.remove": "reactions:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.info": "files:read",
})


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class SlackUser:
    """A workspace member the stand-in knows (users.info, DMs, ephemerals)."""

    id: str
    name: str
    real_name: str = ""
    is_bot: bool = False
    tz: str = "Europe/Berlin"
    email: str | None = None
    is_admin: bool = False
    deleted: bool = False  # a deactivated account: still in users.info and channel member lists

    def to_api(self, team_id: str) -> JsonDict:
        real_name = self.real_name or self.name.title()
        profile: JsonDict = {
            "real_name": real_name,
            "display_name": self.name,
            "real_name_normalized": real_name,
            "display_name_normalized": self.name,
            "image_48": f"https://avatars.slack-edge.com/{self.id}_48.png",
            "team": team_id,
        }
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": "Central European Summer Time",
            "tz_offset": 7200,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


DEFAULT_USERS: tuple[SlackUser, ...] = (
    SlackUser("U0ALICE", "alice", "Alice Archer", email="alice@example.com"),
    SlackUser("U0BOB", "bob", "Bob Builder", email="bob@example.com"),
    SlackUser("U0INSTRUCTOR", "ines", "Ines Instructor", email="ines@example.com", is_admin=True),
)
DEFAULT_CHANNELS: Mapping[str, str] = MappingProxyType({"C0WORKSHOP": "workshop", "C0GENERAL": "general"})


@dataclass(frozen=True)
class ApiCall:
    """One Web API call as the stand-in received and answered it."""

    method: str
    args: JsonDict  # query, form and JSON body merged; JSON-string args (blocks, files...) decoded
    token: str | None
    at: float
    status: int
    response: JsonDict | None
    fault: bool = False  # answered by an injected fault
    rate_limited: bool = False  # answered 429 by the stand-in's rate limits (slack_limits.py)

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a response_url."""

    url: str
    body: JsonDict
    at: float
    status: int
    error: str | None = None


@dataclass
class UploadedFile:
    """A file from files.getUploadURLExternal → upload URL → files.completeUploadExternal."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    snippet_type: str | None = None
    content: bytes | None = None  # set when the upload URL received the bytes
    title: str | None = None
    completed: bool = False
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    created: int = 0

    @property
    def text(self) -> str:
        return (self.content or b"").decode("utf-8")


@dataclass
class Fault:
    """An injected failure for the next `times` calls of one method."""

    status: int = 429
    retry_after: int | None = 1
    times: int = 1
    error: str | None = None
    drop: bool = False  # close the connection without answering
    applied: bool = False  # the call takes effect (e.g. the message is posted), then the fault is answered


@dataclass
class _ResponseUrl:
    url: str
    created_at: float
    channel_id: str | None
    user_id: str | None
    message_ts: str | None  # the message an interaction came from (replace/delete_original)
    posts: list[ResponsePost] = field(default_factory=list)


@dataclass(frozen=True)
class SocketDelivery:
    """A payload delivered over Socket Mode and the app's ack."""

    ack: JsonDict
    envelope: JsonDict
    elapsed_seconds: float
    response_url: str | None = None
    trigger_id: str | None = None


class SlackError(Exception):
    """A Slack API error answer (`{"ok": false, "error": ...}`), raised inside handlers."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


# ---------------------------------------------------------------------------------------------
# Block Kit checks: cheap, close to what Slack rejects, enough to surface product bugs.

_BLOCK_TYPES = {
    "section", "divider", "image", "actions", "context", "input", "header",
    "rich_text", "file", "video", "markdown", "call",
}  # fmt: skip


def block_errors(blocks: Any, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Slack-style error strings (`... [json-pointer:/blocks/0/text]`) for invalid blocks."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        here = f"/blocks/{i}"
        if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
            errors.append(f"unsupported type or not an object [json-pointer:{here}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                errors.append(f"must be less than 256 characters [json-pointer:{here}/block_id]")
            if block_id in seen_ids:
                errors.append(f"duplicate block_id [json-pointer:{here}/block_id]")
            seen_ids.add(block_id)
        errors.extend(_one_block_errors(block, here))
    return errors


def _text_errors(obj: Any, where: str, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"must provide a text object [json-pointer:{where}]"]
    if plain_only and obj["type"] != "plain_text":
        return [f"must be plain_text [json-pointer:{where}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{where}/text]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}/text]"]
    return []


def _element_errors(el: Any, where: str) -> list[str]:
    if not isinstance(el, dict) or "type" not in el:
        return [f"must be an object with a type [json-pointer:{where}]"]
    errors: list[str] = []
    if len(str(el.get("action_id", ""))) > 255:
        errors.append(f"must be less than 256 characters [json-pointer:{where}/action_id]")
    if el["type"] == "button":
        errors += _text_errors(el.get("text"), f"{where}/text", 75, plain_only=True)
        if len(str(el.get("value", ""))) > 2000:
            errors.append(f"must be less than 2001 characters [json-pointer:{where}/value]")
        if len(str(el.get("url", ""))) > 3000:
            errors.append(f"must be less than 3001 characters [json-pointer:{where}/url]")
    return errors


def _one_block_errors(block: JsonDict, here: str) -> list[str]:
    kind = block["type"]
    errors: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"must provide text or fields [json-pointer:{here}]")
        if "text" in block:
            errors += _text_errors(block["text"], f"{here}/text", 3000)
        fields = block.get("fields", [])
        if len(fields) > 10:
            errors.append(f"no more than 10 items allowed [json-pointer:{here}/fields]")
        for j, f in enumerate(fields):
            errors += _text_errors(f, f"{here}/fields/{j}", 2000)
        if "accessory" in block:
            errors += _element_errors(block["accessory"], f"{here}/accessory")
    elif kind == "header":
        errors += _text_errors(block.get("text"), f"{here}/text", 150, plain_only=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= 10:
            errors.append(f"must have 1 to 10 items [json-pointer:{here}/elements]")
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= 25:
            errors.append(f"must have 1 to 25 items [json-pointer:{here}/elements]")
        for j, el in enumerate(elements):
            errors += _element_errors(el, f"{here}/elements/{j}")
    elif kind == "image":
        if not block.get("image_url") and not block.get("slack_file"):
            errors.append(f"must provide image_url or slack_file [json-pointer:{here}]")
        if not block.get("alt_text"):
            errors.append(f"must provide alt_text [json-pointer:{here}/alt_text]")
    elif kind == "markdown":
        text = block.get("text")
        if not isinstance(text, str) or not text or len(text) > 12000:
            errors.append(f"must be 1 to 12000 characters [json-pointer:{here}/text]")
    return errors


# ---------------------------------------------------------------------------------------------
# The stand-in


Handler = Callable[[JsonDict], Awaitable[JsonDict]]


class SlackStandIn:
    """Slack on loopback. Use as `async with SlackStandIn() as slack:`; point clients at `api_url`."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-podium-test",
        app_token: str = "xapp-podium-test",
        team_id: str = "T0PODIUM",
        team_domain: str = "podium-workshop",
        team_name: str = "Podium Workshop",
        app_id: str = "A0PODIUM",
        bot_user_id: str = "U0PODIUMBOT",
        bot_id: str = "B0PODIUM",
        bot_name: str = "podium",
        users: Iterable[SlackUser] = DEFAULT_USERS,
        channels: Mapping[str, str] = DEFAULT_CHANNELS,
        scopes: Sequence[str] | None = None,
        clock: Callable[[], float] = time.time,
        block_kit: BlockKitRules | None = None,
        file_processing_seconds: float = DEFAULT_PROCESSING_SECONDS,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = team_name
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        # None: every method allowed. A list (e.g. the manifest's bot scopes): `missing_scope` otherwise.
        self.scopes = list(scopes) if scopes is not None else None
        self.clock = clock
        # Block Kit checks (devkit/podium_devkit/slack_blocks.py): Slack's by default; a test may relax them.
        self.block_kit = block_kit if block_kit is not None else BlockKitRules()
        self.workspace = SlackWorkspace(
            team_id=team_id, team_domain=team_domain, api_app_id=app_id, bot_user_id=bot_user_id
        )

        self._users: dict[str, SlackUser] = {u.id: u for u in users}
        self._users.setdefault(bot_user_id, SlackUser(bot_user_id, bot_name, bot_name.title(), is_bot=True))
        self._channels: dict[str, JsonDict] = {}
        # Who is in each channel (conversations.members), the bot included while it is a member.
        self._channel_members: dict[str, list[str]] = {}
        # The conversations the bot is in (devkit/podium_devkit/slack_membership.py): these channels and its DMs.
        self.membership = Membership()
        for channel_id, name in channels.items():
            # The workshop channels hold every person the stand-in knows.
            self.add_channel(channel_id, name, members=[u for u in self._users if u != bot_user_id])
        self._messages: dict[str, list[JsonDict]] = {}
        self._ephemerals: list[JsonDict] = []
        self._home_views: dict[str, JsonDict] = {}
        self._views: dict[str, JsonDict] = {}
        self._files: dict[str, UploadedFile] = {}
        self._uploads: dict[str, str] = {}  # upload id -> file id
        # Uploads are usable in `slack_file` only once processed (devkit/podium_devkit/slack_files.py).
        self.file_processing = FileProcessing(delay=file_processing_seconds)
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._triggers: dict[str, float] = {}  # trigger_id -> issued at
        self._faults: dict[str, list[Fault]] = {}
        # Slack's rate limits (devkit/podium_devkit/slack_limits.py); on unless a test passes RateLimits.off().
        self.rate_limiter = RateLimiter(rate_limits if rate_limits is not None else RateLimits())
        self._calls: list[ApiCall] = []
        self._last_ts_us = 0
        self._seq = 0
        self._changed = asyncio.Condition()
        self.socket = SocketModeHub(app_id)

        self._runner: web.AppRunner | None = None
        self._base_url = ""
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "conversations.members": self._conversations_members,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": self._files_info,
        }

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> SlackStandIn:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._on_api)
        app.router.add_post("/upload/v1/{upload_id}", self._on_upload)
        app.router.add_post("/{kind:commands|actions}/{team}/{id}/{secret}", self._on_response_url)
        app.router.add_get("/socket-mode", self.socket.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}"
        return self

    async def close(self) -> None:
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (no trailing slash)."""
        if not self._base_url:
            raise RuntimeError("SlackStandIn is not started")
        return self._base_url

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL is set to. The trailing slash matters: slack_sdk urljoins the method."""
        return f"{self.base_url}/api/"

    # -- set-up helpers for tests --------------------------------------------------------------

    def add_user(self, user: SlackUser) -> None:
        self._users[user.id] = user

    def add_channel(self, channel_id: str, name: str, *, is_private: bool = False, member: bool = True,
                    members: Iterable[str] = ()) -> None:
        """A channel; `member=False`: one the bot has not joined (or, if private, was not invited to).
        `members`: the people in it, in the order they joined (conversations.members)."""
        self._channel_members[channel_id] = list(dict.fromkeys(members))
        if member:
            self.membership.join(channel_id)
        else:
            self.membership.leave(channel_id)
        self._channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_channel": not is_private,
            "is_group": False,
            "is_im": False,
            "is_private": is_private,
            "is_archived": False,
            "created": 1700000000,
        }

    def channel_name(self, channel_id: str) -> str:
        """A channel's name for display (its id when unknown)."""
        return str(self._channels.get(channel_id, {}).get("name") or channel_id)

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM channel with a user (stable: `D` + the user id's tail), opening it if needed."""
        channel_id = "D" + user_id[1:]
        if channel_id not in self._channels:
            self._channels[channel_id] = {
                "id": channel_id, "is_im": True, "is_channel": False, "is_group": False,
                "is_private": True, "is_archived": False, "user": user_id, "created": int(self.clock()),
            }  # fmt: skip
            self.membership.join(channel_id)
        return channel_id

    def add_dm_between(self, user_a: str, user_b: str) -> str:
        """A DM between two people, neither of them the bot: it does not exist for the bot."""
        channel_id = "D" + user_a[1:] + user_b[1:]
        self._channels[channel_id] = {
            "id": channel_id, "is_im": True, "is_channel": False, "is_group": False,
            "is_private": True, "is_archived": False, "user": user_b, "created": int(self.clock()),
        }  # fmt: skip
        self.membership.leave(channel_id)
        return channel_id

    def join(self, channel: str) -> None:
        """The bot is invited to / joins `channel` (`/invite @Podium`)."""
        self.membership.join(self._resolve_channel(channel))

    def leave(self, channel: str) -> None:
        """The bot leaves `channel` (or is removed from it)."""
        self.membership.leave(self._resolve_channel(channel))

    def payload_channel_name(self, channel_id: str) -> str:
        """`channel_name` as Slack sends it in commands and interactions typed in `channel_id`."""
        return payload_channel_name(self._channels.get(channel_id), channel_id)

    def post_user_message(self, channel: str, user_id: str, text: str, *, thread_ts: str | None = None) -> JsonDict:
        """Seed a message written by a human (the bot cannot chat.update it)."""
        message: JsonDict = {"type": "message", "user": user_id, "text": text, "ts": self._next_ts(), "team": self.team_id}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self._store_message(self._resolve_channel(channel), message)
        return copy.deepcopy(message)

    def edit_user_message(self, channel: str, ts: str, text: str) -> JsonDict:
        """A person edits their message: new text and an `edited` mark, as Slack stores it. Pair
        with `podium_devkit.slack_events.edited_mention_event` for the event Slack sends then."""
        message = self._find_message(self._resolve_channel(channel), ts)
        if message is None:
            raise KeyError(f"no message {ts} in {channel}")
        message["text"] = text
        message["edited"] = {"user": message.get("user"), "ts": self._next_ts()}
        return copy.deepcopy(message)

    def post_user_file(self, channel: str, user_id: str, text: str, *, filename: str = "notes.txt",
                       content: bytes = b"") -> JsonDict:
        """A person's message with a file attached (Slack: subtype `file_share`). Pair with
        `podium_devkit.slack_events.file_share_event`."""
        file_id = self._next_id("F")
        upload = UploadedFile(id=file_id, filename=filename, length=len(content), content=content,
                              completed=True, created=int(self.clock()))
        channel_id = self._resolve_channel(channel)
        message: JsonDict = {"type": "message", "subtype": "file_share", "user": user_id, "text": text,
                             "ts": self._next_ts(), "team": self.team_id, "upload": False}
        file_object = self._file_object(upload)
        file_object["user"] = user_id
        message["files"] = [file_object]
        self._store_message(channel_id, message)
        return copy.deepcopy(message)

    def new_trigger_id(self) -> str:
        """A trigger_id views.open will accept for 3 seconds, once."""
        trigger_id = new_trigger_id()
        self._triggers[trigger_id] = self.clock()
        return trigger_id

    # -- reading state ---------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        return [c for c in self._calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[JsonDict]:
        """Current messages of a channel (ID, `#name` or user ID for the DM), oldest first."""
        return copy.deepcopy(self._messages.get(self._lookup_channel(channel), []))

    def message(self, channel: str, ts: str) -> JsonDict | None:
        found = self._find_message(self._lookup_channel(channel), ts)
        return copy.deepcopy(found) if found else None

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[JsonDict]:
        """Ephemeral messages (chat.postEphemeral and ephemeral response_url posts)."""
        cid = self._lookup_channel(channel) if channel else None
        return [
            copy.deepcopy(e)
            for e in self._ephemerals
            if (cid is None or e["channel"] == cid) and (user is None or e["user"] == user)
        ]

    def home_view(self, user_id: str) -> JsonDict | None:
        view = self._home_views.get(user_id)
        return copy.deepcopy(view) if view else None

    def views(self) -> list[JsonDict]:
        """Modals opened/pushed/updated, by view id insertion order."""
        return copy.deepcopy(list(self._views.values()))

    def files(self) -> list[UploadedFile]:
        return list(self._files.values())

    def file(self, file_id: str) -> UploadedFile:
        return self._files[file_id]

    def delete_file(self, file_id: str) -> None:
        """The file is gone (retention, an admin): files.info says `file_deleted`, blocks using it
        are `invalid_blocks`."""
        self.file_processing.delete(file_id)

    # -- fault injection -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        error: str | None = None,
        drop: bool = False,
        applied: bool = False,
    ) -> None:
        """Fail the next `times` calls of `method`.

        `applied=True` is Slack's ambiguous failure: the call takes effect (a `chat.postMessage`
        is posted) and only then is the fault answered (`internal_error`/5xx, or the connection
        dropped, as after a timeout): "some aspect of the operation may have succeeded".

        `method` is a Web API method name, `"files.upload"` for upload URLs or `"response_url"`.
        429 carries `Retry-After` and `ratelimited`; 500/503 a Slack-ish error body; `drop=True`
        closes the connection without an answer (a reset as the client sees it).
        """
        self._faults.setdefault(method, []).append(
            Fault(status=status, retry_after=retry_after, times=times, error=error, drop=drop, applied=applied)
        )

    def _take_fault(self, key: str) -> Fault | None:
        queue = self._faults.get(key)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    async def _fault_response(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        if fault.drop:
            # Abort the socket: the client sees ServerDisconnectedError / connection reset.
            if request.transport is not None:
                request.transport.abort()
            # aiohttp treats a cancelled handler as a vanished peer: no response, no error log.
            raise asyncio.CancelledError
        headers: dict[str, str] = {}
        default_error = {429: "ratelimited", 503: "service_unavailable"}.get(fault.status, "internal_error")
        if fault.status == 429 and fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        return web.json_response({"ok": False, "error": fault.error or default_error}, status=fault.status, headers=headers)

    # -- waiting ----------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 10.0,
    ) -> ApiCall:
        """The first recorded call of `method` (already made or yet to come) matching `predicate`."""

        def found() -> ApiCall | None:
            return next((c for c in self.calls(method) if predicate is None or predicate(c)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout)
        call = found()
        assert call is not None
        return call

    async def wait_for_responses(self, url: str, count: int = 1, timeout: float = 10.0) -> list[JsonDict]:
        """Bodies of the first `count` accepted posts to a response_url."""

        def accepted() -> list[ResponsePost]:
            return [p for p in self.responses(url) if p.status == 200]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(accepted()) >= count), timeout)
        return [p.body for p in accepted()[:count]]

    def responses(self, url: str) -> list[ResponsePost]:
        """Every post to a response_url, refused ones included."""
        entry = self._response_urls.get(urlsplit(url).path)
        return list(entry.posts) if entry else []

    def all_responses(self) -> list[ResponsePost]:
        """Every post to every response_url, refused ones included."""
        return [post for entry in self._response_urls.values() for post in entry.posts]

    # -- ids and timestamps ------------------------------------------------------------------------

    def _next_ts(self) -> str:
        # Message ts are unique per channel and increasing: microseconds, bumped on collisions.
        now_us = int(self.clock() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}0{self._seq:08X}"

    # -- the Web API endpoint ---------------------------------------------------------------------

    async def _on_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await _read_args(request)
        token = _bearer(request) or args.pop("token", None)
        args.pop("token", None)

        fault = self._take_fault(method)
        if fault is not None and fault.applied:
            handler = self._handlers.get(method)
            if handler is not None:
                try:
                    self._check_token(method, token)
                    self._check_membership(method, args)
                    await handler(args)  # done, whatever the answer says
                except SlackError:
                    pass
        if fault is not None:
            self._record(ApiCall(method, args, token, self.clock(), fault.status, None, fault=True))
            await self._notify()
            return await self._fault_response(request, fault)

        headers: dict[str, str] = {}
        status = 200
        try:
            self._check_token(method, token)
            limited = await self._rate_limited(method, args, token)
            if limited is not None:
                return limited
            if token == self.bot_token and self.scopes is not None:
                headers["X-OAuth-Scopes"] = ",".join(self.scopes)
                headers["X-Accepted-OAuth-Scopes"] = _METHOD_SCOPES.get(method, "")
            handler = self._handlers.get(method)
            if handler is None:
                raise SlackError("unknown_method", req_method=method)
            self._check_membership(method, args)
            body = await handler(args)
            body = {"ok": True, **body}
        except SlackError as e:
            status = e.status
            body = {"ok": False, "error": e.error, **e.extra}
        self._record(ApiCall(method, args, token, self.clock(), status, body))
        await self._notify()
        return web.json_response(body, status=status, headers=headers)

    async def _rate_limited(self, method: str, args: JsonDict, token: str | None) -> web.StreamResponse | None:
        """Slack's 429 when the call is over its budget (recorded, with `rate_limited=True`)."""
        channel = self._lookup_channel(args.get("channel")) if method == CHANNEL_POST_METHOD else None
        retry_after = self.rate_limiter.retry_after(method, channel)
        if retry_after is None:
            return None
        body = {"ok": False, "error": "ratelimited"}
        self._record(ApiCall(method, args, token, self.clock(), 429, body, rate_limited=True))
        await self._notify()
        return web.json_response(body, status=429, headers={"Retry-After": str(retry_after)})

    def rate_limited_calls(self, method: str | None = None) -> list[ApiCall]:
        """The calls the stand-in answered 429 because of its rate limits (not injected faults)."""
        return [c for c in self.calls(method) if c.rate_limited]

    def _check_membership(self, method: str, args: JsonDict) -> None:
        """Slack's refusals in conversations the bot is not in (devkit/podium_devkit/slack_membership.py)."""
        arg = CHANNEL_ARGS.get(method)
        value = args.get(arg) if arg else None
        if method == "files.completeUploadExternal" and not value:
            value = str(args.get("channels") or "").split(",")[0] or None
        if not value:
            return  # the method's own checks answer a missing channel
        try:
            channel_id = self._resolve_channel(value)
        except SlackError:
            return  # the method itself answers channel_not_found
        error = self.membership.refusal(method, self._channels.get(channel_id, {"id": channel_id}))
        if error:
            raise SlackError(error)

    def _record(self, call: ApiCall) -> None:
        self._calls.append(call)

    def _check_token(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackError("not_authed")
        if token not in (self.bot_token, self.app_token):
            raise SlackError("invalid_auth")
        wants_app_token = method == "apps.connections.open"
        if (token == self.app_token) != wants_app_token:
            raise SlackError("not_allowed_token_type")
        needed = _METHOD_SCOPES.get(method)
        if token == self.bot_token and self.scopes is not None and needed and needed not in self.scopes:
            raise SlackError("missing_scope", needed=needed, provided=",".join(self.scopes))

    # -- channels and messages -----------------------------------------------------------------------

    def _resolve_channel(self, value: Any) -> str:
        """Channel ID, `#name`/`name`, or a user ID (meaning the bot's DM with that user)."""
        if not isinstance(value, str) or not value:
            raise SlackError("channel_not_found")
        if value in self._channels:
            return value
        if value in self._users:
            return self.dm_channel(value)
        name = value.removeprefix("#")
        for channel_id, info in self._channels.items():
            if info.get("name") == name:
                return channel_id
        raise SlackError("channel_not_found")

    def _lookup_channel(self, value: str) -> str:
        """Like `_resolve_channel`, for test-side reads: an unknown channel simply has no messages."""
        try:
            return self._resolve_channel(value)
        except SlackError:
            return value

    def _store_message(self, channel_id: str, message: JsonDict) -> None:
        self._messages.setdefault(channel_id, []).append(message)
        parent_ts = message.get("thread_ts")
        if parent_ts and parent_ts != message["ts"]:
            parent = self._find_message(channel_id, parent_ts)
            if parent is not None:
                parent.setdefault("thread_ts", parent_ts)
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                users = parent.setdefault("reply_users", [])
                if message.get("user") and message["user"] not in users:
                    users.append(message["user"])
                parent["latest_reply"] = message["ts"]

    def _find_message(self, channel_id: str, ts: Any) -> JsonDict | None:
        return next((m for m in self._messages.get(channel_id, []) if m["ts"] == ts), None)

    def _bot_message(self, args: JsonDict, ts: str) -> JsonDict:
        message: JsonDict = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text") or "",
            "ts": ts,
            "bot_profile": {"id": self.bot_id, "app_id": self.app_id, "name": self.bot_name, "team_id": self.team_id},
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) not in (None, ""):
                message[key] = args[key]
        return message

    def _check_content(self, args: JsonDict, *, required: bool = True, max_blocks: int = MAX_MESSAGE_BLOCKS) -> None:
        if required and not any(args.get(k) for k in ("text", "blocks", "attachments")):
            raise SlackError("no_text")
        if len(str(args.get("text") or "")) > MAX_TEXT_CHARS:
            raise SlackError("msg_too_long")
        errors = self.block_kit.message_errors(args, max_blocks, block_errors)
        if args.get("blocks") is not None:
            errors += self.file_processing.slack_file_errors(args["blocks"])
        if errors:
            raise SlackError("invalid_blocks", errors=errors, response_metadata={"messages": errors})

    # -- Web API methods ------------------------------------------------------------------------------

    async def _auth_test(self, args: JsonDict) -> JsonDict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    async def _apps_connections_open(self, args: JsonDict) -> JsonDict:
        ws_base = self.base_url.replace("http://", "ws://", 1) + "/socket-mode"
        return {"url": new_ticket_url(ws_base, self.socket.issue_ticket(), self.app_id)}

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
        return {"channel": channel_id, "ts": message["ts"], "text": message["text"], "message": copy.deepcopy(message)}

    async def _chat_post_ephemeral(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        user = args.get("user")
        if user not in self._users:
            raise SlackError("user_not_found")
        self._check_content(args)
        message = self._bot_message(args, self._next_ts())
        self._ephemerals.append({"channel": channel_id, "user": user, "message": message, "via": "chat.postEphemeral"})
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

    async def _conversations_open(self, args: JsonDict) -> JsonDict:
        if args.get("channel"):
            channel_id = self._resolve_channel(args["channel"])
            return {"channel": {"id": channel_id}}
        users = args.get("users")
        user_ids = users if isinstance(users, list) else [u for u in str(users or "").split(",") if u]
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
        if _truthy(args.get("return_im")):
            body["channel"] = copy.deepcopy(self._channels[channel_id])
        if already_open:
            body.update(no_op=True, already_open=True)
        return body

    async def _conversations_info(self, args: JsonDict) -> JsonDict:
        return {"channel": copy.deepcopy(self._channels[self._resolve_channel(args.get("channel"))])}

    async def _conversations_history(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        limit = int(args.get("limit") or 100)
        roots = [m for m in self._messages.get(channel_id, []) if m.get("thread_ts", m["ts"]) == m["ts"]]
        roots = _in_time_window(roots, args)
        newest_first = [_as_read(m, args) for m in reversed(roots)][:limit]
        return {"messages": newest_first, "has_more": len(roots) > limit, "pin_count": 0}

    async def _conversations_replies(self, args: JsonDict) -> JsonDict:
        channel_id = self._resolve_channel(args.get("channel"))
        ts = args.get("ts")
        if self._find_message(channel_id, ts) is None:
            raise SlackError("thread_not_found")
        thread = [m for m in self._messages.get(channel_id, []) if m["ts"] == ts or m.get("thread_ts") == ts]
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
        needed = ("im:read" if channel.get("is_im") else "mpim:read" if channel.get("is_mpim")
                  else "groups:read" if channel.get("is_private") else "channels:read")
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
            everyone = [u for u in self._channel_members.get(channel_id, []) if u != self.bot_user_id]
            if self.membership.is_member(channel_id):
                everyone.append(self.bot_user_id)
        start = 0
        if args.get("cursor"):
            start = _cursor_index(str(args["cursor"]), everyone)
        page = everyone[start:start + limit]
        rest = everyone[start + limit:]
        return {"members": page, "response_metadata": {"next_cursor": _cursor_for(rest[0]) if rest else ""}}

    async def _users_info(self, args: JsonDict) -> JsonDict:
        user = self._users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_api(self.team_id)}

    def _view_record(self, view: Any, *, view_id: str | None = None, max_blocks: int = MAX_VIEW_BLOCKS) -> JsonDict:
        if not isinstance(view, dict) or view.get("type") not in ("home", "modal"):
            raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing or invalid view type"]})
        errors = self.block_kit.view_errors(view, max_blocks, block_errors)
        errors += self.file_processing.slack_file_errors(view.get("blocks", []), "/view/blocks")
        if view["type"] == "modal":
            title = view.get("title")
            errors += _text_errors(title, "/view/title", 24, plain_only=True) if title else ["must provide title"]
        if errors:
            raise SlackError("invalid_arguments", response_metadata={"messages": errors})
        view_id = view_id or self._next_id("V")
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "state": {"values": {}},
            "hash": secrets.token_hex(8),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    async def _views_publish(self, args: JsonDict) -> JsonDict:
        user_id = str(args.get("user_id") or "")
        if user_id not in self._users:
            raise SlackError("user_not_found")
        previous = self._home_views.get(user_id)
        if args.get("hash") and previous and args["hash"] != previous["hash"]:
            raise SlackError("hash_conflict")
        view = args.get("view")
        if isinstance(view, dict) and view.get("type") != "home":
            raise SlackError("invalid_arguments", response_metadata={"messages": ["views.publish takes a home view"]})
        record = self._view_record(view, view_id=previous["id"] if previous else None)
        self._home_views[user_id] = record
        return {"view": copy.deepcopy(record)}

    async def _views_open(self, args: JsonDict) -> JsonDict:
        trigger_id = str(args.get("trigger_id") or "")
        issued = self._triggers.pop(trigger_id, None)
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if self.clock() - issued > TRIGGER_ID_TTL_SECONDS:
            raise SlackError("expired_trigger_id")
        record = self._view_record(args.get("view"))
        self._views[record["id"]] = record
        return {"view": copy.deepcopy(record)}

    async def _views_update(self, args: JsonDict) -> JsonDict:
        view_id = args.get("view_id") or next(
            (v["id"] for v in self._views.values() if args.get("external_id") and v["external_id"] == args["external_id"]),
            None,
        )
        current = self._views.get(str(view_id or ""))
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        record = self._view_record(args.get("view"), view_id=current["id"])
        self._views[record["id"]] = record
        return {"view": copy.deepcopy(record)}

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
        reaction = next((r for r in reactions if r["name"] == name and self.bot_user_id in r["users"]), None)
        if reaction is None:
            raise SlackError("no_reaction")
        reaction["users"].remove(self.bot_user_id)
        reaction["count"] -= 1
        if reaction["count"] == 0:
            reactions.remove(reaction)
        return {}

    async def _files_get_upload_url(self, args: JsonDict) -> JsonDict:
        filename = args.get("filename")
        try:
            length = int(args.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: length"]})
        if not filename:
            raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: filename"]})
        file_id = self._next_id("F")
        upload_id = secrets.token_urlsafe(16)
        self._files[file_id] = UploadedFile(
            id=file_id,
            filename=str(filename),
            length=length,
            alt_txt=args.get("alt_txt"),
            snippet_type=args.get("snippet_type"),
            created=int(self.clock()),
        )
        self._uploads[upload_id] = file_id
        return {"upload_url": f"{self.base_url}/upload/v1/{upload_id}", "file_id": file_id}

    async def _on_upload(self, request: web.Request) -> web.StreamResponse:
        fault = self._take_fault("files.upload")
        if fault is not None:
            return await self._fault_response(request, fault)
        file_id = self._uploads.get(request.match_info["upload_id"])
        if file_id is None:
            return web.Response(status=404, text="invalid upload url", content_type="text/plain")
        if request.content_type.startswith("multipart/"):
            # Slack also accepts a multipart form with the bytes in a `file` part.
            form = await request.post()
            part = form.get("file") or next(iter(form.values()), b"")
            data = part.file.read() if hasattr(part, "file") else str(part).encode()
        else:
            data = await request.read()
        self._files[file_id].content = data
        await self._notify()
        # The real upload host answers text/plain "OK - <bytes>"; slack_sdk only checks for 200.
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    def _file_object(self, f: UploadedFile) -> JsonDict:
        name = f.filename
        obj: JsonDict = {
            "id": f.id,
            "created": f.created,
            "timestamp": f.created,
            "name": name,
            "title": f.title or name,
            "mimetype": "text/plain" if f.snippet_type or name.endswith((".txt", ".log", ".yaml")) else "application/octet-stream",
            "filetype": f.snippet_type or (name.rsplit(".", 1)[-1] if "." in name else "binary"),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "editable": False,
            "size": len(f.content or b""),
            "mode": "hosted",
            "is_external": False,
            "is_public": bool(f.channel_id and f.channel_id.startswith("C")),
            "public_url_shared": False,
            "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{f.id}/{name}",
            "url_private_download": f"https://files.slack.com/files-pri/{self.team_id}-{f.id}/download/{name}",
            "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{f.id}/{name}",
            "comments_count": 0,
            "shares": {},
            "channels": [],
            "groups": [],
            "ims": [],
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if f.alt_txt:
            obj["alt_txt"] = f.alt_txt
        obj.update(self.file_processing.info_fields(f.id, name, f.content or b"", obj["mimetype"], obj["filetype"]))
        return obj

    async def _files_complete_upload(self, args: JsonDict) -> JsonDict:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: files"]})
        channel_id = args.get("channel_id") or (str(args.get("channels") or "").split(",")[0] or None)
        if channel_id:
            channel_id = self._resolve_channel(channel_id)
        uploads: list[UploadedFile] = []
        for item in items:
            f = self._files.get(str(item.get("id") if isinstance(item, dict) else ""))
            if f is None or f.content is None:
                raise SlackError("file_not_found")  # unknown id, or bytes never posted to the upload URL
            uploads.append(f)
        for f, item in zip(uploads, items):
            f.title = item.get("title") or f.filename
            f.completed = True
            self.file_processing.completed(f.id, f.filename)
            f.channel_id = channel_id
            f.initial_comment = args.get("initial_comment")
            f.thread_ts = args.get("thread_ts")
        if channel_id:
            # Sharing posts one message carrying the files, like Slack's file_share messages.
            message = self._bot_message(
                {"text": args.get("initial_comment") or "", "thread_ts": args.get("thread_ts")}, self._next_ts()
            )
            message["files"] = [self._file_object(f) for f in uploads]
            message["upload"] = True
            self._store_message(channel_id, message)
        return {"files": [{"id": f.id, "title": f.title} for f in uploads]}

    async def _files_info(self, args: JsonDict) -> JsonDict:
        f = self._files.get(str(args.get("file") or ""))
        if f is None or not f.completed:
            raise SlackError("file_not_found")
        if self.file_processing.is_deleted(f.id):
            raise SlackError("file_deleted")
        return {"file": self._file_object(f), "comments": [], "response_metadata": {"next_cursor": ""}}

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
        self._response_urls[path] = _ResponseUrl(
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

    def _apply_response(self, entry: _ResponseUrl, body: JsonDict) -> str | None:
        """Make a response_url post visible where Slack would show it; an error name if refused."""
        original = (
            self._find_message(entry.channel_id, entry.message_ts) if entry.channel_id and entry.message_ts else None
        )
        if _truthy(body.get("delete_original")):
            if original is not None:
                self._messages[entry.channel_id or ""].remove(original)
            return None
        if not any(body.get(k) for k in ("text", "blocks", "attachments")):
            return "no_text"
        if self.block_kit.validate and len(str(body.get("text") or "")) > MAX_TEXT_CHARS:
            return "msg_too_long"
        if self.block_kit.message_errors(body, MAX_MESSAGE_BLOCKS, block_errors) or (
                body.get("blocks") and self.file_processing.slack_file_errors(body["blocks"])):
            return "invalid_blocks"
        if _truthy(body.get("replace_original")) and original is not None:
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    original[key] = body[key]
            return None
        message = self._bot_message(body, self._next_ts())
        if body.get("response_type") == "in_channel" and entry.channel_id:
            self._store_message(entry.channel_id, message)
        else:
            self._ephemerals.append(
                {"channel": entry.channel_id, "user": entry.user_id, "message": message, "via": "response_url"}
            )
        return None

    # -- Socket Mode ------------------------------------------------------------------------------------

    async def wait_for_socket_client(self, timeout: float = 10.0, *, count: int = 1) -> None:
        await self.socket.wait_for_client(timeout, count=count)

    async def socket_send(
        self,
        type: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 10.0,
    ) -> JsonDict:
        """Push one envelope to a connected client; return its ack (`{envelope_id, payload?}`)."""
        result = await self.socket.send(
            type,
            payload,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
            timeout=timeout,
        )
        return result.ack

    async def _deliver(self, type: str, payload: JsonDict, accepts: bool, timeout: float, **extra: Any) -> SocketDelivery:
        result: SocketAck = await self.socket.send(type, payload, accepts_response_payload=accepts, timeout=timeout)
        return SocketDelivery(ack=result.ack, envelope=result.envelope, elapsed_seconds=result.elapsed_seconds, **extra)

    async def socket_slash_command(
        self,
        command: str = "/kubectl",
        text: str = "get pods",
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        channel_id: str = "C0WORKSHOP",
        channel_name: str | None = None,  # None: as Slack names the channel (privategroup, directmessage, …)
        timeout: float = 10.0,
    ) -> SocketDelivery:
        """A slash command over Socket Mode (envelope type `slash_commands`, same fields as HTTP)."""
        response_url = self.new_response_url(channel_id=channel_id, user_id=user_id)
        trigger_id = self.new_trigger_id()
        payload = slash_command_fields(
            self.workspace,
            command=command,
            text=text,
            user_id=user_id,
            user_name=user_name,
            channel_id=channel_id,
            channel_name=channel_name or self.payload_channel_name(channel_id),
            response_url=response_url,
            trigger_id=trigger_id,
        )
        return await self._deliver(
            "slash_commands", dict(payload), True, timeout, response_url=response_url, trigger_id=trigger_id
        )

    async def socket_event(self, event: JsonDict, *, timeout: float = 10.0) -> SocketDelivery:
        """An Events API event over Socket Mode (envelope type `events_api`)."""
        return await self._deliver("events_api", event_callback_envelope(self.workspace, event), False, timeout)

    async def socket_block_action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        channel_id: str = "C0WORKSHOP",
        channel_name: str | None = None,  # None: as Slack names the channel (privategroup, directmessage, …)
        block_id: str = "actions",
        message_ts: str | None = None,
        timeout: float = 10.0,
    ) -> SocketDelivery:
        """A button press over Socket Mode (envelope type `interactive`)."""
        response_url = self.new_response_url(channel_id=channel_id, user_id=user_id, message_ts=message_ts, kind="actions")
        trigger_id = self.new_trigger_id()
        payload = block_actions_payload(
            self.workspace,
            action_id=action_id,
            value=value,
            user_id=user_id,
            user_name=user_name,
            channel_id=channel_id,
            channel_name=channel_name or self.payload_channel_name(channel_id),
            response_url=response_url,
            trigger_id=trigger_id,
            block_id=block_id,
            message_ts=message_ts,
            message=self.message(channel_id, message_ts) if message_ts else None,
        )
        return await self._deliver("interactive", payload, True, timeout, response_url=response_url, trigger_id=trigger_id)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask connected clients to reconnect (Slack does this every few hours)."""
        await self.socket.disconnect(reason)

    async def socket_outage(self, *, down: bool = True) -> None:
        """Drop every Socket Mode connection and refuse new ones until called with `down=False`."""
        await self.socket.outage(down=down)

    async def socket_drop(self) -> None:
        """Close all Socket Mode connections abruptly from the server side."""
        await self.socket.drop()


# ---------------------------------------------------------------------------------------------
# Request parsing


async def _read_args(request: web.Request) -> JsonDict:
    """Query string, form body and JSON body merged, as Slack reads them."""
    args: JsonDict = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                body = None
            if isinstance(body, dict):
                args.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in _JSON_ARGS:
        # Form-encoded requests (and files.completeUploadExternal always) carry these as JSON text.
        if isinstance(args.get(key), str) and args[key][:1] in ("[", "{"):
            try:
                args[key] = json.loads(args[key])
            except json.JSONDecodeError:
                pass  # left as text: the method's own checks then refuse it, as Slack does
    return args


def _in_time_window(messages: list[JsonDict], args: JsonDict) -> list[JsonDict]:
    """conversations.history/replies `oldest`/`latest` (exclusive unless `inclusive`)."""
    inclusive = _truthy(args.get("inclusive"))
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")

    def inside(ts: float) -> bool:
        return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

    return [m for m in messages if inside(float(m["ts"]))]


def _as_read(message: JsonDict, args: JsonDict) -> JsonDict:
    """A message as conversations.history/replies return it: metadata only on request, as Slack."""
    read = copy.deepcopy(message)
    if not _truthy(args.get("include_all_metadata")):
        read.pop("metadata", None)
    return read


def _bearer(request: web.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


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
