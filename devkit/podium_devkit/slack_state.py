"""The Slack stand-in's workspace: its people, channels, messages, views, files and records, the
helpers every API family shares, and what tests use to set it up and read it back. The API
families (slack_chat, slack_conversations, slack_views, slack_files_api, slack_auth) add their
Web API methods on top; slack_api assembles them into the server."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from podium_devkit.slack_blocks import MAX_MESSAGE_BLOCKS, BlockKitRules, block_errors
from podium_devkit.slack_files import DEFAULT_PROCESSING_SECONDS, FileProcessing
from podium_devkit.slack_limits import RateLimiter, RateLimits
from podium_devkit.slack_membership import Membership, payload_channel_name
from podium_devkit.slack_records import (
    DEFAULT_CHANNELS,
    DEFAULT_USERS,
    MAX_TEXT_CHARS,
    ApiCall,
    Fault,
    JsonDict,
    ResponsePost,
    ResponseUrlEntry,
    SlackError,
    SlackUser,
    UploadedFile,
)
from podium_devkit.slack_sender import SlackWorkspace, new_trigger_id
from podium_devkit.slack_socket import SocketModeHub

Handler = Callable[[JsonDict], Awaitable[JsonDict]]


def truthy(value: Any) -> bool:
    """A boolean argument as Slack reads it (JSON true, or "true"/"1" in a form)."""
    return value is True or str(value).lower() in ("true", "1")


class SlackState:
    """The stand-in's state and shared helpers; ``SlackStandIn`` is this plus the API families."""

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
        self._users.setdefault(
            bot_user_id, SlackUser(bot_user_id, bot_name, bot_name.title(), is_bot=True)
        )
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
        self._response_urls: dict[str, ResponseUrlEntry] = {}
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
        # Every Web API method, by name: each API family contributes its own (see _api_methods).
        self._handlers: dict[str, Handler] = self._api_methods()

    def _api_methods(self) -> dict[str, Handler]:
        """The Web API methods this stand-in answers (none here: the families add theirs)."""
        return {}

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

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        member: bool = True,
        members: Iterable[str] = (),
    ) -> None:
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

    def post_user_message(
        self, channel: str, user_id: str, text: str, *, thread_ts: str | None = None
    ) -> JsonDict:
        """Seed a message written by a human (the bot cannot chat.update it)."""
        message: JsonDict = {
            "type": "message",
            "user": user_id,
            "text": text,
            "ts": self._next_ts(),
            "team": self.team_id,
        }
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

    def post_user_file(
        self,
        channel: str,
        user_id: str,
        text: str,
        *,
        filename: str = "notes.txt",
        content: bytes = b"",
    ) -> JsonDict:
        """A person's message with a file attached (Slack: subtype `file_share`). Pair with
        `podium_devkit.slack_events.file_share_event`."""
        file_id = self._next_id("F")
        upload = UploadedFile(
            id=file_id,
            filename=filename,
            length=len(content),
            content=content,
            completed=True,
            created=int(self.clock()),
        )
        channel_id = self._resolve_channel(channel)
        message: JsonDict = {
            "type": "message",
            "subtype": "file_share",
            "user": user_id,
            "text": text,
            "ts": self._next_ts(),
            "team": self.team_id,
            "upload": False,
        }
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

    def rate_limited_calls(self, method: str | None = None) -> list[ApiCall]:
        """The calls the stand-in answered 429 because of its rate limits (not injected faults)."""
        return [c for c in self.calls(method) if c.rate_limited]

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
            Fault(
                status=status,
                retry_after=retry_after,
                times=times,
                error=error,
                drop=drop,
                applied=applied,
            )
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
        default_error = {429: "ratelimited", 503: "service_unavailable"}.get(
            fault.status, "internal_error"
        )
        if fault.status == 429 and fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        return web.json_response(
            {"ok": False, "error": fault.error or default_error},
            status=fault.status,
            headers=headers,
        )

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

    async def wait_for_responses(
        self, url: str, count: int = 1, timeout: float = 10.0
    ) -> list[JsonDict]:
        """Bodies of the first `count` accepted posts to a response_url."""

        def accepted() -> list[ResponsePost]:
            return [p for p in self.responses(url) if p.status == 200]

        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(accepted()) >= count), timeout
            )
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

    def _record(self, call: ApiCall) -> None:
        self._calls.append(call)

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
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) not in (None, ""):
                message[key] = args[key]
        return message

    def _check_content(
        self, args: JsonDict, *, required: bool = True, max_blocks: int = MAX_MESSAGE_BLOCKS
    ) -> None:
        if required and not any(args.get(k) for k in ("text", "blocks", "attachments")):
            raise SlackError("no_text")
        if len(str(args.get("text") or "")) > MAX_TEXT_CHARS:
            raise SlackError("msg_too_long")
        errors = self.block_kit.message_errors(args, max_blocks, block_errors)
        if args.get("blocks") is not None:
            errors += self.file_processing.slack_file_errors(args["blocks"])
        if errors:
            raise SlackError(
                "invalid_blocks", errors=errors, response_metadata={"messages": errors}
            )

    def _file_object(self, f: UploadedFile) -> JsonDict:
        name = f.filename
        obj: JsonDict = {
            "id": f.id,
            "created": f.created,
            "timestamp": f.created,
            "name": name,
            "title": f.title or name,
            "mimetype": "text/plain"
            if f.snippet_type or name.endswith((".txt", ".log", ".yaml"))
            else "application/octet-stream",
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
        obj.update(
            self.file_processing.info_fields(
                f.id, name, f.content or b"", obj["mimetype"], obj["filetype"]
            )
        )
        return obj
