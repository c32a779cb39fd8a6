"""Podium as a real process (`python -m bot …`) against the stand-ins on random loopback ports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender
from tests.harness.kubectl_binary import kubectl_binary

SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"
_LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")


@dataclass
class PodiumProcess:
    process: asyncio.subprocess.Process
    stderr_lines: list[str]
    events_url: str | None = None


def podium_env(standin: SlackStandIn, kubeconfig: Path, **extra: str) -> dict[str, str]:
    """Podium's environment: the stand-ins' URLs and tokens, state next to the kubeconfig."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PODIUM_", "KUBE"))}
    env.update(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_API_URL=standin.api_url,
        KUBECONFIG=str(kubeconfig),
        PODIUM_STATE=str(kubeconfig.parent / "state.db"),
        PODIUM_SANDBOX_NAMESPACE="sandbox",
        PODIUM_CLUSTER_TIMEOUT="5",
        PORT="0",  # Socket Mode serves /healthz and /metrics too: never a fixed port in tests
        # No background watching unless a test wants it (PODIUM_WATCH="on"): a test that counts
        # the cluster requests a command makes counts only the command's.
        PODIUM_WATCH="off",
    )
    env.update(extra)
    return env


async def start_podium(
    args: list[str], env: dict[str, str], ready: re.Pattern[str] | None
) -> PodiumProcess:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    podium = PodiumProcess(process, [])
    found: asyncio.Future[re.Match[str]] = asyncio.get_running_loop().create_future()

    async def drain() -> None:  # keep reading so the pipe never fills, remember lines for asserts
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace").rstrip()
            podium.stderr_lines.append(line)
            match = ready.search(line) if ready else None
            if match and not found.done():
                found.set_result(match)
        if not found.done():
            found.set_exception(RuntimeError("podium exited:\n" + "\n".join(podium.stderr_lines)))

    podium.drain_task = asyncio.create_task(drain())  # type: ignore[attr-defined]
    if ready is not None:
        match = await asyncio.wait_for(found, timeout=30)
        podium.events_url = f"http://127.0.0.1:{match.group(1)}/slack/events"
    return podium


async def stop_podium(podium: PodiumProcess) -> None:
    if podium.process.returncode is None:
        podium.process.terminate()
        try:
            await asyncio.wait_for(podium.process.wait(), timeout=10)
        except TimeoutError:
            podium.process.kill()
            await podium.process.wait()
    await podium.drain_task  # type: ignore[attr-defined]


async def wait_for_pod_list(emulator: KubeEmulator, timeout: float = 10) -> None:
    """Until Podium's pod list has reached the cluster (so a command is surely in progress)."""
    for _ in range(int(timeout / 0.02)):
        if any(r.resource == "pods" for r in emulator.requests):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("Podium never asked the cluster for pods")


@pytest.fixture
def kubeconfig(emulator: KubeEmulator, tmp_path: Path) -> Path:
    return emulator.write_kubeconfig(tmp_path / "kubeconfig", namespace="sandbox")


@pytest.fixture
async def http_podium(standin: SlackStandIn, kubeconfig: Path) -> AsyncIterator[PodiumProcess]:
    env = podium_env(standin, kubeconfig, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT="0")
    podium = await start_podium(["serve", "--host", "127.0.0.1"], env, _LISTENING)
    async with aiohttp.ClientSession() as session:
        async with session.get(podium.events_url.replace("/slack/events", "/healthz")) as response:
            assert response.status == 200
    yield podium
    await stop_podium(podium)


@pytest.fixture
async def sender(http_podium: PodiumProcess, standin: SlackStandIn) -> AsyncIterator[SlackSender]:
    sender = SlackSender(http_podium.events_url, SIGNING_SECRET, standin)
    yield sender
    await sender.close()


@dataclass
class ConsoleSession:
    """`python -m bot` (the console) running, and a second terminal's kubectl joined to its
    built-in cluster as the console user's participant (the kubeconfig its first line names)."""

    process: asyncio.subprocess.Process
    env: dict[str, str]
    kubeconfig: str
    transcript: list[str] = field(default_factory=list)  # lines read so far by read_until

    @property
    def text(self) -> str:
        return "".join(self.transcript)

    async def say(self, line: bytes) -> None:
        """Type one line into the running console (it stays open)."""
        assert self.process.stdin is not None
        self.process.stdin.write(line)
        await self.process.stdin.drain()

    async def read_until(self, done: Callable[[str], bool], what: str, timeout: float = 60) -> None:
        """Read the console's output until `done(transcript so far)`; fail naming `what`."""
        assert self.process.stdout is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done(self.text):
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"not within {timeout}s: {what}\n{self.text}")
            line = await asyncio.wait_for(self.process.stdout.readline(), left)
            if not line:
                raise AssertionError(f"the console ended before {what}:\n{self.text}")
            self.transcript.append(line.decode())

    def kubectl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [kubectl_binary(), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**self.env, "KUBECONFIG": self.kubeconfig},
        )

    async def type(self, lines: bytes) -> tuple[str, str]:
        """Type `lines` into the console and close it: its whole stdout and stderr."""
        out, err = await asyncio.wait_for(self.process.communicate(lines), timeout=60)
        return out.decode(), err.decode()


@contextlib.asynccontextmanager
async def console_session(**extra: str) -> AsyncIterator[ConsoleSession]:
    """`extra`: settings for this console (e.g. PODIUM_INSTRUCTORS), nothing else inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PODIUM_", "KUBE"))}
    env.update(extra)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        first = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        yield ConsoleSession(process, env, first.split("export KUBECONFIG=", 1)[1].split()[0])
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
