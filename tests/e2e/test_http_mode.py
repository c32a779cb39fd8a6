"""`python -m bot serve` as a real process: signed slash commands in, answers at the response_url."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3

import pytest

from podium_devkit.console import message_to_text
from podium_devkit.slack_sender import Forge
from tests.harness.process import wait_for_pod_list

POD_ROW = re.compile(r"^nginx-[a-z0-9]+-[a-z0-9]{5}\s+1/1\s+Running\s+0\s+\S+$")


def cluster_requests(emulator):
    return [
        r for r in emulator.requests if not r.path.startswith(("/version", "/api/v1?", "/apis"))
    ]


async def test_signed_get_pods_is_answered_with_the_pod_table(sender, standin, emulator):
    sent = await sender.slash_command("/kubectl", "get pods")
    assert sent.status == 200
    assert sent.elapsed_seconds < 3  # Slack's ack deadline
    [response] = await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    assert response.get("response_type", "ephemeral") == "ephemeral"
    text = message_to_text(response)
    lines = text.splitlines()
    assert lines[0] == "`kubectl get pods -n sandbox`"
    assert re.match(r"^NAME\s{3,}READY\s{3}STATUS\s{4}RESTARTS\s{3}AGE$", lines[1])
    rows = [line for line in lines[2:] if line.startswith("nginx-")]
    assert len(rows) == 3 and all(POD_ROW.match(row) for row in rows), text
    listed = [r for r in emulator.requests if r.resource == "pods"]
    assert listed and all(r.namespace == "sandbox" for r in listed)


async def test_wide_and_selector_reach_the_cluster(sender, standin, emulator):
    sent = await sender.slash_command("/kubectl", "get po -l app=nginx -o wide")
    [response] = await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    text = message_to_text(response)
    assert "IP" in text and "NOMINATED NODE" in text and "READINESS GATES" in text
    pod_lists = [r for r in emulator.requests if r.resource == "pods"]
    assert any(
        "labelSelector" in r.query and r.query["labelSelector"] == "app=nginx" for r in pod_lists
    )


async def test_not_found_is_answered_in_kubectls_words(sender, standin):
    sent = await sender.slash_command("/kubectl", "get pod no-such-pod")
    [response] = await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    assert 'Error from server (NotFound): pods "no-such-pod" not found' in message_to_text(response)


async def test_other_namespace_is_refused_without_a_cluster_request(sender, standin, emulator):
    before = len(emulator.requests)
    sent = await sender.slash_command("/kubectl", "get pods -n kube-system")
    [response] = await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    assert "`kube-system` is outside the workshop" in message_to_text(response)
    assert len(emulator.requests) == before


@pytest.mark.parametrize("tamper", ["forged", "stale"])
async def test_forged_or_stale_requests_get_401_and_reach_no_handler(
    sender, standin, emulator, tamper
):
    before = len(emulator.requests)
    forge = Forge.WRONG_SECRET if tamper == "forged" else Forge.STALE
    sent = await sender.slash_command("/kubectl", "get pods", forge=forge)
    assert sent.status == 401
    await asyncio.sleep(0.5)  # give a (wrongly) running handler time to show itself
    assert standin.responses(sent.response_url) == []
    assert len(emulator.requests) == before


async def test_healthz_and_auth_test_once(http_podium, sender, standin):
    for _ in range(2):
        sent = await sender.slash_command("/kubectl", "help")
        await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    assert len(standin.calls("auth.test")) == 1  # single workspace: auth.test is cached


async def test_sigterm_finishes_the_answers_in_progress_before_exiting(
    http_podium, sender, standin, emulator, kubeconfig
):
    """A rollout or node drain sends SIGTERM: whoever was already acked still gets their answer,
    and it is in the audit log on disk."""
    emulator.clear_requests()
    emulator.inject_fault(status=None, delay=1.5, times=1, path_contains="/pods")  # a slow cluster
    sent = await sender.slash_command("/kubectl", "get pods", user_id="U0BOB")
    assert sent.status == 200
    await wait_for_pod_list(emulator)
    http_podium.process.send_signal(signal.SIGTERM)
    [response] = await standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    assert "nginx-" in message_to_text(response)
    assert await asyncio.wait_for(http_podium.process.wait(), timeout=15) == 0
    with sqlite3.connect(kubeconfig.parent / "state.db") as state:
        audited = state.execute("SELECT user_id, text, outcome FROM audit").fetchall()
    assert audited == [("U0BOB", "get pods", "ok")]
    assert any('"stopping: no new requests' in line for line in http_podium.stderr_lines)
