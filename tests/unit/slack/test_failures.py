"""What a person is told when their command or button fails, and the guard that makes sure
they are told (the listener's own arguments, as Bolt injects them, pass through unchanged)."""

from __future__ import annotations

import inspect
import logging
from typing import Any

import pytest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.failures import failure_line, never_silent


def slack_error(code: str | None) -> SlackApiError:
    body = {"ok": False, **({"error": code} if code else {})}
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data=body,
        headers={},
        status_code=200,
    )
    return SlackApiError("The request to the Slack API failed.", response)


@pytest.mark.parametrize(
    "code, expected",
    [
        (
            "not_in_channel",
            "Podium has not joined this channel, so it can post messages here but cannot answer you "
            "privately or attach files: add it with `/invite @Podium`",
        ),
        (
            "channel_not_found",
            "Podium is not a member of this private channel: add it with `/invite @Podium`",
        ),
        ("is_archived", "This channel is archived"),
        ("ratelimited", "Slack is rate-limiting Podium right now"),
        (
            "missing_scope",
            "Podium's Slack app lacks a permission it needs: ask a workspace admin to reinstall",
        ),
        ("fatal_error", "Slack refused what Podium tried to post (fatal_error)"),
        (None, "Slack refused what Podium tried to post (no reason given)"),
    ],
)
def test_slack_refusals_say_why_and_what_to_do(code, expected):
    line = failure_line(slack_error(code), "abc12345")
    assert line.startswith(expected) and line.endswith("(ref abc12345)") and "\n" not in line


@pytest.mark.parametrize("code", ["not_in_channel", "channel_not_found"])
def test_in_someone_elses_dm_podium_never_advises_invite(code):
    line = failure_line(slack_error(code), "abc12345", "D0ALICEBOB")
    assert line.startswith("Podium is not part of this conversation and cannot be added to it")
    assert "/invite" not in line


def test_anything_else_is_an_internal_error_without_its_details():
    line = failure_line(KeyError("state"), "abc12345")
    assert line == (
        "Podium hit an internal error doing this (ref abc12345). "
        "Try again; if it keeps failing, tell the instructor the ref."
    )


class FakeAck:
    def __init__(self, already: bool) -> None:
        self.response = object() if already else None
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        self.response = object()


class FakeClient:
    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []

    async def chat_postMessage(self, **kwargs: Any) -> None:
        self.posted.append(kwargs)


def context(
    *, response_url: str | None, acked: bool = True
) -> tuple[AsyncBoltContext, list[dict[str, Any]]]:
    responses: list[dict[str, Any]] = []

    async def respond(**message: Any) -> None:
        responses.append(message)

    ctx = AsyncBoltContext(user_id="U0BOB", ack=FakeAck(acked), client=FakeClient())
    if response_url:
        ctx["response_url"] = response_url
        ctx["respond"] = respond
    return ctx, responses


def test_bolt_still_sees_the_listeners_own_arguments_plus_context():
    async def next_slide(ack, body, respond) -> None:
        """Docstring kept."""

    guarded = never_silent(next_slide)
    # Bolt injects by these names (slack_bolt.util.utils.get_arg_names_of_callable).
    assert inspect.getfullargspec(inspect.unwrap(guarded)).args == [
        "ack",
        "body",
        "respond",
        "context",
    ]
    assert guarded.__name__ == "next_slide" and guarded.__doc__ == "Docstring kept."


async def test_a_failure_is_answered_at_the_response_url_and_logged_with_the_same_reference(caplog):
    seen: dict[str, Any] = {}

    async def listener(ack, body) -> None:
        seen.update(ack=ack, body=body)
        raise RuntimeError("boom")

    ctx, responses = context(response_url="https://hooks.slack.com/commands/T/1/x")
    with caplog.at_level(logging.ERROR):
        await never_silent(listener)(ack=ctx["ack"], body={"k": 1}, context=ctx)
    assert seen == {"ack": ctx["ack"], "body": {"k": 1}}  # context not forced on the listener
    [message] = responses
    assert message["response_type"] == "ephemeral" and message["replace_original"] is False
    reference = message["text"].split("(ref ", 1)[1][:8]
    [record] = caplog.records
    assert reference in record.getMessage() and "listener failed" in record.getMessage()
    assert ctx["ack"].calls == 0  # acked already by the listener's caller


async def test_a_failure_before_acking_is_acked_and_without_response_url_goes_to_the_dm():
    async def submitted(ack, view, context) -> None:
        assert context is not None  # a listener that asks for context gets it
        raise KeyError("state")

    ctx, responses = context(response_url=None, acked=False)
    await never_silent(submitted)(ack=ctx["ack"], view={}, context=ctx)
    assert ctx["ack"].calls == 1 and responses == []
    [dm] = ctx["client"].posted
    assert dm["channel"] == "U0BOB" and dm["text"].startswith("Podium hit an internal error")


async def test_a_listener_that_succeeds_is_left_alone():
    async def fine(ack) -> None:
        await ack()

    ctx, responses = context(response_url="https://hooks.slack.com/commands/T/1/x", acked=False)
    await never_silent(fine)(ack=ctx["ack"], context=ctx)
    assert ctx["ack"].calls == 1 and responses == [] and ctx["client"].posted == []
