"""Faults in the cluster and in Slack, injected in the stand-ins: each is answered in kubectl's
words (or retried until delivered), Podium recovers by itself, and nothing is dropped silently."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.questions.render import ASK_DIALOG
from bot.slack.output import SHARE_ACTION
from bot.slides.render import NEXT_ACTION
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.room import CHANNEL, ROOM_ENV, TEACHER, Room, text_of
from tests.harness.running import running_podium

TIMEOUT = 1  # PODIUM_CLUSTER_TIMEOUT for these tests
ANSWER_WITHIN = 8  # a bounded wait: the timeout, the gateway's margin, and slack for a busy machine


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path) -> AsyncIterator[Room]:
    async with running_podium(
        cluster,
        standin,
        tmp_path,
        **ROOM_ENV,
        PODIUM_CLUSTER_TIMEOUT=str(TIMEOUT),
        PODIUM_READ_CACHE_SECONDS="0",
    ) as running:
        yield Room(running)


async def answer_text(room: Room, text: str = "get pods", **kwargs) -> str:
    return text_of(await room.ask(text, timeout=ANSWER_WITHIN, **kwargs))


async def healthz(room: Room) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{room.running.base_url}/healthz") as response:
            return response.status


async def assert_recovered(room: Room) -> None:
    assert "nginx-" in await answer_text(room), "the next command after the fault must succeed"
    assert await healthz(room) == 200


def server_of(emulator: KubeEmulator) -> str:
    return emulator.https_url.split("://", 1)[1]


# --- the cluster ---------------------------------------------------------------------------------


async def test_a_slow_api_server_is_answered_with_kubectls_timeout_then_recovers(room: Room):
    room.emulator.inject_fault(status=None, delay=TIMEOUT + 3, times=1, path_contains="/pods")
    text = await answer_text(room)
    assert "Unable to connect to the server: the API server did not answer" in text
    assert "The cluster is not answering right now" in text  # the hint
    await assert_recovered(room)


async def test_an_api_server_that_is_down_is_answered_with_connection_refused_then_recovers(
    room: Room,
):
    emulator = room.emulator
    http_port, tls_port = (
        int(emulator.url.rsplit(":", 1)[1]),
        int(emulator.https_url.rsplit(":", 1)[1]),
    )
    server = server_of(emulator)
    await emulator.stop()
    text = await answer_text(room)
    assert (
        f"The connection to the server {server} was refused - did you specify the right host or port?"
        in text
    )
    assert await healthz(room) == 200  # Podium itself stays up
    await emulator.start(
        port=http_port, tls_port=tls_port
    )  # the API server comes back on its address
    await assert_recovered(room)


async def test_an_api_server_on_a_closed_port_is_refused(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
):
    kubeconfig = cluster.write_kubeconfig(tmp_path / "closed-kubeconfig")
    closed = await _closed_port()
    kubeconfig.write_text(
        kubeconfig.read_text().replace(cluster.https_url, f"https://127.0.0.1:{closed}")
    )
    async with running_podium(
        cluster,
        standin,
        tmp_path,
        **ROOM_ENV,
        KUBECONFIG=str(kubeconfig),
        PODIUM_CLUSTER_TIMEOUT=str(TIMEOUT),
    ) as running:
        text = await answer_text(Room(running))
    assert f"The connection to the server 127.0.0.1:{closed} was refused" in text


async def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    return port


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (500, "Error from server (InternalError): Internal error occurred: injected fault"),
        (
            503,
            "Error from server (ServiceUnavailable): the server is currently unable to handle the request",
        ),
        (502, "Error from server (InternalError): Bad Gateway"),
    ],
)
async def test_server_errors_are_answered_in_kubectls_words_then_recover(
    room: Room, status: int, expected: str
):
    room.emulator.inject_fault(status=status, times=1, path_contains="/pods")
    text = await answer_text(room)
    assert expected in text
    assert "The cluster is not answering right now" in text
    await assert_recovered(room)


async def test_forbidden_names_podiums_read_only_credentials(room: Room):
    room.emulator.inject_fault(
        status=403,
        times=1,
        path_contains="/pods",
        message=(
            'pods is forbidden: User "system:serviceaccount:podium:podium" cannot list resource "pods" '
            'in API group "" in the namespace "sandbox"'
        ),
    )
    text = await answer_text(room)
    assert (
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:podium:podium"'
        in text
    )
    assert "It is Podium's read-only sandbox credentials, not you, that lack this right" in text
    await assert_recovered(room)


async def test_not_found_is_answered_as_kubectl_does(room: Room):
    assert 'Error from server (NotFound): pods "nope" not found' in await answer_text(
        room, "get pod nope"
    )
    room.emulator.inject_fault(
        status=404,
        times=1,
        path_contains="/deployments",
        message='deployments.apps "nginx" not found',
    )
    assert 'Error from server (NotFound): deployments.apps "nginx" not found' in await answer_text(
        room, "get deploy nginx"
    )
    await assert_recovered(room)


async def test_a_fault_in_describe_and_logs_is_answered_too(room: Room):
    room.emulator.inject_fault(status=503, times=None, path_contains="/pods")
    for text in ("describe pod web-1", "logs web-1", "get all"):
        assert "Error from server (ServiceUnavailable)" in await answer_text(room, text), text
    room.emulator.clear_faults()
    await assert_recovered(room)


# --- Slack -----------------------------------------------------------------------------------------


async def share(room: Room, command: str = "get pods") -> None:
    answer = await room.ask(command)
    [button] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await room.press(SHARE_ACTION, button["value"])


async def shared_in_channel(room: Room) -> list[dict]:
    await room.standin.wait_for_call(
        "chat.postMessage",
        timeout=15,
        predicate=lambda c: c.ok and c.args.get("channel") == CHANNEL,
    )
    return [m for m in room.standin.messages(CHANNEL) if m.get("bot_id")]


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429, "retry_after": 1},
        {"status": 500},
        {"status": 503},
        {"status": 500, "drop": True},
    ],
    ids=["429-retry-after", "500", "503", "dropped-connection"],
)
async def test_share_in_channel_is_retried_until_delivered(room: Room, fault: dict):
    room.standin.fail_next("chat.postMessage", times=1, **fault)
    await share(room)
    [posted] = await shared_in_channel(room)
    assert text_of(posted).startswith("<@U0ALICE> ran `kubectl get pods -n sandbox`")
    attempts = [
        c for c in room.standin.calls("chat.postMessage") if c.args.get("channel") == CHANNEL
    ]
    assert [c.fault for c in attempts] == [
        True,
        False,
    ]  # refused once, then sent again and delivered


async def test_a_share_slack_keeps_refusing_is_reported_to_the_person_and_logged(
    room: Room, caplog
):
    caplog.set_level(logging.WARNING)
    room.standin.fail_next("chat.postMessage", status=500, times=10)
    await share(room)
    pressed = room.response_urls[-1]
    replies = await room.standin.wait_for_responses(pressed, count=1, timeout=15)
    assert "Podium could not post in this channel (internal_error)" in text_of(replies[0])
    assert "Slack API chat.postMessage failed: internal_error" in caplog.text


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500, "times": 3},
        {"status": 404, "error": "expired_url"},
        {"status": 500, "drop": True, "times": 3},
    ],
    ids=["500-on-every-try", "expired", "dropped-connection-on-every-try"],
)
async def test_a_failing_response_url_answers_in_the_dm_and_says_why_in_the_log(
    room: Room, caplog, fault: dict
):
    caplog.set_level(logging.WARNING)
    room.standin.fail_next("response_url", **{"times": 1, **fault})
    await room.slash("get deploy nginx", user="U0BOB")
    dm = room.standin.dm_channel("U0BOB")
    post = await room.standin.wait_for_call(
        "chat.postMessage", timeout=15, predicate=lambda c: c.ok and c.args.get("channel") == dm
    )
    assert text_of(post.args).startswith("`kubectl get deploy nginx -n sandbox`")
    assert "nginx" in text_of(post.args).splitlines()[2]
    [warning] = [r for r in caplog.records if "response_url failed" in r.getMessage()]
    assert (
        warning.levelno == logging.WARNING
        and "answering U0BOB in a DM instead" in warning.getMessage()
    )
    assert (
        "(HTTP " in warning.getMessage() or "Error" in warning.getMessage()
    )  # the reason, not just "failed"


async def test_a_response_url_answering_500_once_is_retried_there(room: Room):
    room.standin.fail_next("response_url", status=500, times=1)
    sent = await room.slash("get deploy nginx", user="U0BOB")
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), timeout=15)
    assert text_of(answer).startswith("`kubectl get deploy nginx -n sandbox`")
    assert room.standin.calls("chat.postMessage") == []  # no DM: the retry delivered it


async def test_a_response_url_connection_dropped_once_is_retried_there(room: Room):
    room.standin.fail_next("response_url", drop=True, times=1)
    sent = await room.slash("get deploy nginx", user="U0BOB")
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), timeout=15)
    assert text_of(answer).startswith("`kubectl get deploy nginx -n sandbox`")


async def test_a_mention_answer_is_retried_when_slack_is_rate_limiting(room: Room):
    room.standin.fail_next("chat.postMessage", status=429, retry_after=1, times=1)
    asked = await room.mention("get pods")
    [answer] = room.thread_answers(CHANNEL, asked["ts"])
    assert "nginx-" in text_of(answer)


# --- Slack refusing what a command or button must post: the person is told why and what to do ---


async def test_slides_start_where_podium_cannot_post_says_how_to_fix_it_and_can_be_retried(
    room: Room, caplog
):
    caplog.set_level(logging.ERROR)
    room.standin.fail_next(
        "chat.postMessage", status=200, error="channel_not_found"
    )  # a private channel
    sent = await room.slash(
        "start", command="/slides", user=TEACHER
    )  # acked: 200, not Slack's timeout
    [answer] = await room.standin.wait_for_responses(str(sent.response_url), timeout=ANSWER_WITHIN)
    line = text_of(answer)
    assert (
        line.startswith("Podium is not a member of this private channel")
        and "`/invite @Podium`" in line
    )
    reference = line.rsplit("(ref ", 1)[1].rstrip(")")
    assert any(
        reference in r.getMessage() and r.exc_info for r in caplog.records
    )  # the log has the why
    answer = await room.ask(
        "start", command="/slides", user=TEACHER
    )  # invited: nothing half-started
    assert text_of(answer).startswith("Started *Kubernetes 101*")
    assert any(m.get("bot_id") for m in room.standin.messages(CHANNEL))


async def test_a_button_whose_post_fails_answers_the_presser(room: Room):
    await room.ask("start", command="/slides", user=TEACHER)
    live = [m for m in room.standin.messages(CHANNEL) if m.get("bot_id")][-1]
    room.standin.fail_next("chat.postMessage", status=200, error="is_archived")
    pressed = await room.press(NEXT_ACTION, "next", user=TEACHER, message_ts=live["ts"])
    [answer] = await room.standin.wait_for_responses(
        str(pressed.response_url), timeout=ANSWER_WITHIN
    )
    assert text_of(answer).startswith("This channel is archived, so Podium cannot post in it")


async def test_an_internal_error_in_a_command_is_answered_with_a_reference(
    room: Room, caplog, monkeypatch
):
    async def broken(channel: str) -> None:
        raise RuntimeError("the presenter's state is unreadable")

    monkeypatch.setattr(room.running.podium.slides.room, "status", broken)
    caplog.set_level(logging.ERROR)
    answer = text_of(
        await room.ask("status", command="/slides", user="U0BOB", timeout=ANSWER_WITHIN)
    )
    assert answer.startswith("Podium hit an internal error doing this (ref ")
    assert (
        "RuntimeError" not in answer and "Traceback" not in answer
    )  # never a stack trace in Slack
    reference = answer.split("(ref ", 1)[1].split(")", 1)[0]
    [record] = [r for r in caplog.records if reference in r.getMessage()]
    assert record.exc_info is not None and "unreadable" in str(record.exc_info[1])


async def test_a_dialog_that_fails_before_acking_is_acked_and_answered_in_the_dm(room: Room):
    sent = await room.running.sender.view_submission(
        ASK_DIALOG, {"unexpected": {}}, user_id="U0BOB", private_metadata=CHANNEL
    )
    assert sent.status == 200  # acked by the guard, so Slack shows no error of its own
    dm = room.standin.dm_channel("U0BOB")
    post = await room.standin.wait_for_call(
        "chat.postMessage",
        timeout=ANSWER_WITHIN,
        predicate=lambda c: c.args.get("channel") in ("U0BOB", dm),
    )
    assert "Podium hit an internal error doing this (ref " in text_of(post.args)
