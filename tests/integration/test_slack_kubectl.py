"""/kubectl through the real Bolt app in this process: signed requests in, Slack stand-in out.
Escaping, redaction, long output as a snippet, and Share in channel."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.slack.output import SHARE_ACTION
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender
from tests.harness.running import running_podium

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile.yaml"


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[tuple[SlackSender, SlackStandIn, KubeEmulator]]:
    async with (
        KubeEmulator.from_paths(*demo_seed_paths(), HOSTILE) as emulator,
        SlackStandIn() as standin,
    ):
        async with running_podium(emulator, standin, tmp_path) as running:
            yield running.sender, standin, emulator


async def ask(sender: SlackSender, standin: SlackStandIn, text: str) -> dict:
    sent = await sender.slash_command("/kubectl", text)
    assert sent.status == 200
    [response] = await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    return response


def raw(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False)


async def test_mentions_in_cluster_data_never_ping(slack):
    sender, standin, _ = slack
    for text in ("logs chatty --tail 420", "get pod chatty -o yaml", "describe pod chatty"):
        message = await ask(sender, standin, text)
        body = raw(message)
        for mention in ("<!channel>", "<!here>", "<@U0BOB>"):
            assert mention not in body, (text, mention)
        assert "&lt;!channel&gt;" in body, text


async def test_credentials_in_logs_are_redacted_and_said_so(slack):
    sender, standin, _ = slack
    message = await ask(sender, standin, "logs chatty --tail 420")
    text = message_to_text(message)
    assert "abcdef0123456789abcdef" not in raw(message) and "AKIAIOSFODNN7EXAMPLE" not in raw(
        message
    )
    assert "Bearer [redacted: token]" in text
    assert "Podium hid 2 credential-like values" in text


async def test_long_output_shows_the_head_and_sends_the_rest_as_a_dm_snippet(slack):
    sender, standin, _ = slack
    message = await ask(sender, standin, "logs chatty")
    text = message_to_text(message)
    assert (
        "more lines not shown here. The full output is in your DM with Podium as `kubectl-logs-chatty.txt`"
        in text
    )
    assert "Showing the last 200 lines" in text  # the chat-sized default tail, stated
    [snippet] = standin.files()
    assert snippet.channel_id == standin.dm_channel("U0ALICE")
    assert snippet.text.count("\n") >= 199 and "request 0399" in snippet.text
    assert "AKIAIOSFODNN7EXAMPLE" not in snippet.text  # the snippet is redacted too
    shown = next(b for b in message["blocks"] if b["type"] == "section")["text"]["text"]
    assert len(shown) <= 3000


async def test_share_in_channel_posts_the_same_output_attributed(slack):
    sender, standin, emulator = slack
    message = await ask(sender, standin, "get pods")
    [button] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == SHARE_ACTION
    requests_before = len(emulator.requests)
    pressed = await sender.block_action(
        SHARE_ACTION, button["value"], user_id="U0ALICE", channel_id="C0WORKSHOP"
    )
    assert pressed.status == 200
    post = await standin.wait_for_call("chat.postMessage", timeout=10)
    assert post.args["channel"] == "C0WORKSHOP"
    shared = message_to_text(post.args)
    assert shared.startswith("<@U0ALICE> ran `kubectl get pods -n sandbox`")
    assert [line for line in shared.splitlines() if line.startswith("nginx-")] == [
        line for line in message_to_text(message).splitlines() if line.startswith("nginx-")
    ]
    [replaced] = await standin.wait_for_responses(pressed.response_url, count=1, timeout=10)
    assert replaced.get("replace_original") is True
    assert not [b for b in replaced["blocks"] if b["type"] == "actions"]
    assert len(emulator.requests) == requests_before  # the same output, not a new cluster call


async def test_share_of_long_output_puts_the_snippet_in_the_thread(slack):
    sender, standin, _ = slack
    message = await ask(sender, standin, "logs chatty")
    [button] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await sender.block_action(
        SHARE_ACTION, button["value"], user_id="U0ALICE", channel_id="C0WORKSHOP"
    )
    post = await standin.wait_for_call("chat.postMessage", timeout=10)
    await standin.wait_for_call(
        "files.completeUploadExternal", predicate=lambda c: c.args.get("thread_ts"), timeout=10
    )
    in_thread = [f for f in standin.files() if f.thread_ts]
    assert in_thread and in_thread[0].channel_id == "C0WORKSHOP"
    assert in_thread[0].thread_ts == post.response["ts"]


def share_value(message: dict) -> str:
    [button] = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == SHARE_ACTION
    ]
    return str(button["value"])


async def test_share_after_restart_reruns_the_command(tmp_path: Path):
    async with KubeEmulator.from_paths(*demo_seed_paths()) as emulator, SlackStandIn() as standin:
        async with running_podium(emulator, standin, tmp_path) as before:
            sent = await before.sender.slash_command(
                "/kubectl", "get deploy nginx", user_id="U0BOB"
            )
            [answer] = await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
        async with running_podium(
            emulator, standin, tmp_path
        ) as after:  # same state: same button key
            await after.sender.block_action(
                SHARE_ACTION, share_value(answer), user_id="U0BOB", channel_id="C0WORKSHOP"
            )
            post = await standin.wait_for_call("chat.postMessage", timeout=10)
    assert "<@U0BOB> ran `kubectl get deploy nginx -n sandbox`" in message_to_text(post.args)


async def test_refusals_have_no_share_button(slack):
    sender, standin, _ = slack
    message = await ask(sender, standin, "delete pod x")
    assert not [b for b in message["blocks"] if b["type"] == "actions"]
    assert "Podium is read-only" in message_to_text(message)


async def test_a_failing_response_url_falls_back_to_a_dm(slack):
    sender, standin, _ = slack
    standin.fail_next("response_url", status=500, times=3)  # the first try and both retries
    sent = await sender.slash_command("/kubectl", "get deploy nginx", user_id="U0BOB")
    assert sent.status == 200
    dm = standin.dm_channel("U0BOB")
    post = await standin.wait_for_call(
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == dm, timeout=10
    )
    text = message_to_text(post.args)
    assert (
        text.startswith("`kubectl get deploy nginx -n sandbox`") and "nginx" in text.splitlines()[2]
    )


async def test_logs_by_selector_are_escaped_redacted_and_prefixed(slack):
    sender, standin, _ = slack
    message = await ask(sender, standin, "logs -l app=chatty --prefix --tail=-1")
    text, body = message_to_text(message), raw(message)
    assert "[pod/chatty/app] hello &lt;!channel&gt;" in body and "<!channel>" not in body
    assert "abcdef0123456789abcdef" not in body and "Bearer [redacted: token]" in text
    nginx = message_to_text(await ask(sender, standin, "logs -l app=nginx --prefix --tail 1"))
    assert (
        len({line.split("]")[0] for line in nginx.splitlines() if line.startswith("[pod/nginx-")})
        == 3
    )


async def test_logs_by_selector_count_against_the_read_limit(tmp_path: Path):
    async with KubeEmulator.from_paths(*demo_seed_paths()) as emulator, SlackStandIn() as standin:
        async with running_podium(emulator, standin, tmp_path, PODIUM_MAX_READS="3") as running:
            # 3 nginx pods: the list plus 3 log reads is more than 3.
            refused = message_to_text(await ask(running.sender, standin, "logs -l app=nginx"))
            assert (
                "this selects 3 log streams (3 pods); Podium reads at most 2 per command" in refused
            )
            assert "Narrow the selector" in refused
            assert "No resources found in sandbox namespace." in message_to_text(
                await ask(running.sender, standin, "logs -l app=nobody")
            )
