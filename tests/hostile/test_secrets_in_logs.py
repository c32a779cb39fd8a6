"""`python -m bot --log-level DEBUG serve` as a real process, taken through good commands, a
failing cluster call, failing Slack calls and forged requests: its log (stderr, as a collector
reads it) never carries the bot token, the signing secret, the app token or the cluster token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.slack.output import SHARE_ACTION
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import Forge, SlackSender
from tests.harness.process import PodiumProcess, podium_env, start_podium, stop_podium
from tests.harness.room import BOT, CHANNEL, text_of

BOT_TOKEN = "xoxb-7741-2200-hostilebottokenc0ffee"
APP_TOKEN = "xapp-1-A0HOSTILE-7741-hostileapptoken5eed"
SIGNING_SECRET = "hostile-signing-secret-8c1d2e9f"
CLUSTER_TOKEN = "kube-hostile-bearer-token-4b5c6d7e"
SECRETS = {
    "bot token": BOT_TOKEN,
    "app token": APP_TOKEN,
    "signing secret": SIGNING_SECRET,
    "cluster token": CLUSTER_TOKEN,
}
LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")


@pytest.fixture
async def emulator() -> AsyncIterator[KubeEmulator]:
    async with KubeEmulator(
        load_documents(*demo_seed_paths()), tokens={CLUSTER_TOKEN: KubeEmulator.DEFAULT_USER}
    ) as emulator:
        yield emulator


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as standin:
        yield standin


@pytest.fixture
async def debug_podium(
    emulator: KubeEmulator, standin: SlackStandIn, tmp_path
) -> AsyncIterator[PodiumProcess]:
    kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig", token=CLUSTER_TOKEN)
    env = podium_env(
        standin,
        kubeconfig,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN=APP_TOKEN,
        PODIUM_CLUSTER_TIMEOUT="2",
        PODIUM_POST_INTERVAL="0",
    )
    podium = await start_podium(
        ["--log-level", "DEBUG", "serve", "--host", "127.0.0.1"], env, LISTENING
    )
    yield podium
    await stop_podium(podium)


async def ask(sender: SlackSender, standin: SlackStandIn, text: str, **kwargs) -> dict:
    sent = await sender.slash_command("/kubectl", text, **kwargs)
    assert sent.status == 200
    [answer] = await standin.wait_for_responses(str(sent.response_url), timeout=15)
    return answer


async def test_debug_logs_never_carry_a_credential(debug_podium, emulator, standin):
    assert debug_podium.events_url
    async with SlackSender(debug_podium.events_url, SIGNING_SECRET, standin) as sender:
        answer = await ask(sender, standin, "get pods")  # a good command
        assert "nginx-" in text_of(answer)
        emulator.inject_fault(
            status=500, times=1, path_contains="/deployments"
        )  # a failing cluster call
        assert "Error from server (InternalError)" in text_of(
            await ask(sender, standin, "get deploy")
        )
        emulator.inject_fault(
            status=None, delay=4, times=1, path_contains="/services"
        )  # a slow one
        assert "Unable to connect to the server" in text_of(await ask(sender, standin, "get svc"))

        standin.fail_next(
            "response_url", status=500, times=3
        )  # failing on every try: the answer goes to the DM
        await sender.slash_command("/kubectl", "get rs", user_id="U0BOB")
        await standin.wait_for_call(
            "chat.postMessage", predicate=lambda c: c.args.get("channel") == "D0BOB", timeout=15
        )

        standin.fail_next(
            "chat.postMessage", status=500, times=10
        )  # Slack refusing a Share in channel
        [button] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
        pressed = await sender.block_action(SHARE_ACTION, button["value"])
        await standin.wait_for_responses(str(pressed.response_url), timeout=20)

        message = standin.post_user_message(CHANNEL, "U0ALICE", f"<@{BOT}> get pods")  # a mention
        await sender.event(
            {
                "type": "app_mention",
                "user": "U0ALICE",
                "text": message["text"],
                "ts": message["ts"],
                "channel": CHANNEL,
                "event_ts": message["ts"],
            }
        )
        await standin.wait_for_call(
            "reactions.add",
            timeout=20,
            predicate=lambda c: c.args.get("name") in ("white_check_mark", "warning"),
        )

        for forge in Forge:  # refused requests are logged too
            assert (await sender.slash_command("/kubectl", "get pods", forge=forge)).status == 401
    await stop_podium(debug_podium)

    log = "\n".join(debug_podium.stderr_lines)
    assert '"level": "debug"' in log  # DEBUG really was on
    assert (
        "response_url failed" in log and "Slack API chat.postMessage failed: internal_error" in log
    )
    leaked = {
        name: [line[:200] for line in debug_podium.stderr_lines if secret in line]
        for name, secret in SECRETS.items()
    }
    assert leaked == {name: [] for name in SECRETS}
    # Not even a recognisable piece of one (a prefix long enough to narrow a guess).
    for name, secret in SECRETS.items():
        assert secret[-12:] not in log, name
