"""What keeps a room of 200 fast and the operator informed: shared reads, a per-person budget,
metrics, the audit log."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from podium_devkit.console import message_to_text
from podium_devkit.kube_api import KubeEmulator
from tests.harness.running import Running, running_podium


@pytest.fixture
async def room(cluster, standin, tmp_path) -> AsyncIterator[Running]:
    async with running_podium(cluster, standin, tmp_path) as running:
        yield running


def pod_lists(emulator: KubeEmulator) -> list:
    return [r for r in emulator.requests if r.resource == "pods" and r.verb == "list"]


async def test_two_hundred_identical_commands_cost_at_most_two_api_requests(room: Running):
    sends = [
        room.sender.slash_command("/kubectl", "get pods", user_id=f"U{i:04d}") for i in range(200)
    ]
    sent = await asyncio.gather(*sends)
    assert all(s.status == 200 for s in sent)
    answers = await asyncio.gather(
        *(room.standin.wait_for_responses(s.response_url, timeout=30) for s in sent)
    )
    assert all("nginx-" in message_to_text(a[0]) for a in answers)
    assert 1 <= len(pod_lists(room.emulator)) <= 2


async def test_repeats_after_the_freshness_window_ask_the_cluster_again(cluster, standin, tmp_path):
    # A window of 1 s: two sequential commands fall within it even on a loaded machine.
    async with running_podium(cluster, standin, tmp_path, PODIUM_READ_CACHE_SECONDS="1") as running:
        for _ in range(2):
            sent = await running.sender.slash_command("/kubectl", "get pods")
            await standin.wait_for_responses(sent.response_url, timeout=10)
        assert len(pod_lists(cluster)) == 1  # the second came within the window
        await asyncio.sleep(1.1)
        sent = await running.sender.slash_command("/kubectl", "get pods")
        await standin.wait_for_responses(sent.response_url, timeout=10)
        assert len(pod_lists(cluster)) == 2  # never older than the window


async def test_a_person_over_their_budget_gets_a_polite_answer(cluster, standin, tmp_path):
    async with running_podium(cluster, standin, tmp_path, PODIUM_USER_RATE="3/60s") as running:
        replies = []
        for _ in range(4):
            sent = await running.sender.slash_command("/kubectl", "get pods", user_id="U0ALICE")
            replies.append(
                message_to_text(
                    (await standin.wait_for_responses(sent.response_url, timeout=10))[0]
                )
            )
        assert all("nginx-" in r for r in replies[:3])
        assert "faster than a workshop needs; try again in" in replies[3]
        sent = await running.sender.slash_command("/kubectl", "get pods", user_id="U0BOB")
        assert "nginx-" in message_to_text(
            (await standin.wait_for_responses(sent.response_url, timeout=10))[0]
        )


METRICS_TOKEN = "metrics-token-for-tests-0123456789"


async def test_metrics_count_commands_and_api_requests(cluster, standin, tmp_path):
    async with running_podium(
        cluster, standin, tmp_path, PODIUM_METRICS_TOKEN=METRICS_TOKEN
    ) as room:
        await _assert_metrics_count_commands_and_api_requests(room)


async def _assert_metrics_count_commands_and_api_requests(room: Running) -> None:
    for text in ("get pods", "get pods -n kube-system", "get pod nope"):
        sent = await room.sender.slash_command("/kubectl", text)
        await room.standin.wait_for_responses(sent.response_url, timeout=10)
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    ) as session:
        async with session.get(f"{room.base_url}/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain")
            body = await response.text()
    assert 'podium_commands_total{outcome="ok",verb="get"} 1.0' in body
    assert 'podium_commands_total{outcome="refused",verb="get"} 1.0' in body
    assert 'podium_commands_total{outcome="error",verb="get"} 1.0' in body
    assert 'podium_kube_api_requests_total{outcome="ok"}' in body
    assert 'podium_kube_api_requests_total{outcome="NotFound"} 1.0' in body
    assert "podium_command_seconds_bucket" in body


async def test_audit_log_records_every_command_and_the_cli_reads_it(room: Running, tmp_path):
    for text in ("get pods", "delete pod x"):
        sent = await room.sender.slash_command(
            "/kubectl", text, user_id="U0BOB", channel_id="C0WORKSHOP"
        )
        await room.standin.wait_for_responses(sent.response_url, timeout=10)
    entries = await room.podium.audit.recent()
    assert [(e.user_id, e.channel_id, e.source, e.command_line, e.outcome) for e in entries] == [
        ("U0BOB", "C0WORKSHOP", "slash", "kubectl get pods -n sandbox", "ok"),
        ("U0BOB", "C0WORKSHOP", "slash", None, "refused"),
    ]
    assert entries[1].text == "delete pod x"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PODIUM_", "KUBE"))}
    env["PODIUM_STATE"] = str(tmp_path / "state.db")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "audit",
        "--user",
        "U0BOB",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 2 and "kubectl get pods -n sandbox" in lines[0] and "refused" in lines[1]
