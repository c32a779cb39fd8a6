"""An emulated cluster per test, holding one participant's namespace exactly as a workshop sets
it up (`python -m bot participants manifests --users U0ALICE` plus manifests/podium/), with
RBAC enforced, and a ClusterGateway reaching it only through a kubeconfig."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.exercises import load_exercises
from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.ops.participants import DEFAULT_TEMPLATE, build_participants, manifests
from bot.settings import load_settings
from podium_devkit.kube_api import KubeEmulator, load_documents
from podium_devkit.kube_controllers import reconcile
from podium_devkit.kube_logs import LogKey, LogLine
from tests.harness import paths
from tests.harness.paths import EXERCISES, REPO, SOLUTIONS

FIXTURES = paths.FIXTURES / "exercises"
USER = "U0ALICE"
NAMESPACE = "ws-u0alice"

Doc = dict[str, Any]


def participant_setup(*users: str) -> list[Doc]:
    """What an instructor applies for these participants: namespaces, RoleBindings, ClusterRoles."""
    return [
        *manifests(build_participants(list(users), DEFAULT_TEMPLATE)),
        *load_documents(REPO / "manifests" / "podium" / "clusterrole.yaml"),
    ]


def solution(folder: str) -> list[Doc]:
    """A reference solution's documents, as `kubectl apply -n ws-u0alice -f` would create them."""
    return in_namespace(load_documents(SOLUTIONS / folder))


def solved(folder: str) -> list[Doc]:
    """A namespace as a participant leaves it after the solution's `run` commands: the files
    applied, then `kubectl scale deployment NAME --replicas=N` on the Deployment already there
    (exercise 4 scales exercise 3's `web`, so exercise 3's documents come along)."""
    exercise = next(
        e for e in load_exercises(EXERCISES) if e.solution.path.rstrip("/").endswith(folder)
    )
    docs = solution(folder)
    for command in exercise.solution.run:
        words = command.split()
        if words[1] == "apply":
            assert all((SOLUTIONS / folder / w).is_file() for w in words[3:]), command
            continue
        assert words[1:3] == ["scale", "deployment"] and words[4].startswith("--replicas="), command
        name = words[3]
        if not any(d["kind"] == "Deployment" and d["metadata"]["name"] == name for d in docs):
            owner = next(
                f.name
                for f in sorted(SOLUTIONS.iterdir())
                if f.is_dir()
                and any(
                    d["kind"] == "Deployment" and d["metadata"]["name"] == name
                    for d in solution(f.name)
                )
            )
            docs = [*solution(owner), *docs]
        named(docs, "Deployment", name)["spec"]["replicas"] = int(words[4].split("=", 1)[1])
    return docs


def fixture(name: str) -> list[Doc]:
    return in_namespace(load_documents(FIXTURES / name))


def in_namespace(docs: Iterable[Doc], namespace: str = NAMESPACE) -> list[Doc]:
    placed = []
    for doc in docs:
        doc = copy.deepcopy(doc)
        if doc.get("kind") != "Namespace":
            doc.setdefault("metadata", {})["namespace"] = namespace
        placed.append(doc)
    return placed


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


@dataclass
class Cluster:
    emulator: KubeEmulator
    gateway: ClusterGateway

    def job_pod(self, job: str) -> str:
        return job_pod(self.emulator, job)["metadata"]["name"]


def job_pod(emulator: KubeEmulator, job: str) -> Doc:
    return next(
        p
        for p in emulator.objects("pods", NAMESPACE)
        if (p["metadata"].get("labels") or {}).get("batch.kubernetes.io/job-name") == job
    )


Start = Callable[..., Awaitable[Cluster]]


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Start]:
    """`await cluster(*docs)`: an emulator seeded with the participant setup plus `docs`."""
    running: list[Cluster] = []

    async def start(
        *docs: Doc,
        job_logs: dict[str, list[str]] | None = None,
        setup: list[Doc] | None = None,
        authorize: bool = True,
        applied: Iterable[Doc] = (),
    ) -> Cluster:
        """`docs` are seeded as a settled cluster holds them; `applied` are written afterwards, as
        `kubectl apply` writes them, and the controllers run their containers (busybox's wget)."""
        emulator = KubeEmulator(
            [*(participant_setup(USER) if setup is None else setup), *docs], authorize=authorize
        )
        for doc in (
            applied
        ):  # one write at a time, the controllers catching up after each, as the API server does
            emulator.store.put(copy.deepcopy(doc))
            reconcile(
                emulator.store, emulator.logs, NAMESPACE, datetime.now(UTC) - timedelta(minutes=5)
            )
        # The emulator cannot run curl: give a Job's pod what it printed (job name → lines).
        for job, lines in (job_logs or {}).items():
            pod = job_pod(emulator, job)
            container = pod["spec"]["containers"][0]["name"]
            started = datetime.now(UTC) - timedelta(minutes=5)
            emulator.logs.add(
                LogKey(NAMESPACE, pod["metadata"]["name"], container),
                [LogLine(started, line) for line in lines],
            )
        await emulator.start()
        settings = load_settings(
            {
                "KUBECONFIG": str(
                    emulator.write_kubeconfig(tmp_path / f"kubeconfig-{len(running)}")
                ),
                "PODIUM_CLUSTER_TIMEOUT": "5",
            }
        )
        found = Cluster(
            emulator,
            ClusterGateway(api_client_from_settings(settings), timeout=settings.cluster_timeout),
        )
        running.append(found)
        return found

    yield start
    for found in running:
        await found.gateway.close()
        await found.emulator.stop()


NGINX_PAGE = [
    "<!DOCTYPE html>",
    "<html>",
    "<head>",
    "<title>Welcome to nginx!</title>",
    "</head>",
    "<body>",
    "<h1>Welcome to nginx!</h1>",
    "</body>",
    "</html>",
]
