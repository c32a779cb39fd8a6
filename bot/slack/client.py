"""The Slack Web API client Podium uses: Slack's URL (or a stand-in's), retries that slack_sdk
leaves off by default (it retries only connection errors), and failures counted and logged."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from bot.settings import Settings
from bot.slack.limits import fit_message
from bot.slack.text import neutralise, seal_message

log = logging.getLogger(__name__)


class _CountedConnectionRetry(AsyncConnectionErrorRetryHandler):
    metrics: Metrics | None = None

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        if self.metrics:
            self.metrics.slack_retries.labels("connection").inc()
        await super().prepare_for_next_attempt_async(**kwargs)


class _CountedRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    metrics: Metrics | None = None

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        if self.metrics:
            self.metrics.slack_retries.labels("ratelimited").inc()
        await super().prepare_for_next_attempt_async(**kwargs)  # sleeps for Retry-After


class _CountedServerErrorRetry(AsyncServerErrorRetryHandler):
    metrics: Metrics | None = None

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        if self.metrics:
            self.metrics.slack_retries.labels("server_error").inc()
        await super().prepare_for_next_attempt_async(**kwargs)


# Web API methods whose arguments Slack shows as a message or a view.
_MESSAGE_METHODS = frozenset({
    "chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage",
    "views.publish", "views.open", "views.update", "views.push",
})


class PodiumWebClient(AsyncWebClient):
    """AsyncWebClient that counts and logs failed calls (with the method and Slack's error code,
    never the token) before raising them to the caller."""

    metrics: Metrics | None = None

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        if api_method in _MESSAGE_METHODS:  # the output boundary: bot/slack/text.py, bot/slack/limits.py
            for part in ("json", "params", "data"):
                if isinstance(kwargs.get(part), dict):
                    kwargs[part] = fit_message(seal_message(kwargs[part]))  # escape, then fit
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            code = str(error.response.get("error") or "unknown")
            self._failed(api_method, code)
            raise
        except Exception as error:
            self._failed(api_method, type(error).__name__)
            raise

    async def files_upload_v2(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """A snippet's title and comment are text Slack shows: sealed like a message; its name and
        text content have their controls and bidi overrides made visible."""
        sealed = seal_message({k: v for k, v in kwargs.items() if k in ("title", "initial_comment")})
        for key in ("filename", "content"):
            if isinstance(kwargs.get(key), str):
                sealed[key] = neutralise(kwargs[key])
        return await super().files_upload_v2(**{**kwargs, **sealed})

    def _failed(self, method: str, code: str) -> None:
        log.warning("Slack API %s failed: %s", method, code)
        if self.metrics:
            self.metrics.slack_error(method, code)


def retry_handlers(metrics: Metrics | None) -> list[AsyncRetryHandler]:
    """Connection errors, 429 (after Retry-After) and 5xx are tried again, and each retry counted."""
    handlers: list[AsyncRetryHandler] = [
        _CountedConnectionRetry(max_retry_count=2),
        _CountedRateLimitRetry(max_retry_count=3),  # honours Retry-After
        _CountedServerErrorRetry(max_retry_count=2),
    ]
    for handler in handlers:
        handler.metrics = metrics  # type: ignore[attr-defined]
    return handlers


def build_web_client(settings: Settings, *, metrics: Metrics | None = None, timeout: int = 10,
                     session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    handlers = retry_handlers(metrics)
    client = PodiumWebClient(
        session=session,  # shared: keeps connections to Slack alive instead of one per call
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=handlers,
    )
    client.metrics = metrics
    return client
