"""The stand-in's conversations.members as Slack documents it: member IDs in pages (`limit`,
`response_metadata.next_cursor`), the scope by conversation type, `channel_not_found` for a private
channel the bot is not in (and no `not_in_channel`: a public channel's members are readable), the
method's own errors; and users.info's `is_bot` / `deleted` for telling people apart."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from podium_devkit.slack_api import SlackStandIn, SlackUser
from podium_devkit.slack_limits import RateLimits


async def error_of(coro) -> str | None:  # type: ignore[no-untyped-def]
    try:
        await coro
    except SlackApiError as error:
        return str(error.response["error"])
    return None


def client_of(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)


async def test_a_workshop_channel_lists_its_people_and_the_bot(standin: SlackStandIn) -> None:
    answer = await client_of(standin).conversations_members(channel="C0WORKSHOP")
    assert answer["members"] == ["U0ALICE", "U0BOB", "U0INSTRUCTOR", standin.bot_user_id]
    assert answer["response_metadata"] == {"next_cursor": ""}


async def test_pages_follow_the_cursor_until_it_is_empty() -> None:
    people = [f"U{n:05d}" for n in range(450)]
    async with SlackStandIn(
        rate_limits=RateLimits.off()
    ) as standin:  # 3 calls; limits tested below
        standin.add_channel("C0BIG", "big", members=people)
        client = client_of(standin)
        seen: list[str] = []
        cursors: list[str] = []
        cursor = None
        while True:
            page = await client.conversations_members(channel="C0BIG", limit=200, cursor=cursor)
            assert len(page["members"]) <= 200
            seen += page["members"]
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                break
            cursors.append(cursor)
        assert seen == [*people, standin.bot_user_id]
        assert len(cursors) == 2 and len(set(cursors)) == 2
        assert (
            await error_of(client.conversations_members(channel="C0BIG", cursor="bm90LWEtY3Vyc29y"))
            == "invalid_cursor"
        )
        assert (
            await error_of(client.conversations_members(channel="C0BIG", limit=0))
            == "invalid_limit"
        )
        assert (
            await error_of(client.conversations_members(channel="C0BIG", limit=1001))
            == "invalid_limit"
        )


async def test_where_the_bot_is_not_a_member(standin: SlackStandIn) -> None:
    client = client_of(standin)
    standin.add_channel("C0LOBBY", "lobby", member=False, members=["U0ALICE"])
    standin.add_channel("G0SECRET", "secret", is_private=True, member=False, members=["U0BOB"])
    # Public: readable without joining (no not_in_channel for this method), without the bot in it.
    assert (await client.conversations_members(channel="C0LOBBY"))["members"] == ["U0ALICE"]
    # Private and not invited: the channel does not exist for the bot.
    assert await error_of(client.conversations_members(channel="G0SECRET")) == "channel_not_found"
    assert await error_of(client.conversations_members(channel="C0NOPE")) == "channel_not_found"
    standin.join("G0SECRET")
    assert (await client.conversations_members(channel="G0SECRET"))["members"] == [
        "U0BOB",
        standin.bot_user_id,
    ]


async def test_the_scope_depends_on_the_conversation_type() -> None:
    async with SlackStandIn(scopes=["channels:read", "users:read"]) as standin:
        standin.add_channel("G0PRIVATE", "private", is_private=True, members=["U0ALICE"])
        client = client_of(standin)
        assert (await client.conversations_members(channel="C0WORKSHOP"))["ok"]
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_members(channel="G0PRIVATE")
        assert refused.value.response["error"] == "missing_scope"
        assert refused.value.response["needed"] == "groups:read"
        dm = standin.dm_channel("U0ALICE")
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_members(channel=dm)
        assert refused.value.response["needed"] == "im:read"
    async with SlackStandIn(scopes=["groups:read"]) as standin:
        with pytest.raises(SlackApiError) as refused:
            await client_of(standin).conversations_members(channel="C0WORKSHOP")
        assert refused.value.response["needed"] == "channels:read"


async def test_it_is_rate_limited_as_tier_4(standin: SlackStandIn) -> None:
    client = client_of(standin)
    answers = []
    for _ in range(101):
        try:
            await client.conversations_members(channel="C0WORKSHOP")
            answers.append(200)
        except SlackApiError as error:
            answers.append(error.response.status_code)
            assert int(error.response.headers["Retry-After"]) >= 1
    assert answers[:100] == [200] * 100 and answers[100] == 429


async def test_users_info_says_who_is_a_bot_and_who_was_deactivated(standin: SlackStandIn) -> None:
    standin.add_user(SlackUser("U0GONE", "gone", deleted=True))
    standin.add_user(SlackUser("U0HELPER", "helper", is_bot=True))
    client = client_of(standin)
    alice = (await client.users_info(user="U0ALICE"))["user"]
    assert (alice["is_bot"], alice["deleted"]) == (False, False)
    assert (await client.users_info(user="U0GONE"))["user"]["deleted"] is True
    assert (await client.users_info(user="U0HELPER"))["user"]["is_bot"] is True
    assert (await client.users_info(user=standin.bot_user_id))["user"]["is_bot"] is True
