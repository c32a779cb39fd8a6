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

import contextlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Self

from aiohttp import web

from podium_devkit.slack_auth import AuthApi
from podium_devkit.slack_blocks import MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS, block_errors
from podium_devkit.slack_chat import ChatApi
from podium_devkit.slack_conversations import ConversationsApi
from podium_devkit.slack_files_api import FilesApi
from podium_devkit.slack_limits import CHANNEL_POST_METHOD
from podium_devkit.slack_membership import CHANNEL_ARGS
from podium_devkit.slack_records import (
    DEFAULT_CHANNELS,
    DEFAULT_USERS,
    ApiCall,
    Fault,
    JsonDict,
    ResponsePost,
    SlackError,
    SlackUser,
    SocketDelivery,
    UploadedFile,
)
from podium_devkit.slack_sender import (
    block_actions_payload,
    event_callback_envelope,
    slash_command_fields,
)
from podium_devkit.slack_socket import SocketAck
from podium_devkit.slack_state import Handler
from podium_devkit.slack_views import ViewsApi

# What tests and tools import from here: the stand-in and its records.
__all__ = [
    "DEFAULT_CHANNELS",
    "DEFAULT_USERS",
    "MAX_MESSAGE_BLOCKS",
    "MAX_VIEW_BLOCKS",
    "ApiCall",
    "Fault",
    "Handler",
    "JsonDict",
    "ResponsePost",
    "SlackError",
    "SlackStandIn",
    "SlackUser",
    "SocketDelivery",
    "UploadedFile",
    "block_errors",
]

# Arguments Slack accepts as JSON strings in form-encoded bodies.
_JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")

# Bot scope each method needs; enforced only when the stand-in is given `scopes=`.
_METHOD_SCOPES: Mapping[str, str] = MappingProxyType(
    {
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
    }
)


class SlackStandIn(AuthApi, ChatApi, ConversationsApi, ViewsApi, FilesApi):
    """Slack on loopback. Use as `async with SlackStandIn() as slack:`; point clients at `api_url`.

    Its state and set-up/reading helpers are ``SlackState``'s; each API family adds its methods.
    """

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._on_api)
        app.router.add_post("/upload/v1/{upload_id}", self._on_upload)  # files family
        app.router.add_post(
            "/{kind:commands|actions}/{team}/{id}/{secret}", self._on_response_url
        )  # chat family
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

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

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

    async def _rate_limited(
        self, method: str, args: JsonDict, token: str | None
    ) -> web.StreamResponse | None:
        """Slack's 429 when the call is over its budget (recorded, with `rate_limited=True`)."""
        channel = (
            self._lookup_channel(args.get("channel")) if method == CHANNEL_POST_METHOD else None
        )
        retry_after = self.rate_limiter.retry_after(method, channel)
        if retry_after is None:
            return None
        body = {"ok": False, "error": "ratelimited"}
        self._record(ApiCall(method, args, token, self.clock(), 429, body, rate_limited=True))
        await self._notify()
        return web.json_response(body, status=429, headers={"Retry-After": str(retry_after)})

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

    def _check_token(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackError("not_authed")
        if token not in (self.bot_token, self.app_token):
            raise SlackError("invalid_auth")
        wants_app_token = method == "apps.connections.open"
        if (token == self.app_token) != wants_app_token:
            raise SlackError("not_allowed_token_type")
        needed = _METHOD_SCOPES.get(method)
        if (
            token == self.bot_token
            and self.scopes is not None
            and needed
            and needed not in self.scopes
        ):
            raise SlackError("missing_scope", needed=needed, provided=",".join(self.scopes))

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

    async def _deliver(
        self, type: str, payload: JsonDict, accepts: bool, timeout: float, **extra: Any
    ) -> SocketDelivery:
        result: SocketAck = await self.socket.send(
            type, payload, accepts_response_payload=accepts, timeout=timeout
        )
        return SocketDelivery(
            ack=result.ack,
            envelope=result.envelope,
            elapsed_seconds=result.elapsed_seconds,
            **extra,
        )

    async def socket_slash_command(
        self,
        command: str = "/kubectl",
        text: str = "get pods",
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        channel_id: str = "C0WORKSHOP",
        channel_name: str
        | None = None,  # None: as Slack names the channel (privategroup, directmessage, …)
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
            "slash_commands",
            dict(payload),
            True,
            timeout,
            response_url=response_url,
            trigger_id=trigger_id,
        )

    async def socket_event(self, event: JsonDict, *, timeout: float = 10.0) -> SocketDelivery:
        """An Events API event over Socket Mode (envelope type `events_api`)."""
        return await self._deliver(
            "events_api", event_callback_envelope(self.workspace, event), False, timeout
        )

    async def socket_block_action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        channel_id: str = "C0WORKSHOP",
        channel_name: str
        | None = None,  # None: as Slack names the channel (privategroup, directmessage, …)
        block_id: str = "actions",
        message_ts: str | None = None,
        timeout: float = 10.0,
    ) -> SocketDelivery:
        """A button press over Socket Mode (envelope type `interactive`)."""
        response_url = self.new_response_url(
            channel_id=channel_id, user_id=user_id, message_ts=message_ts, kind="actions"
        )
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
        return await self._deliver(
            "interactive", payload, True, timeout, response_url=response_url, trigger_id=trigger_id
        )

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
            # Left as text when it is not JSON: the method's own checks then refuse it, as Slack does.
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(args[key])
    return args


def _bearer(request: web.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None
