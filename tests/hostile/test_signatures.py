"""Thousands of requests Slack never sent (forged, tampered, truncated, replayed, future-dated,
unsigned, malformed headers) for slash commands, button presses and events: every one is refused
with 401, and nothing runs: no answer, no Web API call, no audit entry, no cluster request."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp

from bot.slack.modes import EVENTS_PATH
from podium_devkit.slack_sender import (
    block_actions_payload,
    event_callback_envelope,
    sign,
    slash_command_fields,
)
from tests.harness.room import BOT, CHANNEL, Room, settle
from tests.harness.running import SECRET

REQUESTS = 2_000
CONCURRENCY = 40


@dataclass(frozen=True)
class Body:
    kind: str  # slash | action | event
    data: bytes
    content_type: str
    response_url: str | None


def slash_body(room: Room) -> Body:
    url = room.standin.new_response_url(channel_id=CHANNEL, user_id="U0ALICE")
    fields = slash_command_fields(
        room.standin.workspace,
        command="/kubectl",
        text="get pods",
        user_id="U0ALICE",
        user_name="alice",
        channel_id=CHANNEL,
        channel_name="workshop",
        response_url=url,
        trigger_id=room.standin.new_trigger_id(),
    )
    return Body("slash", urlencode(fields).encode(), "application/x-www-form-urlencoded", url)


def action_body(room: Room) -> Body:
    url = room.standin.new_response_url(channel_id=CHANNEL, user_id="U0ALICE", kind="actions")
    payload = block_actions_payload(
        room.standin.workspace,
        action_id="kubectl_share",
        value=json.dumps({"k": "x", "t": "get pods"}),
        user_id="U0ALICE",
        user_name="alice",
        channel_id=CHANNEL,
        channel_name="workshop",
        response_url=url,
        trigger_id=room.standin.new_trigger_id(),
    )
    return Body(
        "action",
        urlencode({"payload": json.dumps(payload)}).encode(),
        "application/x-www-form-urlencoded",
        url,
    )


def event_body(room: Room) -> Body:
    message = room.standin.post_user_message(CHANNEL, "U0ALICE", f"<@{BOT}> get pods")
    event = {
        "type": "app_mention",
        "user": "U0ALICE",
        "text": message["text"],
        "ts": message["ts"],
        "channel": CHANNEL,
        "event_ts": message["ts"],
    }
    return Body(
        "event",
        json.dumps(event_callback_envelope(room.standin.workspace, event)).encode(),
        "application/json",
        None,
    )


BODIES: dict[str, Callable[[Room], Body]] = {
    "slash": slash_body,
    "action": action_body,
    "event": event_body,
}

Headers = dict[str, str]


def signed(body: bytes, ts: int, secret: str = SECRET) -> Headers:
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sign(secret, ts, body)}


# Each forgery: (the body as sent, the signature headers) from the body as built and "now".
Forgery = Callable[[bytes, int], tuple[bytes, Headers]]

FORGERIES: dict[str, Forgery] = {
    "wrong secret": lambda b, now: (b, signed(b, now, SECRET + "-wrong")),
    "empty secret": lambda b, now: (b, signed(b, now, "")),
    "tampered body": lambda b, now: (
        b.replace(b"get", b"del", 1) if b"get" in b else b + b"&x=1",
        signed(b, now),
    ),
    "body appended after signing": lambda b, now: (b + b"&text=delete", signed(b, now)),
    "body truncated after signing": lambda b, now: (b[: len(b) // 2], signed(b, now)),
    "signature cut short": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Signature": signed(b, now)["X-Slack-Signature"][:40]},
    ),
    "signature without v0=": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Signature": signed(b, now)["X-Slack-Signature"][3:]},
    ),
    "signature v1=": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Signature": "v1=" + signed(b, now)["X-Slack-Signature"][3:]},
    ),
    "signature upper-case hex": lambda b, now: (
        b,
        {
            **signed(b, now),
            "X-Slack-Signature": "v0=" + signed(b, now)["X-Slack-Signature"][3:].upper(),
        },
    ),
    "signature for another timestamp": lambda b, now: (
        b,
        {**signed(b, now - 1), "X-Slack-Request-Timestamp": str(now)},
    ),
    "replayed 6 minutes later": lambda b, now: (b, signed(b, now - 360)),
    "replayed 5 min 30 s later": lambda b, now: (b, signed(b, now - 330)),
    "replayed a day later": lambda b, now: (b, signed(b, now - 86_400)),
    "future-dated 6 minutes": lambda b, now: (b, signed(b, now + 360)),
    "future-dated 5 min 30 s": lambda b, now: (b, signed(b, now + 330)),
    "unsigned": lambda b, now: (b, {}),
    "timestamp only": lambda b, now: (b, {"X-Slack-Request-Timestamp": str(now)}),
    "signature only": lambda b, now: (
        b,
        {"X-Slack-Signature": signed(b, now)["X-Slack-Signature"]},
    ),
    "empty headers": lambda b, now: (b, {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""}),
    "timestamp not a number": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Request-Timestamp": "now"},
    ),
    "timestamp with a fraction": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Request-Timestamp": f"{now}.5"},
    ),
    "timestamp negative": lambda b, now: (b, signed(b, -now)),
    "timestamp enormous": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Request-Timestamp": "9" * 40},
    ),
    "signature garbage": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Signature": "v0=" + "zz" * 32},
    ),
    "signature huge": lambda b, now: (
        b,
        {**signed(b, now), "X-Slack-Signature": "v0=" + "a" * 8_000},
    ),
    "empty body": lambda b, now: (b"", signed(b, now)),
}


async def post(session: aiohttp.ClientSession, url: str, body: Body, forgery: Forgery) -> int:
    data, headers = forgery(body.data, int(time.time()))
    async with session.post(
        url, data=data, headers={"Content-Type": body.content_type, **headers}
    ) as response:
        await response.read()
        return response.status


async def test_thousands_of_forged_requests_get_401_and_run_nothing(room: Room, caplog):
    caplog.set_level(logging.WARNING)
    url = room.running.base_url + EVENTS_PATH
    cluster_before = len(room.emulator.requests)
    plan = [(kind, name) for kind in BODIES for name in FORGERIES]
    bodies = [
        (kind, name, BODIES[kind](room))
        for i in range(REQUESTS)
        for kind, name in [plan[i % len(plan)]]
    ]
    limit = asyncio.Semaphore(CONCURRENCY)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def one(kind: str, name: str, body: Body) -> tuple[str, str, int]:
            async with limit:
                return kind, name, await post(session, url, body, FORGERIES[name])

        results = await asyncio.gather(*(one(*b) for b in bodies))
    accepted = sorted({(kind, name, status) for kind, name, status in results if status != 401})
    assert accepted == []
    assert len(results) == REQUESTS
    await settle(0.5)
    answered = [
        b.response_url
        for _, _, b in bodies
        if b.response_url and room.standin.responses(b.response_url)
    ]
    assert answered == []  # no handler answered through a response_url
    assert room.standin.calls() == []  # nor called the Web API at all (not even auth.test)
    assert await room.running.podium.audit.recent() == []
    assert room.emulator.requests[cluster_before:] == []
    assert [
        r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.WARNING
    ] == []  # no 500s, no tracebacks


async def test_the_same_requests_correctly_signed_are_answered(room: Room):
    """The control: the bodies above, signed as Slack signs, do run (so the 401s are the signatures')."""
    url = room.running.base_url + EVENTS_PATH
    honest: Forgery = lambda b, now: (b, signed(b, now))  # noqa: E731
    async with aiohttp.ClientSession() as session:
        slash, event = slash_body(room), event_body(room)
        assert await post(session, url, slash, honest) == 200
        assert await post(session, url, event, honest) == 200
    [answer] = await room.standin.wait_for_responses(str(slash.response_url), timeout=15)
    assert "nginx-" in json.dumps(answer)
    await room.standin.wait_for_call("chat.postMessage", timeout=15)
    assert len(await room.running.podium.audit.recent()) == 2


async def test_forgeries_for_every_kind_stay_refused_after_an_honest_request(room: Room):
    """Bolt caches auth.test after the first honest request; forgeries must still be checked."""
    url = room.running.base_url + EVENTS_PATH
    async with aiohttp.ClientSession() as session:
        honest = slash_body(room)
        assert await post(session, url, honest, lambda b, now: (b, signed(b, now))) == 200
        await room.standin.wait_for_responses(str(honest.response_url), timeout=15)
        calls, audited = len(room.standin.calls()), len(await room.running.podium.audit.recent())
        statuses = {
            name: await post(session, url, BODIES[kind](room), forgery)
            for kind in BODIES
            for name, forgery in FORGERIES.items()
        }
    assert set(statuses.values()) == {401}, statuses
    await settle(0.5)
    assert len(room.standin.calls()) == calls
    assert len(await room.running.podium.audit.recent()) == audited
