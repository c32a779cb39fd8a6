"""The same command over Socket Mode, and the console as a user runs it (piped stdin)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from podium_devkit.console import message_to_text
from tests.harness.process import (
    console_session,
    podium_env,
    start_podium,
    stop_podium,
    wait_for_pod_list,
)


async def test_get_pods_over_socket_mode(standin, kubeconfig, emulator):
    env = podium_env(standin, kubeconfig, SLACK_APP_TOKEN=standin.app_token)
    podium = await start_podium(["socket"], env, ready=None)
    try:
        await standin.wait_for_socket_client(timeout=30)
        delivery = await standin.socket_slash_command("/kubectl", "get pods", timeout=10)
        assert delivery.ack["envelope_id"] == delivery.envelope["envelope_id"]
        [response] = await standin.wait_for_responses(delivery.response_url, count=1, timeout=15)
        text = message_to_text(response)
        assert "NAME" in text and text.count("Running") == 3, text
        assert all(r.namespace == "sandbox" for r in emulator.requests if r.resource == "pods")
    finally:
        await stop_podium(podium)


async def test_socket_mode_refusal_makes_no_cluster_request(standin, kubeconfig, emulator):
    env = podium_env(standin, kubeconfig, SLACK_APP_TOKEN=standin.app_token)
    podium = await start_podium(["socket"], env, ready=None)
    try:
        await standin.wait_for_socket_client(timeout=30)
        before = len(emulator.requests)
        delivery = await standin.socket_slash_command("/kubectl", "get pods -A", timeout=10)
        [response] = await standin.wait_for_responses(delivery.response_url, count=1, timeout=15)
        assert "--all-namespaces` is refused" in message_to_text(response)
        assert len(emulator.requests) == before
    finally:
        await stop_podium(podium)


async def run_console(stdin: bytes, **env_extra: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PODIUM_", "KUBE"))}
    env.update(env_extra)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=60)
    return process.returncode, out.decode(), err.decode()


async def test_console_piped_prints_the_demo_pods():
    code, out, err = await run_console(b"/kubectl get pods\n")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("kubectl in a second terminal: export KUBECONFIG="), out
    assert lines[0].split("KUBECONFIG=", 1)[1].split()[0].endswith("/podium-console.kubeconfig"), (
        out
    )
    assert lines[1].startswith("Podium console · cluster: built-in demo sandbox"), out
    assert any(line.startswith("NAME ") and "STATUS" in line for line in lines), out
    assert sum(1 for line in lines if line.startswith("nginx-") and "Running" in line) == 3, out


async def test_console_answers_every_line_and_uses_kubeconfig(tmp_path, emulator):
    kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig", namespace="sandbox")
    code, out, err = await run_console(
        b"/kubectl get pods -n kube-system\nkubectl get pod nope\n/frob x\n/kubectl delete pod x\n",
        KUBECONFIG=str(kubeconfig),
    )
    assert code == 0, err
    assert f"from KUBECONFIG={kubeconfig}" in out.splitlines()[0]
    assert "`kube-system` is outside the workshop" in out
    assert 'Error from server (NotFound): pods "nope" not found' in out
    assert "Podium has no /frob command" in out
    assert "Podium is read-only" in out


async def test_console_presents_slides_as_text():
    code, out, err = await run_console(b"/slides start\n/slides next\n/slides status\n")
    assert code == 0, err
    assert "── posted in #workshop ──\nKubernetes 101" in out
    assert "Slide 1/" in out and "Slide 2/" in out
    assert "Speaker notes" in out  # the console's user is the presenter
    assert "is live: slide 2/" in out


async def test_slides_lint_command_checks_the_real_deck():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "slides",
        "lint",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, out.decode() + err.decode()
    assert "kubernetes-101.md" in out.decode()


async def test_console_has_the_users_own_namespace_for_exercises_and_questions():
    code, out, err = await run_console(
        b"/exercise check 1\n/slides start\n/ask --anon why a ReplicaSet?\n/questions\n/kubectl get ns\n"
    )
    assert code == 0, err
    assert "namespaces sandbox, ws-u0alice" in out.splitlines()[1]
    assert "Exercise 1: Multi-container Pod — 0 of 4 checks pass in ws-u0alice" in out
    assert "❌ A Pod named web-with-sidecar exists" in out
    assert "── posted in a thread of #workshop ──\n*Q1* · asked by anonymous on slide 1" in out
    assert "*1 open question*" in out
    assert "ws-u0alice   Active" in out


async def test_socket_mode_sigterm_finishes_the_answer_in_progress(standin, kubeconfig, emulator):
    env = podium_env(standin, kubeconfig, SLACK_APP_TOKEN=standin.app_token)
    podium = await start_podium(["socket"], env, ready=None)
    try:
        await standin.wait_for_socket_client(timeout=30)
        emulator.inject_fault(status=None, delay=1.5, times=1, path_contains="/pods")
        delivery = await standin.socket_slash_command("/kubectl", "get pods", timeout=10)
        await wait_for_pod_list(emulator)
        podium.process.send_signal(signal.SIGTERM)
        [response] = await standin.wait_for_responses(delivery.response_url, count=1, timeout=15)
        assert message_to_text(response).count("Running") == 3
        assert await asyncio.wait_for(podium.process.wait(), timeout=15) == 0
    finally:
        await stop_podium(podium)


async def test_console_rehearsal_exercise_2_with_the_real_kubectl_in_a_second_terminal(tmp_path):
    """Issue 14: the console's first line points a second terminal's kubectl at the built-in
    cluster as the console user's participant; exercise 2 applied with it passes its check."""
    solution = Path(__file__).resolve().parents[2] / "manifests" / "exercises" / "02-deployment"
    async with console_session() as console:
        applied = await asyncio.to_thread(console.kubectl, "apply", "-f", str(solution))
        assert applied.returncode == 0 and "deployment.apps/hello created" in applied.stdout, (
            applied.stderr
        )
        pods = await asyncio.to_thread(console.kubectl, "get", "pods", "-l", "app=hello")
        assert pods.stdout.count("Running") == 3, pods.stdout
        refused = await asyncio.to_thread(console.kubectl, "get", "pods", "-n", "sandbox")
        assert refused.returncode != 0 and "forbidden" in refused.stderr
        text, err = await console.type(b"/exercise check 2\n")
    assert console.process.returncode == 0, err
    assert "checks pass in ws-u0alice" in text and "all " in text and "❌" not in text, text
    assert not Path(console.kubeconfig).exists()  # the token file goes with the console


async def test_console_cluster_moves_a_mistyped_image_to_image_pull_back_off(tmp_path):
    """Issue 17: the console's built-in cluster runs a kubelet, so a rehearsal sees what a real
    cluster shows for a typo in an image name: ErrImagePull, then ImagePullBackOff, and Podium's
    own `/kubectl get pods` says so too."""
    async with console_session() as console:
        created = await asyncio.to_thread(
            console.kubectl, "run", "typo", "--image=ngnix", "--restart=Never"
        )
        assert created.returncode == 0, created.stderr
        reasons: list[str] = []
        for _ in range(60):  # the kubelet looks every 0.5 s; the back-off shows within seconds
            shown = await asyncio.to_thread(
                console.kubectl,
                "get",
                "pod",
                "typo",
                "-o",
                "jsonpath={.status.containerStatuses[0].state.waiting.reason}",
            )
            reasons.append(shown.stdout)
            if shown.stdout == "ImagePullBackOff":
                break
            await asyncio.sleep(0.25)
        assert reasons[-1] == "ImagePullBackOff", reasons
        described = await asyncio.to_thread(console.kubectl, "describe", "pod", "typo")
        assert 'Failed to pull image "ngnix"' in described.stdout, described.stdout
        assert 'Back-off pulling image "ngnix"' in described.stdout, described.stdout
        out, err = await console.type(b"/kubectl get pods -n ws-u0alice\n")
    assert console.process.returncode == 0, err
    row = next(line for line in out.splitlines() if line.startswith("typo "))
    assert row.split()[:3] == ["typo", "0/1", "ImagePullBackOff"], out
