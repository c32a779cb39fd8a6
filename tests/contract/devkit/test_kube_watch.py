"""The emulator serves watches like the API server's watch cache (issue 17): resourceVersion
replay from a bounded history, 410 Gone once compacted, bookmarks, timeouts, selectors; the
official python client's Watch and the real `kubectl get -w` follow it."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from podium_devkit.kube_api import KubeEmulator, demo_seed_paths
from tests.harness.emulator import Http, Kubectl
from tests.harness.kubectl_binary import kubectl_binary

ADMIN = KubeEmulator.ADMIN_TOKEN
CONFIGMAPS = "/api/v1/namespaces/sandbox/configmaps"
PODS = "/api/v1/namespaces/sandbox/pods"
MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
async def fast_bookmarks() -> AsyncIterator[KubeEmulator]:
    emulator = KubeEmulator.from_paths(*demo_seed_paths(), bookmark_interval=0.2)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


async def events_of(
    http: Http, path: str, *, token: str = ADMIN
) -> tuple[int, list[dict[str, Any]]]:
    """A whole watch stream (the query must bound it with timeoutSeconds)."""
    async with http.session.get(path, headers={"Authorization": f"Bearer {token}"}) as response:
        text = await asyncio.wait_for(response.text(), 10)
        return response.status, [json.loads(line) for line in text.splitlines()]


async def list_version(http: Http, path: str) -> int:
    status, body = await http.get(path, token=ADMIN)
    assert status == 200, body
    return int(body["metadata"]["resourceVersion"])  # type: ignore[index]


async def three_changes(http: Http) -> None:
    """Create, change and delete one ConfigMap."""
    status, _ = await http.request("POST", CONFIGMAPS, token=ADMIN, json={
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "notes", "labels": {"app": "notes"}},
        "data": {"a": "1"}})  # fmt: skip
    assert status == 201
    status, _ = await http.request(
        "PATCH", f"{CONFIGMAPS}/notes", token=ADMIN, json={"data": {"a": "2"}}, headers=MERGE
    )
    assert status == 200
    assert (await http.request("DELETE", f"{CONFIGMAPS}/notes", token=ADMIN))[0] == 200


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"]["metadata"].get("name", "")) for e in events]


async def test_a_watch_from_a_resource_version_replays_every_later_change_in_order(
    http: Http,
) -> None:
    before = await list_version(http, CONFIGMAPS)
    await three_changes(http)
    status, events = await events_of(
        http, f"{CONFIGMAPS}?watch=1&resourceVersion={before}&timeoutSeconds=1"
    )
    assert status == 200
    assert summary(events) == [("ADDED", "notes"), ("MODIFIED", "notes"), ("DELETED", "notes")]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions) and versions[0] > before
    assert events[1]["object"]["data"] == {"a": "2"}
    # From the middle of the history: only what came after.
    status, later = await events_of(
        http, f"{CONFIGMAPS}?watch=1&resourceVersion={versions[1]}&timeoutSeconds=1"
    )
    assert summary(later) == [("DELETED", "notes")]
    # The list's own version replays nothing: nothing changed since.
    now = await list_version(http, CONFIGMAPS)
    assert (await events_of(http, f"{CONFIGMAPS}?watch=1&resourceVersion={now}&timeoutSeconds=1"))[
        1
    ] == []


async def test_a_compacted_resource_version_is_a_410_error_event_in_a_200_stream(
    http: Http, running_demo: KubeEmulator
) -> None:
    before = await list_version(http, CONFIGMAPS)
    await three_changes(http)
    compacted = running_demo.compact()
    assert compacted == running_demo.store.revision
    started = time.monotonic()
    status, events = await events_of(
        http, f"{CONFIGMAPS}?watch=1&resourceVersion={before}&timeoutSeconds=30"
    )
    assert time.monotonic() - started < 5  # the stream ends at once, not at its timeout
    assert status == 200 and len(events) == 1 and events[0]["type"] == "ERROR"
    error = events[0]["object"]
    assert (error["kind"], error["status"], error["code"], error["reason"]) == (
        "Status",
        "Failure",
        410,
        "Expired",
    )
    assert error["message"] == f"too old resource version: {before} ({compacted})"
    # The compacted version itself is still a valid place to start.
    status, events = await events_of(
        http, f"{CONFIGMAPS}?watch=1&resourceVersion={compacted}&timeoutSeconds=1"
    )
    assert (status, events) == (200, [])


async def test_the_history_window_is_bounded_by_size() -> None:
    emulator = KubeEmulator.from_paths(*demo_seed_paths(), history_size=2)
    async with emulator, aiohttp.ClientSession(emulator.url) as session:
        http = Http(session)
        before = await list_version(http, CONFIGMAPS)
        await three_changes(http)  # three changes: the first falls out of a window of two
        _, events = await events_of(
            http, f"{CONFIGMAPS}?watch=1&resourceVersion={before}&timeoutSeconds=1"
        )
        assert [e["object"]["code"] for e in events if e["type"] == "ERROR"] == [410]
        _, events = await events_of(
            http, f"{CONFIGMAPS}?watch=1&resourceVersion={before + 1}&timeoutSeconds=1"
        )
        assert summary(events) == [("MODIFIED", "notes"), ("DELETED", "notes")]


async def test_lists_follow_resource_version_match(http: Http, running_demo: KubeEmulator) -> None:
    before = await list_version(http, CONFIGMAPS)
    status, _ = await http.request("DELETE", f"{CONFIGMAPS}/nginx-settings", token=ADMIN)
    assert status == 200
    await three_changes(http)

    def names(body: Any) -> set[str]:
        return {item["metadata"]["name"] for item in body["items"]}

    status, exact = await http.get(
        f"{CONFIGMAPS}?resourceVersion={before}&resourceVersionMatch=Exact", token=ADMIN
    )
    assert status == 200 and exact["metadata"]["resourceVersion"] == str(before)  # type: ignore[index]
    assert "nginx-settings" in names(exact) and "notes" not in names(exact)
    status, latest = await http.get(
        f"{CONFIGMAPS}?resourceVersion={before}&resourceVersionMatch=NotOlderThan", token=ADMIN
    )
    assert status == 200 and "nginx-settings" not in names(latest)
    assert latest["metadata"]["resourceVersion"] == str(running_demo.store.revision)  # type: ignore[index]
    status, body = await http.get(
        f"{CONFIGMAPS}?resourceVersion={running_demo.store.revision + 5}", token=ADMIN
    )
    assert status == 504 and body["message"].startswith("Too large resource version")  # type: ignore[index]
    status, body = await http.get(f"{CONFIGMAPS}?resourceVersionMatch=Exact", token=ADMIN)
    assert (
        status == 400
        and "resourceVersionMatch is forbidden unless resourceVersion" in body["message"]
    )  # type: ignore[index]

    running_demo.compact()
    status, body = await http.get(
        f"{CONFIGMAPS}?resourceVersion={before}&resourceVersionMatch=Exact", token=ADMIN
    )
    assert status == 410 and body["reason"] == "Expired"  # type: ignore[index]
    assert body["message"] == "The resourceVersion for the provided list is too old."  # type: ignore[index]
    # Without Exact, an old version is served from the cache: the latest state, never 410.
    status, body = await http.get(f"{CONFIGMAPS}?resourceVersion={before}", token=ADMIN)
    assert status == 200 and names(body) == names(latest) - {"notes"}


async def test_an_object_leaving_the_selector_is_deleted_and_one_entering_it_added(
    http: Http,
) -> None:
    before = await list_version(http, CONFIGMAPS)
    for labels in ({"app": "other"}, {"app": "nginx", "note": "back"}):
        status, _ = await http.request("PATCH", f"{CONFIGMAPS}/nginx-settings", token=ADMIN,
                                       json={"metadata": {"labels": labels}}, headers=MERGE)  # fmt: skip
        assert status == 200
    await three_changes(http)  # label app=notes: never in the selection, never shown
    status, events = await events_of(
        http,
        f"{CONFIGMAPS}?watch=1&resourceVersion={before}&labelSelector=app%3Dnginx&timeoutSeconds=1",
    )
    assert summary(events) == [("DELETED", "nginx-settings"), ("ADDED", "nginx-settings")]
    gone, back = (e["object"] for e in events)
    # The DELETED object is the last one that matched, at the version that made it leave.
    assert gone["metadata"]["labels"]["app"] == "nginx"
    assert int(gone["metadata"]["resourceVersion"]) < int(back["metadata"]["resourceVersion"])
    assert back["metadata"]["labels"] == {"app": "nginx", "note": "back"}


async def test_bookmarks_come_periodically_and_before_the_timeout_closes(
    fast_bookmarks: KubeEmulator,
) -> None:
    async with aiohttp.ClientSession(fast_bookmarks.url) as session:
        http = Http(session)
        rv = await list_version(http, PODS)
        started = time.monotonic()
        status, events = await events_of(
            http, f"{PODS}?watch=1&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=1"
        )
        elapsed = time.monotonic() - started
        assert status == 200 and 1 <= elapsed < 4
        assert len(events) >= 4 and {e["type"] for e in events} == {"BOOKMARK"}
        # A bookmark carries nothing but the kind and the version the client may resume from.
        assert events[-1]["object"] == {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": str(fast_bookmarks.store.revision)},
        }
        # Without allowWatchBookmarks: no bookmark, just the timeout.
        _, events = await events_of(http, f"{PODS}?watch=1&resourceVersion={rv}&timeoutSeconds=1")
        assert events == []


def core(kubeconfig: Path) -> client.CoreV1Api:
    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


async def test_python_client_watch_sees_a_pod_deleted_and_replaced_with_bookmarks(
    fast_bookmarks: KubeEmulator, tmp_path: Path
) -> None:
    api = core(fast_bookmarks.write_kubeconfig(tmp_path / "kubeconfig", token=ADMIN))
    pods = await asyncio.to_thread(api.list_namespaced_pod, "sandbox", label_selector="app=nginx")
    rv, victim = pods.metadata.resource_version, pods.items[0].metadata.name
    watcher = watch.Watch()
    seen: list[tuple[str, str]] = []

    def follow() -> None:
        for event in watcher.stream(
            api.list_namespaced_pod,
            "sandbox",
            label_selector="app=nginx",
            resource_version=rv,
            allow_watch_bookmarks=True,
            timeout_seconds=2,
        ):
            # A bookmark stays a dict (the client does not deserialize it), the rest are V1Pods.
            name = "" if event["type"] == "BOOKMARK" else event["object"].metadata.name
            seen.append((event["type"], name))

    following = asyncio.create_task(asyncio.to_thread(follow))
    await asyncio.sleep(0.3)
    await asyncio.to_thread(api.delete_namespaced_pod, victim, "sandbox")
    await asyncio.wait_for(following, 10)
    changes = [e for e in seen if e[0] != "BOOKMARK"]
    assert changes[0] == ("DELETED", victim)
    (replacement,) = {p["metadata"]["name"] for p in fast_bookmarks.objects("pods", "sandbox")} - {
        p.metadata.name for p in pods.items
    }
    assert ("ADDED", replacement) in changes and changes.index(("ADDED", replacement)) > 0
    assert seen.count(("BOOKMARK", "")) >= 2 and seen[-1][0] == "BOOKMARK"
    # The client remembers the last bookmark's version: where it would resume.
    assert watcher.resource_version == str(fast_bookmarks.store.revision)


async def test_python_client_gets_410_then_recovers_by_listing_again(
    running_demo: KubeEmulator, tmp_path: Path
) -> None:
    api = core(running_demo.write_kubeconfig(tmp_path / "kubeconfig", token=ADMIN))
    old = (
        await asyncio.to_thread(api.list_namespaced_config_map, "sandbox")
    ).metadata.resource_version
    await asyncio.to_thread(api.create_namespaced_config_map, "sandbox",
                            {"metadata": {"name": "first"}, "data": {"k": "v"}})  # fmt: skip
    running_demo.compact()

    def stream(version: str) -> list[tuple[str, str]]:
        return [
            (e["type"], e["object"].metadata.name)
            for e in watch.Watch().stream(
                api.list_namespaced_config_map,
                "sandbox",
                resource_version=version,
                timeout_seconds=1,
            )
        ]

    with pytest.raises(ApiException) as gone:
        await asyncio.to_thread(stream, old)
    assert gone.value.status == 410 and "too old resource version" in str(gone.value.reason)
    # Recovery as the docs say: list again, watch from the list's version.
    fresh = await asyncio.to_thread(api.list_namespaced_config_map, "sandbox")
    assert "first" in {c.metadata.name for c in fresh.items}
    following = asyncio.create_task(asyncio.to_thread(stream, fresh.metadata.resource_version))
    await asyncio.sleep(0.2)
    await asyncio.to_thread(
        api.create_namespaced_config_map, "sandbox", {"metadata": {"name": "second"}}
    )
    assert await asyncio.wait_for(following, 10) == [("ADDED", "second")]


async def read_until(stream: asyncio.StreamReader, wanted: Any, limit: float = 20) -> list[str]:
    """Lines of a kubectl watch until ``wanted(lines)`` holds."""
    lines: list[str] = []
    deadline = time.monotonic() + limit
    while not wanted(lines):
        line = await asyncio.wait_for(stream.readline(), max(deadline - time.monotonic(), 0.1))
        assert line, f"kubectl stopped: {lines}"
        lines.append(line.decode().rstrip("\n"))
    return lines


@pytest.mark.parametrize("events", [False, True])
async def test_kubectl_get_pods_watch_shows_a_pod_deleted_and_replaced(
    running_demo: KubeEmulator, tmp_path: Path, events: bool
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    kubectl = Kubectl(
        kubectl_binary(), running_demo.write_kubeconfig(tmp_path / "kc", token=ADMIN), home
    )
    env = {**os.environ, "KUBECONFIG": str(kubectl.kubeconfig), "HOME": str(home), "NO_COLOR": "1"}
    flags = ["--output-watch-events"] if events else []
    watcher = await asyncio.create_subprocess_exec(kubectl.binary, "get", "pods", "-l", "app=nginx", "-w", *flags,
                                                   env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)  # fmt: skip
    try:
        assert watcher.stdout is not None
        before = [p["metadata"]["name"] for p in running_demo.objects("pods", "sandbox")
                  if p["metadata"].get("labels", {}).get("app") == "nginx"]  # fmt: skip
        head = await read_until(watcher.stdout, lambda lines: len(lines) == len(before) + 1)
        assert head[0].split()[:2] == (["EVENT", "NAME"] if events else ["NAME", "READY"])
        if events:
            assert all(line.split()[0] == "ADDED" for line in head[1:])
        code, _, err = await kubectl("delete", "pod", before[0], "--wait=false")
        assert code == 0, err
        (replacement,) = {
            p["metadata"]["name"] for p in running_demo.objects("pods", "sandbox")
        } - set(before)
        later = await read_until(watcher.stdout, lambda lines: any(replacement in line for line in lines)
                                 and any(before[0] in line for line in lines))  # fmt: skip
    finally:
        watcher.terminate()
        await watcher.wait()
    gone = next(line for line in later if before[0] in line)
    new = next(line for line in later if replacement in line)
    assert later.index(gone) < later.index(new)
    if events:
        assert gone.split()[0] == "DELETED" and new.split()[0] == "ADDED"
    else:
        assert gone.split()[0] == before[0] and new.split()[0] == replacement
