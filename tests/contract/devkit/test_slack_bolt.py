"""A real Bolt AsyncApp against the stand-in: HTTP mode (signed requests) and Socket Mode."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import Forge, SlackSender

SECRET = "podium-signing-secret"


@dataclass
class Seen:
    commands: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)


def build_app(standin: SlackStandIn, seen: Seen) -> AsyncApp:
    # Bolt takes the token from the client when one is given (token= would be ignored with a warning).
    client = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.command("/kubectl")
    async def kubectl(ack, command, respond) -> None:  # type: ignore[no-untyped-def]
        seen.commands.append(command)  # before ack(): the HTTP answer goes out at ack()
        await ack()
        await respond(f"ran `{command['text']}`")

    @app.event("app_mention")
    async def mention(event, say) -> None:  # type: ignore[no-untyped-def]
        seen.events.append(event)
        await say(f"hi <@{event['user']}>")

    @app.action("reset")
    async def reset(ack, body, respond) -> None:  # type: ignore[no-untyped-def]
        seen.actions.append(body)
        await ack()
        await respond(text="reset done", replace_original=True)

    return app


@pytest.fixture
async def http_app(standin: SlackStandIn) -> AsyncIterator[tuple[SlackSender, Seen]]:
    seen = Seen()
    server = TestServer(build_app(standin, seen).web_app(path="/slack/events"), host="127.0.0.1")
    await server.start_server()
    sender = SlackSender(str(server.make_url("/slack/events")), SECRET, standin)
    try:
        yield sender, seen
    finally:
        await sender.close()
        await server.close()


async def test_signed_slash_command_reaches_listener_and_respond_lands(
    http_app: tuple[SlackSender, Seen], standin: SlackStandIn
) -> None:
    sender, seen = http_app
    sent = await sender.slash_command("/kubectl", "get pods -n demo")
    assert sent.status == 200
    assert sent.elapsed_seconds < 3
    bodies = await standin.wait_for_responses(sent.response_url or "", count=1, timeout=5)
    assert bodies[0]["text"] == "ran `get pods -n demo`"
    command = seen.commands[0]
    for key in ("command", "text", "user_id", "user_name", "channel_id", "channel_name", "team_id",
                "team_domain", "trigger_id", "response_url", "api_app_id"):  # fmt: skip
        assert key in command, key
    # Bolt's single-team authorization asked auth.test once.
    assert len(standin.calls("auth.test")) == 1


@pytest.mark.parametrize(
    "forge", [Forge.WRONG_SECRET, Forge.TAMPERED_BODY, Forge.STALE, Forge.FUTURE, Forge.UNSIGNED]
)
async def test_forged_requests_are_refused(
    http_app: tuple[SlackSender, Seen], standin: SlackStandIn, forge: Forge
) -> None:
    sender, seen = http_app
    sent = await sender.slash_command(forge=forge)
    assert sent.status == 401
    await asyncio.sleep(0.1)
    assert seen.commands == []
    assert standin.responses(sent.response_url or "") == []


async def test_explicit_signature_and_old_timestamp(http_app: tuple[SlackSender, Seen]) -> None:
    sender, seen = http_app
    assert (await sender.slash_command(signature="v0=" + "0" * 64)).status == 401
    assert (await sender.slash_command(timestamp=int(time.time()) - 6 * 60)).status == 401
    assert seen.commands == []


async def test_event_is_handled(http_app: tuple[SlackSender, Seen], standin: SlackStandIn) -> None:
    sender, seen = http_app
    event = {
        "type": "app_mention",
        "user": "U0ALICE",
        "text": f"<@{standin.bot_user_id}> hello",
        "channel": "C0WORKSHOP",
        "ts": "1700000000.000100",
    }
    sent = await sender.event(event)
    assert sent.status == 200
    call = await standin.wait_for_call("chat.postMessage", timeout=5)
    assert call.args["text"] == "hi <@U0ALICE>"
    assert seen.events[0]["user"] == "U0ALICE"
    retried = await sender.event(event, retry_num=1, retry_reason="http_timeout")
    assert retried.status == 200


async def test_url_verification(http_app: tuple[SlackSender, Seen]) -> None:
    sender, _ = http_app
    sent = await sender.url_verification("abc123")
    assert sent.status == 200 and sent.json()["challenge"] == "abc123"


async def test_block_action_replaces_the_original(
    http_app: tuple[SlackSender, Seen], standin: SlackStandIn
) -> None:
    sender, seen = http_app
    client = AsyncWebClient(token=standin.bot_token, base_url=standin.api_url)
    blocks = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "reset",
                    "value": "ns-alice",
                    "text": {"type": "plain_text", "text": "Reset"},
                }
            ],
        }
    ]
    posted = await client.chat_postMessage(channel="C0WORKSHOP", text="Reset?", blocks=blocks)
    sent = await sender.block_action("reset", "ns-alice", message_ts=posted["ts"])
    assert sent.status == 200
    await standin.wait_for_responses(sent.response_url or "", timeout=5)
    assert seen.actions[0]["actions"][0]["value"] == "ns-alice"
    assert seen.actions[0]["message"]["ts"] == posted["ts"]
    assert standin.messages("C0WORKSHOP")[0]["text"] == "reset done"


@pytest.fixture
async def socket_app(standin: SlackStandIn) -> AsyncIterator[tuple[AsyncSocketModeHandler, Seen]]:
    seen = Seen()
    handler = AsyncSocketModeHandler(build_app(standin, seen), standin.app_token, ping_interval=1)
    await handler.connect_async()
    try:
        yield handler, seen
    finally:
        await handler.close_async()


async def test_socket_mode_slash_command_is_acked_and_responded(
    socket_app: tuple[AsyncSocketModeHandler, Seen], standin: SlackStandIn
) -> None:
    _, seen = socket_app
    await standin.wait_for_socket_client(timeout=5)
    delivery = await standin.socket_slash_command("/kubectl", "get nodes", timeout=5)
    assert delivery.ack["envelope_id"] == delivery.envelope["envelope_id"]
    assert delivery.envelope["type"] == "slash_commands"
    bodies = await standin.wait_for_responses(delivery.response_url or "", timeout=5)
    assert bodies[0]["text"] == "ran `get nodes`"
    assert seen.commands[0]["text"] == "get nodes"
    # apps.connections.open was called with the app-level token, through the app's client base_url.
    assert standin.calls("apps.connections.open")[0].token == standin.app_token


async def test_socket_mode_event_and_raw_send(
    socket_app: tuple[AsyncSocketModeHandler, Seen], standin: SlackStandIn
) -> None:
    await standin.wait_for_socket_client(timeout=5)
    event = {
        "type": "app_mention",
        "user": "U0BOB",
        "text": "hey",
        "channel": "C0WORKSHOP",
        "ts": "1700000000.000200",
    }
    delivery = await standin.socket_event(event, timeout=5)
    assert delivery.envelope["type"] == "events_api" and "envelope_id" in delivery.ack
    call = await standin.wait_for_call("chat.postMessage", timeout=5)
    assert call.args["text"] == "hi <@U0BOB>"


async def test_socket_mode_reconnects_after_disconnect(
    socket_app: tuple[AsyncSocketModeHandler, Seen], standin: SlackStandIn
) -> None:
    _, seen = socket_app
    await standin.wait_for_socket_client(timeout=5)
    opened = standin.socket.connections_opened
    await standin.socket_disconnect("refresh_requested")
    await standin.socket.wait_for_new_connection(opened, timeout=10)
    assert len(standin.calls("apps.connections.open")) == 2  # a fresh URL: tickets are single use
    delivery = await standin.socket_slash_command("/kubectl", "get ns", timeout=5)
    await standin.wait_for_responses(delivery.response_url or "", timeout=5)
    assert seen.commands[-1]["text"] == "get ns"


async def test_socket_mode_reconnects_after_drop(
    socket_app: tuple[AsyncSocketModeHandler, Seen], standin: SlackStandIn
) -> None:
    _, seen = socket_app
    await standin.wait_for_socket_client(timeout=5)
    opened = standin.socket.connections_opened
    await standin.socket_drop()
    await standin.socket.wait_for_new_connection(opened, timeout=10)
    delivery = await standin.socket_slash_command("/kubectl", "get pods", timeout=5)
    await standin.wait_for_responses(delivery.response_url or "", timeout=5)
    assert seen.commands[-1]["text"] == "get pods"


async def test_unacked_envelope_times_out(standin: SlackStandIn) -> None:
    # No listener for this command: Bolt answers 404 internally and sends no ack, so Slack would retry.
    seen = Seen()
    handler = AsyncSocketModeHandler(build_app(standin, seen), standin.app_token)
    await handler.connect_async()
    try:
        await standin.wait_for_socket_client(timeout=5)
        with pytest.raises(TimeoutError):
            await standin.socket_slash_command("/unknown", "x", timeout=0.5)
    finally:
        await handler.close_async()


async def test_slash_command_from_another_team(http_app: tuple[SlackSender, Seen]) -> None:
    sender, seen = http_app
    sent = await sender.slash_command(team_id="T0OTHER")
    assert sent.status == 200  # single-team Bolt apps do not check team_id: the app must
    assert seen.commands[0]["team_id"] == "T0OTHER"


async def test_socket_protocol_raw(standin: SlackStandIn) -> None:
    """hello, pong, envelope/ack and single-use tickets, seen from a bare WebSocket client."""
    app_client = AsyncWebClient(token=standin.app_token, base_url=standin.api_url)
    url = (await app_client.apps_connections_open(app_token=standin.app_token))["url"]
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, autoping=False) as ws:
            hello = await ws.receive_json(timeout=5)
            assert hello["type"] == "hello" and hello["connection_info"]["app_id"] == standin.app_id
            await ws.ping(b"sdk-ping-pong:1")
            pong = await ws.receive(timeout=5)
            assert pong.type == aiohttp.WSMsgType.PONG and pong.data == b"sdk-ping-pong:1"

            sending = asyncio.create_task(standin.socket_send("events_api", {"x": 1}, timeout=5))
            envelope = await ws.receive_json(timeout=5)
            assert envelope["type"] == "events_api" and envelope["payload"] == {"x": 1}
            assert envelope["retry_attempt"] == 0 and envelope["accepts_response_payload"] is False
            await ws.send_json({"envelope_id": envelope["envelope_id"]})
            assert (await sending) == {"envelope_id": envelope["envelope_id"]}

            await standin.socket_disconnect()
            assert (await ws.receive_json(timeout=5)) == {
                "type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "applink-podium-standin"}
            }  # fmt: skip
        with pytest.raises(aiohttp.WSServerHandshakeError):  # tickets are single use
            await session.ws_connect(url)
