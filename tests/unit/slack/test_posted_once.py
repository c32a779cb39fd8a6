"""bot/slack/posted_once.py: markers and which failures are ambiguous (issue 13)."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.posted_once import MARKER_TYPE, is_ambiguous, marked, with_marker


def slack_error(code: str, status: int) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=status,
    )
    return SlackApiError("failed", response)


def test_each_post_gets_its_own_marker_and_own_metadata_is_kept():
    first, one = with_marker({"channel": "C1", "text": "x"})
    second, two = with_marker({"channel": "C1", "text": "x"})
    assert one and two and one != two
    assert first["metadata"] == {"event_type": MARKER_TYPE, "event_payload": {"post_id": one}}
    own = {"channel": "C1", "text": "x", "metadata": {"event_type": "other", "event_payload": {}}}
    assert with_marker(own) == (own, None)


def test_ambiguous_failures():
    assert is_ambiguous(slack_error("internal_error", 500))
    assert is_ambiguous(slack_error("service_unavailable", 503))
    assert is_ambiguous(slack_error("fatal_error", 200))
    assert is_ambiguous(TimeoutError())
    assert is_ambiguous(aiohttp.ServerDisconnectedError())
    assert not is_ambiguous(slack_error("channel_not_found", 200))
    assert not is_ambiguous(slack_error("ratelimited", 429))
    assert not is_ambiguous(KeyError("x"))


def test_marked_finds_only_its_own_post():
    _, post_id = with_marker({"text": "x"})
    messages = [
        {"ts": "1.0"},
        {
            "ts": "2.0",
            "metadata": {"event_type": MARKER_TYPE, "event_payload": {"post_id": "other"}},
        },
        {
            "ts": "3.0",
            "metadata": {"event_type": MARKER_TYPE, "event_payload": {"post_id": post_id}},
        },
    ]
    assert marked(messages, post_id) == messages[2]
    assert marked(messages[:2], str(post_id)) is None
