"""KubectlService in process: a fake of KubectlGateway (no HTTP, no emulator), a Policy, and
what a person sees for each command: tables, refusals, errors, budgets, the record kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.budgets import Budgets
from bot.kubectl.errors import ClusterError
from bot.kubectl.policy import Policy
from bot.kubectl.service import CommandRecord, KubectlService
from bot.settings import load_settings

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def pod(name: str, phase: str = "Running") -> dict[str, Any]:
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "namespace": "sandbox",
            "creationTimestamp": "2026-12-03T11:00:00Z",
        },
        "spec": {"containers": [{"name": "web", "image": "nginx"}]},
        "status": {
            "phase": phase,
            "containerStatuses": [{"name": "web", "ready": True, "restartCount": 0}],
        },
    }


class FakeGateway:
    """Pods per namespace; every read is counted, as the real gateway's requests are."""

    server = "https://cluster.test"

    def __init__(
        self, pods: dict[str, list[dict[str, Any]]] | None = None, error: ClusterError | None = None
    ) -> None:
        self.pods = pods or {}
        self.error = error
        self.reads: list[tuple[str, str | None]] = []

    async def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any]:
        self.reads.append((plural, namespace))
        if self.error:
            raise self.error
        for item in self.pods.get(namespace or "", []) if plural == "pods" else []:
            if item["metadata"]["name"] == name:
                return item
        raise ClusterError("NotFound", f'{plural} "{name}" not found', 404)

    async def list(
        self,
        plural: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        self.reads.append((plural, namespace))
        if self.error:
            raise self.error
        return list(self.pods.get(namespace or "", [])) if plural == "pods" else []

    async def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        previous: bool = False,
        timestamps: bool = False,
        limit_bytes: int | None = None,
    ) -> str:
        self.reads.append(("logs", namespace))
        return "hello from nginx\n"

    async def can_i(
        self,
        verb: str,
        resource: str,
        namespace: str | None,
        *,
        group: str = "",
        subresource: str = "",
        name: str = "",
    ) -> tuple[bool, str]:
        return True, ""


def service(gateway: FakeGateway, **options: Any) -> KubectlService:
    return KubectlService(Policy(("sandbox",)), gateway, lambda: NOW, **options)


async def test_get_pods_prints_kubectls_table_from_the_default_namespace() -> None:
    gateway = FakeGateway({"sandbox": [pod("web-1"), pod("web-2", phase="Pending")]})
    answer = await service(gateway).run("get pods", user="U1")
    assert answer.ok and answer.preformatted
    lines = answer.body.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [line.split()[0] for line in lines[1:]] == ["web-1", "web-2"]
    assert "Pending" in lines[2]
    assert gateway.reads == [("pods", "sandbox")]


async def test_a_namespace_outside_the_policy_is_refused_before_any_read() -> None:
    gateway = FakeGateway()
    answer = await service(gateway).run("get pods -n kube-system", user="U1")
    assert not answer.ok and answer.outcome == "refused"
    assert "kube-system" in answer.body
    assert gateway.reads == []


async def test_writes_are_refused_with_what_to_do_instead() -> None:
    gateway = FakeGateway()
    answer = await service(gateway).run("delete pod web-1", user="U1")
    assert not answer.ok and answer.outcome == "refused" and "delete" in answer.body
    assert gateway.reads == []


async def test_a_cluster_error_reads_as_kubectl_writes_it() -> None:
    answer = await service(FakeGateway()).run("get pod missing", user="U1")
    assert not answer.ok
    assert answer.body == 'Error from server (NotFound): pods "missing" not found'


async def test_logs_come_back_as_text() -> None:
    gateway = FakeGateway({"sandbox": [pod("web-1")]})
    answer = await service(gateway).run("logs web-1", user="U1")
    assert answer.ok and "hello from nginx" in answer.body
    assert ("logs", "sandbox") in gateway.reads


async def test_every_command_is_recorded_and_budgeted() -> None:
    records: list[CommandRecord] = []

    async def observe(record: CommandRecord) -> None:
        records.append(record)

    budgets = Budgets(load_settings({"PODIUM_USER_RATE": "1/60s"}))
    kubectl = service(FakeGateway({"sandbox": [pod("web-1")]}), observer=observe, budgets=budgets)
    first = await kubectl.run("get pods", user="U1")
    second = await kubectl.run("get pods", user="U1")
    assert first.ok and not second.ok and second.outcome == "rate_limited"
    assert "Slow down" in second.body
    assert [(r.verb, r.outcome) for r in records] == [("get", "ok"), ("get", "rate_limited")]


class RecordingWatcher:
    """Where `get -w` goes: what it was asked, answered with a fixed line."""

    def __init__(self) -> None:
        self.started: list[tuple[Any, str | None, str | None, str]] = []

    async def start(self, request: Any, *, user: str | None, channel: str | None, source: str):
        from bot.kubectl.answer import Answer

        self.started.append((request, user, channel, source))
        return Answer("Watching pods in sandbox in this channel", ok=True, preformatted=False)


async def test_a_watch_goes_to_the_watcher_budgeted_and_never_to_the_gateway() -> None:
    gateway = FakeGateway({"sandbox": [pod("web-1")]})
    budgets = Budgets(load_settings({"PODIUM_USER_RATE": "1/60s"}))
    kubectl = service(gateway, budgets=budgets)
    watcher = RecordingWatcher()
    kubectl.watcher = watcher
    answer = await kubectl.run("get pods -w", user="U1", channel="C1", source="mention")
    assert answer.ok and answer.body.startswith("Watching pods")
    [(request, user, channel, source)] = watcher.started
    assert (request.kind.plural, request.namespace, user, channel, source) == (
        "pods",
        "sandbox",
        "U1",
        "C1",
        "mention",
    )
    assert gateway.reads == []  # the watcher reads the shared stream, not the gateway
    again = await kubectl.run("get pods -w", user="U1", channel="C1")
    assert again.outcome == "rate_limited" and len(watcher.started) == 1


async def test_without_a_watcher_a_watch_is_refused_in_one_line() -> None:
    answer = await service(FakeGateway()).run("get pods -w", user="U1")
    assert not answer.ok and answer.outcome == "refused"
    assert answer.body == "`-w/--watch` is not available in this Podium."
