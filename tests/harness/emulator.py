"""Fixtures for the Kubernetes API emulator tests: every emulator on a random port, temp dirs only."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from podium_devkit.kube_api import EmulatorThread, KubeEmulator, demo_seed_paths
from tests.harness.kubectl_binary import kubectl_binary

# A fixed clock keeps ages and relative log times exact in assertions.
NOW = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC)


def fixed_now() -> datetime:
    return NOW


@pytest.fixture
def demo_emulator() -> KubeEmulator:
    return KubeEmulator.from_paths(*demo_seed_paths())


@pytest.fixture
async def running_demo(demo_emulator: KubeEmulator) -> AsyncIterator[KubeEmulator]:
    await demo_emulator.start()
    try:
        yield demo_emulator
    finally:
        await demo_emulator.stop()


@pytest.fixture
async def http(running_demo: KubeEmulator) -> AsyncIterator[Http]:
    async with aiohttp.ClientSession(running_demo.url) as session:
        yield Http(session)


@dataclass
class Http:
    """Raw HTTP against the emulator's plain listener, with the podium token by default."""

    session: aiohttp.ClientSession

    async def get(
        self, path: str, *, token: str | None = KubeEmulator.DEFAULT_TOKEN, **kwargs
    ) -> tuple[int, object]:
        return await self.request("GET", path, token=token, **kwargs)

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = KubeEmulator.DEFAULT_TOKEN,
        headers=None,
        **kwargs,
    ) -> tuple[int, object]:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.session.request(method, path, headers=headers, **kwargs) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()


@dataclass
class Kubectl:
    binary: str
    kubeconfig: Path
    home: Path

    async def __call__(self, *args: str) -> tuple[int, str, str]:
        """Run kubectl without blocking the loop that serves the emulator."""
        env = {
            **os.environ,
            "KUBECONFIG": str(self.kubeconfig),
            "HOME": str(self.home),
            "NO_COLOR": "1",
        }
        process = await asyncio.create_subprocess_exec(
            self.binary,
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        return process.returncode or 0, stdout.decode(), stderr.decode()


@pytest.fixture
def kubectl(running_demo: KubeEmulator, tmp_path: Path) -> Kubectl:
    binary = kubectl_binary()
    home = tmp_path / "home"
    home.mkdir()
    return Kubectl(binary, running_demo.write_kubeconfig(tmp_path / "kubeconfig"), home)


@pytest.fixture
def threaded_demo(demo_emulator: KubeEmulator) -> Iterator[KubeEmulator]:
    with EmulatorThread(demo_emulator):
        yield demo_emulator
