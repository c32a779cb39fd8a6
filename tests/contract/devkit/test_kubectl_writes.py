"""The real kubectl writes to the emulator and gets the API server's answers (issue 14)."""

from __future__ import annotations

import asyncio
import json
import re
import textwrap
from pathlib import Path

import pytest

from podium_devkit.kube_api import KubeEmulator
from tests.harness.emulator import Kubectl
from tests.harness.kubectl_binary import kubectl_binary

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - {name: GREETING, value: hello}
            - {name: COLOR, value: blue}
          ports:
            - containerPort: 80
        - name: sidecar
          image: busybox:1.36
          command: [sleep, "3600"]
"""


@pytest.fixture
def admin(running_demo: KubeEmulator, tmp_path: Path) -> Kubectl:
    """kubectl as the cluster admin, in the sandbox namespace, working in tmp_path."""
    home = tmp_path / "admin-home"
    home.mkdir()
    config = running_demo.write_kubeconfig(
        tmp_path / "admin-kubeconfig", token=KubeEmulator.ADMIN_TOKEN
    )
    return Kubectl(kubectl_binary(), config, home)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


async def test_create_then_already_exists(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    manifest = write(
        tmp_path,
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n",
    )
    code, out, err = await admin("create", "-f", manifest)
    assert (code, out) == (0, "configmap/settings created\n"), err
    stored = running_demo.get_object("configmaps", "sandbox", "settings")
    assert stored["data"] == {"a": "b"} and len(stored["metadata"]["uid"]) == 36
    assert int(stored["metadata"]["resourceVersion"]) == running_demo.store.revision
    code, out, err = await admin("create", "-f", manifest)
    assert code == 1
    assert (
        err.strip()
        == f'Error from server (AlreadyExists): error when creating "{manifest}": configmaps "settings" already exists'
    )


async def test_apply_then_reapply_a_changed_manifest(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    manifest = write(tmp_path, "web.yaml", DEPLOYMENT)
    code, out, err = await admin("apply", "-f", manifest)
    assert (code, out) == (0, "deployment.apps/web created\n"), err
    assert (
        "validat" not in err
    )  # validated by the server (fieldValidation=Strict), no client-side fallback
    created = running_demo.get_object("deployments", "sandbox", "web")
    assert created["metadata"]["generation"] == 1
    assert created["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert created["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    first_version = created["metadata"]["resourceVersion"]

    # Re-apply: new image, one env var gone, containers reordered, a label added.
    changed = (
        DEPLOYMENT.replace("image: nginx:1.27", "image: nginx:1.28")
        .replace("            - {name: COLOR, value: blue}\n", "")
        .replace("labels: {app: web}\nspec:", "labels: {app: web, tier: front}\nspec:")
    )
    sidecar_first = changed.split("        - name: web\n")
    reordered = (
        sidecar_first[0]
        + '        - name: sidecar\n          image: busybox:1.36\n          command: [sleep, "3600"]\n'
        "        - name: web\n" + sidecar_first[1].split("        - name: sidecar\n")[0]
    )
    manifest = write(tmp_path, "web.yaml", reordered)
    running_demo.clear_requests()
    code, out, err = await admin("apply", "-f", manifest)
    assert (code, out) == (0, "deployment.apps/web configured\n"), err
    patch = next(r for r in running_demo.requests if r.method == "PATCH")
    assert patch.query.get("fieldValidation") == "Strict" and patch.status == 200
    updated = running_demo.get_object("deployments", "sandbox", "web")
    containers = updated["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["sidecar", "web"]  # $setElementOrder honoured
    assert containers[1]["image"] == "nginx:1.28" and containers[1]["env"] == [
        {"name": "GREETING", "value": "hello"}
    ]
    assert containers[1]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert updated["metadata"]["labels"] == {"app": "web", "tier": "front"}
    assert (
        updated["metadata"]["generation"] == 2
        and updated["metadata"]["uid"] == created["metadata"]["uid"]
    )
    assert int(updated["metadata"]["resourceVersion"]) > int(first_version)
    applied = json.loads(
        updated["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    )
    assert applied["spec"]["template"]["spec"]["containers"][1]["image"] == "nginx:1.28"

    unchanged_version = updated["metadata"]["resourceVersion"]
    code, out, err = await admin("apply", "-f", manifest)
    assert (code, out) == (0, "deployment.apps/web unchanged\n"), err
    assert (
        running_demo.get_object("deployments", "sandbox", "web")["metadata"]["resourceVersion"]
        == unchanged_version
    )


async def test_scale_set_image_and_rollout_restart(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    assert (await admin("apply", "-f", write(tmp_path, "web.yaml", DEPLOYMENT)))[0] == 0
    code, out, err = await admin("scale", "deploy/web", "--replicas=5")
    assert (code, out) == (0, "deployment.apps/web scaled\n"), err
    assert any(r.subresource == "scale" and r.method == "PATCH" for r in running_demo.requests)
    deployment = running_demo.get_object("deployments", "sandbox", "web")
    assert deployment["spec"]["replicas"] == 5 and deployment["metadata"]["generation"] == 2

    code, out, err = await admin("set", "image", "deployment/web", "web=nginx:1.29")
    assert (code, out) == (0, "deployment.apps/web image updated\n"), err
    containers = running_demo.get_object("deployments", "sandbox", "web")["spec"]["template"][
        "spec"
    ]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [
        ("web", "nginx:1.29"),
        ("sidecar", "busybox:1.36"),
    ]

    code, out, err = await admin("rollout", "restart", "deployment/web")
    assert (code, out) == (0, "deployment.apps/web restarted\n"), err
    template = running_demo.get_object("deployments", "sandbox", "web")["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]
    assert running_demo.get_object("deployments", "sandbox", "web")["metadata"]["generation"] == 4

    code, _, err = await admin("scale", "deploy/missing", "--replicas=1")
    assert code == 1 and 'deployments.apps "missing" not found' in err


async def test_delete_cascades_to_owned_objects(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    assert (await admin("apply", "-f", write(tmp_path, "web.yaml", DEPLOYMENT)))[0] == 0
    deployment = running_demo.get_object("deployments", "sandbox", "web")
    owner = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "web",
        "uid": deployment["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    # What a deployment controller would have made: an owned ReplicaSet owning a Pod.
    rs = running_demo.store.put({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                 "metadata": {"name": "web-abc", "namespace": "sandbox", "ownerReferences": [owner]},
                                 "spec": {"replicas": 1}})  # fmt: skip
    rs_owner = {**owner, "kind": "ReplicaSet", "name": "web-abc", "uid": rs["metadata"]["uid"]}
    running_demo.store.put({"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": "web-abc-x1", "namespace": "sandbox", "ownerReferences": [rs_owner]},
                            "spec": {"containers": [{"name": "web", "image": "nginx"}]}})  # fmt: skip
    code, out, err = await admin("delete", "deployment", "web")
    assert (code, out) == (0, 'deployment.apps "web" deleted from sandbox namespace\n') or (code, out) == (
        0, 'deployment.apps "web" deleted\n'), (out, err)  # fmt: skip
    for resource in ("deployments", "replicasets", "pods"):
        assert not [
            o
            for o in running_demo.objects(resource, "sandbox")
            if o["metadata"]["name"].startswith("web")
        ]

    code, _, err = await admin("delete", "deployment", "web")
    assert (
        code == 1
        and err.strip() == 'Error from server (NotFound): deployments.apps "web" not found'
    )


async def test_delete_pod_and_namespace(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    pod = running_demo.objects("pods", "sandbox")[0]["metadata"]["name"]
    code, out, err = await admin("delete", "pod", pod)
    assert code == 0 and f'pod "{pod}" deleted' in out, err
    assert running_demo.get_object("pods", "sandbox", pod) is None

    code, out, err = await admin("create", "namespace", "ws-u1")
    assert (code, out) == (0, "namespace/ws-u1 created\n"), err
    # The namespace's controllers: every namespace gets its default ServiceAccount.
    assert running_demo.get_object("serviceaccounts", "ws-u1", "default") is not None
    assert (await admin("create", "configmap", "notes", "-n", "ws-u1", "--from-literal=a=b"))[
        0
    ] == 0
    code, out, err = await admin("delete", "namespace", "ws-u1")
    assert code == 0 and 'namespace "ws-u1" deleted' in out, err
    assert running_demo.get_object("configmaps", "ws-u1", "notes") is None
    code, _, err = await admin("create", "configmap", "notes", "-n", "ws-u1", "--from-literal=a=b")
    assert (
        code == 1
        and err.strip() == 'error: failed to create configmap: namespaces "ws-u1" not found'
    )


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (
            DEPLOYMENT.replace(
                "    metadata:\n      labels: {app: web}",
                "    metadata:\n      labels: {app: other}",
            ),
            'The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: '
            'map[string]string{"app":"other"}: `selector` does not match template `labels`',
        ),
        (
            DEPLOYMENT.replace("name: web\n  labels", "name: Web_1\n  labels"),
            'The Deployment "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain '
            "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
        (
            DEPLOYMENT.replace("          image: nginx:1.27\n", ""),
            'The Deployment "web" is invalid: spec.template.spec.containers[0].image: Required value',
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: 'not ok!'}}\nspec: {containers: [{name: c, image: nginx}]}\n",
            'The Pod "p" is invalid: metadata.labels: Invalid value: "not ok!": a valid label must be an empty string or '
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n",
            'The Pod "p" is invalid: spec.containers: Required value',
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: web}}\n",
            'The Service "s" is invalid: spec.ports: Required value',
        ),
    ],
    ids=["selector", "name", "image", "label", "containers", "service-ports"],
)
async def test_invalid_objects_are_refused_with_the_field(admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path,
                                                          manifest: str, message: str) -> None:  # fmt: skip
    path = write(tmp_path, "bad.yaml", manifest)
    code, out, err = await admin("apply", "-f", path)
    assert code == 1 and out == ""
    assert err.strip() == message
    assert running_demo.store.list("deployments", "sandbox") == [
        running_demo.get_object("deployments", "sandbox", "nginx")
    ]


async def test_unknown_fields_are_refused_strictly(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    manifest = write(tmp_path, "web.yaml", DEPLOYMENT.replace("  replicas: 2\n", "  replica: 2\n").replace(
        "          image: nginx:1.27\n", "          image: nginx:1.27\n          imagePolicy: Always\n"))  # fmt: skip
    code, _, err = await admin("apply", "-f", manifest)
    assert code == 1
    assert err.strip() == (
        f'Error from server (BadRequest): error when creating "{manifest}": Deployment in version "v1" cannot be '
        'handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field '
        '"spec.template.spec.containers[0].imagePolicy"'
    )
    # --validate=false: dropped (the server warns), as on a real cluster.
    code, out, err = await admin("apply", "--validate=false", "-f", manifest)
    assert (code, out) == (0, "deployment.apps/web created\n"), err
    stored = running_demo.get_object("deployments", "sandbox", "web")
    assert "replica" not in stored["spec"] and stored["spec"]["replicas"] == 1


async def test_replace_with_a_stale_resource_version_conflicts(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    assert (await admin("create", "configmap", "cfg", "--from-literal=a=1"))[0] == 0
    code, stale, err = await admin("get", "configmap", "cfg", "-o", "yaml")
    assert code == 0, err
    assert (
        await admin(
            "create", "configmap", "cfg", "--from-literal=a=2", "--dry-run=client", "-o", "yaml"
        )
    )[0] == 0
    code, _, err = await admin("patch", "configmap", "cfg", "-p", '{"data":{"a":"2"}}')
    assert code == 0, err
    path = write(tmp_path, "stale.yaml", stale.replace('a: "1"', 'a: "3"'))
    code, _, err = await admin("replace", "-f", path)
    assert code == 1 and err.strip() == (
        f'Error from server (Conflict): error when replacing "{path}": Operation cannot be fulfilled on configmaps '
        '"cfg": the object has been modified; please apply your changes to the latest version and try again'
    )
    assert running_demo.get_object("configmaps", "sandbox", "cfg")["data"] == {"a": "2"}


async def test_generate_name_and_secrets_as_a_server_stores_them(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "gen.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: run-}\ndata: {a: b}\n",
    )
    code, out, err = await admin("create", "-f", path)
    assert code == 0 and re.fullmatch(r"configmap/run-[a-z0-9]{5} created\n", out), err
    assert running_demo.get_object("configmaps", "sandbox", out.split()[0].split("/")[1])[
        "data"
    ] == {"a": "b"}
    secret = write(
        tmp_path,
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: token}\nstringData: {password: s3cret}\n",
    )
    assert (await admin("apply", "-f", secret))[0] == 0
    stored = running_demo.get_object("secrets", "sandbox", "token")
    assert (
        stored["data"] == {"password": "czNjcmV0"}
        and "stringData" not in stored
        and stored["type"] == "Opaque"
    )


async def test_kubectl_create_generators_send_protobuf_and_are_understood(
    admin: Kubectl, running_demo: KubeEmulator
) -> None:
    commands = [
        (("create", "namespace", "ws-u9"), "namespace/ws-u9 created"),
        (("create", "deployment", "hello", "--image=nginx:1.27", "--replicas=2", "--port=80"), "deployment.apps/hello created"),
        (("create", "deployment", "idle", "--image=nginx", "--replicas=0"), "deployment.apps/idle created"),
        (("create", "service", "clusterip", "hello", "--tcp=80:8080"), "service/hello created"),
        (("create", "job", "once", "--image=busybox:1.36", "--", "echo", "hi"), "job.batch/once created"),
        (("create", "configmap", "cfg", "--from-literal=a=b"), "configmap/cfg created"),
        (("create", "secret", "generic", "pw", "--from-literal=password=s3cret"), "secret/pw created"),
        (("create", "serviceaccount", "robot"), "serviceaccount/robot created"),
        (("create", "rolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=sandbox:robot"),
         "rolebinding.rbac.authorization.k8s.io/robot-view created"),
        (("create", "quota", "small", "--hard=pods=5,limits.memory=1Gi"), "resourcequota/small created"),
    ]  # fmt: skip
    for args, expected in commands:
        code, out, err = await admin(*args)
        assert (code, out) == (0, expected + "\n"), (args, err)
    hello = running_demo.get_object("deployments", "sandbox", "hello")
    assert hello["spec"]["replicas"] == 2 and hello["spec"]["selector"] == {
        "matchLabels": {"app": "hello"}
    }
    (container,) = hello["spec"]["template"]["spec"]["containers"]
    assert (container["name"], container["image"], container["ports"]) == (
        "nginx",
        "nginx:1.27",
        [{"containerPort": 80, "protocol": "TCP"}],
    )
    assert hello["metadata"]["generation"] == 1
    assert running_demo.get_object("deployments", "sandbox", "idle")["spec"]["replicas"] == 0
    service = running_demo.get_object("services", "sandbox", "hello")
    assert service["spec"]["ports"] == [
        {"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080}
    ]
    assert service["spec"]["selector"] == {"app": "hello"} and service["status"] == {
        "loadBalancer": {}
    }
    job = running_demo.get_object("jobs", "sandbox", "once")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["echo", "hi"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert running_demo.get_object("secrets", "sandbox", "pw")["data"] == {"password": "czNjcmV0"}
    binding = running_demo.get_object("rolebindings", "sandbox", "robot-view")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "view",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "robot", "namespace": "sandbox"}
    ]
    assert running_demo.get_object("resourcequotas", "sandbox", "small")["spec"]["hard"] == {
        "pods": "5",
        "limits.memory": "1Gi",
    }

    code, token, err = await admin(
        "create", "token", "robot", "--duration=15m"
    )  # a TokenRequest in protobuf
    assert code == 0 and token.strip(), err
    robot = Kubectl(admin.binary, running_demo.write_kubeconfig(admin.kubeconfig.parent / "robot.kubeconfig",
                                                                token=token.strip()), admin.home)  # fmt: skip
    assert (await robot("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"))[:2] == (
        0,
        "system:serviceaccount:sandbox:robot",
    )
    assert (await robot("get", "deployments"))[0] == 0  # view, through robot-view
    code, _, err = await admin("create", "token", "robot", "--duration=5m")
    assert code == 1 and "may not specify a duration less than 10 minutes" in err


async def test_metadata_changes_dry_runs_and_server_side_apply(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    manifest = write(tmp_path, "web.yaml", DEPLOYMENT)
    code, out, err = await admin("apply", "--dry-run=server", "-f", manifest)
    assert (code, out) == (0, "deployment.apps/web created (server dry run)\n"), err
    assert running_demo.get_object("deployments", "sandbox", "web") is None
    assert (await admin("apply", "-f", manifest))[0] == 0
    code, out, err = await admin("annotate", "deployment", "web", "note=hi")
    assert (code, out) == (0, "deployment.apps/web annotated\n"), err
    annotated = running_demo.get_object("deployments", "sandbox", "web")
    assert (
        annotated["metadata"]["annotations"]["note"] == "hi"
        and annotated["metadata"]["generation"] == 1
    )
    code, _, err = await admin("apply", "--server-side", "-f", manifest)
    assert (
        code == 1
        and "does not implement server-side apply" in err
        and "without --server-side" in err
    )


async def test_rollout_status_and_wait_follow_live_watches(
    admin: Kubectl, running_demo: KubeEmulator
) -> None:
    code, out, err = await admin("rollout", "status", "deployment/nginx", "--timeout=10s")
    assert (code, out) == (0, 'deployment "nginx" successfully rolled out\n'), err
    assert err == ""  # no "very short watch" complaints: the watch stays open
    code, out, err = await admin(
        "wait", "--for=condition=Available", "deployment/nginx", "--timeout=10s"
    )
    assert (code, out) == (0, "deployment.apps/nginx condition met\n"), err
    for _ in range(40):  # every watch ends with its client (noticed within half a second)
        if not running_demo.store.listeners:
            break
        await asyncio.sleep(0.1)
    assert running_demo.store.listeners == []


async def test_pod_updates_may_only_change_images(
    admin: Kubectl, running_demo: KubeEmulator, tmp_path: Path
) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: solo}\nspec:\n  containers: [{name: web, image: 'nginx:1.27'%s}]\n"
    assert (await admin("apply", "-f", write(tmp_path, "pod.yaml", pod % "")))[0] == 0
    code, out, err = await admin(
        "apply", "-f", write(tmp_path, "pod.yaml", (pod % "").replace("1.27", "1.28"))
    )
    assert (code, out) == (0, "pod/solo configured\n"), err
    assert (
        running_demo.get_object("pods", "sandbox", "solo")["spec"]["containers"][0]["image"]
        == "nginx:1.28"
    )
    path = write(tmp_path, "pod.yaml", pod % ", ports: [{containerPort: 80}]")
    code, _, err = await admin("apply", "-f", path)
    assert code == 1
    assert err.strip().startswith(
        'The Pod "solo" is invalid: spec: Forbidden: pod updates may not change fields other '
        "than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    )
