"""`describe` against the real kubectl 1.37: both read the same emulator; the outputs must be equal.

kubectl measures ages with its own clock, so the fixtures' times are hours or days in the past and
Podium's describer gets `now` right after kubectl ran: both land in the same age band. Absolute
times are printed in UTC on both sides (TZ=UTC for kubectl). Only trailing spaces are normalised.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.kubectl.describe import DescribeResult, describe
from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.kubectl.policy import DescribeRequest
from bot.kubectl.resources import lookup
from bot.settings import load_settings
from podium_devkit.kube_api import KubeEmulator
from tests.harness.kubectl_binary import kubectl_binary

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cluster"
MANIFESTS = Path(__file__).resolve().parents[3] / "manifests"
PODIUM_RBAC = (MANIFESTS / "podium", MANIFESTS / "sandbox")


@dataclass
class Cluster:
    emulator: KubeEmulator
    gateway: ClusterGateway
    kubeconfig: Path
    home: Path
    binary: str

    async def kubectl(self, *args: str) -> tuple[int, str, str]:
        """Run the real kubectl without blocking the loop that serves the emulator."""
        env = {
            **os.environ,
            "KUBECONFIG": str(self.kubeconfig),
            "HOME": str(self.home),
            "TZ": "UTC",
            "NO_COLOR": "1",
        }
        process = await asyncio.create_subprocess_exec(
            self.binary,
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        return process.returncode or 0, out.decode(), err.decode()

    async def both(self, *args: str) -> tuple[str, str, DescribeResult]:
        """`kubectl describe ARGS -n sandbox` and Podium's describe of the same request."""
        _, out, err = await self.kubectl("describe", *args, "-n", "sandbox")
        now = datetime.now(UTC)
        return out, err, await describe(self.gateway, request_for(args), now)


def request_for(args: tuple[str, ...]) -> DescribeRequest:
    kind = lookup(args[0])
    assert kind is not None
    if "-l" in args:
        return DescribeRequest(kind, "sandbox", (), args[args.index("-l") + 1])
    return DescribeRequest(kind, "sandbox", tuple(args[1:]), None)


async def start_cluster(
    tmp_path: Path, *paths: Path, authorize: bool = False
) -> AsyncIterator[Cluster]:
    binary = kubectl_binary()
    async with KubeEmulator.from_paths(*paths, authorize=authorize) as emulator:
        kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig")
        settings = load_settings({"KUBECONFIG": str(kubeconfig), "PODIUM_CLUSTER_TIMEOUT": "10"})
        gateway = ClusterGateway(
            api_client_from_settings(settings), timeout=settings.cluster_timeout
        )
        home = tmp_path / "home"
        home.mkdir()
        try:
            yield Cluster(emulator, gateway, kubeconfig, home, binary)
        finally:
            await gateway.close()


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    async for running in start_cluster(tmp_path, FIXTURES):
        yield running


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n")]


def kubectl_errors(stderr: str) -> list[str]:
    """kubectl's stderr without the API server's deprecation warnings."""
    return [line for line in stderr.splitlines() if line and not line.startswith("Warning: ")]


CASES = [
    # pods in every state
    "pod pending-gpu",
    "pod crashy",
    "pod report-once",
    "pod old-web",
    "pod multi",
    "pod init-demo",
    "pod web-full",
    "pod shop-7d9c5b8f4-z5v6c",
    "pod backfill-x8c2d",
    # workloads
    "deployment shop",
    "deployment api",
    "rs shop-7d9c5b8f4",
    "rs shop-5f6d7c8b9",
    "job nightly-report",
    "job backfill",
    "job migrate-db",
    # networking
    "svc api",
    "svc shop",
    "svc shop-public",
    "svc web-lb",
    "svc docs",
    "svc api-headless",
    "svc external-db",
    "endpoints external-db",
    "endpoints api",
    "endpoints api-headless",
    "endpointslice external-db-manual",
    "endpointslice odd-shapes",
    "endpointslice nothing-yet",
    "endpointslices -l kubernetes.io/service-name=api",
    "endpointslices",
    # config and namespace
    "cm web-settings",
    "cm empty",
    "cm one-binary",
    "ns sandbox",
    # several objects, selectors, missing names, prefixes, nothing found
    "pods -l app=shop",
    "pods -l app=crashy",
    "deploy",
    "pods",
    "svc",
    "jobs",
    "rs",
    "endpoints",
    "pods crashy nope multi",
    "pods crashy nope",
    "pod nope",
    "pod cra",
    "pods shop-",
    "deploy sh",
    "cm -l none=here",
]


@pytest.mark.parametrize("case", CASES)
async def test_describe_matches_kubectl(cluster: Cluster, case: str) -> None:
    out, err, result = await cluster.both(*case.split())
    assert lines(result.text) == lines(out)
    assert [*result.errors, *([result.notice] if result.notice else [])] == kubectl_errors(err)


def data_blocks(text: str) -> tuple[str, set[str], str]:
    """Split a ConfigMap description around its Data section; kubectl walks Go maps in random order."""
    head, _, rest = text.partition("\nData\n====\n")
    data, _, tail = rest.partition("\nBinaryData\n====\n")
    return head, set(re.split(r"\n(?=\S[^\n]*:\n----\n)", data.strip("\n"))), tail


async def test_describe_configmap_with_several_keys(cluster: Cluster) -> None:
    out, err, result = await cluster.both("cm", "app-config")
    assert data_blocks(result.text) == data_blocks(out) and not err
    assert "BinaryData\n====\nlogo.png: 70 bytes\n" in result.text


async def test_describe_asks_for_what_kubectl_asks(cluster: Cluster) -> None:
    cluster.emulator.clear_requests()
    await describe(cluster.gateway, request_for(("svc", "api")), datetime.now(UTC))
    queries = {
        (r.resource, r.query.get("fieldSelector") or r.query.get("labelSelector") or r.name)
        for r in cluster.emulator.requests
    }
    uid = cluster.emulator.get_object("services", "sandbox", "api")["metadata"]["uid"]
    assert queries == {
        ("services", "api"),
        ("endpointslices", "kubernetes.io/service-name=api"),
        (
            "events",
            "involvedObject.kind=Service,involvedObject.name=api,involvedObject.namespace=sandbox,"
            f"involvedObject.uid={uid}",
        ),
    }


async def test_deployment_rollout_splits_new_and_old(cluster: Cluster) -> None:
    result = await describe(cluster.gateway, request_for(("deploy", "shop")), datetime.now(UTC))
    assert re.search(
        r"^OldReplicaSets:\s+shop-5f6d7c8b9 \(2/2 replicas created\)$", result.text, re.MULTILINE
    )
    assert re.search(
        r"^NewReplicaSet:\s+shop-7d9c5b8f4 \(2/2 replicas created\)$", result.text, re.MULTILINE
    )


@pytest.fixture
async def podium_cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    """The fixtures behind Podium's real RBAC (manifests/sandbox/): only the sandbox is readable."""
    async for running in start_cluster(tmp_path, FIXTURES, *PODIUM_RBAC, authorize=True):
        yield running


async def test_forbidden_object_is_reported_like_kubectl(podium_cluster: Cluster) -> None:
    out, err, result = await podium_cluster.both("ns", "kube-system")
    assert out == result.text == ""
    assert list(result.errors) == kubectl_errors(err)
    assert result.errors[0].startswith(
        'Error from server (Forbidden): namespaces "kube-system" is forbidden'
    )


async def test_related_reads_that_fail_do_not_fail_describe(podium_cluster: Cluster) -> None:
    podium_cluster.emulator.inject_fault(403, path_contains="/events", times=None)
    podium_cluster.emulator.inject_fault(503, path_contains="/endpointslices", times=None)
    result = await describe(podium_cluster.gateway, request_for(("svc", "api")), datetime.now(UTC))
    assert not result.errors
    assert re.search(r"^Endpoints:\s+<none>$", result.text, re.MULTILINE)
    assert result.text.endswith("Events:                   <none>\n")
