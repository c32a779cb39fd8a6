"""Get my kubectl access, end to end through the real Bolt app, the Slack stand-in and the
Kubernetes API emulator: every way of asking ends with exactly one kubeconfig file in the asker's
DM, and the token is in no channel, ephemeral, response_url post, log record or audit entry."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.access.service import TURNED_OFF
from bot.slack.workshop_command import ACCESS_ACTION
from bot.slides.deck import default_slides_folder, load_deck
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from tests.harness.access import CHANNEL, TEACHER, dm_files, token_of, workshop
from tests.harness.conversation import direct, finished, mention
from tests.harness.kubectl_binary import kubectl_binary
from tests.harness.running import Running, running_podium

DECK = load_deck(default_slides_folder() / "kubernetes-101.md")
FOLLOW_ALONG = next(s for s in DECK.slides if s.title == "How to follow along")


def everything_posted(standin: SlackStandIn) -> str:
    """Every message, ephemeral and response_url post Slack holds, outside files, as one text."""
    calls = [c for c in standin.calls() if not c.method.startswith("files.")]
    posted = json.dumps([c.args for c in calls]) + json.dumps(
        [r.body for r in standin.all_responses()]
    )
    return posted


async def one_file_for(standin: SlackStandIn, user: str, count: int = 1) -> str:
    for _ in range(100):
        if len(dm_files(standin, user)) >= count:
            break
        await asyncio.sleep(0.05)
    files = dm_files(standin, user)
    assert len(files) == count, [f.filename for f in files]
    return files[-1].text


def assert_a_kubeconfig_for(text: str, emulator: KubeEmulator, namespace: str) -> str:
    config = yaml.safe_load(text)
    [context] = config["contexts"]
    assert context["context"]["namespace"] == namespace
    assert config["current-context"] == context["name"]
    assert config["clusters"][0]["cluster"]["server"] == emulator.https_url
    assert config["clusters"][0]["cluster"]["certificate-authority-data"]
    token = token_of(text)
    assert emulator.tokens[token] == f"system:serviceaccount:{namespace}:participant"
    return token


async def test_slash_command_in_a_channel_sends_the_file_to_the_dm_and_answers_privately(
    room: Running,
):
    reply = await workshop(room, "access")
    assert reply["response_type"] == "ephemeral"
    assert message_to_text(reply).startswith(
        "Sent to your DM with Podium: a kubeconfig file, valid until "
    )
    text = await one_file_for(room.standin, "U0ALICE")
    token = assert_a_kubeconfig_for(text, room.emulator, "ws-u0alice")
    [upload] = dm_files(room.standin, "U0ALICE")
    assert upload.filename == "podium-ws-u0alice.kubeconfig"
    comment = upload.initial_comment or ""
    for needed in (
        "export KUBECONFIG=~/Downloads/podium-ws-u0alice.kubeconfig",
        '$env:KUBECONFIG="$HOME\\Downloads\\podium-ws-u0alice.kubeconfig"',
        "--kubeconfig",
        "kubectl get pods",
        "kubectl auth can-i create deployments",
        "https://kubernetes.io/docs/tasks/tools/",
        "ws-u0alice",
        "expires at",
    ):
        assert needed in comment, needed
    assert token not in everything_posted(room.standin)
    assert room.standin.messages(CHANNEL) == []  # nothing in the channel


async def test_asking_again_issues_a_new_token_and_says_the_first_keeps_working(room: Running):
    await workshop(room, "access")
    first = token_of(await one_file_for(room.standin, "U0ALICE"))
    again = message_to_text(await workshop(room, "access"))
    assert "Your earlier file keeps working until it expires." in again
    second = token_of(await one_file_for(room.standin, "U0ALICE", count=2))
    assert second != first and {first, second} <= set(room.emulator.tokens)
    assert "the file you got earlier keeps working" in (
        dm_files(room.standin, "U0ALICE")[-1].initial_comment or ""
    )


async def test_the_follow_along_slide_button(room: Running):
    sent = await room.sender.slash_command("/slides", "start", user_id=TEACHER, channel_id=CHANNEL)
    await room.standin.wait_for_responses(sent.response_url, timeout=10)
    sent = await room.sender.slash_command(
        "/slides", f"goto {FOLLOW_ALONG.number}", user_id=TEACHER, channel_id=CHANNEL
    )
    await room.standin.wait_for_responses(sent.response_url, timeout=10)
    live = room.standin.messages(CHANNEL)[-1]
    buttons = [e for b in live["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["text"]["text"] for e in buttons if e["action_id"] == ACCESS_ACTION] == [
        "Get my kubectl access"
    ]
    pressed = await room.sender.block_action(
        ACCESS_ACTION, "access", user_id="U0BOB", channel_id=CHANNEL, message_ts=live["ts"]
    )
    [reply] = await room.standin.wait_for_responses(pressed.response_url, timeout=15)
    assert reply["response_type"] == "ephemeral" and "Sent to your DM" in message_to_text(reply)
    token = assert_a_kubeconfig_for(
        await one_file_for(room.standin, "U0BOB"), room.emulator, "ws-u0bob"
    )
    assert dm_files(room.standin, "U0ALICE") == [] and dm_files(room.standin, TEACHER) == []
    assert token not in everything_posted(room.standin)


async def test_the_app_home_button(room: Running):
    await room.sender.event(
        {
            "type": "app_home_opened",
            "user": "U0ALICE",
            "tab": "home",
            "channel": room.standin.dm_channel("U0ALICE"),
            "event_ts": "1.0",
        }
    )
    await room.standin.wait_for_call("views.publish", timeout=10)
    home = room.standin.home_view("U0ALICE")
    assert home is not None
    [button] = [
        b["accessory"]
        for b in home["blocks"]
        if (b.get("accessory") or {}).get("action_id") == ACCESS_ACTION
    ]
    pressed = await room.sender.block_action(
        ACCESS_ACTION, button["value"], user_id="U0ALICE", view=home
    )
    assert pressed.status == 200
    token = assert_a_kubeconfig_for(
        await one_file_for(room.standin, "U0ALICE"), room.emulator, "ws-u0alice"
    )
    assert token not in everything_posted(room.standin)


async def test_mention_in_a_channel_answers_ephemerally_and_dm_access_works(room: Running):
    asked = await mention(room, "access")
    await finished(room, asked)
    [ephemeral] = room.standin.ephemerals(CHANNEL, user="U0ALICE")
    assert (
        ephemeral["via"] == "chat.postEphemeral" and ephemeral["message"]["thread_ts"] == asked.ts
    )
    assert "Sent to your DM with Podium" in ephemeral["message"]["text"]
    assert [m for m in room.standin.messages(CHANNEL) if m.get("bot_id")] == []  # nothing public
    first = token_of(await one_file_for(room.standin, "U0ALICE"))
    asked = await direct(room, "access")
    await finished(room, asked)
    second = token_of(await one_file_for(room.standin, "U0ALICE", count=2))
    posted = everything_posted(room.standin)
    assert first not in posted and second not in posted


async def test_the_real_kubectl_works_with_the_file_in_its_own_namespace_only(
    room: Running, tmp_path: Path
):
    await workshop(room, "access")
    path = tmp_path / "podium-ws-u0alice.kubeconfig"
    path.write_text(await one_file_for(room.standin, "U0ALICE"), encoding="utf-8")

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [kubectl_binary(), "--kubeconfig", str(path), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    own = await asyncio.to_thread(kubectl, "get", "pods")
    assert own.returncode == 0, own.stderr
    assert "No resources found in ws-u0alice namespace." in own.stderr
    for other in ("ws-u0bob", "sandbox"):
        refused = await asyncio.to_thread(kubectl, "get", "pods", "-n", other)
        assert refused.returncode != 0
        assert (
            f'pods is forbidden: User "system:serviceaccount:ws-u0alice:participant" cannot list resource '
            f'"pods" in API group "" in the namespace "{other}"'
        ) in refused.stderr


async def test_the_token_is_in_no_log_record_and_not_in_the_audit(
    room: Running, caplog: pytest.LogCaptureFixture
):
    for name in (
        "",
        "bot",
        "slack_sdk",
        "slack_bolt",
        "aiohttp",
        "aiohttp.access",
        "aiohttp.client",
        "urllib3",
        "kubernetes",
        "asyncio",
    ):
        caplog.set_level(logging.DEBUG, logger=name)
    await workshop(room, "access")
    await workshop(room, "access", user="U0BOB")
    tokens = [
        token_of(await one_file_for(room.standin, "U0ALICE")),
        token_of(await one_file_for(room.standin, "U0BOB")),
    ]
    assert any(
        r.name.startswith("slack_sdk") and r.levelno == logging.DEBUG for r in caplog.records
    )  # DEBUG on
    for record in caplog.records:
        seen = " ".join([record.getMessage(), str(record.args), record.exc_text or ""])
        assert not any(token in seen for token in tokens), record.name
    entries = await room.podium.audit.recent()
    lines = [e.command_line for e in entries if e.verb == "access"]
    assert len(lines) == 2 and all(
        line and line.startswith("issued access to U0") and " until " in line for line in lines
    )
    assert "issued access to U0ALICE until " in lines[0]
    assert not any(token in json.dumps(entry.__dict__) for token in tokens for entry in entries)
    exposition, _ = room.podium.metrics.exposition()
    assert not any(token.encode() in exposition for token in tokens)


async def test_off_and_on_by_an_instructor_survives_a_restart(cluster, standin, tmp_path):
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as first:
        refused = message_to_text(await workshop(first, "access off", user="U0ALICE"))
        assert "Only the instructors" in refused
        assert "is off" in message_to_text(await workshop(first, "access off", user=TEACHER))
        assert message_to_text(await workshop(first, "access")) == TURNED_OFF
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as second:
        assert message_to_text(await workshop(second, "access")) == TURNED_OFF
        assert dm_files(standin, "U0ALICE") == []
        assert "is on" in message_to_text(await workshop(second, "access on", user=TEACHER))
        assert "Sent to your DM" in message_to_text(await workshop(second, "access"))
        await one_file_for(standin, "U0ALICE")


async def test_help_and_usage(room: Running):
    for text in ("", "help", "access help"):
        assert "`/workshop access`: a kubeconfig for your own namespace" in message_to_text(
            await workshop(room, text)
        )
    wrong = message_to_text(await workshop(room, "acces"))
    assert "does not know 'acces'" in wrong and "`/workshop access`" in wrong


async def test_each_failure_gets_one_line(room: Running):
    missing = message_to_text(await workshop(room, "access", user="U0CAROL"))
    assert missing == (
        "Your namespace ws-u0carol is not set up yet: ask the instructor to run "
        "`python -m bot participants manifests --users U0CAROL | kubectl apply -f -`"
    )
    forbidden = message_to_text(await workshop(room, "access", user="U0DAVE"))
    assert forbidden.startswith(
        "Podium is not allowed to issue tokens in ws-u0dave: the instructor must apply "
        "`manifests/podium/` and the participant manifests"
    )
    instructor = message_to_text(await workshop(room, "access", user=TEACHER))
    assert instructor == (
        "Podium cannot issue you a token for ws-u0instructor: instructors get kubectl access through Podium only "
        "to a participant namespace that exists and is set up (`python -m bot participants manifests --users "
        "U0INSTRUCTOR | kubectl apply -f -`); your own kubeconfig works meanwhile."
    )
    room.emulator.inject_fault(503, path_contains="/serviceaccounts/participant/token")
    down = message_to_text(await workshop(room, "access"))
    assert down == "The workshop cluster is not answering right now: try again in a minute."
    room.standin.fail_next("files.completeUploadExternal", status=200, error="internal_error")
    slack = message_to_text(await workshop(room, "access"))
    assert (
        slack
        == "Slack did not take the kubeconfig file (internal_error), so nothing was sent: try again in a minute."
    )
    assert dm_files(room.standin, "U0ALICE") == []
    assert room.standin.messages(room.standin.dm_channel("U0ALICE")) == []  # nothing half-sent
    for user in ("U0CAROL", "U0DAVE", TEACHER):
        assert dm_files(room.standin, user) == []


async def test_a_budget_per_person(cluster, standin, tmp_path):
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_BUDGETS="access=2/3600s"
    ) as running:
        for _ in range(2):
            assert "Sent to your DM" in message_to_text(await workshop(running, "access"))
        third = message_to_text(await workshop(running, "access"))
        assert third.startswith(
            "Slow down: you are sending requests for kubectl access faster than a workshop "
            "needs; try again in "
        ) and third.endswith(" min.")
        assert "Sent to your DM" in message_to_text(await workshop(running, "access", user="U0BOB"))
        await one_file_for(standin, "U0ALICE", count=2)


async def test_turned_off_in_the_settings(cluster, standin, tmp_path):
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_ACCESS="off", PODIUM_INSTRUCTORS=TEACHER
    ) as running:
        assert "PODIUM_ACCESS=off" in message_to_text(await workshop(running, "access"))
        assert "PODIUM_ACCESS=off" in message_to_text(
            await workshop(running, "access on", user=TEACHER)
        )
        sent = await running.sender.slash_command(
            "/slides",
            f"browse kubernetes-101 {FOLLOW_ALONG.number}",
            user_id="U0ALICE",
            channel_id=CHANNEL,
        )
        await running.standin.wait_for_responses(sent.response_url, timeout=10)
        assert ACCESS_ACTION not in json.dumps(
            running.standin.messages(running.standin.dm_channel("U0ALICE"))
        )
        assert dm_files(standin, "U0ALICE") == []


async def test_a_failed_upload_of_the_bytes_sends_nothing(room: Running):
    room.standin.fail_next("files.upload", status=500, times=5)
    line = message_to_text(await workshop(room, "access"))
    assert (
        line
        == "Podium could not send the kubeconfig file to your DM, so nothing was sent: try again in a minute."
    )
    assert dm_files(room.standin, "U0ALICE") == []
    assert room.standin.messages(room.standin.dm_channel("U0ALICE")) == []


async def test_from_the_app_home_a_refusal_arrives_in_the_dm(room: Running):
    await workshop(room, "access off", user=TEACHER)
    await room.sender.event(
        {
            "type": "app_home_opened",
            "user": "U0ALICE",
            "tab": "home",
            "channel": room.standin.dm_channel("U0ALICE"),
            "event_ts": "1.0",
        }
    )
    await room.standin.wait_for_call("views.publish", timeout=10)
    home = room.standin.home_view("U0ALICE")
    assert home is not None and "`ws-u0alice`" in json.dumps(home)
    await room.sender.block_action(ACCESS_ACTION, "access", user_id="U0ALICE", view=home)
    call = await room.standin.wait_for_call("chat.postMessage", timeout=10)
    assert call.ok and call.args["channel"] == "U0ALICE" and call.args["text"] == TURNED_OFF
    assert dm_files(room.standin, "U0ALICE") == []


async def test_mentions_switch_and_refuse_privately_too(room: Running):
    asked = await mention(room, "access off")
    await finished(room, asked)
    [refused] = room.standin.ephemerals(CHANNEL, user="U0ALICE")
    assert refused["message"]["text"].startswith("Only the instructors")
    asked = await mention(room, "access off", user=TEACHER)
    await finished(room, asked)
    [switched] = room.standin.ephemerals(CHANNEL, user=TEACHER)
    assert switched["message"]["text"].startswith("kubectl access is off")
    assert message_to_text(await workshop(room, "access")) == TURNED_OFF
    assert [m for m in room.standin.messages(CHANNEL) if m.get("bot_id")] == []


async def test_asking_again_after_a_restart_still_says_the_earlier_file_works(
    cluster, standin, tmp_path
):
    async with running_podium(cluster, standin, tmp_path) as first:
        assert "earlier" not in message_to_text(await workshop(first, "access"))
    async with running_podium(cluster, standin, tmp_path) as second:
        again = message_to_text(await workshop(second, "access"))
        assert again.endswith("Your earlier file keeps working until it expires.")
        assert "Your earlier file" not in message_to_text(
            await workshop(second, "access", user="U0BOB")
        )
        body, _ = second.podium.metrics.exposition()
        assert b'podium_commands_total{outcome="ok",verb="access"} 2.0' in body
        await workshop(second, "access", user="U0DAVE")
        body, _ = second.podium.metrics.exposition()
        assert b'podium_commands_total{outcome="refused",verb="access"} 1.0' in body


async def test_help_in_the_dm_names_access(room: Running):
    asked = await direct(room, "help")
    await finished(room, asked)
    [reply] = [m for m in room.standin.messages(asked.channel) if m.get("bot_id")]
    assert "your own kubectl access: a kubeconfig file in your DM" in json.dumps(reply)
