"""The stand-ins on random loopback ports, as fixtures every tier but `unit` declares in its
conftest.py. A folder or module that needs a differently seeded cluster or Slack defines its own
fixture of the same name."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podium_devkit.kube_api import KubeEmulator, demo_seed_paths
from podium_devkit.slack_api import SlackStandIn


@pytest.fixture
async def emulator() -> AsyncIterator[KubeEmulator]:
    """The demo sandbox (`manifests/demo`) behind the Kubernetes API emulator."""
    async with KubeEmulator.from_paths(*demo_seed_paths()) as emulator:
        yield emulator


@pytest.fixture
async def cluster(emulator: KubeEmulator) -> KubeEmulator:
    """The same demo sandbox; the name reads better next to a Slack `standin`."""
    return emulator


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as standin:
        yield standin
