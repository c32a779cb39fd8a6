"""The Slack stand-in refuses what Slack refuses in `blocks`, `attachments` and `view`s, by default
(issue 13, Block Kit limits): slack_sdk's models plus the limits they do not check."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_blocks import BlockKitRules

CHANNEL = "C0WORKSHOP"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(i: int, text: str = "Go", value: str = "v") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": f"a{i}",
        "value": value,
        "text": {"type": "plain_text", "text": text},
    }


def context(n: int, text: str = "c") -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text} for _ in range(n)]}


@pytest.fixture
def client(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)


# (blocks, the json-pointer Slack names in its error)
REFUSED = [
    ([section("x")] * 51, "/blocks"),
    ([section("x" * 3001)], "/blocks/0/text/text"),
    (
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "/blocks/0/text/text",
    ),
    ([{"type": "actions", "elements": [button(i) for i in range(26)]}], "/blocks/0/elements"),
    (
        [{"type": "actions", "elements": [button(0, text="b" * 76)]}],
        "/blocks/0/elements/0/text/text",
    ),
    (
        [{"type": "actions", "elements": [button(0, value="v" * 2001)]}],
        "/blocks/0/elements/0/value",
    ),
    ([context(11)], "/blocks/0/elements"),
    # Only slack_sdk's models see these two:
    (
        [{"type": "image", "image_url": "https://example.com/p.png", "alt_text": "a" * 2001}],
        "/blocks/0",
    ),
    ([{"type": "input", "label": {"type": "plain_text", "text": "Name"}}], "/blocks/0"),
    # A text object anywhere, not only a section's: a context element of 3,001 characters.
    ([context(1, "y" * 3001)], "/blocks/0/elements/0/text"),
]


@pytest.mark.parametrize(("blocks", "pointer"), REFUSED)
async def test_post_message_refuses_what_slack_refuses(
    client: AsyncWebClient, standin: SlackStandIn, blocks: list, pointer: str
) -> None:
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel=CHANNEL, text="fallback", blocks=blocks)
    body = err.value.response.data
    assert body["ok"] is False and body["error"] == "invalid_blocks"
    assert body["errors"] and body["errors"] == body["response_metadata"]["messages"]
    assert any(f"[json-pointer:{pointer}]" in e for e in body["errors"]), body["errors"]
    assert standin.messages(CHANNEL) == []


async def test_the_limits_themselves_are_accepted(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        section("x" * 3000),
        {
            "type": "actions",
            "elements": [button(i, text="b" * 75, value="v" * 2000) for i in range(25)],
        },
        context(10, "y" * 3000),
    ] + [section("z")] * 46
    assert len(blocks) == 50
    await client.chat_postMessage(channel=CHANNEL, text="t" * 40_000, blocks=blocks)
    assert len(standin.messages(CHANNEL)[0]["blocks"]) == 50


async def test_message_text_over_40000_characters(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel=CHANNEL, text="t" * 40_001)
    assert err.value.response["error"] == "msg_too_long"
    assert standin.messages(CHANNEL) == []


async def test_attachments_blocks_are_checked(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(
            channel=CHANNEL, text="t", attachments=[{"blocks": [section("x" * 3001)]}]
        )
    assert err.value.response["error"] == "invalid_blocks"
    assert any(
        "[json-pointer:/attachments/0/blocks/0/text/text]" in e
        for e in err.value.response["errors"]
    )
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(
            channel=CHANNEL, text="t", attachments=[{"blocks": [section("x")] * 51}]
        )
    assert any("[json-pointer:/attachments/0/blocks]" in e for e in err.value.response["errors"])
    assert standin.messages(CHANNEL) == []


async def test_update_and_ephemeral_are_checked_too(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    posted = await client.chat_postMessage(channel=CHANNEL, text="first", blocks=[section("first")])
    with pytest.raises(SlackApiError) as err:
        await client.chat_update(
            channel=CHANNEL, ts=posted["ts"], text="t", blocks=[section("x")] * 51
        )
    assert err.value.response["error"] == "invalid_blocks"
    assert standin.messages(CHANNEL)[0]["blocks"] == [section("first")]  # unchanged
    with pytest.raises(SlackApiError) as err:
        await client.chat_postEphemeral(
            channel=CHANNEL,
            user="U0ALICE",
            text="t",
            blocks=[{"type": "actions", "elements": [button(i) for i in range(26)]}],
        )
    assert err.value.response["error"] == "invalid_blocks"
    assert standin.ephemerals() == []


async def test_views_hold_100_blocks(client: AsyncWebClient, standin: SlackStandIn) -> None:
    await client.views_publish(
        user_id="U0ALICE", view={"type": "home", "blocks": [section("x")] * 100}
    )
    with pytest.raises(SlackApiError) as err:
        await client.views_publish(
            user_id="U0ALICE", view={"type": "home", "blocks": [section("x")] * 101}
        )
    # Slack answers views.* with invalid_arguments and the reasons in response_metadata.
    assert err.value.response["error"] == "invalid_arguments"
    assert any(
        "[json-pointer:/view/blocks]" in m
        for m in err.value.response["response_metadata"]["messages"]
    )
    with pytest.raises(SlackApiError) as err:
        await client.views_publish(
            user_id="U0ALICE", view={"type": "home", "blocks": [section("x" * 3001)]}
        )
    assert any(
        "/view/blocks/0/text/text" in m for m in err.value.response["response_metadata"]["messages"]
    )
    assert len(standin.home_view("U0ALICE")["blocks"]) == 100


async def test_modal_checked_by_slack_sdk_view_model(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Ask"},
        "submit": {"type": "plain_text", "text": "s" * 30},
        "blocks": [section("x")],
    }
    with pytest.raises(SlackApiError) as err:
        await client.views_open(trigger_id=standin.new_trigger_id(), view=modal)
    assert err.value.response["error"] == "invalid_arguments"
    assert any("submit" in m for m in err.value.response["response_metadata"]["messages"])


async def test_response_url_refuses_invalid_blocks_and_shows_nothing(standin: SlackStandIn) -> None:
    url = standin.new_response_url(channel_id=CHANNEL, user_id="U0ALICE")
    hook = AsyncWebhookClient(url)
    res = await hook.send(text="t", blocks=[section("x" * 3001)], response_type="in_channel")
    assert res.status_code == 400 and "invalid_blocks" in res.body
    res = await hook.send(text="t", blocks=[section("x")] * 51)
    assert res.status_code == 400 and "invalid_blocks" in res.body
    res = await hook.send(text="t" * 40_001)
    assert res.status_code == 400 and "msg_too_long" in res.body
    assert standin.messages(CHANNEL) == [] and standin.ephemerals() == []
    # Refused posts do not use up the response_url's five.
    for _ in range(5):
        assert (await hook.send(text="fine")).status_code == 200


async def test_a_test_may_ask_for_a_lenient_slack() -> None:
    async with SlackStandIn(block_kit=BlockKitRules(validate=False)) as lenient:
        client = AsyncWebClient(token=lenient.bot_token, base_url=lenient.api_url)
        await client.chat_postMessage(channel=CHANNEL, text="t", blocks=[section("x" * 5000)] * 60)
        assert len(lenient.messages(CHANNEL)[0]["blocks"]) == 60
