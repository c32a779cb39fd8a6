"""The shared namespace streams (bot/watch/hub.py) against the Kubernetes API emulator, reached
only through a kubeconfig: list then watch from the list's version, one stream shared by every
subscriber, bookmarks, re-watch at the server's timeout, re-list and differences after 410 Gone,
back-off through an outage and a Forbidden namespace, linger, close, failing subscribers."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.kubectl.errors import ClusterError
from bot.kubectl.gateway import api_client_from_settings
from bot.metrics import Metrics
from bot.settings import load_settings
from bot.watch.hub import WatchHub
from bot.watch.ports import Change, WatchesOff
from podium_devkit.kube_api import KubeEmulator, RecordedRequest, demo_seed_paths

NS = "sandbox"
KIND = "services"
DEADLINE = 30.0  # generous: the machine may be loaded; every wait polls and ends early


def hub_for(emulator: KubeEmulator, tmp_path: Path, **tuning: Any) -> WatchHub:
    settings = load_settings(
        {"KUBECONFIG": str(emulator.write_kubeconfig(tmp_path / "kubeconfig"))}
    )
    tuning.setdefault("request_timeout", 5.0)
    tuning.setdefault("backoff_first", 0.05)
    tuning.setdefault("backoff_cap", 0.2)
    return WatchHub(api_client_from_settings(settings), **tuning)


@pytest.fixture
async def hubs() -> AsyncIterator[list[WatchHub]]:
    """Hubs a test made, closed at its end whatever happens."""
    made: list[WatchHub] = []
    yield made
    for hub in made:
        await hub.close()


async def eventually(predicate: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g}s: {what}")
        await asyncio.sleep(0.02)


class Seen:
    """A subscriber that keeps what it was told."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def __call__(self, change: Change) -> None:
        self.changes.append(change)

    def summary(self) -> list[tuple[str, str]]:
        return [(c.type, c.name) for c in self.changes]

    def names(self, change_type: str) -> list[str]:
        return [c.name for c in self.changes if c.type == change_type]


def service(name: str, namespace: str = NS) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "protocol": "TCP"}]},
    }


def stream_requests(
    emulator: KubeEmulator, namespace: str = NS, kind: str = KIND
) -> list[RecordedRequest]:
    return [
        r
        for r in emulator.requests
        if r.namespace == namespace and r.resource == kind and r.verb in ("list", "watch")
    ]


def verbs(emulator: KubeEmulator, namespace: str = NS) -> list[str]:
    return [r.verb for r in stream_requests(emulator, namespace)]


async def test_a_stream_lists_then_watches_from_the_lists_resource_version(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    subscription = hub.subscribe(NS, KIND, Seen())
    snapshot = await hub.snapshot(NS, KIND, timeout=DEADLINE)
    assert [o["metadata"]["name"] for o in snapshot.objects] == ["nginx"]
    assert snapshot.objects[0]["kind"] == "Service" and snapshot.objects[0]["apiVersion"] == "v1"
    await eventually(lambda: "watch" in verbs(emulator), "the watch request")
    listed, watched = stream_requests(emulator)
    assert (listed.verb, watched.verb) == ("list", "watch")
    assert listed.user == KubeEmulator.DEFAULT_USER and listed.status == 200
    assert "resourceVersion" not in listed.query  # the latest state, as an informer's first list
    assert watched.query["resourceVersion"] == snapshot.resource_version
    assert watched.query["allowWatchBookmarks"] == "true"
    assert 300 <= int(watched.query["timeoutSeconds"]) <= 600
    assert hub.streams == 1 and hub.list_requests == 1 and hub.watch_requests == 1
    subscription.cancel()


async def test_two_subscribers_share_one_stream_and_both_see_a_change(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    first, second = Seen(), Seen()
    hub.subscribe(NS, KIND, first)
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    hub.subscribe(NS, KIND, second)
    await eventually(lambda: "watch" in verbs(emulator), "the watch request")
    emulator.store.put(service("api"))
    await eventually(lambda: first.summary() == second.summary() == [("ADDED", "api")], "ADDED")
    emulator.store.remove(KIND, NS, "api")
    await eventually(lambda: second.summary() == [("ADDED", "api"), ("DELETED", "api")], "DELETED")
    assert first.summary() == second.summary()
    assert first.changes[0].obj["kind"] == "Service" and first.changes[0].namespace == NS
    assert verbs(emulator) == ["list", "watch"]
    assert hub.streams == 1 and hub.events_received == 2


async def test_replay_gives_added_for_what_the_stream_holds_and_a_plain_subscriber_gets_none(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    emulator.store.put(service("api"))
    early, plain = Seen(), Seen()
    hub.subscribe(NS, KIND, early, replay=True)  # a new stream: its first list, as ADDED
    hub.subscribe(NS, KIND, plain)
    await eventually(lambda: early.summary() == [("ADDED", "api"), ("ADDED", "nginx")], "replay")
    late = Seen()
    hub.subscribe(NS, KIND, late, replay=True)  # a synced stream: what it holds now
    await eventually(lambda: late.summary() == [("ADDED", "api"), ("ADDED", "nginx")], "late")
    emulator.store.put(service("db"))
    await eventually(lambda: late.names("ADDED")[-1:] == ["db"], "a live change after the replay")
    await eventually(lambda: plain.summary() == [("ADDED", "db")], "the plain subscriber")
    assert early.summary()[-1] == ("ADDED", "db")
    assert verbs(emulator).count("list") == 1


async def test_a_cancelled_subscriber_hears_nothing_more(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    leaving, staying = Seen(), Seen()
    subscription = hub.subscribe(NS, KIND, leaving)
    hub.subscribe(NS, KIND, staying)
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    await eventually(lambda: "watch" in verbs(emulator), "the watch request")
    subscription.cancel()
    subscription.cancel()  # twice is harmless
    emulator.store.put(service("api"))
    await eventually(lambda: staying.summary() == [("ADDED", "api")], "the other one hears it")
    assert leaving.changes == []


@pytest.fixture
async def fast_bookmarks() -> AsyncIterator[KubeEmulator]:
    async with KubeEmulator.from_paths(*demo_seed_paths(), bookmark_interval=0.2) as emulator:
        yield emulator


async def test_a_bookmark_advances_the_resource_version_without_a_change(
    fast_bookmarks: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    emulator = fast_bookmarks
    hubs.append(hub := hub_for(emulator, tmp_path))
    seen = Seen()
    hub.subscribe(NS, KIND, seen)
    listed = (await hub.snapshot(NS, KIND, timeout=DEADLINE)).resource_version
    # Another kind changes: the services stream sees no event, only the newer version.
    emulator.store.put(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n", "namespace": NS}}
    )
    revision = str(emulator.store.revision)
    assert int(revision) > int(listed)
    await eventually(lambda: hub.resource_version(NS, KIND) == revision, "the bookmark's version")
    assert seen.changes == [] and hub.events_received == 0
    assert verbs(emulator) == ["list", "watch"]


async def test_at_the_servers_timeout_the_stream_watches_again_from_its_version_without_a_list(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path, watch_seconds=lambda: 1))
    seen = Seen()
    hub.subscribe(NS, KIND, seen)
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    await eventually(lambda: verbs(emulator).count("watch") >= 3, "three watches")
    emulator.store.put(service("api"))
    await eventually(lambda: seen.summary() == [("ADDED", "api")], "the change")
    version = emulator.get_object(KIND, NS, "api")["metadata"]["resourceVersion"]  # type: ignore[index]
    count = len(stream_requests(emulator))
    await eventually(lambda: len(stream_requests(emulator)) >= count + 2, "more watches")
    requests = stream_requests(emulator)
    assert [r.verb for r in requests].count("list") == 1
    later = requests[count:]
    # Each watch resumes where the last one ended (its closing bookmark: the store's revision).
    assert all(int(r.query["resourceVersion"]) >= int(version) for r in later)
    assert all(r.query["timeoutSeconds"] == "1" for r in later)
    assert seen.summary() == [("ADDED", "api")]  # nothing seen twice across the re-watches
    assert hub.relists == 0


async def test_after_410_gone_the_stream_lists_again_and_tells_the_differences(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    metrics = Metrics()
    hubs.append(hub := hub_for(emulator, tmp_path, watch_seconds=lambda: 1, metrics=metrics))
    seen = Seen()
    hub.subscribe(NS, KIND, seen)
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    await eventually(lambda: "watch" in verbs(emulator), "the first watch")
    # The stream loses the server for a while (its watch ends, every request fails) ...
    outage = emulator.inject_fault(503, times=None, path_contains=f"/namespaces/{NS}/{KIND}")
    await eventually(lambda: outage.hits >= 2, "requests failing")
    # ... while the services change and the history is compacted away.
    emulator.store.remove(KIND, NS, "nginx")
    emulator.store.put(service("api"))
    emulator.compact()
    emulator.clear_faults()
    await eventually(lambda: hub.relists == 1, "a re-list after 410")
    await eventually(lambda: len(seen.changes) == 2, "the differences")
    assert sorted(seen.summary()) == [("ADDED", "api"), ("DELETED", "nginx")]
    assert seen.summary()[0] == ("DELETED", "nginx")  # deletions first
    assert verbs(emulator).count("list") == 2
    snapshot = await hub.snapshot(NS, KIND, timeout=DEADLINE)
    assert [o["metadata"]["name"] for o in snapshot.objects] == ["api"]
    exposition = metrics.exposition()[0].decode()
    assert "podium_watch_relists_total 1.0" in exposition
    assert 'podium_watch_api_requests_total{outcome="ServiceUnavailable",verb="watch"}' in (
        exposition
    )
    assert 'podium_watch_api_requests_total{outcome="ok",verb="list"} 2.0' in exposition


async def test_an_emulator_restart_is_backed_off_then_caught_up_without_losing_a_change(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.watch.hub")
    hubs.append(hub := hub_for(emulator, tmp_path, backoff_first=0.2, backoff_cap=1.0))
    seen = Seen()
    hub.subscribe(NS, KIND, seen)
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    await eventually(lambda: "watch" in verbs(emulator), "the first watch")
    port, tls_port = (int(url.rsplit(":", 1)[1]) for url in (emulator.url, emulator.https_url))
    await emulator.stop()
    emulator.store.put(service("during"))  # while Podium cannot reach the cluster
    await eventually(
        lambda: "watch sandbox/services: watch failed (Unreachable" in caplog.text,
        "the stream noticing the outage",
    )
    trouble = hub.trouble(NS, KIND)
    assert trouble is not None and trouble.reason == "Unreachable"
    emulator.clear_requests()
    await emulator.start(port=port, tls_port=tls_port)
    await eventually(lambda: hub.trouble(NS, KIND) is None, "connected again")
    await eventually(lambda: seen.summary() == [("ADDED", "during")], "the change made meanwhile")
    emulator.store.put(service("after"))
    await eventually(lambda: seen.names("ADDED") == ["during", "after"], "a change after")
    # Resumed from its version: the history had the change, no list was needed.
    assert "list" not in verbs(emulator)
    assert hub.relists == 0
    assert "watch sandbox/services: streaming again" in caplog.text
    assert hub.trouble(NS, KIND) is None
    # One warning for the outage however many retries it took.
    assert sum(r.levelno == logging.WARNING for r in caplog.records) == 1


async def test_a_forbidden_namespace_is_an_error_to_snapshot_and_streams_once_access_appears(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.watch.hub")
    hubs.append(hub := hub_for(emulator, tmp_path))
    namespace = "ws-late"
    seen = Seen()
    hub.subscribe(namespace, KIND, seen, replay=True)
    with pytest.raises(ClusterError) as refused:
        await hub.snapshot(namespace, KIND, timeout=DEADLINE)
    assert refused.value.reason == "Forbidden"
    await eventually(lambda: verbs(emulator, namespace).count("list") >= 3, "retries")
    # Logged once for the state, not once per retry; the object's contents never.
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "watch ws-late/services: list failed (Forbidden" in warned[0]
    async with aiohttp.ClientSession(emulator.url) as http:
        admin = {"Authorization": f"Bearer {KubeEmulator.ADMIN_TOKEN}"}
        for path, body in (
            ("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": namespace}}),
            (f"/api/v1/namespaces/{namespace}/services", service("web", namespace)),
            (f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings", {
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "podium-read", "namespace": namespace},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": "podium-read"},
                "subjects": [{"kind": "ServiceAccount", "name": "podium", "namespace": "podium"}]}),
        ):  # fmt: skip
            async with http.post(path, json=body, headers=admin) as response:
                assert response.status == 201, await response.text()
    await eventually(lambda: seen.summary() == [("ADDED", "web")], "the first list, replayed")
    snapshot = await hub.snapshot(namespace, KIND, timeout=DEADLINE)
    assert [o["metadata"]["name"] for o in snapshot.objects] == ["web"]
    emulator.store.put(service("api", namespace))
    await eventually(lambda: seen.names("ADDED") == ["web", "api"], "a live change")
    assert "watch ws-late/services: streaming again" in caplog.text


async def test_the_last_cancel_stops_the_stream_after_its_linger(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path, linger=0.3, watch_seconds=lambda: 1))
    first = hub.subscribe(NS, KIND, Seen())
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    await eventually(lambda: "watch" in verbs(emulator), "the watch")
    first.cancel()
    again = hub.subscribe(NS, KIND, Seen())  # within the linger: the same stream goes on
    assert hub.streams == 1
    again.cancel()
    await eventually(lambda: hub.streams == 0, "the stream retired")
    await eventually(
        lambda: not any(t.name == f"watch-{NS}-{KIND}" for t in threading.enumerate()),
        "its thread ended",
    )
    assert verbs(emulator).count("list") == 1
    count = len(stream_requests(emulator))
    await asyncio.sleep(2.5)  # longer than two of its watches: a running stream would re-watch
    assert len(stream_requests(emulator)) == count


async def test_close_returns_promptly_and_leaves_no_thread(
    emulator: KubeEmulator, tmp_path: Path
) -> None:
    hub = hub_for(emulator, tmp_path)
    for kind in ("services", "pods", "endpoints", "deployments"):
        hub.subscribe(NS, kind, Seen())
    await eventually(
        lambda: sum(r.verb == "watch" for r in emulator.requests) >= 4, "four open watches"
    )
    started = time.monotonic()
    await hub.close()
    assert time.monotonic() - started < 5.0  # the watches are open for minutes otherwise
    assert not any(t.name.startswith("watch-") and t.is_alive() for t in threading.enumerate())
    assert hub.streams == 0
    with pytest.raises(WatchesOff):
        hub.subscribe(NS, KIND, Seen())


async def test_a_raising_subscriber_breaks_neither_the_stream_nor_the_others(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub], caplog: pytest.LogCaptureFixture
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    calls: list[str] = []

    def broken(change: Change) -> None:
        calls.append(change.name)
        raise RuntimeError("a bug in one feature")

    seen = Seen()
    hub.subscribe(NS, KIND, broken)
    hub.subscribe(NS, KIND, seen)
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    await eventually(lambda: "watch" in verbs(emulator), "the watch")
    emulator.store.put(service("one"))
    emulator.store.put(service("two"))
    await eventually(lambda: seen.names("ADDED") == ["one", "two"], "both changes")
    assert calls == ["one", "two"]  # told again after failing
    assert (
        sum("a subscriber to sandbox/services failed" in r.getMessage() for r in caplog.records)
        == 2
    )


async def test_a_snapshot_waits_no_longer_than_its_timeout(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    emulator.inject_fault(None, delay=3.0, times=1, path_contains=f"/namespaces/{NS}/{KIND}")
    hubs.append(hub := hub_for(emulator, tmp_path))
    hub.subscribe(NS, KIND, Seen())
    with pytest.raises(TimeoutError):
        await hub.snapshot(NS, KIND, timeout=0.2)
    snapshot = await hub.snapshot(NS, KIND, timeout=DEADLINE)  # the slow list does arrive
    assert [o["metadata"]["name"] for o in snapshot.objects] == ["nginx"]


async def test_watching_switched_off_sends_nothing_and_says_so(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path, enabled=False))
    with pytest.raises(WatchesOff, match="PODIUM_WATCH=off"):
        hub.subscribe(NS, KIND, Seen())
    with pytest.raises(WatchesOff):
        await hub.snapshot(NS, KIND, timeout=1)
    assert stream_requests(emulator) == [] and hub.streams == 0


async def test_only_the_kinds_podium_may_watch_in_namespace_names(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    for namespace, kind in (
        (NS, "secrets"),
        (NS, "configmaps"),
        ("Sandbox", KIND),
        ("../x", KIND),
        ("", KIND),
        ("a" * 64, KIND),
    ):
        with pytest.raises(ValueError):
            hub.subscribe(namespace, kind, Seen())
    assert hub.streams == 0 and stream_requests(emulator) == []


async def test_past_its_stream_limit_the_hub_refuses_a_new_stream_but_shares_existing_ones(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path, max_streams=2))
    hub.subscribe(NS, "services", Seen())
    hub.subscribe(NS, "pods", Seen())
    with pytest.raises(WatchesOff, match="already watches 2 namespace streams"):
        hub.subscribe(NS, "endpoints", Seen())
    hub.subscribe(NS, "pods", Seen())  # an existing stream takes another subscriber
    assert hub.streams == 2


async def test_a_snapshot_waiting_at_close_is_told_at_once(
    emulator: KubeEmulator, tmp_path: Path
) -> None:
    emulator.inject_fault(None, delay=5.0, times=1, path_contains=f"/namespaces/{NS}/{KIND}")
    hub = hub_for(emulator, tmp_path, linger=0.05)  # shorter than the slow list: still waited for
    waiting = asyncio.create_task(hub.snapshot(NS, KIND, timeout=DEADLINE))
    await eventually(lambda: stream_requests(emulator) != [], "the slow list sent")
    await asyncio.sleep(0.2)  # past the linger: the stream stays while a snapshot waits for it
    assert hub.streams == 1 and not waiting.done()
    started = time.monotonic()
    await hub.close()
    with pytest.raises(WatchesOff):
        await waiting
    assert time.monotonic() - started < DEADLINE / 2


async def test_callbacks_may_cancel_and_subscribe_while_a_change_is_told(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    told: list[str] = []
    later = Seen()
    subscriptions: dict[str, Any] = {}

    def first(change: Change) -> None:
        told.append(f"first:{change.name}")
        subscriptions["second"].cancel()  # the next one in line leaves before it is told
        subscriptions["first"].cancel()
        subscriptions["later"] = hub.subscribe(NS, KIND, later)

    def second(change: Change) -> None:
        told.append(f"second:{change.name}")

    subscriptions["first"] = hub.subscribe(NS, KIND, first)
    subscriptions["second"] = hub.subscribe(NS, KIND, second)
    await hub.snapshot(NS, KIND, timeout=DEADLINE)
    await eventually(lambda: "watch" in verbs(emulator), "the watch")
    emulator.store.put(service("one"))
    await eventually(lambda: told == ["first:one"], "the first told")
    emulator.store.put(service("two"))
    await eventually(lambda: later.summary() == [("ADDED", "two")], "the new subscriber")
    assert told == ["first:one"] and hub.streams == 1


async def test_a_burst_of_changes_arrives_complete_and_in_order(
    emulator: KubeEmulator, tmp_path: Path, hubs: list[WatchHub]
) -> None:
    hubs.append(hub := hub_for(emulator, tmp_path))
    seen = Seen()
    hub.subscribe(NS, KIND, seen, replay=True)
    await eventually(lambda: "watch" in verbs(emulator), "the watch")
    await eventually(lambda: seen.summary() == [("ADDED", "nginx")], "the replay")
    for i in range(100):  # 300 writes without a pause: create, change, and every other deleted
        emulator.store.put(service(f"s{i}"))
        changed = service(f"s{i}")
        changed["metadata"]["labels"]["round"] = "2"
        emulator.store.put(changed)
        if i % 2:
            emulator.store.remove(KIND, NS, f"s{i}")
    await eventually(lambda: len(seen.changes) == 1 + 250, "every change")
    versions = [int(c.obj["metadata"]["resourceVersion"]) for c in seen.changes[1:]]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    held = {c.name for c in seen.changes if c.type != "DELETED"} - set(seen.names("DELETED"))
    assert held == {o["metadata"]["name"] for o in emulator.objects(KIND, NS)}
    snapshot = await hub.snapshot(NS, KIND, timeout=DEADLINE)
    assert int(snapshot.resource_version) >= versions[-1]  # a bookmark may have moved it on
    assert {o["metadata"]["name"] for o in snapshot.objects} == held
    assert all(
        o["metadata"]["labels"].get("round") == "2"
        for o in snapshot.objects
        if o["metadata"]["name"] != "nginx"
    )
