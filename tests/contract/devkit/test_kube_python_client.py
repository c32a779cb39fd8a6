"""The official python client against the emulator (its calls block: always off the loop)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from podium_devkit.kube_api import EmulatorThread, KubeEmulator


def core(kubeconfig: Path) -> client.CoreV1Api:
    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


@pytest.mark.parametrize("tls", [True, False])
async def test_list_pods_with_label_selector(
    running_demo: KubeEmulator, tmp_path: Path, tls: bool
) -> None:
    api = core(running_demo.write_kubeconfig(tmp_path / "kubeconfig", tls=tls))
    pods = await asyncio.to_thread(api.list_namespaced_pod, "sandbox", label_selector="app=nginx")
    assert isinstance(pods, client.V1PodList)
    assert len(pods.items) == 3
    assert all(
        p.status.phase == "Running" and p.metadata.labels["app"] == "nginx" for p in pods.items
    )
    assert pods.items[0].status.container_statuses[0].ready is True


async def test_raw_json_with_preload_content_false(
    running_demo: KubeEmulator, tmp_path: Path
) -> None:
    api = core(running_demo.write_kubeconfig(tmp_path / "kubeconfig"))
    response = await asyncio.to_thread(
        api.list_namespaced_pod,
        "sandbox",
        field_selector="status.phase=Running",
        _preload_content=False,
    )
    body = json.loads(response.data)
    assert body["kind"] == "PodList" and len(body["items"]) == 3


async def test_typed_reads_across_kinds(running_demo: KubeEmulator, tmp_path: Path) -> None:
    api_client = config.new_client_from_config(
        config_file=str(running_demo.write_kubeconfig(tmp_path / "kc"))
    )
    apps, v1 = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    deployment = await asyncio.to_thread(apps.read_namespaced_deployment, "nginx", "sandbox")
    assert deployment.status.ready_replicas == 3
    replica_sets = await asyncio.to_thread(
        apps.list_namespaced_replica_set, "sandbox", label_selector="app=nginx"
    )
    assert replica_sets.items[0].metadata.owner_references[0].name == "nginx"
    service = await asyncio.to_thread(v1.read_namespaced_service, "nginx", "sandbox")
    assert service.spec.cluster_ip.startswith("10.100.")
    slices = await asyncio.to_thread(
        client.DiscoveryV1Api(api_client).list_namespaced_endpoint_slice,
        "sandbox", label_selector="kubernetes.io/service-name=nginx",
    )  # fmt: skip
    assert len(slices.items[0].endpoints) == 3
    pod = (await asyncio.to_thread(v1.list_namespaced_pod, "sandbox")).items[0]
    events = await asyncio.to_thread(
        v1.list_namespaced_event, "sandbox",
        field_selector=f"involvedObject.name={pod.metadata.name},involvedObject.uid={pod.metadata.uid}",
    )  # fmt: skip
    assert {e.reason for e in events.items} >= {"Scheduled", "Started"}
    log = await asyncio.to_thread(
        v1.read_namespaced_pod_log, pod.metadata.name, "sandbox", tail_lines=1
    )
    assert log.count("\n") == 1
    jobs = await asyncio.to_thread(client.BatchV1Api(api_client).list_namespaced_job, "sandbox")
    assert jobs.items == []


async def test_errors_carry_status_bodies(running_demo: KubeEmulator, tmp_path: Path) -> None:
    api = core(running_demo.write_kubeconfig(tmp_path / "kubeconfig"))
    with pytest.raises(ApiException) as not_found:
        await asyncio.to_thread(api.read_namespaced_pod, "missing", "sandbox")
    assert not_found.value.status == 404
    assert json.loads(not_found.value.body)["message"] == 'pods "missing" not found'

    with pytest.raises(ApiException) as forbidden:
        await asyncio.to_thread(api.list_namespaced_pod, "kube-system")
    assert forbidden.value.status == 403
    assert json.loads(forbidden.value.body)["reason"] == "Forbidden"

    bad = core(running_demo.write_kubeconfig(tmp_path / "bad", token="not-a-token"))
    with pytest.raises(ApiException) as unauthorized:
        await asyncio.to_thread(bad.list_namespaced_pod, "sandbox")
    assert unauthorized.value.status == 401

    with pytest.raises(ApiException) as bad_selector:
        await asyncio.to_thread(api.list_namespaced_pod, "sandbox", label_selector="app in nginx")
    assert bad_selector.value.status == 400


async def test_self_subject_access_review(running_demo: KubeEmulator, tmp_path: Path) -> None:
    api_client = config.new_client_from_config(
        config_file=str(running_demo.write_kubeconfig(tmp_path / "kc"))
    )
    authz = client.AuthorizationV1Api(api_client)

    def can(verb: str, resource: str, namespace: str = "sandbox") -> bool:
        review = client.V1SelfSubjectAccessReview(
            spec=client.V1SelfSubjectAccessReviewSpec(
                resource_attributes=client.V1ResourceAttributes(
                    namespace=namespace, verb=verb, resource=resource
                )
            )
        )
        return authz.create_self_subject_access_review(review).status.allowed

    assert await asyncio.to_thread(can, "list", "pods")
    assert not await asyncio.to_thread(can, "delete", "pods")
    assert not await asyncio.to_thread(can, "list", "secrets")


def test_blocking_client_with_emulator_thread(demo_emulator: KubeEmulator, tmp_path: Path) -> None:
    with EmulatorThread(demo_emulator) as url:
        assert url == demo_emulator.url and url.startswith("http://127.0.0.1:")
        api = core(demo_emulator.write_kubeconfig(tmp_path / "kubeconfig"))
        assert len(api.list_namespaced_config_map("sandbox").items) == 2
    assert {r.namespace for r in demo_emulator.requests} == {"sandbox"}
    assert not [r for r in demo_emulator.requests if r.resource == "secrets"]


async def test_writes_through_the_python_client(running_demo: KubeEmulator, tmp_path: Path) -> None:
    api_client = config.new_client_from_config(
        config_file=str(
            running_demo.write_kubeconfig(tmp_path / "kc", token=KubeEmulator.ADMIN_TOKEN)
        )
    )
    v1, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="notes"), data={"a": "1"})
    created = await asyncio.to_thread(v1.create_namespaced_config_map, "sandbox", body)
    assert created.metadata.uid and created.data == {"a": "1"}
    patched = await asyncio.to_thread(
        v1.patch_namespaced_config_map, "notes", "sandbox", {"data": {"b": "2"}}
    )
    assert patched.data == {"a": "1", "b": "2"}
    assert int(patched.metadata.resource_version) > int(created.metadata.resource_version)

    created.data = {"stale": "yes"}  # still carries the first resourceVersion
    with pytest.raises(ApiException) as conflict:
        await asyncio.to_thread(v1.replace_namespaced_config_map, "notes", "sandbox", created)
    assert conflict.value.status == 409 and json.loads(conflict.value.body)["reason"] == "Conflict"
    patched.data = {"fresh": "yes"}
    replaced = await asyncio.to_thread(
        v1.replace_namespaced_config_map, "notes", "sandbox", patched
    )
    assert replaced.data == {"fresh": "yes"}

    with pytest.raises(ApiException) as mismatch:
        await asyncio.to_thread(
            v1.create_namespaced_config_map,
            "default",
            client.V1ConfigMap(metadata=client.V1ObjectMeta(name="x", namespace="sandbox")),
        )
    assert mismatch.value.status == 400 and json.loads(mismatch.value.body)["message"] == (
        "the namespace of the provided object does not match the namespace sent on the request"
    )
    with pytest.raises(ApiException) as missing_ns:
        await asyncio.to_thread(
            v1.create_namespaced_config_map,
            "nowhere",
            client.V1ConfigMap(metadata=client.V1ObjectMeta(name="x")),
        )
    assert (
        missing_ns.value.status == 404
        and json.loads(missing_ns.value.body)["message"] == 'namespaces "nowhere" not found'
    )

    scale = await asyncio.to_thread(
        apps.patch_namespaced_deployment_scale, "nginx", "sandbox", {"spec": {"replicas": 1}}
    )
    assert (
        scale.spec.replicas == 1
        and running_demo.get_object("deployments", "sandbox", "nginx")["spec"]["replicas"] == 1
    )
    status = await asyncio.to_thread(v1.delete_namespaced_config_map, "notes", "sandbox")
    assert (
        status["status"] == "Success"
        and running_demo.get_object("configmaps", "sandbox", "notes") is None
    )
    with pytest.raises(ApiException) as gone:
        await asyncio.to_thread(v1.delete_namespaced_config_map, "notes", "sandbox")
    assert gone.value.status == 404


async def test_replace_scale_and_status(running_demo: KubeEmulator, tmp_path: Path) -> None:
    api_client = config.new_client_from_config(
        config_file=str(
            running_demo.write_kubeconfig(tmp_path / "kc", token=KubeEmulator.ADMIN_TOKEN)
        )
    )
    apps = client.AppsV1Api(api_client)
    scale = await asyncio.to_thread(apps.read_namespaced_deployment_scale, "nginx", "sandbox")
    scale.spec.replicas = 4
    replaced = await asyncio.to_thread(
        apps.replace_namespaced_deployment_scale, "nginx", "sandbox", scale
    )
    assert (
        replaced.spec.replicas == 4
        and running_demo.get_object("deployments", "sandbox", "nginx")["spec"]["replicas"] == 4
    )
    scale.spec.replicas = 5  # stale resourceVersion now
    with pytest.raises(ApiException) as conflict:
        await asyncio.to_thread(apps.replace_namespaced_deployment_scale, "nginx", "sandbox", scale)
    assert conflict.value.status == 409
    before = running_demo.get_object("deployments", "sandbox", "nginx")
    generation = before["metadata"]["generation"]
    status = await asyncio.to_thread(
        apps.patch_namespaced_deployment_status,
        "nginx",
        "sandbox",
        {"status": {"observedGeneration": generation, "readyReplicas": 1}},
    )
    assert (
        status.status.ready_replicas == 1 and status.metadata.generation == generation
    )  # status: no generation bump
    assert running_demo.get_object("deployments", "sandbox", "nginx")["spec"] == before["spec"]
