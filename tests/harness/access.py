"""A cluster where participants are set up for kubectl access per the shared contract
(ServiceAccount `participant`, ClusterRole + RoleBinding `podium-issue-token` for Podium), and
Podium running in-process against it and the Slack stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml

from podium_devkit.kube_api import KubeEmulator, demo_seed_paths, load_documents
from podium_devkit.slack_api import SlackStandIn, UploadedFile
from tests.harness.running import Running, running_podium

CHANNEL = "C0WORKSHOP"
TEACHER = "U0INSTRUCTOR"
RBAC = "rbac.authorization.k8s.io/v1"

Doc = dict[str, Any]


def issue_token_role() -> Doc:
    return {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "podium-issue-token"},
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["serviceaccounts/token"],
                "verbs": ["create"],
                "resourceNames": ["participant"],
            }
        ],
    }


def participant_role() -> Doc:
    """Test-local stand-in for the bootstrap `edit` role: enough for `kubectl get pods`."""
    return {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "test-participant"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}],
    }


def namespace(name: str) -> Doc:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def issue_binding(ns: str) -> Doc:
    return {
        "apiVersion": RBAC,
        "kind": "RoleBinding",
        "metadata": {"name": "podium-issue-token", "namespace": ns},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "podium-issue-token",
        },
        "subjects": [{"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}],
    }


def participant(ns: str, *, account: bool = True) -> list[Doc]:
    """A participant namespace as `participants manifests` sets it up (account=False: its
    ServiceAccount is missing, as before the manifests were re-applied)."""
    docs = [
        namespace(ns),
        issue_binding(ns),
        {
            "apiVersion": RBAC,
            "kind": "RoleBinding",
            "metadata": {"name": "participant-edit", "namespace": ns},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "test-participant",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "participant", "namespace": ns}],
        },
    ]
    if account:
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "participant", "namespace": ns},
            }
        )
    return docs


def access_seed() -> list[Doc]:
    # Alice and Bob are set up; Carol's namespace lacks its ServiceAccount; Dave has nothing.
    return [
        issue_token_role(),
        participant_role(),
        *participant("ws-u0alice"),
        *participant("ws-u0bob"),
        *participant("ws-u0carol", account=False),
    ]


def seeded_with_access() -> list[Doc]:
    """The demo seed plus access_seed(), without a second copy of anything the demo seed already
    has (manifests/podium/ may define podium-issue-token itself)."""
    base = load_documents(*demo_seed_paths())

    def key(doc: Doc) -> tuple[str, str, str]:
        meta = doc.get("metadata") or {}
        return str(doc.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name"))

    present = {key(doc) for doc in base}
    return [*base, *(doc for doc in access_seed() if key(doc) not in present)]


@pytest.fixture
async def cluster() -> AsyncIterator[KubeEmulator]:
    async with KubeEmulator(seeded_with_access()) as emulator:
        yield emulator


@pytest.fixture
async def room(cluster: KubeEmulator, standin: SlackStandIn, tmp_path) -> AsyncIterator[Running]:
    async with running_podium(cluster, standin, tmp_path, PODIUM_INSTRUCTORS=TEACHER) as running:
        yield running


async def workshop(
    running: Running, text: str, user: str = "U0ALICE", channel: str = CHANNEL
) -> dict[str, Any]:
    """`/workshop TEXT` by `user`; Podium's one answer through the response_url."""
    sent = await running.sender.slash_command("/workshop", text, user_id=user, channel_id=channel)
    assert sent.status == 200
    [reply] = await running.standin.wait_for_responses(sent.response_url, count=1, timeout=15)
    return reply


def dm_files(standin: SlackStandIn, user: str) -> list[UploadedFile]:
    dm = standin.dm_channel(user)
    return [f for f in standin.files() if f.completed and f.channel_id == dm]


def token_of(kubeconfig: str) -> str:
    return str(yaml.safe_load(kubeconfig)["users"][0]["user"]["token"])
