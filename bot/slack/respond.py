"""One HTTP session for everything Podium sends to Slack, and `respond()` that uses it.

Without a session of its own, slack_sdk opens a new aiohttp session, and so a new TCP (and TLS)
connection, for every Web API call and every answer posted to a response_url: about a tenth of
the CPU a `/kubectl get pods` costs, and a handshake with Slack per answer. Sharing one keeps
connections alive across answers; respond() also retries 429, 5xx and connection errors like
the Web API client does (Bolt's own retries connection errors only).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.messages.limits import fit_message
from bot.messages.text import seal_message


def slack_http_session(*, timeout: float) -> aiohttp.ClientSession:
    """Create inside the running loop; whoever creates it closes it."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=30),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


class ResponseUrls:
    """Hands out respond() functions bound to one response_url each, all on the shared session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        retry_handlers: list[AsyncRetryHandler],
        timeout: int = 10,
    ) -> None:
        self._session = session
        self._retry_handlers = retry_handlers
        self._timeout = timeout

    def respond_for(self, response_url: str) -> SharedSessionRespond:
        return SharedSessionRespond(response_url=response_url, owner=self)

    def webhook(self, response_url: str) -> AsyncWebhookClient:
        return AsyncWebhookClient(
            url=response_url,
            session=self._session,
            timeout=self._timeout,
            retry_handlers=self._retry_handlers,
        )

    def install(self, app: AsyncApp) -> None:
        """Every listener that asks for `respond` gets one of these (Bolt reads it from the context)."""

        async def shared_session_respond(context: AsyncBoltContext, next: Any) -> None:
            if context.response_url:
                context["respond"] = self.respond_for(context.response_url)
            await next()

        app.middleware(shared_session_respond)


class SharedSessionRespond(AsyncRespond):
    """Called exactly like Bolt's respond(): `respond(text, blocks=…, replace_original=…)` or
    `respond({...whole message...})`."""

    def __init__(self, *, response_url: str, owner: ResponseUrls) -> None:
        super().__init__(response_url=response_url)
        self._owner = owner

    # Bolt's fields by keyword only (no positional `blocks`): every call site names them.
    async def __call__(self, text: str | dict[str, Any] = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]
        message = (
            _build_message(**text)
            if isinstance(text, dict)
            else _build_message(text=text, **fields)
        )
        return await self._owner.webhook(str(self.response_url)).send_dict(
            fit_message(seal_message(message))
        )
