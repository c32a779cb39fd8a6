"""A participant's kubectl token exists in one place only: the kubeconfig file in their DM.
`python -m bot --log-level DEBUG serve` as a real process hands out tokens (also a second one,
and one whose upload Slack refuses); its whole log (stderr), the audit CLI and every message,
ephemeral and response_url post Slack received are searched for them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender
from tests.harness.access import dm_files, seeded_with_access, token_of
from tests.harness.process import podium_env, start_podium, stop_podium
from tests.harness.room import text_of

SIGNING_SECRET = "hostile-access-secret-5e6f7a8b"
LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")


@pytest.fixture
async def emulator() -> AsyncIterator[KubeEmulator]:
    async with KubeEmulator(seeded_with_access()) as emulator:
        yield emulator


async def test_the_token_is_only_in_the_file(
    emulator: KubeEmulator, standin: SlackStandIn, tmp_path
):
    kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig")
    env = podium_env(
        standin, kubeconfig, SLACK_SIGNING_SECRET=SIGNING_SECRET, PODIUM_POST_INTERVAL="0"
    )
    podium = await start_podium(
        ["--log-level", "DEBUG", "serve", "--host", "127.0.0.1"], env, LISTENING
    )
    try:
        assert podium.events_url
        async with SlackSender(podium.events_url, SIGNING_SECRET, standin) as sender:
            answers = []
            for user in ("U0ALICE", "U0ALICE", "U0BOB"):
                sent = await sender.slash_command("/workshop", "access", user_id=user)
                [answer] = await standin.wait_for_responses(str(sent.response_url), timeout=20)
                answers.append(text_of(answer))
            standin.fail_next("files.completeUploadExternal", status=200, error="internal_error")
            sent = await sender.slash_command("/workshop", "access", user_id="U0BOB")
            [refused] = await standin.wait_for_responses(str(sent.response_url), timeout=20)
    finally:
        await stop_podium(podium)
    assert all(a.startswith("Sent to your DM with Podium") for a in answers)
    assert text_of(refused).startswith("Slack did not take the kubeconfig file")
    files = dm_files(standin, "U0ALICE") + dm_files(standin, "U0BOB")
    tokens = [token_of(f.text) for f in files]
    assert len(set(tokens)) == 3
    # The refused upload's token was minted too: every token the cluster issued is searched for.
    issued = [t for t, user in emulator.tokens.items() if user.endswith(":participant")]
    assert len(issued) == 4 and set(tokens) < set(issued)

    log = "\n".join(podium.stderr_lines)
    assert '"level": "debug"' in log
    posted = json.dumps([c.args for c in standin.calls() if not c.method.startswith("files.")])
    posted += json.dumps([r.body for r in standin.all_responses()])
    audit = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert audit.returncode == 0 and audit.stdout.count("issued access to U0") == 3
    for token in issued:
        for where, text in (("log", log), ("Slack messages", posted), ("audit", audit.stdout)):
            assert token not in text and token[-12:] not in text, where
