"""Issue 14, done when: the whole participant path at the process level.

A real `python -m bot serve` (DEBUG logging) against the Kubernetes API emulator, seeded the way a
workshop is set up (`manifests/podium/`, `manifests/sandbox/`, the demo, and `participants
manifests` for Alice and Bob), and the Slack stand-in. Alice presses "Get my kubectl access" on the
"How to follow along" slide; the kubeconfig that arrives in her DM drives the REAL kubectl, which
runs the four solutions' commands on their files (`kubectl apply -f web.yaml`, `kubectl scale
deployment web --replicas=4`: what `/exercise solution N` ends with) in her namespace (no `-n`:
the context presets it), is
refused in Bob's namespace and in the sandbox, and `/exercise check 1..4` then all pass. The token
is in no log line of Podium, no channel message, no ephemeral and no response_url post.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.exercises import load_exercises
from bot.ops.participants import build_participants, manifests
from bot.slack.workshop_command import ACCESS_ACTION
from bot.slides.deck import default_slides_folder, load_deck
from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender
from tests.harness.kubectl_binary import kubectl_binary
from tests.harness.process import _LISTENING, PodiumProcess, podium_env, start_podium, stop_podium

SIGNING_SECRET = "rehearsal-signing-secret-5d1e"
CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
ALICE, ALICE_NS = "U0ALICE", "ws-u0alice"
SOLUTIONS = Path(__file__).resolve().parents[2] / "manifests" / "exercises"
EXERCISES = Path(__file__).resolve().parents[2] / "slides" / "exercises"
FOLLOW_ALONG = next(
    s
    for s in load_deck(default_slides_folder() / "kubernetes-101.md").slides
    if s.title == "How to follow along"
)


def workshop_cluster() -> list[dict[str, Any]]:
    participants = build_participants([ALICE, "U0BOB"], "ws-{user}")
    return [*load_documents(*demo_seed_paths()), *manifests(participants)]


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    async with KubeEmulator(workshop_cluster()) as emulator:
        yield emulator


@pytest.fixture
async def podium(
    cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> AsyncIterator[PodiumProcess]:
    standin.add_channel(CHANNEL, "workshop")
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig", namespace="sandbox")
    env = podium_env(
        standin,
        kubeconfig,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PODIUM_INSTRUCTORS=TEACHER,
        PODIUM_POST_INTERVAL="0",
    )
    process = await start_podium(
        ["--log-level", "DEBUG", "serve", "--host", "127.0.0.1"], env, _LISTENING
    )
    yield process
    await stop_podium(process)


async def slash(
    sender: SlackSender, standin: SlackStandIn, command: str, text: str, user: str
) -> str:
    sent = await sender.slash_command(command, text, user_id=user, channel_id=CHANNEL)
    assert sent.status == 200
    replies = await standin.wait_for_responses(sent.response_url, count=1, timeout=30)
    return "\n".join(message_to_text(r) for r in replies)


async def test_a_participant_gets_access_does_the_exercises_with_kubectl_and_every_check_passes(
    podium: PodiumProcess, cluster: KubeEmulator, standin: SlackStandIn, tmp_path: Path
) -> None:
    sender = SlackSender(podium.events_url, SIGNING_SECRET, standin)
    try:
        await slash(sender, standin, "/slides", "start", TEACHER)
        await slash(sender, standin, "/slides", f"goto {FOLLOW_ALONG.number}", TEACHER)
        live = standin.messages(CHANNEL)[-1]
        [button] = [
            e
            for b in live["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == ACCESS_ACTION
        ]

        pressed = await sender.block_action(
            ACCESS_ACTION, button["value"], user_id=ALICE, channel_id=CHANNEL, message_ts=live["ts"]
        )
        [answer] = await standin.wait_for_responses(pressed.response_url, count=1, timeout=30)
        assert answer["response_type"] == "ephemeral" and "Sent to your DM" in message_to_text(
            answer
        )
        dm = standin.dm_channel(ALICE)
        for _ in range(200):
            files = [f for f in standin.files() if f.completed and f.channel_id == dm]
            if files:
                break
            await asyncio.sleep(0.05)
        [kubeconfig_file] = files
        config = yaml.safe_load(kubeconfig_file.text)
        token = config["users"][0]["user"]["token"]
        assert config["contexts"][0]["context"]["namespace"] == ALICE_NS
        path = tmp_path / kubeconfig_file.filename
        path.write_text(kubeconfig_file.text, encoding="utf-8")

        def kubectl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [kubectl_binary(), "--kubeconfig", str(path), *args],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=cwd,
            )

        # The four solutions, in order, as they end: their commands, run where their files are
        # saved, into her own namespace (no -n anywhere).
        for exercise in load_exercises(EXERCISES):
            folder = SOLUTIONS.parent.parent / exercise.solution.path
            for command in exercise.solution.run:
                words = shlex.split(command)
                assert words[0] == "kubectl", command
                done = await asyncio.to_thread(kubectl, *words[1:], cwd=folder)
                assert done.returncode == 0, (command, done.stderr)
                assert ("created" if words[1] == "apply" else "scaled") in done.stdout, done.stdout
        assert cluster.get_object("deployments", ALICE_NS, "web")["spec"]["replicas"] == 4
        # Refused next door and in the sandbox, in the API server's words.
        for other in ("ws-u0bob", "sandbox"):
            refused = await asyncio.to_thread(
                kubectl, "apply", "-n", other, "-f", str(SOLUTIONS / "02-deployment")
            )
            assert refused.returncode != 0
            assert (
                f'User "system:serviceaccount:{ALICE_NS}:participant" cannot' in refused.stderr
                and f'in the namespace "{other}"' in refused.stderr
            ), refused.stderr
        assert cluster.objects("deployments", "ws-u0bob") == []
        assert [d["metadata"]["name"] for d in cluster.objects("deployments", "sandbox")] == [
            "nginx"
        ]

        for number in (1, 2, 3, 4):
            report = await slash(sender, standin, "/exercise", f"check {number}", ALICE)
            assert "❌" not in report, report
            assert "all " in report and f"checks pass in {ALICE_NS}" in report, report

        # The token: nowhere but in the file in her DM.
        posted = json.dumps([c.args for c in standin.calls() if not c.method.startswith("files.")])
        posted += json.dumps([r.body for r in standin.all_responses()])
        assert token not in posted
        await stop_podium(podium)
        log = "\n".join(podium.stderr_lines)
        assert '"level": "debug"' in log  # the log really was verbose
        assert token not in log and token[-12:] not in log
    finally:
        await sender.close()
