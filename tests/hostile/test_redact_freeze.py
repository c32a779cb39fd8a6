"""Issue 12, items 1 and 5 (logs): one person's huge log must not freeze the room or fill the chat.

`python -m bot serve` runs as a real process against the Kubernetes API emulator and the Slack
stand-in. One person reads a pod whose log is one 1 MB line of `eyJ-eyJ-…` (quadratic for the
old backtracking patterns: minutes of CPU on the event loop), another runs `/exercise check 4`
against a Job whose log is that same line; meanwhile 50 other people's `/kubectl get pods` must
all be acked within Slack's 3 s and answered. A 20 MB log is read at most 1 MiB at a time
(`limitBytes`), and the answer says it was cut and how to narrow it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.kubectl.logs import LOG_READ_LIMIT_BYTES
from bot.kubectl.redact import MAX_LINE_CHARS
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SentRequest, SlackSender
from tests.harness.exercises import fixture, participant_setup
from tests.harness.process import PodiumProcess, podium_env, start_podium, stop_podium
from tests.harness.room import CHANNEL, text_of

SIGNING_SECRET = "freeze-signing-secret-5e1f"
LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")
ONE_MB_LINE = "eyJ-" * 250_000  # 1,000,000 characters, no newline
HUGE_LINES = 200_000  # × 100 bytes: a 20 MB log
ROOM = [f"U0P{i:03d}" for i in range(50)]
SLACK_ACK_SECONDS = 3.0


def pod(name: str, namespace: str = "sandbox") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]},
    }


def pod_logs(name: str, lines: list[str], namespace: str = "sandbox") -> dict[str, Any]:
    return {
        "apiVersion": "devkit.podium/v1",
        "kind": "PodLogs",
        "metadata": {"namespace": namespace, "name": name},
        "lines": [{"time": "-5m", "text": line} for line in lines],
    }


def exercise_4_with_a_1mb_log() -> list[dict[str, Any]]:
    """U0ALICE's namespace: exercise 4's client Pod, whose (only) log line is 1 MB."""
    docs = [*participant_setup("U0ALICE"), *fixture("04-client-wrong-name.yaml")]
    for doc in docs:
        if doc.get("kind") == "PodLogs":
            doc["lines"] = [{"time": "-9m", "text": ONE_MB_LINE}]
    return docs


@pytest.fixture
async def emulator() -> AsyncIterator[KubeEmulator]:
    huge = [f"{i:08d} " + "x" * 90 for i in range(HUGE_LINES)]  # 100 bytes a line with the newline
    docs = [
        *load_documents(*demo_seed_paths()),
        pod("oneline"),
        pod_logs("oneline", [ONE_MB_LINE]),
        pod("huge"),
        pod_logs("huge", huge),
        *exercise_4_with_a_1mb_log(),
    ]
    async with KubeEmulator(docs) as emulator:
        yield emulator


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as standin:
        yield standin


@pytest.fixture
async def podium(
    emulator: KubeEmulator, standin: SlackStandIn, tmp_path
) -> AsyncIterator[PodiumProcess]:
    kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig")
    env = podium_env(
        standin,
        kubeconfig,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PODIUM_POST_INTERVAL="0",
        PODIUM_CLUSTER_TIMEOUT="20",
    )
    process = await start_podium(["serve", "--host", "127.0.0.1"], env, LISTENING)
    yield process
    await stop_podium(process)


async def served_log_read(
    emulator: KubeEmulator, pod_name: str, timeout: float = 20
) -> dict[str, str]:
    """The query of the first log read of `pod_name` the emulator has answered."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for record in emulator.requests:
            if (
                record.subresource == "log"
                and record.name == pod_name
                and record.status is not None
            ):
                return record.query
        await asyncio.sleep(0.01)
    raise AssertionError(f"Podium never read the log of {pod_name}")


async def answer_of(
    standin: SlackStandIn, sent: SentRequest, timeout: float = 60
) -> dict[str, Any]:
    [answer] = await standin.wait_for_responses(str(sent.response_url), count=1, timeout=timeout)
    return answer


async def test_a_1mb_log_line_does_not_delay_anyone_elses_ack(podium, emulator, standin):
    assert podium.events_url
    async with SlackSender(podium.events_url, SIGNING_SECRET, standin) as sender:
        reader = await sender.slash_command(
            "/kubectl", "logs oneline --tail=-1", user_id="U0BOB", channel_id=CHANNEL
        )
        checker = await sender.slash_command(
            "/exercise", "check 4", user_id="U0ALICE", channel_id=CHANNEL
        )
        assert reader.status == checker.status == 200
        await served_log_read(emulator, "oneline")  # the 1 MB line is in Podium's hands now
        room = await asyncio.gather(
            *(
                sender.slash_command("/kubectl", "get pods", user_id=user, channel_id=CHANNEL)
                for user in ROOM
            )
        )
        acks = sorted(sent.elapsed_seconds for sent in room)
        assert all(sent.status == 200 for sent in room)
        assert acks[-1] < SLACK_ACK_SECONDS, (
            f"slowest ack {acks[-1]:.2f}s, median {acks[len(acks) // 2]:.2f}s"
        )
        answers = await asyncio.gather(*(answer_of(standin, sent) for sent in room))
        assert all("nginx-" in text_of(answer) for answer in answers)

        logs_answer = text_of(await answer_of(standin, reader))
        assert f"Podium cut 1 line at {MAX_LINE_CHARS:,} characters" in logs_answer
        check_answer = text_of(await answer_of(standin, checker))
        assert (
            "Welcome to nginx" in check_answer and "eyJ-eyJ-" in check_answer
        )  # the last line, clipped


async def test_a_20mb_log_is_read_1mib_at_most_and_the_answer_says_so(podium, emulator, standin):
    assert podium.events_url
    async with SlackSender(podium.events_url, SIGNING_SECRET, standin) as sender:
        sent = await sender.slash_command(
            "/kubectl", "logs huge --tail=-1", user_id="U0BOB", channel_id=CHANNEL
        )
        answer = text_of(await answer_of(standin, sent))
        query = await served_log_read(emulator, "huge")
        assert query.get("limitBytes") == str(LOG_READ_LIMIT_BYTES)
        assert "Podium read only the first 1 MiB of this log" in answer
        assert "--tail=N, --since=10m or -c CONTAINER" in answer
        await standin.wait_for_call("files.completeUploadExternal", timeout=30)
        [snippet] = standin.files()
        assert LOG_READ_LIMIT_BYTES - 200 <= len(snippet.text.encode()) <= LOG_READ_LIMIT_BYTES
        assert snippet.text.startswith("00000000 ")  # the first bytes of what --tail selected
