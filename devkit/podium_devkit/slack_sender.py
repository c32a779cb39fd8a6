"""What Slack sends *towards* the app, for tests: payload builders and a signed HTTP sender.

The builders produce the exact shapes Slack documents (slash command form fields, `block_actions`,
`view_submission`, `event_callback` envelopes). They are shared by the HTTP sender below and by the
Socket Mode side of the stand-in, which carries the same payloads inside envelopes.

`SlackSender` signs requests the way Slack does (`v0:{ts}:{raw body}`, HMAC-SHA256, `v0=` hex) and
can forge them on purpose (`Forge`) so security tests can prove the app refuses them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, Self
from urllib.parse import urlencode

import aiohttp

# ---------------------------------------------------------------------------------------------
# Payload builders (pure: plain data in, plain data out)


@dataclass(frozen=True)
class SlackWorkspace:
    """The identity fields Slack stamps on every payload it sends to one app."""

    team_id: str = "T0PODIUM"
    team_domain: str = "podium-workshop"
    api_app_id: str = "A0PODIUM"
    # The deprecated verification token: still sent by Slack, must not be relied upon.
    verification_token: str = "legacy-verification-token"
    enterprise_id: str | None = None
    bot_user_id: str = "U0PODIUMBOT"


def new_trigger_id() -> str:
    """A trigger_id shaped like Slack's (`<digits>.<digits>.<hex>`)."""
    return f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def slack_encoded(typed: str) -> str:
    """Typed text as Slack sends it in a slash command's `text` or a message event's `text`
    (a message's real mentions and links, `<@U…>`, `<http…>`, are added as markup around it)."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slash_command_fields(
    ws: SlackWorkspace,
    *,
    command: str,
    text: str,
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """Every form field Slack posts for a slash command (all strings, as on the wire). `text` is
    what the person typed: Slack sends its `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`."""
    return {
        "token": ws.verification_token,
        "team_id": ws.team_id,
        "team_domain": ws.team_domain,
        # Slack sends these two even for non-Grid workspaces (empty / "false").
        "enterprise_id": ws.enterprise_id or "",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": slack_encoded(text),
        "api_app_id": ws.api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def block_actions_payload(
    ws: SlackWorkspace,
    *,
    action_id: str,
    value: str | None,
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
    block_id: str = "actions",
    message_ts: str | None = None,
    message: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    action_type: str = "button",
    state_values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A `block_actions` payload for a button (or other element) pressed in a message."""
    action_ts = f"{time.time():.6f}"
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": action_ts,
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        action["value"] = value
    if container is None:
        container = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": message is None,
        }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": ws.team_id},
        "api_app_id": ws.api_app_id,
        "token": ws.verification_token,
        "container": container,
        "trigger_id": trigger_id,
        "team": {"id": ws.team_id, "domain": ws.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_name},
        "state": {"values": state_values or {}},
        "response_url": response_url,
        "actions": [action],
    }
    if message is not None:
        payload["message"] = message
    return payload


def view_submission_payload(
    ws: SlackWorkspace,
    *,
    callback_id: str,
    values: dict[str, Any],
    user_id: str,
    user_name: str,
    trigger_id: str,
    view_id: str = "V0PODIUM",
    private_metadata: str = "",
    response_urls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A `view_submission` payload; `values` is `state.values` ({block_id: {action_id: {...}}})."""
    return {
        "type": "view_submission",
        "team": {"id": ws.team_id, "domain": ws.team_domain},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": ws.team_id},
        "api_app_id": ws.api_app_id,
        "token": ws.verification_token,
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": ws.team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
            "hash": secrets.token_hex(8),
            "app_id": ws.api_app_id,
            "bot_id": "B0PODIUM",
            "blocks": [],
        },
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_callback_envelope(
    ws: SlackWorkspace, event: dict[str, Any], *, event_id: str | None = None
) -> dict[str, Any]:
    """The Events API `event_callback` envelope around one event."""
    now = int(time.time())
    event = dict(event)
    event.setdefault("event_ts", f"{time.time():.6f}")
    return {
        "token": ws.verification_token,
        "team_id": ws.team_id,
        "enterprise_id": ws.enterprise_id,
        "api_app_id": ws.api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": ws.enterprise_id,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }


def sign(signing_secret: str, timestamp: int, body: bytes) -> str:
    """Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{ts}:{body}`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------------
# The signed HTTP sender


class Forge(enum.Enum):
    """Ways to send a request Slack would never send, for security tests."""

    WRONG_SECRET = "wrong_secret"  # signed with another secret
    TAMPERED_BODY = "tampered_body"  # signed, then the body changed in transit
    STALE = "stale"  # correctly signed, timestamp 6 minutes old (replay)
    FUTURE = "future"  # correctly signed, timestamp 6 minutes ahead
    UNSIGNED = "unsigned"  # no signature headers at all


_FORGE_SKEW_SECONDS = 6 * 60  # Slack's replay window is 5 minutes


@dataclass(frozen=True)
class SentRequest:
    """What the app answered to one request Slack sent it."""

    status: int
    body: str
    elapsed_seconds: float  # ack latency as Slack would measure it (Slack allows 3 s)
    response_url: str | None = None
    trigger_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


class SlackSide(Protocol):
    """What a sender needs from the Slack it plays: the workspace's identity, fresh response_urls
    and trigger_ids, channel names and messages (``SlackStandIn`` is one; this module never
    imports it, as the stand-in builds its own payloads with the builders above)."""

    @property
    def workspace(self) -> SlackWorkspace: ...

    def new_response_url(
        self,
        *,
        channel_id: str | None = ...,
        user_id: str | None = ...,
        message_ts: str | None = ...,
        kind: str = ...,
    ) -> str: ...

    def new_trigger_id(self) -> str: ...

    def payload_channel_name(self, channel_id: str) -> str: ...

    def message(self, channel: str, ts: str) -> dict[str, Any] | None: ...


class SlackSender:
    """Sends signed requests to the app's HTTP endpoint, as Slack does in HTTP (Events API) mode."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        standin: SlackSide,
        *,
        timeout: float = 30.0,
    ) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.standin = standin
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def workspace(self) -> SlackWorkspace:
        return self.standin.workspace

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- request kinds -------------------------------------------------------------------------

    async def slash_command(
        self,
        command: str = "/kubectl",
        text: str = "get pods",
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        channel_id: str = "C0WORKSHOP",
        channel_name: str
        | None = None,  # None: as Slack names the channel (privategroup, directmessage, …)
        team_id: str | None = None,
        response_url: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        forge: Forge | None = None,
    ) -> SentRequest:
        """POST a slash command (form-encoded, all of Slack's fields).

        `team_id` overrides the workspace's (e.g. a request from a workspace the app does not serve).
        """
        response_url = response_url or self.standin.new_response_url(
            channel_id=channel_id, user_id=user_id
        )
        trigger_id = self.standin.new_trigger_id()
        workspace = replace(self.workspace, team_id=team_id) if team_id else self.workspace
        fields = slash_command_fields(
            workspace,
            command=command,
            text=text,
            user_id=user_id,
            user_name=user_name,
            channel_id=channel_id,
            channel_name=channel_name or self.standin.payload_channel_name(channel_id),
            response_url=response_url,
            trigger_id=trigger_id,
        )
        body = urlencode(fields).encode()
        return await self._post(
            body,
            "application/x-www-form-urlencoded",
            timestamp=timestamp,
            signature=signature,
            forge=forge,
            response_url=response_url,
            trigger_id=trigger_id,
        )

    async def block_action(
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
        container: dict[str, Any] | None = None,
        response_url: str | None = None,
        state_values: dict[str, Any] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        forge: Forge | None = None,
        view: dict[str, Any] | None = None,
    ) -> SentRequest:
        """POST a `block_actions` interaction (form field `payload` holding JSON, as Slack does).

        With `message_ts` of a message stored in the stand-in, the payload carries that message and
        the response_url can replace or delete it. With `view` (e.g. the published App Home), the
        button was pressed in that view: as from Slack, the payload has the view, a `view`
        container, and neither a channel nor a response_url.
        """
        message = self.standin.message(channel_id, message_ts) if message_ts else None
        response_url = response_url or self.standin.new_response_url(
            channel_id=channel_id, user_id=user_id, message_ts=message_ts, kind="actions"
        )
        trigger_id = self.standin.new_trigger_id()
        payload = block_actions_payload(
            self.workspace,
            action_id=action_id,
            value=value,
            user_id=user_id,
            user_name=user_name,
            channel_id=channel_id,
            channel_name=channel_name or self.standin.payload_channel_name(channel_id),
            response_url=response_url,
            trigger_id=trigger_id,
            block_id=block_id,
            message_ts=message_ts,
            message=message,
            container=container,
            state_values=state_values,
        )
        if view is not None:
            for key in ("channel", "response_url"):
                payload.pop(key)
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = view
            return await self._post_payload(
                payload,
                timestamp=timestamp,
                signature=signature,
                forge=forge,
                trigger_id=trigger_id,
            )
        return await self._post_payload(
            payload,
            timestamp=timestamp,
            signature=signature,
            forge=forge,
            response_url=response_url,
            trigger_id=trigger_id,
        )

    async def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        private_metadata: str = "",
        timestamp: int | None = None,
        signature: str | None = None,
        forge: Forge | None = None,
    ) -> SentRequest:
        """POST a `view_submission` (modal submitted)."""
        trigger_id = self.standin.new_trigger_id()
        payload = view_submission_payload(
            self.workspace,
            callback_id=callback_id,
            values=values,
            user_id=user_id,
            user_name=user_name,
            trigger_id=trigger_id,
            private_metadata=private_metadata,
        )
        return await self._post_payload(
            payload, timestamp=timestamp, signature=signature, forge=forge, trigger_id=trigger_id
        )

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        forge: Forge | None = None,
    ) -> SentRequest:
        """POST an Events API `event_callback` (JSON). Retries carry `X-Slack-Retry-*` headers."""
        envelope = event_callback_envelope(self.workspace, event, event_id=event_id)
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return await self._post(
            json.dumps(envelope).encode(),
            "application/json",
            timestamp=timestamp,
            signature=signature,
            forge=forge,
            extra_headers=headers,
        )

    async def url_verification(self, challenge: str = "podium-challenge") -> SentRequest:
        """POST the `url_verification` handshake Slack sends when the Request URL is saved."""
        body = {
            "token": self.workspace.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return await self._post(json.dumps(body).encode(), "application/json")

    # -- transport -------------------------------------------------------------------------------

    async def _post_payload(self, payload: dict[str, Any], **kwargs: Any) -> SentRequest:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self._post(body, "application/x-www-form-urlencoded", **kwargs)

    async def _post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        forge: Forge | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SentRequest:
        ts = timestamp if timestamp is not None else int(time.time())
        if forge is Forge.STALE:
            ts -= _FORGE_SKEW_SECONDS
        elif forge is Forge.FUTURE:
            ts += _FORGE_SKEW_SECONDS
        secret = (
            self.signing_secret + "-wrong" if forge is Forge.WRONG_SECRET else self.signing_secret
        )
        sig = signature if signature is not None else sign(secret, ts, body)
        if forge is Forge.TAMPERED_BODY:
            body = (
                body + b"&tampered=1"
                if content_type.endswith("urlencoded")
                else body.replace(b"{", b'{"x":1,', 1)
            )

        headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if forge is not Forge.UNSIGNED:
            headers["X-Slack-Request-Timestamp"] = str(ts)
            headers["X-Slack-Signature"] = sig
        headers.update(extra_headers or {})

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        started = time.perf_counter()
        async with self._session.post(self.events_url, data=body, headers=headers) as res:
            text = await res.text()
            elapsed = time.perf_counter() - started
            return SentRequest(
                status=res.status,
                body=text,
                elapsed_seconds=elapsed,
                response_url=response_url,
                trigger_id=trigger_id,
                headers=dict(res.headers),
                request_body=body,
            )
