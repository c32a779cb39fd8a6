"""Pod logs: the kubelet's options and the API server's error messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
import yaml

from podium_devkit.kube_api import KubeEmulator
from podium_devkit.kube_logs import LogLine, render
from tests.harness.emulator import Http, fixed_now

SEED = """
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: sandbox}
spec:
  initContainers: [{name: init, image: busybox}]
  containers: [{name: app, image: example/app:1}, {name: sidecar, image: example/sidecar:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: single, namespace: sandbox}
spec:
  containers: [{name: only, image: example/app:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: pending, namespace: sandbox}
spec:
  containers: [{name: app, image: example/app:1}]
status:
  phase: Pending
  containerStatuses:
    - {name: app, ready: false, restartCount: 0, image: example/app:1, imageID: "", state: {waiting: {reason: ContainerCreating}}}
---
apiVersion: devkit.podium/v1
kind: PodLogs
metadata: {namespace: sandbox, name: web}
container: app
lines:
  - {time: "-10m", text: "booting"}
  - {time: "-5m", text: "listening on :8080"}
  - {time: "2025-06-02T11:59:30.5Z", text: "GET /healthz 200"}
---
apiVersion: devkit.podium/v1
kind: PodLogs
metadata: {namespace: sandbox, name: web}
container: app
previous: true
lines: ["panic: boom"]
---
apiVersion: devkit.podium/v1
kind: PodLogs
metadata: {namespace: sandbox, name: single}
lines: ["only line"]
"""


@pytest.fixture
async def logs_http() -> AsyncIterator[Http]:
    emulator = KubeEmulator(yaml.safe_load_all(SEED), authorize=False, now=fixed_now)
    await emulator.start()
    async with aiohttp.ClientSession(emulator.url) as session:
        yield Http(session)
    await emulator.stop()


LOG = "/api/v1/namespaces/sandbox/pods/{}/log"


async def test_logs_are_plain_text(logs_http: Http) -> None:
    status, text = await logs_http.get(LOG.format("web") + "?container=app")
    assert status == 200 and text == "booting\nlistening on :8080\nGET /healthz 200\n"
    status, text = await logs_http.get(LOG.format("single"))
    assert (status, text) == (200, "only line\n")


async def test_tail_since_and_timestamps(logs_http: Http) -> None:
    _, text = await logs_http.get(LOG.format("web") + "?container=app&tailLines=1")
    assert text == "GET /healthz 200\n"
    _, text = await logs_http.get(LOG.format("web") + "?container=app&sinceSeconds=360")
    assert text == "listening on :8080\nGET /healthz 200\n"
    _, text = await logs_http.get(
        LOG.format("web") + "?container=app&sinceTime=2025-06-02T11:58:00Z"
    )
    assert text == "GET /healthz 200\n"
    _, text = await logs_http.get(LOG.format("web") + "?container=app&timestamps=true&tailLines=2")
    assert (
        text == "2025-06-02T11:55:00Z listening on :8080\n2025-06-02T11:59:30.5Z GET /healthz 200\n"
    )
    _, text = await logs_http.get(LOG.format("web") + "?container=app&follow=true&limitBytes=4")
    assert text == "boot"


async def test_previous(logs_http: Http) -> None:
    _, text = await logs_http.get(LOG.format("web") + "?container=app&previous=true")
    assert text == "panic: boom\n"
    status, body = await logs_http.get(LOG.format("single") + "?previous=true")
    assert (
        status == 400
        and body["message"] == 'previous terminated container "only" in pod "single" not found'
    )


async def test_container_errors(logs_http: Http) -> None:
    status, body = await logs_http.get(LOG.format("web"))
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == (
        "a container name must be specified for pod web, choose one of: [app sidecar] "
        "or one of the init containers: [init]"
    )
    status, body = await logs_http.get(LOG.format("web") + "?container=nope")
    assert (status, body["message"]) == (400, "container nope is not valid for pod web")
    status, body = await logs_http.get(LOG.format("pending"))
    assert (status, body["message"]) == (
        400,
        'container "app" in pod "pending" is waiting to start: ContainerCreating',
    )
    status, body = await logs_http.get(LOG.format("ghost"))
    assert (status, body["message"]) == (404, 'pods "ghost" not found')
    status, body = await logs_http.get(LOG.format("single") + "?tailLines=x")
    assert status == 400


async def test_podlogs_are_never_served_as_objects(logs_http: Http) -> None:
    status, _ = await logs_http.get("/apis/devkit.podium/v1/namespaces/sandbox/podlogs")
    assert status == 404
    _, groups = await logs_http.get("/apis")
    assert "devkit.podium" not in {g["name"] for g in groups["groups"]}


async def test_materialised_nginx_pods_have_default_logs(
    http: Http, running_demo: KubeEmulator
) -> None:
    pod = running_demo.objects("pods", "sandbox")[0]["metadata"]["name"]
    status, text = await http.get(LOG.format(pod) + "?container=nginx")
    assert status == 200
    assert "Configuration complete; ready for start up" in text and '"GET / HTTP/1.1" 200' in text


def test_limit_bytes_cuts_after_exactly_that_many_bytes_like_the_kubelet() -> None:
    now = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    lines = [LogLine(now, "héllo"), LogLine(now, "wörld")]
    assert render(lines, now=now) == "héllo\nwörld\n".encode()
    assert (
        render(lines, now=now, limit_bytes=2) == b"h\xc3"
    )  # inside the é, as the API server sends it
    assert (
        render(lines, now=now, tail_lines=1, limit_bytes=3) == b"w\xc3\xb6"
    )  # tail first, then the byte limit
