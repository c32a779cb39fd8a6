"""Server-side printing: the emulator answers kubectl's Table requests as the API server does.

Unit tests of ``podium_devkit.kube_tables`` and tests with the REAL kubectl: its headers per kind, and
its output for the emulator's Table equals Podium's own ``/kubectl get`` rendering
(``bot.kubectl.get.render_get``) of the same objects -- kubectl's layout, column selection and
wide/priority handling against Podium's, over the same cells.
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.kubectl.get import Fetched, GetResult, render_get
from bot.kubectl.policy import GetRequest
from bot.kubectl.resources import lookup
from podium_devkit import kube_tables
from podium_devkit.kube_api import KubeEmulator, demo_seed_paths
from tests.harness.emulator import NOW, Kubectl, fixed_now
from tests.harness.kubectl_binary import kubectl_binary

KUBECTL_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)


def headers(line: str) -> list[str]:
    """A header line split on kubectl's column gaps (3+ spaces; names like NOMINATED NODE keep theirs)."""
    return re.split(r"\s{2,}", line.strip())


@pytest.fixture
def demo_objects() -> KubeEmulator:
    return KubeEmulator.from_paths(*demo_seed_paths(), now=fixed_now)


# ---------------------------------------------------------------------------------------------
# table_for / default_table / wants_table
# ---------------------------------------------------------------------------------------------


def test_pod_table_columns_priorities_and_cells(demo_objects: KubeEmulator) -> None:
    pods = demo_objects.objects("pods", "sandbox")
    table = kube_tables.table_for(
        "pods", pods, NOW, kind="Pod", api_version="v1", list_metadata={"resourceVersion": "42"}
    )
    assert table is not None
    assert (table["kind"], table["apiVersion"], table["metadata"]) == (
        "Table",
        "meta.k8s.io/v1",
        {"resourceVersion": "42"},
    )
    columns = [
        (c["name"], c["type"], c["format"], c["priority"]) for c in table["columnDefinitions"]
    ]
    assert columns == [
        ("Name", "string", "name", 0),
        ("Ready", "string", "", 0),
        ("Status", "string", "", 0),
        ("Restarts", "string", "", 0),
        ("Age", "string", "", 0),
        ("IP", "string", "", 1),
        ("Node", "string", "", 1),
        ("Nominated Node", "string", "", 1),
        ("Readiness Gates", "string", "", 1),
    ]
    assert all(c["description"] for c in table["columnDefinitions"])
    assert len(table["rows"]) == len(pods) == 3
    for row, pod in zip(table["rows"], pods):
        name, ready, status, restarts, age, ip, node, nominated, gates = row["cells"]
        assert (name, ready, status, restarts) == (pod["metadata"]["name"], "1/1", "Running", "0")
        assert re.fullmatch(r"\d+m(\d+s)?", age)  # humanized by the server, not a timestamp
        assert (ip, node, nominated, gates) == (
            pod["status"]["podIP"],
            pod["spec"]["nodeName"],
            "<none>",
            "<none>",
        )
        assert row["object"] == {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": pod["metadata"],
        }
        assert "conditions" not in row  # only finished pods carry the Completed row condition


def test_row_objects_follow_include_object(demo_objects: KubeEmulator) -> None:
    pods = [
        {k: v for k, v in p.items() if k not in ("kind", "apiVersion")}
        for p in demo_objects.objects("pods", "sandbox")
    ]
    whole = kube_tables.table_for(
        "pods", pods, NOW, include_object="Object", kind="Pod", api_version="v1"
    )
    assert whole is not None
    assert [r["object"] for r in whole["rows"]] == [
        {"kind": "Pod", "apiVersion": "v1", **p} for p in pods
    ]
    none = kube_tables.table_for("pods", pods, NOW, include_object="None")
    assert none is not None and [r["object"] for r in none["rows"]] == [None] * 3
    # The row object is a copy: changing it never changes the stored object.
    whole["rows"][0]["object"]["metadata"]["name"] = "changed"
    assert pods[0]["metadata"]["name"] != "changed"


def test_integer_cells_and_wide_columns_where_upstream_puts_them(
    demo_objects: KubeEmulator,
) -> None:
    deployments = kube_tables.table_for(
        "deployments", demo_objects.objects("deployments", "sandbox"), NOW
    )
    assert deployments is not None
    assert [(c["name"], c["priority"]) for c in deployments["columnDefinitions"]] == [
        ("Name", 0),
        ("Ready", 0),
        ("Up-to-date", 0),
        ("Available", 0),
        ("Age", 0),
        ("Containers", 1),
        ("Images", 1),
        ("Selector", 1),
    ]
    assert deployments["rows"][0]["cells"][:4] == [
        "nginx",
        "3/3",
        3,
        3,
    ]  # int64 cells, as printDeployment
    replicasets = kube_tables.table_for(
        "replicasets", demo_objects.objects("replicasets", "sandbox"), NOW
    )
    assert replicasets is not None
    assert [c["type"] for c in replicasets["columnDefinitions"][1:4]] == ["integer"] * 3
    assert replicasets["rows"][0]["cells"][1:4] == [3, 3, 3]
    # Events: the wide columns are interleaved, not appended (MESSAGE stays between SOURCE and FIRST SEEN).
    events = kube_tables.table_for("events", demo_objects.objects("events", "sandbox"), NOW)
    assert events is not None
    assert [(c["name"], c["priority"]) for c in events["columnDefinitions"]] == [
        ("Last Seen", 0),
        ("Type", 0),
        ("Reason", 0),
        ("Object", 0),
        ("Subobject", 1),
        ("Source", 1),
        ("Message", 0),
        ("First Seen", 1),
        ("Count", 1),
        ("Name", 1),
    ]
    assert [c["format"] for c in events["columnDefinitions"]].count(
        "name"
    ) == 1  # the event's own Name
    assert all(isinstance(r["cells"][8], int) for r in events["rows"])


def test_finished_pods_carry_the_completed_row_condition(demo_objects: KubeEmulator) -> None:
    pod = copy.deepcopy(demo_objects.objects("pods", "sandbox")[0])
    pod["status"]["phase"] = "Succeeded"
    failed = copy.deepcopy(pod)
    failed["status"]["phase"] = "Failed"
    table = kube_tables.table_for("pods", [pod, failed], NOW)
    assert table is not None
    assert [r["conditions"][0]["reason"] for r in table["rows"]] == ["Succeeded", "Failed"]
    assert {r["conditions"][0]["type"] for r in table["rows"]} == {"Completed"}


def test_kinds_without_a_printer_get_the_default_table() -> None:
    secret = {
        "metadata": {
            "name": "token",
            "namespace": "sandbox",
            "creationTimestamp": "2025-06-02T11:53:00+00:00",
        },
        "type": "Opaque",
        "data": {},
    }
    assert kube_tables.table_for("secrets", [secret], NOW) is None
    assert kube_tables.table_for("nodes", [], NOW) is None
    table = kube_tables.server_table(
        "secrets",
        [secret, {"metadata": {"name": "undated"}}],
        NOW,
        list_metadata={"resourceVersion": "7"},
    )
    assert table["columnDefinitions"] == [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": kube_tables._NAME_DOC,
            "priority": 0,
        },
        {
            "name": "Created At",
            "type": "date",
            "format": "",
            "description": kube_tables._AGE_DOC,
            "priority": 0,
        },
    ]
    assert [r["cells"] for r in table["rows"]] == [
        ["token", "2025-06-02T11:53:00Z"],
        ["undated", "0001-01-01T00:00:00Z"],
    ]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert table["metadata"] == {"resourceVersion": "7"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (KUBECTL_ACCEPT, True),
        ("application/json;as=Table;g=meta.k8s.io;v=v1", True),  # parameters in any order
        ("application/json", False),
        ("", False),
        (
            "application/json, application/json;as=Table;v=v1;g=meta.k8s.io",
            False,
        ),  # the first one served wins
        (
            "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
            False,
        ),  # v1beta1 not served: JSON
        ("application/yaml,application/json;as=Table;v=v1;g=meta.k8s.io", True),
        (
            "application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io,application/json",
            False,
        ),
    ],
)
def test_wants_table_takes_the_first_acceptable_media_type(accept: str, expected: bool) -> None:
    assert kube_tables.wants_table(accept) is expected


# ---------------------------------------------------------------------------------------------
# Over HTTP, and with the real kubectl
# ---------------------------------------------------------------------------------------------


async def test_json_clients_keep_getting_lists_and_tables_say_so(http) -> None:
    status, body = await http.get(
        "/api/v1/namespaces/sandbox/pods", headers={"Accept": "application/json"}
    )
    assert status == 200 and body["kind"] == "PodList"
    async with http.session.get(
        "/api/v1/namespaces/sandbox/pods?limit=2",
        headers={"Accept": KUBECTL_ACCEPT, "Authorization": f"Bearer {KubeEmulator.DEFAULT_TOKEN}"},
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == kube_tables.TABLE_MEDIA_TYPE
        table = await response.json(content_type=None)
    assert table["kind"] == "Table" and len(table["rows"]) == 2
    assert (
        table["metadata"]["continue"] and table["metadata"]["remainingItemCount"] == 1
    )  # the list's metadata
    status, body = await http.get(
        "/api/v1/namespaces/sandbox/pods?includeObject=Everything",
        headers={"Accept": KUBECTL_ACCEPT},
    )
    assert status == 400 and body["message"] == 'unrecognized includeObject value: "Everything"'


async def test_kubectl_get_pods_prints_the_server_columns(
    kubectl: Kubectl, running_demo: KubeEmulator
) -> None:
    code, out, err = await kubectl("get", "pods", "-n", "sandbox")
    assert code == 0, err
    lines = out.splitlines()
    assert headers(lines[0]) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    names = sorted(p["metadata"]["name"] for p in running_demo.objects("pods", "sandbox"))
    assert sorted(line.split()[0] for line in lines[1:]) == names
    assert all(line.split()[1:4] == ["1/1", "Running", "0"] for line in lines[1:])

    code, out, err = await kubectl("get", "pods", "-o", "wide")
    assert code == 0, err
    assert headers(out.splitlines()[0]) == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED NODE",
        "READINESS GATES",
    ]
    code, out, err = await kubectl("get", "pod", names[0])  # a get by name is a Table too
    assert code == 0, err
    assert headers(out.splitlines()[0]) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert out.splitlines()[1].split()[:3] == [names[0], "1/1", "Running"]


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("deploy", ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]),
        ("rs", ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]),
        ("svc", ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]),
        ("endpoints", ["NAME", "ENDPOINTS", "AGE"]),
        ("endpointslices", ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]),
        ("cm", ["NAME", "DATA", "AGE"]),
        ("events", ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]),
    ],
)
async def test_kubectl_headers_per_kind(
    kubectl: Kubectl, resource: str, expected: list[str]
) -> None:
    code, out, err = await kubectl("get", resource)
    assert code == 0, err
    assert headers(out.splitlines()[0]) == expected
    assert len(out.splitlines()) > 1


@pytest.fixture
async def fixed_cluster(tmp_path: Path) -> AsyncIterator[tuple[KubeEmulator, Kubectl]]:
    """The demo on a fixed clock (ages are the same for kubectl and Podium), as the admin."""
    emulator = KubeEmulator.from_paths(*demo_seed_paths(), now=fixed_now)
    await emulator.start()
    home = tmp_path / "home"
    home.mkdir()
    kubeconfig = emulator.write_kubeconfig(tmp_path / "kubeconfig", token=KubeEmulator.ADMIN_TOKEN)
    try:
        yield emulator, Kubectl(kubectl_binary(), kubeconfig, home)
    finally:
        await emulator.stop()


async def test_kubectl_jobs_and_namespaces(fixed_cluster: tuple[KubeEmulator, Kubectl]) -> None:
    emulator, kubectl = fixed_cluster
    code, _, err = await kubectl(
        "create", "job", "hello", "--image=busybox:1.36", "--", "echo", "hi"
    )
    assert code == 0, err
    code, out, err = await kubectl("get", "jobs")
    assert code == 0, err
    assert headers(out.splitlines()[0]) == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert out.splitlines()[1].split()[0] == "hello"
    code, out, err = await kubectl("get", "jobs", "-o", "wide")
    assert code == 0, err
    assert headers(out.splitlines()[0])[-3:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert "busybox:1.36" in out
    code, out, err = await kubectl("get", "ns")
    assert code == 0, err
    assert headers(out.splitlines()[0]) == ["NAME", "STATUS", "AGE"]
    assert re.search(r"^sandbox\s+Active\s+", out, re.MULTILINE)
    # No printer in the emulator for ClusterRoles: the API server's default (and upstream's
    # ClusterRole printer alike) is NAME and CREATED AT, the RFC 3339 time printed as is.
    code, out, err = await kubectl("get", "clusterrole", "view")
    assert code == 0, err
    assert headers(out.splitlines()[0]) == ["NAME", "CREATED AT"]
    assert re.fullmatch(r"view\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", out.splitlines()[1])


def _podium_get(plural: str, objects: list[dict], *, wide: bool) -> str:
    """Podium's own `/kubectl get <plural> [-o wide]` text for these objects (bot/kubectl/get.py)."""
    kind = lookup(plural)
    assert kind is not None
    request = GetRequest(
        targets=((kind, ()),), namespace="sandbox", output="wide" if wide else None
    )
    return render_get(request, GetResult([Fetched(kind, objects)], []), now=NOW)


@pytest.mark.parametrize(
    "plural",
    [
        "pods",
        "deployments",
        "replicasets",
        "services",
        "endpoints",
        "endpointslices",
        "configmaps",
        "events",
        "jobs",
    ],
)
@pytest.mark.parametrize("wide", [False, True])
async def test_kubectl_prints_what_podium_prints(
    fixed_cluster: tuple[KubeEmulator, Kubectl], plural: str, wide: bool
) -> None:
    emulator, kubectl = fixed_cluster
    if plural == "jobs":  # the demo has none: one finished, one still running
        emulator.store.put(
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {
                    "name": "done",
                    "namespace": "sandbox",
                    "creationTimestamp": "2025-06-02T11:40:00Z",
                },
                "spec": {
                    "completions": 1,
                    "selector": {"matchLabels": {"job-name": "done"}},
                    "template": {"spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}},
                },
                "status": {
                    "succeeded": 1,
                    "startTime": "2025-06-02T11:40:01Z",
                    "completionTime": "2025-06-02T11:40:09Z",
                    "conditions": [{"type": "Complete", "status": "True"}],
                },
            }
        )
    args = ["get", plural, "-n", "sandbox"] + (["-o", "wide"] if wide else [])
    code, out, err = await kubectl(*args)
    assert code == 0, err
    objects = emulator.objects(plural, "sandbox")
    assert objects
    assert out == _podium_get(plural, objects, wide=wide) + "\n"


async def test_kubectl_all_namespaces_and_labels_use_the_row_objects(
    fixed_cluster: tuple[KubeEmulator, Kubectl],
) -> None:
    emulator, kubectl = fixed_cluster
    code, out, err = await kubectl("get", "pods", "-A", "--show-labels")
    assert code == 0, err
    lines = out.splitlines()
    assert headers(lines[0]) == [
        "NAMESPACE",
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "LABELS",
    ]
    pod = emulator.objects("pods", "sandbox")[0]
    line = next(line for line in lines if pod["metadata"]["name"] in line)
    labels = ",".join(f"{k}={v}" for k, v in sorted(pod["metadata"]["labels"].items()))
    assert line.split()[0] == "sandbox" and line.split()[-1] == labels
    code, out, err = await kubectl(
        "get", "pods", "--sort-by=.status.podIP", "-o", "wide"
    )  # includeObject=Object
    assert code == 0, err
    ips = [line.split()[5] for line in out.splitlines()[1:]]
    assert ips == sorted(ips) and sorted(ips) == sorted(
        p["status"]["podIP"] for p in emulator.objects("pods", "sandbox")
    )


def test_age_is_humanized_relative_to_now() -> None:
    pod = {
        "metadata": {
            "name": "p",
            "creationTimestamp": (NOW - timedelta(minutes=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Pending"},
    }
    table = kube_tables.table_for("pods", [pod], NOW)
    assert table is not None and table["rows"][0]["cells"][:5] == ["p", "0/1", "Pending", "0", "7m"]
    later = kube_tables.table_for("pods", [pod], NOW + timedelta(hours=2))
    assert later is not None and later["rows"][0]["cells"][4] == "127m"


def test_watch_events_are_one_row_tables_with_headers_first(demo_objects: KubeEmulator) -> None:
    pod = demo_objects.objects("pods", "sandbox")[0]
    first = kube_tables.watch_table("pods", pod, NOW, headers=True, kind="Pod", api_version="v1")
    later = kube_tables.watch_table(
        "pods", pod, NOW, headers=False, include_object="Object", kind="Pod", api_version="v1"
    )
    assert [c["name"] for c in first["columnDefinitions"]][:5] == [
        "Name",
        "Ready",
        "Status",
        "Restarts",
        "Age",
    ]
    assert later["columnDefinitions"] is None
    assert first["rows"][0]["cells"] == later["rows"][0]["cells"] and len(first["rows"]) == 1
    assert later["rows"][0]["object"]["kind"] == "Pod"
    assert first["metadata"] == {"resourceVersion": pod["metadata"]["resourceVersion"]}
    bookmark = kube_tables.watch_table(
        "pods", {"metadata": {"resourceVersion": "9"}}, NOW, headers=True, bookmark=True
    )
    assert (bookmark["kind"], bookmark["rows"], bookmark["metadata"]) == (
        "Table",
        [],
        {"resourceVersion": "9"},
    )


async def test_kubectl_get_watch_prints_new_rows_in_the_table_columns(
    fixed_cluster: tuple[KubeEmulator, Kubectl],
) -> None:
    emulator, kubectl = fixed_cluster
    env = {**os.environ, "KUBECONFIG": str(kubectl.kubeconfig), "HOME": str(kubectl.home)}
    watcher = await asyncio.create_subprocess_exec(
        kubectl.binary,
        "get",
        "pods",
        "-w",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert watcher.stdout is not None
        lines = [
            (await asyncio.wait_for(watcher.stdout.readline(), 30)).decode().rstrip("\n")
            for _ in range(4)
        ]
        assert headers(lines[0]) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        before = {p["metadata"]["name"] for p in emulator.objects("pods", "sandbox")}
        code, _, err = await kubectl("scale", "deployment/nginx", "--replicas=4")
        assert code == 0, err
        new = (await asyncio.wait_for(watcher.stdout.readline(), 30)).decode().rstrip("\n")
    finally:
        watcher.terminate()
        await watcher.wait()
    (added,) = {p["metadata"]["name"] for p in emulator.objects("pods", "sandbox")} - before
    # The watch event is printed in the list's columns (no "NAME AGE" fallback, no second header).
    assert new.split()[0] == added and len(new.split()) == 5
    assert new.split()[1] in ("0/1", "1/1") and new.index(new.split()[1]) == lines[0].index("READY")


async def test_a_table_only_client_gets_a_table_and_discovery_still_refuses_it(http) -> None:
    only_table = {"Accept": kube_tables.TABLE_MEDIA_TYPE}
    status, body = await http.get(
        "/api/v1/namespaces/sandbox/configmaps/nginx-settings", headers=only_table
    )
    assert status == 200 and body["kind"] == "Table"
    assert [r["cells"][:2] for r in body["rows"]] == [["nginx-settings", 2]]
    assert (
        body["metadata"]["resourceVersion"]
        == body["rows"][0]["object"]["metadata"]["resourceVersion"]
    )
    status, body = await http.get("/api/v1", headers=only_table)  # discovery is never a Table
    assert status == 406


async def test_a_refused_table_watch_leaves_no_listener_behind(
    http, running_demo: KubeEmulator
) -> None:
    listeners = len(running_demo.store.listeners)
    status, body = await http.get(
        "/api/v1/namespaces/sandbox/pods?watch=1&includeObject=All",
        headers={"Accept": KUBECTL_ACCEPT},
    )
    assert status == 400 and body["message"] == 'unrecognized includeObject value: "All"'
    assert len(running_demo.store.listeners) == listeners
