"""Never silence: a command or button whose work fails after Slack was acked still answers the
person who pressed or typed, with one line saying why and what to do instead.

Without this, an exception in a listener goes to Bolt's error handler, which only logs it; the
person sees nothing. Worse, Bolt then resets the ack it already recorded, and if that happens
within its 10 ms ack poll the HTTP response is lost and Slack shows "dispatch_failed".
`never_silent` keeps every exception inside the listener instead.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot.slack.places import refusal_reason

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[Any]]

# What Slack's refusals mean to the person who asked, and what they can do about it.
_SLACK_REASONS = {
    "is_archived": "This channel is archived, so Podium cannot post in it: use an active channel.",
    "ratelimited": "Slack is rate-limiting Podium right now: wait a minute, then try again.",
    "missing_scope": "Podium's Slack app lacks a permission it needs: ask a workspace admin to reinstall it "
    "from manifests/slack/.",
    "invalid_auth": "Podium's Slack token is no longer valid: ask a workspace admin to reinstall the app.",
    "token_revoked": "Podium's Slack token was revoked: ask a workspace admin to reinstall the app.",
    "expired_trigger_id": "That took too long to open: press the button again.",
    "msg_too_long": "The message Podium built is too long for Slack: narrow the request and try again.",
}


def failure_line(
    error: BaseException,
    reference: str,
    channel_id: str | None = None,
    channel_name: str | None = None,
) -> str:
    """One line for the person: why it failed and what to do instead, with a reference the
    instructor (or whoever runs Podium) can find in the log. Membership refusals are explained
    for the place they came from (bot/slack/places.py): `/invite` only where it works."""
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or "") if error.response is not None else ""
        reason = refusal_reason(code, channel_id, channel_name) or _SLACK_REASONS.get(code)
        if reason is None:
            reason = (
                f"Slack refused what Podium tried to post ({code or 'no reason given'}): "
                "try again, and if it keeps failing tell the instructor the ref."
            )
        return f"{reason} (ref {reference})"
    return (
        f"Podium hit an internal error doing this (ref {reference}). "
        "Try again; if it keeps failing, tell the instructor the ref."
    )


def never_silent(listener: Listener) -> Listener:
    """Wrap a command, action or view listener so that whatever it raises is logged with a
    reference and answered: at the response_url when there is one, else in the person's DM.

    Bolt passes listeners the arguments their signature names; the wrapper names the same ones
    plus `context`, which it needs to answer."""
    signature = inspect.signature(listener)
    takes_context = "context" in signature.parameters
    # A module-level listener is registered as functools.partial(listener, its dependencies).
    name = getattr(getattr(listener, "func", listener), "__name__", "listener")

    async def guarded(**kwargs: Any) -> None:
        context: AsyncBoltContext = kwargs["context"] if takes_context else kwargs.pop("context")
        try:
            await listener(**kwargs)
        except Exception as error:  # noqa: BLE001 — every failure gets an answer, not a traceback
            await _answer_the_failure(error, context, name)

    if not takes_context:
        context_parameter = inspect.Parameter(
            "context", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None
        )
        signature = signature.replace(
            parameters=[*signature.parameters.values(), context_parameter]
        )
    guarded.__signature__ = signature  # type: ignore[attr-defined]  # inspect reads it; typeshed has no slot
    guarded.__name__ = guarded.__qualname__ = name  # Bolt names listeners in its logs
    guarded.__doc__ = listener.__doc__
    return guarded


async def _answer_the_failure(error: Exception, context: AsyncBoltContext, name: str) -> None:
    reference = uuid.uuid4().hex[:8]
    log.error("%s failed (ref %s)", name, reference, exc_info=error)
    ack = context.get("ack")
    if ack is not None and ack.response is None:
        await ack()  # failed before acking: Slack must not show its own timeout error as well
    text = failure_line(error, reference, context.channel_id)
    try:
        respond = (
            context.respond if context.response_url else None
        )  # Bolt sets it with a response_url
        if respond is not None:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.user_id:  # a dialog submitted, a button on the App Home: no response_url
            await context.client.chat_postMessage(channel=context.user_id, text=text)
    except Exception as again:  # noqa: BLE001 — Slack itself is failing; the log has it all
        log.warning(
            "could not tell %s about ref %s: %s", context.user_id, reference, type(again).__name__
        )


def log_unexpected_errors(app: AsyncApp) -> None:
    """The last resort for what never_silent does not cover (events, middleware): one log line
    with a reference, in Podium's log format, instead of Bolt's default."""

    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        reference = uuid.uuid4().hex[:8]
        kind = body.get("type") or body.get("command") or "request"
        log.error("handling a %s failed (ref %s)", kind, reference, exc_info=error)

    app.error(on_error)
