"""In-process fixtures: the Kubernetes API emulator on a random port and a gateway pointed at it
only through a kubeconfig, as in production."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import Podium, build_podium
from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.settings import load_settings
from bot.slack.modes import EVENTS_PATH, bound_port, start_http
from podium_devkit.kube_api import KubeEmulator
from podium_devkit.slack_api import SlackStandIn
from podium_devkit.slack_sender import SlackSender

SECRET = "integration-secret"


def gateway_for(kubeconfig: Path, timeout: float = 5.0) -> ClusterGateway:
    settings = load_settings(
        {"KUBECONFIG": str(kubeconfig), "PODIUM_CLUSTER_TIMEOUT": str(timeout)}
    )
    return ClusterGateway(api_client_from_settings(settings), timeout=settings.cluster_timeout)


@pytest.fixture
async def gateway(emulator: KubeEmulator, tmp_path: Path) -> AsyncIterator[ClusterGateway]:
    gateway = gateway_for(emulator.write_kubeconfig(tmp_path / "kubeconfig"))
    yield gateway
    await gateway.close()


@dataclass
class Running:
    podium: Podium
    sender: SlackSender
    standin: SlackStandIn
    emulator: KubeEmulator
    base_url: str = ""  # where Podium's HTTP server listens (/slack/events, /healthz, /metrics)


@contextlib.asynccontextmanager
async def running_podium(
    emulator: KubeEmulator, standin: SlackStandIn, state_dir: Path, **env: str
) -> AsyncIterator[Running]:
    """The real Bolt app served over HTTP on loopback, configured only by URLs and credentials."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": standin.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.api_url,
            "KUBECONFIG": str(emulator.write_kubeconfig(state_dir / "kubeconfig")),
            "PODIUM_STATE": str(state_dir / "state.db"),
            "PODIUM_POST_INTERVAL": "0",
            **env,
        }
    )
    podium = await build_podium(settings)
    runner = await start_http(podium, host="127.0.0.1", port=0)
    try:
        base_url = f"http://127.0.0.1:{bound_port(runner)}"
        async with SlackSender(f"{base_url}{EVENTS_PATH}", SECRET, standin) as sender:
            yield Running(podium, sender, standin, emulator, base_url)
    finally:
        await runner.cleanup()
        await podium.close()
