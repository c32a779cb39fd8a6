"""The stand-in refuses what Slack refuses in conversations the bot is not in (issue 13)."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_membership import membership_error


async def error_of(coro) -> str | None:  # type: ignore[no-untyped-def]
    try:
        await coro
    except SlackApiError as error:
        return str(error.response["error"])
    return None


@pytest.fixture
def client(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)


async def test_member_channels_by_default_are_the_workshop_channels_and_dms(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    for channel in ("C0WORKSHOP", "C0GENERAL", "U0ALICE"):
        assert (
            await error_of(client.chat_postEphemeral(channel=channel, user="U0ALICE", text="x"))
            is None
        )
        assert (
            await error_of(client.files_upload_v2(channel=channel, content="x", filename="x.txt"))
            is None
        )


async def test_public_channel_not_joined(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.add_channel("C0LOBBY", "lobby", member=False)
    assert (
        await error_of(client.chat_postMessage(channel="C0LOBBY", text="hi")) is None
    )  # chat:write.public
    assert (
        await error_of(client.chat_postEphemeral(channel="C0LOBBY", user="U0ALICE", text="x"))
        == "not_in_channel"
    )
    assert (
        await error_of(client.files_upload_v2(channel="C0LOBBY", content="x", filename="x.txt"))
        == "not_in_channel"
    )
    assert await error_of(client.conversations_history(channel="C0LOBBY")) == "not_in_channel"
    standin.join("C0LOBBY")
    assert (
        await error_of(client.chat_postEphemeral(channel="C0LOBBY", user="U0ALICE", text="x"))
        is None
    )


async def test_private_channel_and_other_peoples_dm_do_not_exist_for_the_bot(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    standin.add_channel("C0SECRET", "secret", is_private=True, member=False)
    dm = standin.add_dm_between("U0ALICE", "U0BOB")
    for channel in ("C0SECRET", dm):
        assert (
            await error_of(client.chat_postMessage(channel=channel, text="hi"))
            == "channel_not_found"
        )
        assert (
            await error_of(client.chat_postEphemeral(channel=channel, user="U0ALICE", text="x"))
            == "channel_not_found"
        )
        assert (
            await error_of(client.files_upload_v2(channel=channel, content="x", filename="x.txt"))
            == "channel_not_found"
        )
    assert standin.messages("C0SECRET") == [] and standin.messages(dm) == []
    assert standin.payload_channel_name("C0SECRET") == "privategroup"
    assert standin.payload_channel_name(dm) == "directmessage"


async def test_the_response_url_works_where_the_bot_is_not(standin: SlackStandIn) -> None:
    dm = standin.add_dm_between("U0ALICE", "U0BOB")
    url = standin.new_response_url(channel_id=dm, user_id="U0ALICE")
    response = await AsyncWebhookClient(url).send(
        text="visible to both", response_type="in_channel"
    )
    assert response.status_code == 200
    assert [m["text"] for m in standin.messages(dm)] == ["visible to both"]


def test_membership_rules_are_slacks() -> None:
    public = {"id": "C1", "is_private": False}
    assert membership_error("chat.postMessage", public, is_member=False) is None
    assert membership_error("chat.postEphemeral", public, is_member=False) == "not_in_channel"
    assert (
        membership_error("files.completeUploadExternal", public, is_member=False)
        == "not_in_channel"
    )
    assert membership_error("chat.postEphemeral", public, is_member=True) is None
    assert (
        membership_error("chat.postMessage", {"id": "C2", "is_private": True}, is_member=False)
        == "channel_not_found"
    )
    assert (
        membership_error("chat.postMessage", {"id": "D1", "is_im": True}, is_member=False)
        == "channel_not_found"
    )
    assert membership_error("users.info", {"id": "D1", "is_im": True}, is_member=False) is None


async def test_post_but_answer_500_and_metadata_as_slack_stores_it(standin: SlackStandIn) -> None:
    bare = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)  # no retries
    marker = {"event_type": "podium_post", "event_payload": {"post_id": "p-1"}}
    standin.fail_next("chat.postMessage", status=500, applied=True)
    with pytest.raises(SlackApiError) as failed:
        await bare.chat_postMessage(channel="C0WORKSHOP", text="slide 2", metadata=marker)
    assert (
        failed.value.response.status_code == 500
        and failed.value.response["error"] == "internal_error"
    )
    [posted] = standin.messages("C0WORKSHOP")  # posted anyway
    assert posted["metadata"] == marker
    plain = await bare.conversations_history(channel="C0WORKSHOP")
    assert "metadata" not in plain["messages"][0]
    full = await bare.conversations_history(
        channel="C0WORKSHOP", include_all_metadata=True, oldest=str(float(posted["ts"]) - 1)
    )
    assert full["messages"][0]["metadata"] == marker
    later = await bare.conversations_history(channel="C0WORKSHOP", oldest=posted["ts"])
    assert later["messages"] == []  # oldest is exclusive
