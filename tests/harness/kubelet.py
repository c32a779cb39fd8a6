"""The emulator's kubelet over time, as the contract tests drive it: a namespace, timings shrunk to
tenths of seconds, pods to create, raw watches, Events and the real kubectl."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from kubernetes import client, config

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.kube_controllers import KubeletTimings
from tests.harness.kubectl_binary import kubectl_binary

NS = "ws"
FAST = KubeletTimings(backoff_base=0.2, backoff_cap=0.8, tick=0.05)


def pod(name: str, image: str, *, command: list[str] | None = None, **spec: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "main",
        "image": image,
        **({"command": command} if command else {}),
    }
    container.update(spec.pop("container", {}))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [container], **spec},
    }


def core(emulator: KubeEmulator, tmp_path: Path) -> client.CoreV1Api:
    kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig", namespace=NS)
    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


async def watch_until(
    emulator: KubeEmulator,
    path: str,
    done: Callable[[list[dict[str, Any]]], bool],
    limit: float = 15,
) -> list[dict[str, Any]]:
    """Raw watch events (from the current state on) until ``done(events)`` holds."""
    events: list[dict[str, Any]] = []
    async with (
        aiohttp.ClientSession(emulator.url) as session,
        session.get(
            f"{path}?watch=1&timeoutSeconds={int(limit)}",
            headers={"Authorization": f"Bearer {KubeEmulator.DEFAULT_TOKEN}"},
        ) as response,
    ):
        while not done(events):
            line = await asyncio.wait_for(response.content.readline(), limit)
            assert line, f"the watch ended first: {[e['type'] for e in events]}"
            events.append(json.loads(line))
    return events


def waiting(obj: dict[str, Any]) -> dict[str, Any]:
    statuses = (obj.get("status") or {}).get("containerStatuses") or [{}]
    return (statuses[0].get("state") or {}).get("waiting") or {}


def events_for(emulator: KubeEmulator, name: str) -> list[dict[str, Any]]:
    return [e for e in emulator.objects("events", NS) if e["involvedObject"]["name"] == name]


async def kubectl(emulator: KubeEmulator, tmp_path: Path, *args: str) -> str:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "KUBECONFIG": str(emulator.write_kubeconfig(tmp_path / "kc", namespace=NS)),
           "HOME": str(home), "NO_COLOR": "1"}  # fmt: skip
    process = await asyncio.create_subprocess_exec(kubectl_binary(), *args, env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()
