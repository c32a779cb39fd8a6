"""What the notification tests share: a cluster whose kubelet moves failing pods along quickly,
with participants set up as `participants manifests` does; creating objects as the cluster's
admin or as a participant (the real kubectl with a TokenRequest kubeconfig); reading the DMs
Podium sent a person in the Slack stand-in."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bot.access.render import kubeconfig_text
from bot.ops.kubeconfig import Cluster, write_private
from bot.ops.participants import PARTICIPANT_ACCOUNT, build_participants
from bot.ops.participants import manifests as participant_manifests
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.kube_controllers import KubeletTimings
from podium_devkit.slack_api import SlackStandIn
from tests.harness.kubectl_binary import kubectl_binary

ALICE, BOB = "U0ALICE", "U0BOB"
ALICE_NS, BOB_NS = "ws-u0alice", "ws-u0bob"
# Fast enough for a test to see ErrImagePull → ImagePullBackOff and a crash loop in a second.
FAST_KUBELET = KubeletTimings(backoff_base=0.4, backoff_cap=2.0, tick=0.1)

_PATHS = {
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments",
    "Pod": "/api/v1/namespaces/{ns}/pods",
    "Job": "/apis/batch/v1/namespaces/{ns}/jobs",
    "Service": "/api/v1/namespaces/{ns}/services",
}


def workshop_cluster(*users: str, kubelet: KubeletTimings = FAST_KUBELET) -> KubeEmulator:
    """The demo sandbox and each user's participant namespace, with a running kubelet."""
    participants = build_participants(list(users or (ALICE, BOB)), "ws-{user}")
    return KubeEmulator(
        [*load_documents(*demo_seed_paths()), *participant_manifests(participants)],
        kubelet=kubelet,
    )


async def create(emulator: KubeEmulator, obj: dict[str, Any]) -> None:
    """Create `obj` as the cluster's admin (an instructor's kubectl)."""
    namespace = obj["metadata"]["namespace"]
    url = emulator.url + _PATHS[obj["kind"]].format(ns=namespace)
    headers = {"Authorization": f"Bearer {emulator.ADMIN_TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=obj, headers=headers) as r,
    ):
        assert r.status < 300, await r.text()


async def participant_kubeconfig(emulator: KubeEmulator, namespace: str, path: Path) -> Path:
    """A kubeconfig for the participant ServiceAccount of `namespace` (what "Get my kubectl
    access" sends), its token minted by the admin with the TokenRequest API."""
    url = (
        f"{emulator.url}/api/v1/namespaces/{namespace}/serviceaccounts/{PARTICIPANT_ACCOUNT}/token"
    )
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}
    headers = {"Authorization": f"Bearer {emulator.ADMIN_TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as r,
    ):
        r.raise_for_status()
        token = (await r.json())["status"]["token"]
    cluster = Cluster(server=emulator.https_url, ca_data=emulator.tls.ca_data())
    write_private(path, kubeconfig_text(cluster, token, namespace, PARTICIPANT_ACCOUNT))
    return path


async def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    """The real kubectl as the participant; its stdout (a failure fails the test)."""
    done = await asyncio.to_thread(
        subprocess.run,
        [kubectl_binary(), "--kubeconfig", str(kubeconfig), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def deployment(
    name: str, image: str, namespace: str = ALICE_NS, replicas: int = 2
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        },
    }


def service(name: str, selector: dict[str, str], namespace: str = ALICE_NS) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": selector, "ports": [{"port": 80, "targetPort": 80}]},
    }


def sidecar_pod(name: str, script: str, namespace: str = ALICE_NS) -> dict[str, Any]:
    """nginx and a busybox sidecar running `script` (which exits: a crash loop)."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "containers": [
                {"name": "nginx", "image": "nginx:1.27"},
                {"name": "writer", "image": "busybox:1.37", "command": ["sh", "-c", script]},
            ]
        },
    }


def dms(standin: SlackStandIn, user: str) -> list[dict[str, Any]]:
    """Podium's messages in its DM with `user`, oldest first."""
    try:
        channel = standin.dm_channel(user)
    except (KeyError, ValueError):
        return []
    return [m for m in standin.messages(channel) if m.get("bot_id") or m.get("bot_profile")]


def dm_text(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: its text and every text in its blocks."""
    parts = [str(message.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(parts)


async def until(condition: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    """Poll `condition` until it is truthy (returned) or `timeout` seconds pass (fail)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or condition}")
        await asyncio.sleep(0.05)
