"""The emulator over raw HTTP: discovery, lists, selectors, errors, logs, auth, recording, faults."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
import yaml

from podium_devkit.kube_api import KubeEmulator
from tests.harness.emulator import Http, fixed_now

ADMIN = KubeEmulator.ADMIN_TOKEN


async def test_discovery_documents(http: Http) -> None:
    status, version = await http.get(
        "/version", token=None
    )  # public, like system:public-info-viewer
    assert status == 200 and version["major"] == "1"
    status, api = await http.get("/api")
    assert api["kind"] == "APIVersions" and api["versions"] == ["v1"]
    _, core = await http.get("/api/v1")
    resources = {r["name"]: r for r in core["resources"]}
    assert resources["pods"]["shortNames"] == ["po"] and resources["pods"]["namespaced"] is True
    assert resources["pods/log"]["verbs"] == ["get"] and resources["pods/log"]["kind"] == "Pod"
    assert resources["namespaces"]["namespaced"] is False
    assert "list" in resources["secrets"]["verbs"]
    _, groups = await http.get("/apis")
    assert {g["name"] for g in groups["groups"]} == {
        "apps", "batch", "discovery.k8s.io", "rbac.authorization.k8s.io", "authentication.k8s.io",
        "authorization.k8s.io"}  # fmt: skip
    for group_version in ("apps/v1", "batch/v1", "discovery.k8s.io/v1", "rbac.authorization.k8s.io/v1",
                          "authorization.k8s.io/v1"):  # fmt: skip
        status, body = await http.get(f"/apis/{group_version}")
        assert (
            status == 200
            and body["groupVersion"] == group_version
            and body["kind"] == "APIResourceList"
        )


async def test_aggregated_discovery_falls_back_or_is_refused(http: Http) -> None:
    aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    status, body = await http.get("/apis", headers={"Accept": f"{aggregated},application/json"})
    assert status == 200 and body["kind"] == "APIGroupList"
    status, body = await http.get("/apis", headers={"Accept": aggregated})
    assert status == 406 and body["reason"] == "NotAcceptable"
    status, body = await http.get("/openapi/v2")
    assert status == 404 and body["kind"] == "Status"


async def test_openapi_v3_says_the_server_validates_fields(http: Http) -> None:
    status, root = await http.get("/openapi/v3")
    assert status == 200 and set(root["paths"]) >= {
        "api/v1",
        "apis/apps/v1",
        "apis/rbac.authorization.k8s.io/v1",
    }
    status, apps = await http.get(root["paths"]["apis/apps/v1"]["serverRelativeURL"])
    assert status == 200
    patch = apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "apps",
        "version": "v1",
        "kind": "Deployment",
    }
    assert {"name": "fieldValidation", "in": "query"}.items() <= patch["parameters"][2].items()
    assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
    status, _ = await http.get("/openapi/v3/apis/nope/v1")
    assert status == 404


async def test_typed_lists_and_objects(http: Http) -> None:
    status, pods = await http.get("/api/v1/namespaces/sandbox/pods")
    assert status == 200
    assert (
        pods["kind"] == "PodList"
        and pods["apiVersion"] == "v1"
        and pods["metadata"]["resourceVersion"]
    )
    assert len(pods["items"]) == 3
    assert "kind" not in pods["items"][0]  # like the real API server
    name = pods["items"][0]["metadata"]["name"]
    _, pod = await http.get(f"/api/v1/namespaces/sandbox/pods/{name}")
    assert pod["kind"] == "Pod" and pod["apiVersion"] == "v1"
    assert {"uid", "resourceVersion", "creationTimestamp"} <= set(pod["metadata"])
    _, deployments = await http.get("/apis/apps/v1/namespaces/sandbox/deployments")
    assert deployments["kind"] == "DeploymentList" and deployments["apiVersion"] == "apps/v1"
    _, slices = await http.get("/apis/discovery.k8s.io/v1/namespaces/sandbox/endpointslices")
    assert slices["kind"] == "EndpointSliceList"
    _, jobs = await http.get("/apis/batch/v1/namespaces/sandbox/jobs")
    assert jobs == {
        "kind": "JobList",
        "apiVersion": "batch/v1",
        "metadata": jobs["metadata"],
        "items": [],
    }


async def test_all_namespaces_and_cluster_scoped(http: Http) -> None:
    status, pods = await http.get("/api/v1/pods", token=ADMIN)
    assert status == 200
    assert {p["metadata"]["namespace"] for p in pods["items"]} == {
        "sandbox",
        "kube-system",
        "default",
    }
    _, namespaces = await http.get("/api/v1/namespaces", token=ADMIN)
    assert namespaces["kind"] == "NamespaceList"
    _, sandbox = await http.get("/api/v1/namespaces/sandbox", token=ADMIN)
    assert sandbox["status"] == {"phase": "Active"}


async def test_label_and_field_selectors(http: Http) -> None:
    async def names(query: str) -> list[str]:
        status, body = await http.get(f"/api/v1/namespaces/sandbox/pods?{query}")
        assert status == 200, body
        return [p["metadata"]["name"] for p in body["items"]]

    assert len(await names("labelSelector=app%3Dnginx")) == 3
    assert len(await names("labelSelector=app+in+(nginx,redis),!canary")) == 3
    assert await names("labelSelector=app!%3Dnginx") == []
    first = (await names(""))[0]
    assert await names(f"fieldSelector=metadata.name%3D{first}") == [first]
    assert len(await names("fieldSelector=status.phase%3DRunning")) == 3
    assert await names("fieldSelector=status.phase%3DPending") == []
    _, pod = await http.get(f"/api/v1/namespaces/sandbox/pods/{first}")
    assert await names(f"fieldSelector=spec.nodeName%3D{pod['spec']['nodeName']}") != []
    uid = pod["metadata"]["uid"]
    _, events = await http.get(
        "/api/v1/namespaces/sandbox/events?fieldSelector="
        f"involvedObject.kind%3DPod,involvedObject.name%3D{first},involvedObject.namespace%3Dsandbox,involvedObject.uid%3D{uid}"
    )
    assert events["items"] and all(e["involvedObject"]["name"] == first for e in events["items"])


@pytest.mark.parametrize(
    "query",
    [
        "labelSelector=app%3D(",
        "labelSelector=a+b",
        "fieldSelector=spec.foo%3Dx",
        "fieldSelector=nonsense",
    ],
)
async def test_bad_selectors_are_400(http: Http, query: str) -> None:
    status, body = await http.get(f"/api/v1/namespaces/sandbox/pods?{query}")
    assert status == 400
    assert body["kind"] == "Status" and body["reason"] == "BadRequest" and body["code"] == 400


async def test_limit_and_continue(http: Http) -> None:
    _, first = await http.get("/api/v1/namespaces/sandbox/pods?limit=2")
    assert len(first["items"]) == 2 and first["metadata"]["remainingItemCount"] == 1
    _, rest = await http.get(
        f"/api/v1/namespaces/sandbox/pods?limit=2&continue={first['metadata']['continue']}"
    )
    assert len(rest["items"]) == 1 and "continue" not in rest["metadata"]


async def test_not_found_status(http: Http) -> None:
    status, body = await http.get("/api/v1/namespaces/sandbox/pods/x")
    assert status == 404
    assert body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'pods "x" not found', "reason": "NotFound", "details": {"name": "x", "kind": "pods"}, "code": 404,
    }  # fmt: skip
    status, body = await http.get("/apis/apps/v1/namespaces/sandbox/deployments/x")
    assert (
        body["message"] == 'deployments.apps "x" not found' and body["details"]["group"] == "apps"
    )
    status, body = await http.get("/api/v1/namespaces/sandbox/widgets", token=ADMIN)
    assert status == 404 and body["message"] == "the server could not find the requested resource"


async def test_authentication(http: Http) -> None:
    for token in (None, "wrong"):
        status, body = await http.get("/api/v1/namespaces/sandbox/pods", token=token)
        assert status == 401
        assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": "Unauthorized", "reason": "Unauthorized", "code": 401}  # fmt: skip


async def test_forbidden_outside_the_role(http: Http, running_demo: KubeEmulator) -> None:
    status, body = await http.get("/api/v1/namespaces/kube-system/pods")
    assert status == 403
    assert body["message"] == (
        'pods is forbidden: User "system:serviceaccount:podium:podium" cannot list resource "pods" '
        'in API group "" in the namespace "kube-system"'
    )
    assert body["reason"] == "Forbidden" and body["details"] == {"kind": "pods"}
    status, body = await http.get("/api/v1/namespaces/sandbox/secrets/db-credentials")
    assert status == 403 and body["message"].startswith('secrets "db-credentials" is forbidden')
    assert (
        running_demo.requests[-1].resource == "secrets" and running_demo.requests[-1].status == 403
    )


async def test_podiums_writes_are_forbidden_and_wrong_media_types_refused(
    http: Http, running_demo: KubeEmulator
) -> None:
    pod = running_demo.objects("pods", "sandbox")[0]["metadata"]["name"]
    path = f"/api/v1/namespaces/sandbox/pods/{pod}"
    status, body = await http.request("DELETE", path)
    assert status == 403 and 'cannot delete resource "pods"' in body["message"]
    status, body = await http.request("PATCH", path, json={"metadata": {"labels": {"x": "y"}}},
                                      headers={"Content-Type": "application/merge-patch+json"})  # fmt: skip
    assert status == 403 and 'cannot patch resource "pods"' in body["message"]
    status, body = await http.request("POST", "/api/v1/namespaces/sandbox/configmaps", json={})
    assert status == 403 and 'cannot create resource "configmaps"' in body["message"]
    # A PATCH must say which kind of patch it is (plain JSON is not one), as on a real server.
    status, body = await http.request(
        "PATCH", path, token=ADMIN, json={"metadata": {"labels": {"x": "y"}}}
    )
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    status, body = await http.request("POST", f"{path}", token=ADMIN, json={})
    assert status == 405 and body["reason"] == "MethodNotAllowed"
    assert running_demo.get_object("pods", "sandbox", pod)["metadata"].get("labels") == {
        "app": "nginx", "pod-template-hash": pod.split("-")[1]}  # fmt: skip


async def test_self_subject_access_review(http: Http) -> None:
    async def review(verb: str, resource: str, namespace: str = "sandbox", **extra: str) -> dict:
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": {"verb": verb, "resource": resource, "namespace": namespace, **extra}}}  # fmt: skip
        status, answer = await http.request(
            "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", json=body
        )
        assert status == 201 and answer["kind"] == "SelfSubjectAccessReview"
        return answer["status"]

    allowed = await review("list", "pods")
    assert allowed["allowed"] is True and allowed["reason"].startswith(
        'RBAC: allowed by RoleBinding "podium-read/sandbox"'
    )
    assert (await review("get", "pods", subresource="log"))["allowed"] is True
    assert (await review("delete", "pods"))["allowed"] is False
    assert (await review("list", "pods", namespace="kube-system"))["allowed"] is False
    assert (await review("get", "secrets"))["allowed"] is False
    assert (await review("list", "deployments", group="apps"))["allowed"] is True


async def test_requests_are_recorded(http: Http, running_demo: KubeEmulator) -> None:
    running_demo.clear_requests()
    await http.get("/apis/apps/v1/namespaces/sandbox/deployments/nginx?pretty=false")
    (record,) = running_demo.requests
    assert (record.method, record.verb, record.namespace, record.resource, record.name, record.api_group) == (
        "GET", "get", "sandbox", "deployments", "nginx", "apps")  # fmt: skip
    assert (
        record.user == KubeEmulator.DEFAULT_USER
        and record.status == 200
        and record.query == {"pretty": "false"}
    )


async def test_fault_injection(http: Http, running_demo: KubeEmulator) -> None:
    running_demo.inject_fault(status=503, times=2, path_contains="/pods")
    for _ in range(2):
        status, body = await http.get("/api/v1/namespaces/sandbox/pods")
        assert status == 503 and body["reason"] == "ServiceUnavailable"
    status, _ = await http.get("/api/v1/namespaces/sandbox/pods")
    assert status == 200
    status, _ = await http.get("/api/v1/namespaces/sandbox/services")
    assert status == 200
    running_demo.inject_fault(status=None, delay=0.3, times=1)
    started = time.monotonic()
    status, _ = await http.get("/api/v1/namespaces/sandbox/services")
    assert status == 200 and time.monotonic() - started >= 0.3
    assert [r.status for r in running_demo.requests[:2]] == [503, 503]


async def test_watch_sends_current_objects_then_changes_until_its_timeout(
    http: Http, running_demo: KubeEmulator
) -> None:
    headers = {"Authorization": f"Bearer {KubeEmulator.DEFAULT_TOKEN}"}
    started = time.monotonic()
    async with http.session.get(
        "/api/v1/namespaces/sandbox/pods?watch=true&timeoutSeconds=1", headers=headers
    ) as response:
        lines = (await asyncio.wait_for(response.text(), 5)).splitlines()
    assert len(lines) == 3 and all('"type":"ADDED"' in line for line in lines)
    assert 1 <= time.monotonic() - started < 4

    async with http.session.get(
        "/api/v1/namespaces/sandbox/configmaps?watch=true&timeoutSeconds=3&labelSelector=app%3Dnginx"
        "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
        headers=headers,
    ) as response:
        first = json.loads(await asyncio.wait_for(response.content.readline(), 5))
        bookmark = json.loads(await asyncio.wait_for(response.content.readline(), 5))
        assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "nginx-settings")
        assert bookmark["type"] == "BOOKMARK"
        assert bookmark["object"]["metadata"]["annotations"] == {
            "k8s.io/initial-events-end": "true"
        }
        for labels in (
            {"note": "1"},
            {"app": "other"},
        ):  # changed and still selected, then no longer
            status, _ = await http.request("PATCH", "/api/v1/namespaces/sandbox/configmaps/nginx-settings", token=ADMIN,
                                           json={"metadata": {"labels": labels}},
                                           headers={"Content-Type": "application/merge-patch+json"})  # fmt: skip
            assert status == 200
        status, _ = await http.request("POST", "/api/v1/namespaces/sandbox/configmaps", token=ADMIN, json={
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new", "labels": {"app": "nginx"}}})  # fmt: skip
        assert status == 201
        assert (
            await http.request("DELETE", "/api/v1/namespaces/sandbox/configmaps/new", token=ADMIN)
        )[0] == 200
        events = [
            json.loads(line) for line in (await asyncio.wait_for(response.text(), 5)).splitlines()
        ]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("MODIFIED", "nginx-settings"),
        ("DELETED", "nginx-settings"),
        ("ADDED", "new"),
        ("DELETED", "new"),
    ]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions) and len(set(versions)) == 4


async def test_no_rbac_means_forbidden_unless_authorize_false() -> None:
    seed = list(
        yaml.safe_load_all(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}"
        )
    )
    for authorize, expected in ((True, 403), (False, 200)):
        emulator = KubeEmulator(seed, authorize=authorize, now=fixed_now)
        await emulator.start()
        try:
            async with aiohttp.ClientSession(emulator.url) as session:
                http = Http(session)
                status, _ = await http.get("/api/v1/namespaces/default/pods")
                assert status == expected
                status, _ = await http.get("/api/v1/namespaces/default/pods", token="nope")
                assert status == 401
        finally:
            await emulator.stop()
