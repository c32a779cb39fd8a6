"""The Slack Web API client Podium uses: Slack's URL (or a stand-in's), retries that slack_sdk
leaves off by default (it retries only connection errors), and failures counted and logged."""

from __future__ import annotations

import asyncio
import logging
import time
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
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.messages.limits import fit_message
from bot.messages.text import neutralise, seal_message
from bot.metrics import Metrics
from bot.settings import Settings
from bot.slack.posted_once import CLOCK_MARGIN, is_ambiguous, marked, with_marker

log = logging.getLogger(__name__)


# Posts are not retried blindly: after an ambiguous failure the client first looks whether the
# post exists (bot/slack/posted_once.py). 429s say nothing was done and are retried as usual.
_LOOK_BEFORE_RETRY = ("/chat.postMessage",)
POST_ATTEMPTS = 3


def _posts(request: Any) -> bool:
    return str(getattr(request, "url", "")).endswith(_LOOK_BEFORE_RETRY)


class _CountedConnectionRetry(AsyncConnectionErrorRetryHandler):
    metrics: Metrics | None = None

    async def _can_retry_async(self, **kwargs: Any) -> bool:
        return not _posts(kwargs.get("request")) and await super()._can_retry_async(**kwargs)

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        if self.metrics:
            self.metrics.slack_retries.labels("connection").inc()
        await super().prepare_for_next_attempt_async(**kwargs)


# Reactions (👀 while working, ✅ after) are a courtesy: a 429 on one must not make the answer
# wait Retry-After seconds. Refused, they are skipped (and logged); the answer goes on.
_COURTESY_METHODS = ("reactions.add", "reactions.remove")
# chat.update's 429s go back to the Publisher, whose one budget pauses every edit for Retry-After
# (bot/slack/pacing.py UpdateBudget) instead of each call sleeping on its own.
_BUDGETED_METHODS = ("chat.update",)


class _CountedRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    metrics: Metrics | None = None

    async def _can_retry_async(self, **kwargs: Any) -> bool:
        url = str(getattr(kwargs.get("request"), "url", ""))
        if url.endswith(_COURTESY_METHODS + _BUDGETED_METHODS):
            return False
        return await super()._can_retry_async(**kwargs)

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        if self.metrics:
            self.metrics.slack_retries.labels("ratelimited").inc()
        await super().prepare_for_next_attempt_async(**kwargs)  # sleeps for Retry-After


class _CountedServerErrorRetry(AsyncServerErrorRetryHandler):
    metrics: Metrics | None = None

    async def _can_retry_async(self, **kwargs: Any) -> bool:
        return not _posts(kwargs.get("request")) and await super()._can_retry_async(**kwargs)

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        if self.metrics:
            self.metrics.slack_retries.labels("server_error").inc()
        await super().prepare_for_next_attempt_async(**kwargs)


# Web API methods whose arguments Slack shows as a message or a view.
_MESSAGE_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "chat.scheduleMessage",
        "views.publish",
        "views.open",
        "views.update",
        "views.push",
    }
)


class PodiumWebClient(AsyncWebClient):
    """AsyncWebClient that counts and logs failed calls (with the method and Slack's error code,
    never the token) before raising them to the caller."""

    metrics: Metrics | None = None

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:
        if (
            api_method in _MESSAGE_METHODS
        ):  # the output boundary: bot/messages/text.py, bot/messages/limits.py
            for part in ("json", "params", "data"):
                if isinstance(kwargs.get(part), dict):
                    kwargs[part] = fit_message(seal_message(kwargs[part]))  # escape, then fit
        if api_method == "chat.postMessage" and isinstance(kwargs.get("json"), dict):
            return await self._post_once(kwargs)
        return await self._call(api_method, **kwargs)

    async def _post_once(self, kwargs: dict[str, Any]) -> Any:
        """chat.postMessage that never posts twice: marked, and after an ambiguous failure posted
        again only if the mark is not found in the conversation (bot/slack/posted_once.py)."""
        message, post_id = with_marker(kwargs["json"])
        kwargs = {**kwargs, "json": message}
        since = time.time() - CLOCK_MARGIN
        for attempt in range(1, POST_ATTEMPTS + 1):
            try:
                return await self._call("chat.postMessage", **kwargs)
            except Exception as error:
                if post_id is None or attempt == POST_ATTEMPTS or not is_ambiguous(error):
                    raise
                found = await self._find_post(message, post_id, since)
                if found is not None:
                    log.info(
                        "chat.postMessage failed ambiguously but was posted (%s): not posted again",
                        found["ts"],
                    )
                    return found
                if self.metrics:
                    self.metrics.slack_retries.labels("server_error").inc()
                await asyncio.sleep(0.5 * attempt)
        raise AssertionError("unreachable")

    async def _find_post(self, message: dict[str, Any], post_id: str, since: float) -> Any | None:
        """The post carrying `post_id`, as a chat.postMessage response; None if absent or unknown."""
        channel, thread_ts = str(message.get("channel") or ""), message.get("thread_ts")
        try:
            if channel[:1] in ("U", "W"):  # posted to a user: their DM with Podium
                channel = str((await self.conversations_open(users=channel))["channel"]["id"])
            oldest = f"{since:.6f}"
            if thread_ts:
                found = await self.conversations_replies(
                    channel=channel,
                    ts=str(thread_ts),
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=200,
                )
            else:
                found = await self.conversations_history(
                    channel=channel, oldest=oldest, include_all_metadata=True, limit=200
                )
        except Exception as error:  # noqa: BLE001 — cannot look (not a member, Slack down): post again
            log.info("could not look for post %s in %s: %s", post_id, channel, error)
            return None
        posted = marked(list(found.get("messages") or []), post_id)
        if posted is None:
            return None
        return AsyncSlackResponse(
            client=self,
            http_verb="POST",
            api_url=f"{self.base_url}chat.postMessage",
            req_args={},
            status_code=200,
            headers={},
            data={"ok": True, "channel": channel, "ts": posted["ts"], "message": posted},
        )

    async def _call(self, api_method: str, **kwargs: Any) -> Any:
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            code = str(error.response.get("error") or "unknown")
            self._failed(api_method, code)
            raise
        except Exception as error:
            self._failed(api_method, type(error).__name__)
            raise

    async def files_upload_v2(self, **kwargs: Any) -> Any:
        """A snippet's title and comment are text Slack shows: sealed like a message; its name and
        text content have their controls and bidi overrides made visible."""
        sealed = seal_message(
            {k: v for k, v in kwargs.items() if k in ("title", "initial_comment")}
        )
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
    connection = _CountedConnectionRetry(max_retry_count=2)
    rate_limit = _CountedRateLimitRetry(max_retry_count=3)  # honours Retry-After
    server_error = _CountedServerErrorRetry(max_retry_count=2)
    connection.metrics = rate_limit.metrics = server_error.metrics = metrics
    return [connection, rate_limit, server_error]


def build_web_client(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    timeout: int = 10,
    session: aiohttp.ClientSession | None = None,
) -> AsyncWebClient:
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
