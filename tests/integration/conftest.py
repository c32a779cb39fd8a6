"""In-process fixtures: the Kubernetes API emulator on a random port and a gateway pointed at it
only through a kubeconfig, as in production."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from bot.devkit.kube_api import KubeEmulator, demo_seed_paths
from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.settings import load_settings


@pytest.fixture
async def emulator() -> AsyncIterator[KubeEmulator]:
    async with KubeEmulator.from_paths(*demo_seed_paths()) as emulator:
        yield emulator


def gateway_for(kubeconfig: Path, timeout: float = 5.0) -> ClusterGateway:
    settings = load_settings({"KUBECONFIG": str(kubeconfig), "PODIUM_CLUSTER_TIMEOUT": str(timeout)})
    return ClusterGateway(api_client_from_settings(settings), timeout=settings.cluster_timeout)


@pytest.fixture
async def gateway(emulator: KubeEmulator, tmp_path: Path) -> AsyncIterator[ClusterGateway]:
    gateway = gateway_for(emulator.write_kubeconfig(tmp_path / "kubeconfig"))
    yield gateway
    await gateway.close()
