"""The Slack stand-in's Web API, driven by slack_sdk's real AsyncWebClient."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from podium_devkit.slack_api import SlackStandIn, block_errors


@pytest.fixture
async def client(standin: SlackStandIn) -> AsyncIterator[AsyncWebClient]:
    c = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
    yield c


async def test_auth_test_has_slack_shape(client: AsyncWebClient, standin: SlackStandIn) -> None:
    res = await client.auth_test()
    assert res["ok"] is True
    assert res["team_id"] == standin.team_id
    assert res["user_id"] == standin.bot_user_id
    assert res["bot_id"] == standin.bot_id
    assert res["url"].startswith("https://")
    call = standin.calls("auth.test")[0]
    assert call.token == standin.bot_token


async def test_bad_token_is_invalid_auth(standin: SlackStandIn) -> None:
    bad = AsyncWebClient(token="xoxb-nope", base_url=standin.api_url)
    with pytest.raises(SlackApiError) as err:
        await bad.auth_test()
    assert err.value.response["error"] == "invalid_auth"
    none = AsyncWebClient(base_url=standin.api_url)
    with pytest.raises(SlackApiError) as err:
        await none.auth_test()
    assert err.value.response["error"] == "not_authed"


async def test_app_token_only_for_connections_open(standin: SlackStandIn) -> None:
    app = AsyncWebClient(token=standin.app_token, base_url=standin.api_url)
    with pytest.raises(SlackApiError) as err:
        await app.chat_postMessage(channel="C0WORKSHOP", text="hi")
    assert err.value.response["error"] == "not_allowed_token_type"
    res = await app.apps_connections_open(app_token=standin.app_token)
    assert res["url"].startswith(standin.base_url.replace("http", "ws") + "/socket-mode?ticket=")


async def test_post_and_update_keep_channel_state(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    first = await client.chat_postMessage(channel="C0WORKSHOP", text="one")
    second = await client.chat_postMessage(
        channel="#workshop",
        text="two",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*two*"}}],
    )
    assert float(second["ts"]) > float(first["ts"])
    assert second["channel"] == "C0WORKSHOP"
    assert second["message"]["blocks"][0]["text"]["text"] == "*two*"

    reply = await client.chat_postMessage(
        channel="C0WORKSHOP", text="in thread", thread_ts=first["ts"]
    )
    assert reply["message"]["thread_ts"] == first["ts"]

    updated = await client.chat_update(channel="C0WORKSHOP", ts=first["ts"], text="one, edited")
    assert updated["text"] == "one, edited"

    texts = [m["text"] for m in standin.messages("C0WORKSHOP")]
    assert texts == ["one, edited", "two", "in thread"]
    assert standin.messages("C0WORKSHOP")[0]["reply_count"] == 1

    call = standin.calls("chat.postMessage")[1]
    assert call.args["blocks"][0]["type"] == "section"  # JSON body decoded


async def test_form_encoded_bodies_are_read(standin: SlackStandIn) -> None:
    # Slack accepts form bodies with blocks as a JSON string; so does the stand-in.
    async with aiohttp.ClientSession() as session:
        async with session.post(
            standin.api_url + "chat.postMessage",
            data={"channel": "C0WORKSHOP", "text": "form", "blocks": '[{"type": "divider"}]'},
            headers={"Authorization": f"Bearer {standin.bot_token}"},
        ) as res:
            body = await res.json()
    assert body["ok"] is True
    assert body["message"]["blocks"] == [{"type": "divider"}]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_slack_errors_for_common_mistakes(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    async def error_of(coro) -> str:  # type: ignore[no-untyped-def]
        with pytest.raises(SlackApiError) as err:
            await coro
        return err.value.response["error"]

    assert (
        await error_of(client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    )
    assert await error_of(client.chat_postMessage(channel="C0WORKSHOP")) == "no_text"
    too_many = [{"type": "divider"}] * 51
    assert (
        await error_of(client.chat_postMessage(channel="C0WORKSHOP", text="x", blocks=too_many))
        == "invalid_blocks"
    )
    assert (
        await error_of(client.chat_update(channel="C0WORKSHOP", ts="1.000001", text="x"))
        == "message_not_found"
    )
    human = standin.post_user_message("C0WORKSHOP", "U0ALICE", "hello bot")
    assert (
        await error_of(client.chat_update(channel="C0WORKSHOP", ts=human["ts"], text="x"))
        == "cant_update_message"
    )
    assert await error_of(client.users_info(user="U0GHOST")) == "user_not_found"
    assert await error_of(client.api_call("nope.nothing")) == "unknown_method"


def test_block_checks_are_slack_like() -> None:
    assert block_errors([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    assert block_errors([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}])
    assert block_errors(
        [
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}],
            }
        ]
    )
    assert not block_errors(
        [{"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}, {"type": "divider"}]
    )
    assert block_errors([{"type": "divider"}] * 101, max_blocks=100)


async def test_dm_users_info_and_home(client: AsyncWebClient, standin: SlackStandIn) -> None:
    opened = await client.conversations_open(users="U0ALICE")
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    again = await client.conversations_open(users=["U0ALICE"])
    assert again["channel"]["id"] == dm and again["already_open"] is True
    await client.chat_postMessage(channel=dm, text="your kubeconfig")
    assert standin.messages(dm)[0]["text"] == "your kubeconfig"
    assert standin.messages("U0ALICE")[0]["text"] == "your kubeconfig"

    user = (await client.users_info(user="U0ALICE"))["user"]
    assert user["id"] == "U0ALICE" and user["name"] == "alice"
    assert user["profile"]["real_name"] == "Alice Archer" and user["is_bot"] is False and user["tz"]

    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}],
    }
    published = await client.views_publish(user_id="U0ALICE", view=home)
    assert published["view"]["type"] == "home" and published["view"]["id"].startswith("V")
    assert standin.home_view("U0ALICE")["blocks"] == home["blocks"]


async def test_ephemeral_delete_and_reactions(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    eph = await client.chat_postEphemeral(channel="C0WORKSHOP", user="U0BOB", text="only bob")
    assert eph["message_ts"]
    assert standin.ephemerals("C0WORKSHOP", "U0BOB")[0]["message"]["text"] == "only bob"
    assert standin.messages("C0WORKSHOP") == []

    posted = await client.chat_postMessage(channel="C0WORKSHOP", text="react to me")
    await client.reactions_add(
        channel="C0WORKSHOP", timestamp=posted["ts"], name="white_check_mark"
    )
    with pytest.raises(SlackApiError) as err:
        await client.reactions_add(
            channel="C0WORKSHOP", timestamp=posted["ts"], name="white_check_mark"
        )
    assert err.value.response["error"] == "already_reacted"
    assert standin.messages("C0WORKSHOP")[0]["reactions"][0]["count"] == 1
    await client.reactions_remove(
        channel="C0WORKSHOP", timestamp=posted["ts"], name="white_check_mark"
    )
    assert (
        "reactions" not in standin.messages("C0WORKSHOP")[0]
        or not standin.messages("C0WORKSHOP")[0]["reactions"]
    )

    await client.chat_delete(channel="C0WORKSHOP", ts=posted["ts"])
    assert standin.messages("C0WORKSHOP") == []


async def test_files_upload_v2_end_to_end(client: AsyncWebClient, standin: SlackStandIn) -> None:
    posted = await client.chat_postMessage(channel="C0WORKSHOP", text="output follows")
    content = "NAME   READY   STATUS\nweb-1  1/1     Running\n" * 200
    res = await client.files_upload_v2(
        channel="C0WORKSHOP",
        content=content,
        filename="pods.txt",
        title="kubectl get pods",
        initial_comment="Here you go",
        thread_ts=posted["ts"],
        snippet_type="text",
    )
    file_id = res["file"]["id"]
    uploaded = standin.file(file_id)
    assert uploaded.text == content
    assert uploaded.title == "kubectl get pods"
    assert uploaded.channel_id == "C0WORKSHOP"
    assert uploaded.initial_comment == "Here you go"
    assert uploaded.thread_ts == posted["ts"]
    share = standin.messages("C0WORKSHOP")[-1]
    assert share["files"][0]["id"] == file_id and share["thread_ts"] == posted["ts"]
    complete = standin.calls("files.completeUploadExternal")[0]
    assert complete.args["files"][0]["id"] == file_id  # sent as a JSON string, decoded


async def test_rate_limit_retry_handler_recovers(standin: SlackStandIn) -> None:
    client = AsyncWebClient(
        token=standin.bot_token,
        base_url=standin.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    standin.fail_next("chat.postMessage", status=429, retry_after=1)
    started = asyncio.get_running_loop().time()
    res = await client.chat_postMessage(channel="C0WORKSHOP", text="after a 429")
    assert res["ok"] is True
    assert asyncio.get_running_loop().time() - started >= 0.9  # honoured Retry-After
    calls = standin.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200] and calls[0].fault
    assert len(standin.messages("C0WORKSHOP")) == 1


async def test_injected_429_without_handler_surfaces(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0WORKSHOP", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["Retry-After"] == "7"


async def test_server_errors_and_dropped_connections(standin: SlackStandIn) -> None:
    client = AsyncWebClient(
        token=standin.bot_token,
        base_url=standin.api_url,
        retry_handlers=[
            AsyncServerErrorRetryHandler(max_retry_count=1),
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )
    standin.fail_next("chat.postMessage", status=503)
    assert (await client.chat_postMessage(channel="C0WORKSHOP", text="after 503"))["ok"]
    standin.fail_next("chat.update", drop=True)
    ts = standin.messages("C0WORKSHOP")[0]["ts"]
    assert (await client.chat_update(channel="C0WORKSHOP", ts=ts, text="after reset"))["ok"]
    assert [c.fault for c in standin.calls("chat.update")] == [True, False]

    plain = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url, retry_handlers=[])
    standin.fail_next("auth.test", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            await plain.auth_test()
    assert (await plain.auth_test())["ok"]


async def test_response_url_records_and_limits(standin: SlackStandIn) -> None:
    url = standin.new_response_url(channel_id="C0WORKSHOP", user_id="U0ALICE")
    hook = AsyncWebhookClient(url)
    for i in range(5):
        res = await hook.send(text=f"step {i}", response_type="in_channel" if i == 4 else None)
        assert res.status_code == 200
    sixth = await hook.send(text="one too many")
    assert sixth.status_code == 404 and "used_url" in sixth.body
    bodies = await standin.wait_for_responses(url, count=5)
    assert [b["text"] for b in bodies] == [f"step {i}" for i in range(5)]
    assert len(standin.ephemerals("C0WORKSHOP", "U0ALICE")) == 4
    assert standin.messages("C0WORKSHOP")[0]["text"] == "step 4"
    assert standin.responses(url)[-1].error == "used_url"


async def test_response_url_expires_after_30_minutes() -> None:
    now = [1_700_000_000.0]
    async with SlackStandIn(clock=lambda: now[0]) as standin:
        url = standin.new_response_url()
        now[0] += 31 * 60
        res = await AsyncWebhookClient(url).send(text="late")
        assert res.status_code == 404 and "expired_url" in res.body


async def test_replace_original_through_response_url(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    posted = await client.chat_postMessage(channel="C0WORKSHOP", text="Press the button")
    url = standin.new_response_url(channel_id="C0WORKSHOP", message_ts=posted["ts"], kind="actions")
    await AsyncWebhookClient(url).send(text="Pressed", replace_original=True)
    assert standin.messages("C0WORKSHOP")[0]["text"] == "Pressed"
    url2 = standin.new_response_url(
        channel_id="C0WORKSHOP", message_ts=posted["ts"], kind="actions"
    )
    await AsyncWebhookClient(url2).send_dict({"delete_original": True})
    assert standin.messages("C0WORKSHOP") == []


async def test_wait_for_call_sees_future_calls(
    client: AsyncWebClient, standin: SlackStandIn
) -> None:
    waiter = asyncio.create_task(
        standin.wait_for_call(
            "chat.postMessage", lambda c: c.args.get("text") == "second", timeout=5
        )
    )
    await client.chat_postMessage(channel="C0WORKSHOP", text="first")
    await client.chat_postMessage(channel="C0WORKSHOP", text="second")
    call = await waiter
    assert call.args["channel"] == "C0WORKSHOP" and call.ok
    with pytest.raises(TimeoutError):
        await standin.wait_for_call("chat.delete", timeout=0.1)


async def test_views_open_needs_fresh_trigger() -> None:
    now = [1_700_000_000.0]
    async with SlackStandIn(clock=lambda: now[0]) as standin:
        c = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
        modal = {"type": "modal", "title": {"type": "plain_text", "text": "Reset"}, "blocks": []}
        trigger = standin.new_trigger_id()
        opened = await c.views_open(trigger_id=trigger, view=modal)
        assert opened["view"]["type"] == "modal"
        with pytest.raises(SlackApiError) as err:
            await c.views_open(trigger_id=trigger, view=modal)
        assert err.value.response["error"] == "invalid_trigger_id"
        late = standin.new_trigger_id()
        now[0] += 4
        with pytest.raises(SlackApiError) as err:
            await c.views_open(trigger_id=late, view=modal)
        assert err.value.response["error"] == "expired_trigger_id"


async def test_scopes_are_enforced_when_given() -> None:
    async with SlackStandIn(scopes=["chat:write"]) as standin:
        c = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
        res = await c.chat_postMessage(channel="C0WORKSHOP", text="ok")
        assert res.headers["X-OAuth-Scopes"] == "chat:write"
        with pytest.raises(SlackApiError) as err:
            await c.users_info(user="U0ALICE")
        assert err.value.response["error"] == "missing_scope"
        assert err.value.response["needed"] == "users:read"


async def test_rate_limits_answer_429_with_retry_after_by_default() -> None:
    async with SlackStandIn() as standin:
        c = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)  # no retry handlers
        for i in range(4):
            await c.chat_postMessage(channel="C0WORKSHOP", text=f"burst {i}")
        with pytest.raises(SlackApiError) as err:
            await c.chat_postMessage(channel="C0WORKSHOP", text="one too many")
        assert (
            err.value.response.status_code == 429 and err.value.response["error"] == "ratelimited"
        )
        assert int(err.value.response.headers["Retry-After"]) >= 1
        await c.chat_postMessage(channel="C0GENERAL", text="another channel")
        [limited] = standin.rate_limited_calls("chat.postMessage")
        assert limited.args["text"] == "one too many" and not limited.fault
        assert [m["text"] for m in standin.messages("C0WORKSHOP")] == [
            f"burst {i}" for i in range(4)
        ]
